"""Sanctions lists: file parsers and accent- and spelling-tolerant name matching.

Pure functions, no database: services/screening.py stores what they return.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process
from unidecode import unidecode

from relais.uploads import decode_text

# Scores are 0-100. 88 keeps "Ag Alwaly" / "AG ALOUALI" (100 once folded) and
# one-letter slips (~90+) while leaving unrelated names far below (< 60).
DEFAULT_THRESHOLD = 88

# Articles that transliterations write apart, hyphenated or glued: "Al-Wahat",
# "El Wahat", "Elwahat" all become "alwahat".
_ARTICLES = {"al", "el", "ul", "il"}
_GLUED_ARTICLE = re.compile(r"^(el|ul)(?=[a-z]{3})")
# Ordered rewrites that make French, English and Arabic-derived spellings agree.
_REWRITES = [
    (re.compile(r"ou|oo|w"), "u"),  # Alouali / Alwali / Aluali, Youssouf / Yusuf
    (re.compile(r"sh"), "ch"),  # Asherif / Acherif
    (re.compile(r"dh"), "d"),
    (re.compile(r"th"), "t"),
    (re.compile(r"kh"), "k"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"q"), "k"),
    (re.compile(r"y"), "i"),
    (re.compile(r"e"), "i"),
    (re.compile(r"(\w)\1+"), r"\1"),  # double letters: "Moussa" ~ "Musa"
]


def fold_name(name: str) -> str:
    """Fold a person's or organisation's name into a spelling-tolerant key.

    "Ag-Alwali", "AG ALOUALI" and "Ag Alwaly" all become "ag aluali".
    """
    text = unidecode(name or "").lower()
    text = re.sub(r"[^a-z0-9\s]", " ", text)  # punctuation and hyphens separate words
    words: list[str] = []
    article = False
    for word in text.split():
        if word in _ARTICLES:
            article = True
            continue
        word = _GLUED_ARTICLE.sub("al", word)
        if article and not word.startswith("al"):
            word = "al" + word
        article = False
        for pattern, replacement in _REWRITES:
            word = pattern.sub(replacement, word)
        words.append(word)
    return " ".join(words)


# Arabic script is compared with Arabic script: transliteration drops the short vowels
# ("إياد أغ غالي" -> "id g gli") and keeps the harakat when a name carries them, so two
# writings of one name drift apart in Latin letters while they agree once normalised.
_ARABIC_LETTERS = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06D5\u06EE-\u06FF\u0750-\u077F\u08A0-\u08C9]")
# Harakat, Quranic marks and tatweel carry no letter: they are dropped.
_ARABIC_MARKS = re.compile(r"[\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06ED\u08CA-\u08FF]")
_ARABIC_FOLDS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",  # alef variants
    "ؤ": "و",  # hamza on waw
    "ئ": "ي", "ى": "ي", "ی": "ي", "ې": "ي",  # hamza on ya, alef maqsura, Persian and Pashto ya
    "ة": "ه",  # ta marbuta
    "ک": "ك",  # Persian kaf
})


def is_arabic_script(name: str) -> bool:
    """Whether a name is written (at least partly) in Arabic letters."""
    return bool(_ARABIC_LETTERS.search(unicodedata.normalize("NFKC", name or "")))


def fold_arabic(name: str) -> str:
    """An Arabic-script key: marks and tatweel dropped, alef, hamza, ya and ta marbuta
    variants made one, anything but Arabic letters a space, spaces collapsed.

    "إِيَاد آغ غالي" and "إياد أغ غالي" both become "اياد اغ غالي". Empty when the
    name has no Arabic letter.
    """
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", name or "")).translate(_ARABIC_FOLDS)
    return " ".join("".join(ch if _ARABIC_LETTERS.match(ch) else " " for ch in text).split())


def names_fingerprint(names: Iterable[str]) -> str:
    """A stable fingerprint of a set of names as the matching sees them (folded,
    deduplicated, sorted). Names that fold alike screen alike, so "AJCET" and
    "Ajcet" give one fingerprint while a new name, or one name fewer, gives another."""
    keys = sorted({fold_name(name) for name in names} - {""})
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


@dataclass
class ParsedEntry:
    primary_name: str
    aliases: list[str] = field(default_factory=list)
    list_name: str = ""
    reference: str = ""
    is_entity: bool = False

    @property
    def all_names(self) -> list[str]:
        return [self.primary_name, *self.aliases]

    def folded_names(self) -> list[str]:
        seen: list[str] = []
        for name in self.all_names:
            folded = fold_name(name)
            if folded and folded not in seen:
                seen.append(folded)
        return seen


def _text(element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _aliases(element, alias_tag: str, name: str) -> list[str]:
    """The aliases of a list entry, then its name in the original script (often Arabic),
    which the list gives beside the Latin name as NAME_ORIGINAL_SCRIPT."""
    aliases: list[str] = []
    candidates = [_text(alias, "ALIAS_NAME") for alias in element.iter(alias_tag)]
    candidates += [(original.text or "").strip() for original in element.iter("NAME_ORIGINAL_SCRIPT")]
    for alias_name in candidates:
        if alias_name and alias_name not in aliases and alias_name != name:
            aliases.append(alias_name)
    return aliases


def parse_un_xml(data: bytes) -> list[ParsedEntry]:
    """Parse the UN Security Council consolidated list (CONSOLIDATED_LIST XML).

    defusedxml refuses entity expansion and external entities.
    """
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several types; all mean "not a usable list"
        raise ValidationError(_("This is not a readable UN consolidated list XML file (%(error)s).")
                              % {"error": exc}) from exc
    entries: list[ParsedEntry] = []
    for individual in root.iter("INDIVIDUAL"):
        parts = [_text(individual, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        name = " ".join(p for p in parts if p)
        if not name:
            continue
        aliases = _aliases(individual, "INDIVIDUAL_ALIAS", name)
        entries.append(ParsedEntry(
            primary_name=name, aliases=aliases, list_name=_text(individual, "UN_LIST_TYPE") or "UN",
            reference=_text(individual, "REFERENCE_NUMBER"),
        ))
    for entity in root.iter("ENTITY"):
        name = _text(entity, "FIRST_NAME")
        if not name:
            continue
        aliases = _aliases(entity, "ENTITY_ALIAS", name)
        entries.append(ParsedEntry(
            primary_name=name, aliases=aliases, list_name=_text(entity, "UN_LIST_TYPE") or "UN",
            reference=_text(entity, "REFERENCE_NUMBER"), is_entity=True,
        ))
    if not entries:
        raise ValidationError(_("No INDIVIDUAL or ENTITY was found in this XML file."))
    return entries


CSV_COLUMNS = ("name", "aliases", "list", "reference")


def parse_csv(data: bytes) -> list[ParsedEntry]:
    """Parse a simple CSV: name, aliases (separated by ;), list, reference."""
    text = decode_text(data)
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") and "name;" in sample.lower() else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "name" not in header:
        raise ValidationError(
            _("The CSV file must have a header row with the columns: %(columns)s.")
            % {"columns": ", ".join(CSV_COLUMNS)}
        )
    entries = []
    try:
        for row in reader:
            # Cells beyond the header come under the key None as a list: ignore them.
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            name = row.get("name", "")
            if not name:
                continue
            aliases = [a.strip() for a in row.get("aliases", "").split(";") if a.strip()]
            entries.append(ParsedEntry(
                primary_name=name, aliases=aliases, list_name=row.get("list", ""), reference=row.get("reference", ""),
            ))
    except csv.Error as exc:  # a cell over the csv module's size limit, a NUL byte...
        raise ValidationError(_("This CSV file cannot be read (%(error)s).") % {"error": exc}) from exc
    if not entries:
        raise ValidationError(_("The CSV file contains no names."))
    return entries


def parse_list_file(data: bytes, source_format: str) -> list[ParsedEntry]:
    if source_format == "un_xml":
        return parse_un_xml(data)
    if source_format == "csv":
        return parse_csv(data)
    raise ValidationError(_("Unknown list format."))


def guess_format(filename: str) -> str:
    return "un_xml" if filename.lower().endswith(".xml") else "csv"


def similarity(a: str, b: str) -> float:
    """Score two folded names 0-100: word order does not matter, nor do spaces."""
    if not a or not b:
        return 0.0
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


@dataclass(frozen=True)
class Match:
    screened_name: str
    entry_index: int
    matched_name: str
    score: float


def _display_by_key(display: list[str], folded: list[str]) -> dict[str, str]:
    """Which display name each folded key stands for. The folded list drops names that
    fold alike, so it lines up with the display names only when nothing was dropped."""
    if len(display) == len(folded):
        return dict(zip(folded, display, strict=True))
    by_key: dict[str, str] = {}
    for name in display:
        by_key.setdefault(fold_name(name), name)
    return by_key


def _extract(key: str, choices: list[str], threshold: int) -> list[tuple[float, int]]:
    if len(key.replace(" ", "")) < 3 or not choices:
        return []
    return [
        (score, position)
        for _choice, score, position in process.extract(
            key, choices, scorer=lambda a, b, **kw: similarity(a, b), score_cutoff=threshold, limit=None
        )
    ]


def find_matches(
    names: Iterable[str], entries: list[tuple[list[str], list[str]]], *, threshold: int = DEFAULT_THRESHOLD
) -> list[Match]:
    """Compare names with entries given as (display names, folded names).

    Latin keys (fold_name) are compared as always, except between two names written
    in Arabic script: those compare their Arabic keys (fold_arabic) instead.
    Returns the best match per (screened name, entry), best first.
    """
    latin_choices: list[str] = []
    latin_owners: list[tuple[int, str, bool]] = []  # entry, display name, written in Arabic
    arabic_choices: list[str] = []
    arabic_owners: list[tuple[int, str]] = []
    for index, (display, folded) in enumerate(entries):
        by_key = _display_by_key(display, folded)
        for folded_name in folded:
            display_name = by_key.get(folded_name, display[0])
            latin_choices.append(folded_name)
            latin_owners.append((index, display_name, is_arabic_script(display_name)))
        for display_name in display:
            arabic_key = fold_arabic(display_name)
            if arabic_key:
                arabic_choices.append(arabic_key)
                arabic_owners.append((index, display_name))
    best: dict[tuple[str, int], Match] = {}

    def keep(name: str, index: int, display_name: str, score: float) -> None:
        current = best.get((name, index))
        if current is None or score > current.score:
            best[(name, index)] = Match(name, index, display_name, round(float(score), 1))

    for name in names:
        arabic = is_arabic_script(name)
        if arabic:  # first, so that on a tie the name in the same script is the one reported
            for score, position in _extract(fold_arabic(name), arabic_choices, threshold):
                index, display_name = arabic_owners[position]
                keep(name, index, display_name, score)
        for score, position in _extract(fold_name(name), latin_choices, threshold):
            index, display_name, listed_in_arabic = latin_owners[position]
            if not (arabic and listed_in_arabic):
                keep(name, index, display_name, score)
    return sorted(best.values(), key=lambda m: (-m.score, m.screened_name))
