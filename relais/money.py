"""Money: Decimal amounts with an ISO 4217 currency, never float.

Amounts are quantised to the currency's minor unit (XOF has none; EUR, USD and
GBP have two) and formatted per locale with babel; py-moneyed supplies the
currency table. The CFA franc is written "FCFA", as Malian documents do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from html import escape as html_escape
from typing import Any

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from django.db import models
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from moneyed import get_currency


class Currency(models.TextChoices):
    """Currencies Relais funders budget in; extend here, not in forms."""

    XOF = "XOF", _("CFA franc (XOF)")
    EUR = "EUR", _("Euro (EUR)")
    USD = "USD", _("US dollar (USD)")
    GBP = "GBP", _("Pound sterling (GBP)")


# ISO 4217 minor units; py-moneyed's table agrees, but we keep the four we
# support explicit so a library update cannot change how money rounds.
_MINOR_UNITS = {"XOF": 0, "EUR": 2, "USD": 2, "GBP": 2}
_SYMBOLS = {"XOF": "FCFA", "EUR": "€", "USD": "$", "GBP": "£"}


def minor_unit(currency: str) -> int:
    if currency in _MINOR_UNITS:
        return _MINOR_UNITS[currency]
    # Fall back to py-moneyed's ISO table for currencies not on the short list.
    sub_unit = int(get_currency(currency).sub_unit)  # 1, 100 or 1000
    return len(str(sub_unit)) - 1


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round to the currency's minor unit (half up, as accountants expect)."""
    if isinstance(amount, float):
        raise TypeError("Money never comes from float; pass a Decimal, int or str.")
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"Not an amount: {amount!r}") from exc
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def minor_unit_problem(amount: Decimal | None, currency: str) -> str | None:
    """Why ``amount`` is not an amount in ``currency`` (more decimals than its minor unit: 12 500,75 FCFA),
    in the reader's language; None when it is. Forms and services refuse such amounts rather than round."""
    if amount is None or not amount.is_finite():
        return None
    places = minor_unit(currency)
    # Compared exactly, whatever the size: 1E+30 quantized in the default 28-digit context raises.
    with localcontext() as context:
        shape = amount.as_tuple()
        context.prec = len(shape.digits) + max(int(shape.exponent), 0) + places + 2
        if amount == amount.quantize(Decimal(1).scaleb(-places)):
            return None
    if places == 0:
        return gettext("Amounts in %(currency)s have no decimals (no centimes): enter a whole number.") % {
            "currency": currency}
    return ngettext("Amounts in %(currency)s have at most %(places)s decimal.",
                    "Amounts in %(currency)s have at most %(places)s decimals.", places) % {
        "currency": currency, "places": places}


# Below this, an amount already quantised is written by Python's own grouping with the locale's symbols:
# what babel's "#,##0.00" writes (tests/relais/test_money.py compares them), in a twentieth of the time;
# a list page formats a hundred amounts (issue 10). Larger or odd values go through babel.
_FAST_LIMIT = Decimal(10) ** 15


@functools.lru_cache(maxsize=16)
def _separators(locale: str) -> dict[int, str]:
    return str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale),
                          "-": get_minus_sign_symbol(locale)})


def format_money(amount: Decimal | int | str | None, currency: str, locale: str | None = None) -> str:
    """'1 250 000 FCFA' in French, '1,250,000 FCFA' in English, '12 500,50 €'."""
    if amount is None:
        return ""
    locale = (locale or get_language() or "fr").replace("-", "_")
    value = quantize(amount, currency)
    digits = minor_unit(currency)
    if value.is_finite() and abs(value) < _FAST_LIMIT:
        number = f"{value:,.{digits}f}".translate(_separators(locale))
    else:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        number = format_decimal(value, format=pattern, locale=locale)
    before, after = _affixes(currency, english=locale.startswith("en"))
    return f"{before}{number}{after}"


def _affixes(currency: str, *, english: bool) -> tuple[str, str]:
    """What stands before and after the number: "$1,250.00" in English for USD, GBP and EUR; "1 250 FCFA"."""
    symbol = _SYMBOLS.get(currency, currency)
    return (symbol, "") if english and currency in ("USD", "GBP", "EUR") else ("", f"\u00a0{symbol}")


def money_writer(locale: str | None = None, *, html: bool = False) -> Callable[[Decimal | int | str | None, str], str]:
    """format_money with the language read once: ``write = money_writer()`` then ``write(amount, currency)``
    for each amount of a page. format_money looks the language up, converts, finds the currency's rounding
    step and symbol again for every amount (~7 µs; the finance page writes 130 amounts, issue 10); this
    finds them once per currency and writes a Decimal below 10^15 in ~1.3 µs. Anything else (an int, a
    string, None, a huge or odd value) goes through format_money: the text is the same (a test compares them).
    ``html``: the text escaped for HTML, as ``html.escape`` escapes it (its symbols and separators escaped once,
    not each amount written)."""
    locale = (locale or get_language() or "fr").replace("-", "_")
    escape = html_escape if html else str
    separators = {key: escape(value) for key, value in _separators(locale).items()}
    english = locale.startswith("en")
    shapes: dict[str, tuple[Decimal, str, str, str]] = {}

    def write(amount: Decimal | int | str | None, currency: str) -> str:
        if type(amount) is not Decimal or not amount.is_finite() or not abs(amount) < _FAST_LIMIT:
            return escape(format_money(amount, currency, locale))
        shape = shapes.get(currency)
        if shape is None:
            digits = minor_unit(currency)
            before, after = (escape(affix) for affix in _affixes(currency, english=english))
            shape = shapes[currency] = (Decimal(1).scaleb(-digits), f",.{digits}f", before, after)
        step, spec, before, after = shape
        value = amount.quantize(step, rounding=ROUND_HALF_UP)
        if not abs(value) < _FAST_LIMIT:  # 999 999 999 999 999,5 FCFA rounds up to 10^15: babel's, as format_money
            return escape(format_money(amount, currency, locale))
        return f"{before}{format(value, spec).translate(separators)}{after}"

    return write


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", quantize(self.amount, self.currency))

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"Cannot mix {self.currency} and {other.currency}.")

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def amount_field(**kwargs: Any) -> models.DecimalField:
    """The one DecimalField shape for money columns (max 999 999 999 999,99)."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def currency_field(**kwargs: Any) -> models.CharField:
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("choices", Currency.choices)
    kwargs.setdefault("default", Currency.XOF)
    return models.CharField(**kwargs)
