"""Attendance from a CSV file (e.g. a KoboToolbox export): decode, parse, then validate; nothing is written here.

The parser only turns the decoded text into rows; the validation matches each row to a registration and a day
of the session and says in plain words what is wrong; the service (`attendance_import_confirm`)
writes the accepted marks once the person confirmed the preview.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from relais.uploads import decode_text

from .models import AttendanceStatus, Registration, TrainingSession
from .selectors import fold

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
CODE_HEADERS = ("code", "participant_code", "code_participant")
NAME_HEADERS = ("name", "full_name", "nom", "nom_complet", "participant")
DAY_HEADERS = ("day", "date", "jour")
STATUS_HEADERS = ("status", "attendance", "presence", "statut")
STATUS_WORDS = {
    "present": AttendanceStatus.PRESENT, "présent": AttendanceStatus.PRESENT, "présente": AttendanceStatus.PRESENT,
    "presente": AttendanceStatus.PRESENT, "p": AttendanceStatus.PRESENT, "1": AttendanceStatus.PRESENT,
    "yes": AttendanceStatus.PRESENT, "oui": AttendanceStatus.PRESENT,
    "absent": AttendanceStatus.ABSENT, "absente": AttendanceStatus.ABSENT, "a": AttendanceStatus.ABSENT,
    "0": AttendanceStatus.ABSENT, "no": AttendanceStatus.ABSENT, "non": AttendanceStatus.ABSENT,
    "late": AttendanceStatus.LATE, "retard": AttendanceStatus.LATE, "en retard": AttendanceStatus.LATE,
    "r": AttendanceStatus.LATE,
    "excused": AttendanceStatus.EXCUSED, "excusé": AttendanceStatus.EXCUSED, "excusée": AttendanceStatus.EXCUSED,
    "excuse": AttendanceStatus.EXCUSED, "excusee": AttendanceStatus.EXCUSED, "e": AttendanceStatus.EXCUSED,
}


class ImportError_(ValueError):
    """The file cannot be read at all (not the problems of single rows)."""


@dataclass
class ParsedRow:
    line: int
    values: dict[str, str]


def _header_key(name: str) -> str:
    # Kobo exports prefix group names ("group_x/code") and may use spaces.
    return fold(name.rsplit("/", 1)[-1]).replace(" ", "_")


def decode_csv(data: bytes) -> str:
    """The text of an uploaded CSV in UTF-8 (with or without BOM), else Latin-1 (Excel and KoboToolbox
    exports on Windows). Decoded here once: the preview keeps this text and the confirm parses it again,
    so both read the same rows."""
    if len(data) > MAX_BYTES:
        raise ImportError_(_("The file is too large (at most 1 MB)."))
    return decode_text(data)


def parse_csv(content: str) -> list[ParsedRow]:
    """Rows of a CSV's text (see decode_csv), comma or semicolon separated."""
    if len(content) > MAX_BYTES:  # the confirm posts the text back: no more than the file could hold
        raise ImportError_(_("The file is too large (at most 1 MB)."))
    if not content.strip():
        raise ImportError_(_("The file is empty."))
    first = content.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        header = [_header_key(h) for h in next(reader)]
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            rows.append(ParsedRow(number, {header[i]: c.strip() for i, c in enumerate(cells) if i < len(header)}))
            if len(rows) > MAX_ROWS:
                raise ImportError_(_("The file has too many rows (at most %(max)s).") % {"max": MAX_ROWS})
    except csv.Error as exc:
        raise ImportError_(_("The file is not a readable CSV file (%(error)s).") % {"error": exc}) from None
    return rows


def _pick(values: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if values.get(name):
            return values[name]
    return ""


def _parse_day(text: str) -> date | None:
    """2026-03-14 (also Kobo's 2026-03-14T09:12:00…), 14/03/2026 or 14-03-2026."""
    text = text.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    return None


@dataclass
class Preview:
    marks: dict[tuple[int, date], str] = field(default_factory=dict)
    accepted: list[tuple[int, str, date, str]] = field(default_factory=list)  # line, who, day, status label
    errors: list[tuple[int, str]] = field(default_factory=list)  # line, message

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.marks)


def validate_rows(rows: list[ParsedRow], *, session: TrainingSession,
                  registrations: list[Registration]) -> Preview:
    """Match each row to one registration (by participant code, else by exact name, accents ignored)
    and one day of the session; every problem is a sentence naming the line."""
    preview = Preview()
    if not rows:
        preview.errors.append((1, _("The file has no rows under its header.")))
        return preview
    if not any(_pick(rows[0].values, DAY_HEADERS) or k in DAY_HEADERS for k in rows[0].values):
        preview.errors.append((1, _("The file has no “date” column.")))
        return preview
    by_code = {r.participant.code.upper(): r for r in registrations}
    by_name: dict[str, list[Registration]] = {}
    for r in registrations:
        by_name.setdefault(r.participant.name_folded, []).append(r)
    days = set(session.days)
    seen: dict[tuple[int, date], int] = {}
    for row in rows:
        code, name = _pick(row.values, CODE_HEADERS), _pick(row.values, NAME_HEADERS)
        registration = by_code.get(code.upper()) if code else None
        if registration is None and name and not code:
            matches = by_name.get(fold(name), [])
            if len(matches) > 1:
                preview.errors.append((row.line, _("Several participants are named “%(name)s”: use their code.")
                                       % {"name": name}))
                continue
            registration = matches[0] if matches else None
        if registration is None:
            who = code or name
            preview.errors.append((row.line, _("“%(who)s” is not registered to this session.") % {"who": who}
                                   if who else _("The row names no participant (code or name).")))
            continue
        day_text = _pick(row.values, DAY_HEADERS)
        day = _parse_day(day_text)
        if day is None:
            preview.errors.append((row.line, _("“%(value)s” is not a date (write 2026-03-14 or 14/03/2026).")
                                   % {"value": day_text}))
            continue
        if day not in days:
            preview.errors.append((row.line, _("%(day)s is not a day of this session.") % {"day": day.isoformat()}))
            continue
        status_text = _pick(row.values, STATUS_HEADERS)
        status = STATUS_WORDS.get(status_text.lower())
        if status is None:
            preview.errors.append((row.line, _("“%(value)s” is not an attendance (present, absent, late or excused).")
                                   % {"value": status_text}))
            continue
        key = (registration.pk, day)
        if key in seen and preview.marks[key] != status:
            preview.errors.append((row.line, _("This row contradicts line %(other)s for the same person and day.")
                                   % {"other": seen[key]}))
            continue
        seen[key] = row.line
        preview.marks[key] = status
        who = registration.participant.code if session.protected else registration.participant.full_name
        preview.accepted.append((row.line, who, day, str(AttendanceStatus(status).label)))
    return preview
