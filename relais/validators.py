"""Validators for text that must stay on one line.

Names, acronyms, titles and prefixes end up in e-mail subjects, PDF file names
and Content-Disposition headers: a line break there breaks the e-mail (Django
refuses it) or the header, and invisible characters (bidirectional overrides,
zero-width spaces) make a name look like another. One-line fields refuse them
at the model level, so ModelForms, the admin and ``full_clean`` all apply the rule.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Control (Cc: tab, CR, LF, NUL...), format (Cf: zero-width and bidirectional marks, BOM),
# line and paragraph separators (Zl, Zp) and lone surrogates (Cs).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def first_control_character(value: str) -> str | None:
    """The first character a one-line text may not hold, or None."""
    for character in value:
        if unicodedata.category(character) in _REFUSED_CATEGORIES:
            return character
    return None


def character_code(character: str) -> str:
    """How to name an invisible character to a person: U+000D."""
    return f"U+{ord(character):04X}"


def no_control_characters(value: object) -> None:
    """Refuse line breaks, tabs and invisible characters in a one-line field."""
    character = first_control_character(str(value))
    if character is not None:
        raise ValidationError(
            _("Write this on one line, without line breaks, tabs or invisible characters (found: %(character)s)."),
            params={"character": character_code(character)}, code="control_character",
        )


def one_line(text: str) -> str:
    """``text`` with every refused character replaced by a space: for e-mail subjects, where
    data saved before the validators existed must not stop the e-mail (or add a header)."""
    cleaned = "".join(" " if unicodedata.category(c) in _REFUSED_CATEGORIES else c for c in text)
    return " ".join(cleaned.split())


def validate_one_line_fields(instance: models.Model) -> None:
    """Run the field validation of every field carrying no_control_characters, for services
    that write without a form (the import, self-registration, the demo)."""
    checked = {f.name for f in instance._meta.concrete_fields if no_control_characters in f.validators}
    instance.clean_fields(exclude=[f.name for f in instance._meta.concrete_fields if f.name not in checked])
