"""Row ids as they arrive from URLs, forms and query strings."""

from __future__ import annotations

MAX_PK_DIGITS = 18  # larger numbers overflow SQLite's INTEGER: refuse them as invalid choices


def pk_like(value: object) -> bool:
    """A row id as posted: ASCII digits only, short enough for the database (else: not found)."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= MAX_PK_DIGITS
