"""CSV and XLSX exports that spreadsheet programs cannot turn into formulas.

A cell starting with = + - @, a tab or a carriage return is prefixed with an
apostrophe (OWASP's CSV-injection advice), in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .downloads import PRIVATE_CACHE_CONTROL, SANDBOX_CSP, private_bytes_response

_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return value  # a number cannot carry a formula
    text = str(value)
    if text.startswith(_DANGEROUS_PREFIXES):
        return "'" + text
    return text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with accents correctly when a BOM is present
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return private_bytes_response(buffer.getvalue().encode("utf-8"), filename=f"{filename}.csv",
                                  content_type="text/csv; charset=utf-8")


def _xlsx_cell(value: object) -> object:
    """XLSX cannot hold control characters (openpyxl raises): text pasted from Word brings
    vertical tabs and form feeds. Replace them before neutralising, so none hides a formula."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub(" ", value).strip()
    return neutralise(value)


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([neutralise(str(h)) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return private_bytes_response(
        buffer.getvalue(), filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class _Line:
    """csv.writer writes into this and gets the line back, so rows stream one by one."""

    def write(self, value: str) -> str:
        return value


def csv_streaming_response(filename: str, header: Sequence[str],
                           rows: Iterable[Sequence[object]]) -> StreamingHttpResponse:
    """A CSV of any length, written while it is read (never the whole file in memory), with the
    same neutralised cells and private headers as ``csv_response``."""
    writer = csv.writer(_Line())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
        for row in rows:
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv") or ""
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    return response
