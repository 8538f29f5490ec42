"""Forms of the progress-report pages: the grantee's report (sections, indicator values, expenses, one
upload) and the manager's review (a general message and a comment per section).

The report form is one plain form of simply named inputs (``i<indicator>``, ``i<indicator>_<sex>_<band>``,
``e<line>_amount``, ``e<line>_why``), so that the two-tabs check (relais.concurrency) compares every cell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.demographics import AgeBand, Sex
from relais.forms import AmountField
from relais.uploads import ACCEPT_ATTRIBUTE

from .models import NARRATIVE_SECTIONS, ProgressReport
from .reporting import ExpenseLine, line_name
from .selectors.reports import SENSITIVE, IndicatorRow

# The parts of a report a manager may comment on, in the page's order.
COMMENT_SECTIONS = (*NARRATIVE_SECTIONS, SENSITIVE, "indicators", "expenses", "attachments")


def section_label(name: str) -> str:
    if name == SENSITIVE:
        return _("Safety incidents (confidential)")
    if name == "indicators":
        return _("Indicators")
    if name == "expenses":
        return _("Financial report")
    if name == "attachments":
        return _("Attachments")
    label = str(ProgressReport._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else format(value.normalize(), "f")


class ReportForm(forms.Form):
    """What the grantee types. Fields that do not validate stay on screen with their error; the rest saves."""

    def __init__(self, data: Any = None, files: Any = None, *, report: ProgressReport,
                 indicators: list[IndicatorRow], lines: list[ExpenseLine]) -> None:
        super().__init__(data, files)
        self.report, self.indicators, self.lines = report, indicators, lines
        self.age_bands = AgeBand.choices
        for name in (*NARRATIVE_SECTIONS, SENSITIVE):
            self.fields[name] = forms.CharField(
                label=section_label(name), required=False, initial=getattr(report, name),
                widget=forms.Textarea(attrs={"rows": 3 if name == SENSITIVE else 5}), max_length=20_000)
        self.fields[SENSITIVE].help_text = _(
            "Confidential: read only by the programme managers and your organisation; never sent by e-mail or "
            "exported. Leave it empty if nothing happened.")
        for row in indicators:
            indicator = row.indicator
            if indicator.by_sex_and_age:
                for sex, sex_label in Sex.choices:
                    for band, band_label in AgeBand.choices:
                        self.fields[f"i{indicator.pk}_{sex}_{band}"] = self._number(
                            f"{indicator.name} — {sex_label} — {band_label}", row.values.get((sex, band)))
            else:
                self.fields[f"i{indicator.pk}"] = self._number(indicator.name, row.values.get(("", "")))
        currency = report.award.currency
        for line in lines:
            name = line_name(line.line)
            self.fields[f"e{line.line.pk}_amount"] = AmountField(
                currency=currency, required=False, min_value=0, initial=line.amount,
                label=_("%(line)s — spent this period") % {"line": name}, widget=forms.NumberInput())
            self.fields[f"e{line.line.pk}_why"] = forms.CharField(
                label=_("%(line)s — explanation") % {"line": name}, required=False, initial=line.explanation,
                max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["upload"] = forms.FileField(
            label=_("Add a file"), required=False,
            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
            help_text=_("Photos, receipts, attendance lists: PDF, JPEG, PNG, Word (DOCX) or Excel (XLSX)."))

    @staticmethod
    def _number(label: str, value: Decimal | None) -> forms.DecimalField:
        return forms.DecimalField(label=label, required=False, min_value=0, max_digits=14, decimal_places=2,
                                  initial=_plain(value) or None,
                                  widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for line in self.lines:
            amount, why = f"e{line.line.pk}_amount", f"e{line.line.pk}_why"
            if data.get(amount) is None and (data.get(why) or "").strip() and amount not in self.errors:
                self.add_error(amount, _("Enter the amount spent to keep this explanation."))
        return data

    # --- what the template lays out ------------------------------------------------------------

    def indicator_rows(self) -> list[tuple[IndicatorRow, list[tuple[str, list[forms.BoundField]]] | None,
                                           forms.BoundField | None]]:
        rows = []
        for row in self.indicators:
            pk = row.indicator.pk
            if row.indicator.by_sex_and_age:
                grid = [(label, [self[f"i{pk}_{sex}_{band}"] for band in AgeBand.values])
                        for sex, label in Sex.choices]
                rows.append((row, grid, None))
            else:
                rows.append((row, None, self[f"i{pk}"]))
        return rows

    def expense_rows(self) -> list[tuple[ExpenseLine, forms.BoundField, forms.BoundField]]:
        return [(line, self[f"e{line.line.pk}_amount"], self[f"e{line.line.pk}_why"]) for line in self.lines]

    def narrative(self) -> list[forms.BoundField]:
        return [self[name] for name in NARRATIVE_SECTIONS]

    # --- what the service saves ----------------------------------------------------------------

    def valid_data(self) -> dict[str, Any]:
        """The plain cleaned values of what validated, as report_save takes them (the rest stays on screen)."""
        self.is_valid()
        cleaned, errors = getattr(self, "cleaned_data", {}), self.errors
        sections = {name: cleaned[name].replace("\r\n", "\n") for name in (*NARRATIVE_SECTIONS, SENSITIVE)
                    if name not in errors and name in cleaned}
        values: dict[tuple[int, str, str], Decimal | None] = {}
        for row in self.indicators:
            pk = row.indicator.pk
            keys = ([(f"i{pk}_{s}_{b}", s, b) for s in Sex.values for b in AgeBand.values]
                    if row.indicator.by_sex_and_age else [(f"i{pk}", "", "")])
            for name, sex, band in keys:
                if name not in errors and name in cleaned:
                    values[(pk, sex, band)] = cleaned[name]
        expenses: dict[int, tuple[Decimal | None, str]] = {}
        for line in self.lines:
            amount, why = f"e{line.line.pk}_amount", f"e{line.line.pk}_why"
            if amount not in errors and why not in errors and amount in cleaned:
                expenses[line.line.pk] = (cleaned[amount], cleaned.get(why) or "")
        return {"sections": sections, "values": values, "expenses": expenses}


class ReviewForm(forms.Form):
    """Request changes: a general message the grantee reads first, and a comment beside any section."""

    message = forms.CharField(label=gettext_lazy("Message to the grantee"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data: Any = None, *, sensitive: bool) -> None:
        super().__init__(data)
        for name in COMMENT_SECTIONS:
            if name == SENSITIVE and not sensitive:
                continue
            self.fields[f"c_{name}"] = forms.CharField(
                label=_("Comment on “%(section)s”") % {"section": section_label(name)}, required=False,
                max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "form": "review-form"}))

    def comments(self) -> dict[str, str]:
        cleaned = self.cleaned_data
        comments = {name: cleaned.get(f"c_{name}", "") for name in COMMENT_SECTIONS if f"c_{name}" in cleaned}
        comments["general"] = cleaned.get("message", "")
        return {k: v for k, v in comments.items() if (v or "").strip()}


class FinanceCommentForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Finance comment on the financial report"), required=False,
                              max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
