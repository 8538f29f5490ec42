"""Amounts in words for the grant agreement ("cinq millions de francs CFA", "five million CFA francs").

num2words writes the number; the currency's name, its plural, French elision after "million(s)" /
"milliard(s)" ("cinq millions d'euros") and the feminine of "livre" are added here. Currencies with
two decimals get their cents ("… euros et cinquante centimes"). A currency missing from the table
falls back to its ISO code, so a new currency never stops an agreement from printing.
"""

from __future__ import annotations

from decimal import Decimal

from num2words import num2words

from relais.money import minor_unit, quantize

# (singular, plural, feminine) of the unit, then (singular, plural) of the cents, per language.
_UNITS = {
    "fr": {
        "XOF": ("franc CFA", "francs CFA", False),
        "EUR": ("euro", "euros", False),
        "USD": ("dollar des États-Unis", "dollars des États-Unis", False),
        "GBP": ("livre sterling", "livres sterling", True),
    },
    "en": {
        "XOF": ("CFA franc", "CFA francs", False),
        "EUR": ("euro", "euros", False),
        "USD": ("US dollar", "US dollars", False),
        "GBP": ("pound sterling", "pounds sterling", False),
    },
}
_CENTS = {
    "fr": {"EUR": ("centime", "centimes"), "USD": ("cent", "cents"), "GBP": ("penny", "pence")},
    "en": {"EUR": ("cent", "cents"), "USD": ("cent", "cents"), "GBP": ("penny", "pence")},
}
_FRENCH_LARGE = ("million", "millions", "milliard", "milliards")
_AND = {"fr": "et", "en": "and"}


def _language(language: str) -> str:
    return "en" if (language or "fr").lower().startswith("en") else "fr"


def _counted(value: int, singular: str, plural: str, language: str, *, feminine: bool = False) -> str:
    words = num2words(value, lang=language)
    if language == "fr":
        if feminine and (words == "un" or words.endswith(" un") or words.endswith("-un")):
            words += "e"  # une livre sterling, vingt et une livres sterling
        noun = plural if value >= 2 else singular
        if words.split(" ")[-1] in _FRENCH_LARGE:
            # "cinq millions de francs CFA", "un million d'euros"
            return f"{words} d'{noun}" if noun[0] in "aeiouyéèêh" else f"{words} de {noun}"
        return f"{words} {noun}"
    return f"{words} {singular if value == 1 else plural}"


def amount_in_words(amount: Decimal, currency: str, language: str = "fr") -> str:
    """The amount as a contract writes it, in French or English (any other language: French)."""
    language = _language(language)
    value = quantize(amount, currency)
    units = int(value)
    cents = int((value - units) * (10 ** minor_unit(currency))) if minor_unit(currency) else 0
    singular, plural, feminine = _UNITS[language].get(currency, (currency, currency, False))
    words = _counted(units, singular, plural, language, feminine=feminine)
    if cents:
        cent_singular, cent_plural = _CENTS[language].get(currency, ("cent", "cents"))
        words += f" {_AND[language]} " + _counted(cents, cent_singular, cent_plural, language)
    return words
