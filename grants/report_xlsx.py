"""The financial report as a spreadsheet, for grantees who fill it offline: the template built from the
award's own budget lines, and the parser that reads a filled copy back.

Only reads and writes bytes: checking the values is grants.report_import, saving them is
grants.services.reports.report_save.

The template: instructions at the top, then one row per budget line (a hidden id column, category,
description, budget and spent before, all locked), the editable "spent this period" and "explanation"
cells, cumulative and variance % as formulas, and a total row. The sheet is protected (no password:
the protection guides, the server checks) except the editable cells.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from relais.exports import _xlsx_cell
from relais.money import minor_unit

from .reporting import ExpenseLine

HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
TOTAL_MARK = "TOTAL"
MAX_ROWS = 500  # an award has a few dozen budget lines; a longer sheet is not this template
# Columns: A hidden line id, B category, C description, D budget, E spent before, F spent this period (editable),
# G cumulative, H variance %, I explanation (editable).
ID, AMOUNT, EXPLANATION = 1, 6, 9
EDITABLE_FILL = PatternFill("solid", fgColor="FFF6D5")
HEADER_FILL = PatternFill("solid", fgColor="E8EEF0")


def _number_format(currency: str) -> str:
    places = minor_unit(currency)
    return "#,##0" + ("." + "0" * places if places else "")


def template_workbook(*, title: str, currency: str, lines: Sequence[ExpenseLine], threshold: Any) -> bytes:
    """The template of one report, in the active language, with what the grantee already typed."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Financial report")[:31]
    sheet["B1"] = _xlsx_cell(title)
    sheet["B1"].font = Font(bold=True, size=13)
    instructions = [
        _("Fill in only the yellow cells: what was spent this period on each line (in %(currency)s, 0 if "
          "nothing) and, where needed, an explanation.") % {"currency": currency},
        _("An explanation is required when a line's cumulative spending is more than %(threshold)s %% over its "
          "budget (on the final report, under its budget too).") % {"threshold": threshold},
        _("Do not add, remove or move rows. Then upload the file on the report's page: you will check the "
          "values before they are saved."),
    ]
    for offset, line in enumerate(instructions):
        cell = sheet.cell(row=2 + offset, column=2, value=_xlsx_cell(line))
        cell.alignment = Alignment(wrap_text=False)
    headers = ["id", _("Category"), _("Description"), _("Budget"), _("Spent before"), _("Spent this period"),
               _("Cumulative"), _("Variance %"), _("Explanation")]
    for column, label in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=_xlsx_cell(label))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    money = _number_format(currency)
    validation = DataValidation(type="whole" if minor_unit(currency) == 0 else "decimal",
                                operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, error=_("An amount of zero or more."))
    sheet.add_data_validation(validation)
    row = FIRST_ROW
    for line in lines:
        budget_line = line.line
        values: list[Any] = [budget_line.pk, budget_line.category.name if budget_line.category else "",
                             budget_line.description, budget_line.amount, line.before, line.amount]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=_xlsx_cell(value) if column in (2, 3) else value)
        sheet.cell(row=row, column=7, value=f"=E{row}+IF(ISNUMBER(F{row}),F{row},0)")
        sheet.cell(row=row, column=8, value=f'=IF(D{row}=0,"",ROUND((G{row}-D{row})/D{row}*100,1))')
        sheet.cell(row=row, column=EXPLANATION, value=_xlsx_cell(line.explanation) if line.explanation else None)
        for column in (4, 5, 6, 7):
            sheet.cell(row=row, column=column).number_format = money
        for column in (AMOUNT, EXPLANATION):
            cell = sheet.cell(row=row, column=column)
            cell.protection, cell.fill = Protection(locked=False), EDITABLE_FILL
        sheet.cell(row=row, column=EXPLANATION).alignment = Alignment(wrap_text=True, vertical="top")
        validation.add(sheet.cell(row=row, column=AMOUNT))
        row += 1
    last = row - 1
    sheet.cell(row=row, column=ID, value=TOTAL_MARK)
    sheet.cell(row=row, column=2, value=_("Total")).font = Font(bold=True)
    for column, letter in ((4, "D"), (5, "E"), (6, "F"), (7, "G")):
        cell = sheet.cell(row=row, column=column, value=f"=SUM({letter}{FIRST_ROW}:{letter}{max(last, FIRST_ROW)})")
        cell.number_format, cell.font = money, Font(bold=True)
    sheet.cell(row=row, column=8, value=f'=IF(D{row}=0,"",ROUND((G{row}-D{row})/D{row}*100,1))').font = Font(
        bold=True)
    sheet.column_dimensions["A"].hidden = True
    for letter, width in (("B", 22), ("C", 34), ("D", 14), ("E", 14), ("F", 16), ("G", 14), ("H", 11), ("I", 44)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=2)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widening a column to read it is harmless
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading a filled copy back -----------------------------------------------------------------------

class NotATemplate(ValueError):
    """The workbook is not a filled copy of the template (why, in the reader's language)."""


@dataclass(frozen=True)
class SheetRow:
    """One row as typed: the cells' raw values (numbers, text or None), with the sheet's row number."""

    row: int
    line_id: Any
    amount: Any
    explanation: Any


def parse_workbook(data: bytes, *, max_rows: int = MAX_ROWS) -> list[SheetRow]:
    """The budget rows of a filled template (read-only, cached values only: a formula is never evaluated).
    Empty rows are skipped; reading stops at the total row. Raises NotATemplate."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise NotATemplate(_("This workbook cannot be read. Download the template again and fill it in.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise NotATemplate(_("This workbook has no sheet."))
        rows: list[SheetRow] = []
        header_seen = False
        for number, cells in enumerate(sheet.iter_rows(min_row=1, max_col=EXPLANATION, values_only=True), start=1):
            cells = tuple(cells) + (None,) * (EXPLANATION - len(cells))
            if number == HEADER_ROW:
                header_seen = str(cells[ID - 1] or "").strip().lower() == "id"
                continue
            if number < FIRST_ROW:
                continue
            if str(cells[ID - 1] or "").strip() == TOTAL_MARK:
                break
            if number > FIRST_ROW + 4 * max_rows:  # thousands of blank rows: stop reading, refuse
                raise NotATemplate(_("This sheet has more than %(max)s rows: it is not the report's template.")
                                   % {"max": max_rows})
            line_id, amount, explanation = cells[ID - 1], cells[AMOUNT - 1], cells[EXPLANATION - 1]
            if all(value in (None, "") for value in cells):
                continue
            if len(rows) >= max_rows:
                raise NotATemplate(_("This sheet has more than %(max)s rows: it is not the report's template.")
                                   % {"max": max_rows})
            rows.append(SheetRow(number, line_id, amount, explanation))
        if not header_seen:
            raise NotATemplate(_("This workbook is not the report's template (its columns were moved). "
                                 "Download the template again and fill it in."))
        return rows
    finally:
        workbook.close()
