"""Checking a filled financial template before anything is saved (grants.report_xlsx reads it,
grants.services.reports.report_save writes it once the grantee confirmed the preview).

Every row is checked on its own and every problem is said in plain words with its row number: an id that
is missing or not one of the award's lines, a line given twice, text in an amount cell, a negative amount,
decimals in a currency without any (XOF), an explanation missing where the variance rule needs one
(grants.reporting.ExpenseLine). Lines of the award absent from the sheet are listed too.

The checked rows travel to the confirmation in a signed token (django.core.signing) bound to the report,
the member and the report's version: nothing is kept on the server in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from relais.ids import pk_like
from relais.money import minor_unit_problem

from .report_xlsx import SheetRow
from .reporting import ExpenseLine, line_name

SALT = "grants.report_import"
TOKEN_MAX_AGE = 2 * 3600  # seconds: long enough to read the preview, short enough to go stale
MAX_EXPLANATION = 2000
MAX_AMOUNT = Decimal(10) ** 12  # the money columns hold up to 999 999 999 999,99


@dataclass
class PreviewRow:
    row: int
    name: str
    amount: Decimal | None
    explanation: str
    variance: Decimal | None = None
    line_id: int | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[PreviewRow]
    missing: list[str]  # problems about the sheet as a whole (lines absent from it)

    @property
    def ok(self) -> bool:
        return not self.missing and not any(row.problems for row in self.rows)

    @property
    def problem_count(self) -> int:
        return len(self.missing) + sum(len(row.problems) for row in self.rows)

    def expenses(self) -> dict[int, tuple[Decimal | None, str]]:
        """What report_save takes: {budget line id: (amount, explanation)}; only for a preview without problems."""
        assert self.ok
        return {row.line_id: (row.amount, row.explanation) for row in self.rows if row.line_id is not None}


def _line_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and pk_like(value.strip()):  # "²".isdigit() is True, int("²") raises
        return int(value.strip())
    return None


def _amount(value: Any) -> tuple[Decimal | None, str | None]:
    """The cell's amount, or why it is not one. A number cell only: text (even "12 500") is refused, so
    that what is saved is what the spreadsheet computed with."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None, _("“%(value)s” is not an amount: type a number, without text or currency.") % {
            "value": str(value)[:40]}
    try:
        # A spreadsheet stores binary floats; their shortest decimal text is what the person typed.
        amount = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(repr(value))
    except InvalidOperation:
        return None, _("This amount cannot be read.")
    if not amount.is_finite():
        return None, _("This amount cannot be read.")
    return amount, None


def validate_rows(rows: list[SheetRow], *, lines: list[ExpenseLine], currency: str) -> ImportPreview:
    """Check every row of the sheet against the award's lines (as grants.reporting.expense_lines gives them)."""
    by_id = {line.line.pk: line for line in lines}
    seen: set[int] = set()
    preview: list[PreviewRow] = []
    for sheet_row in rows:
        explanation = "" if sheet_row.explanation is None else str(sheet_row.explanation).strip()
        amount, amount_problem = _amount(sheet_row.amount)
        line_id = _line_id(sheet_row.line_id)
        line = by_id.get(line_id) if line_id is not None else None
        row = PreviewRow(sheet_row.row, line_name(line.line) if line else "—", amount, explanation)
        if sheet_row.line_id in (None, ""):
            row.problems.append(_("The line's hidden identifier is missing: the row was added or changed by hand. "
                                  "Use the downloaded template without adding rows."))
        elif line is None:
            row.problems.append(_("This row is not one of the award's budget lines (identifier “%(id)s”).")
                                % {"id": str(sheet_row.line_id)[:20]})
        elif line_id in seen:
            row.problems.append(_("This budget line appears twice in the sheet."))
        if amount_problem:
            row.problems.append(amount_problem)
        elif amount is not None:
            if amount < 0:
                row.problems.append(_("An amount spent cannot be negative."))
            elif amount >= MAX_AMOUNT:
                row.problems.append(_("This amount is too large to be an amount spent."))
            else:
                problem = minor_unit_problem(amount, currency)
                if problem:
                    row.problems.append(problem)
        if len(explanation) > MAX_EXPLANATION:
            row.problems.append(_("The explanation is longer than %(max)s characters.") % {"max": MAX_EXPLANATION})
        if amount is None and explanation:
            row.problems.append(_("Enter the amount spent to keep this explanation."))
        if line is not None and line_id not in seen:
            seen.add(line.line.pk)
            row.line_id = line.line.pk
            checked = ExpenseLine(line.line, line.before, amount if not amount_problem else None, explanation,
                                  line.threshold, line.final)
            row.variance = checked.variance if amount is not None else None
            if amount is not None and not amount_problem and checked.needs_explanation and not explanation:
                row.problems.append(_("The variance is %(variance)s %%: explain it in the “Explanation” column.")
                                    % {"variance": checked.variance})
        preview.append(row)
    missing = [_("The line “%(line)s” is missing from the sheet.") % {"line": line_name(line.line)}
               for pk, line in by_id.items() if pk not in seen]
    return ImportPreview(preview, missing)


# --- the checked rows between the preview and the confirmation -----------------------------------------

def preview_token(*, preview: ImportPreview, report_id: int, user_id: int, version: int) -> str:
    payload = {"r": report_id, "u": user_id, "v": version,
               "e": [[pk, None if amount is None else str(amount), why]
                     for pk, (amount, why) in preview.expenses().items()]}
    return signing.dumps(payload, salt=SALT, compress=True)


class BadToken(ValueError):
    pass


def read_token(token: str, *, report_id: int, user_id: int) -> tuple[int, dict[int, tuple[Decimal | None, str]]]:
    """(the version the preview was made on, the expenses) from a token made for this report and member;
    BadToken otherwise (tampered, expired, another report's or another member's)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
        if payload["r"] != report_id or payload["u"] != user_id:
            raise BadToken
        expenses = {int(pk): (None if amount is None else Decimal(amount), str(why))
                    for pk, amount, why in payload["e"]}
        return int(payload["v"]), expenses
    except (signing.BadSignature, KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise BadToken from exc
