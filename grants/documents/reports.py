"""Progress report PDFs (reportlab, relais.pdf building blocks, DejaVu fonts), in the reader's language.

- `narrative_form_pdf`: a form to fill in by hand, for organisations writing offline: the header (award
  reference, period, due date), the six section headings with ruled blank space, and the indicator table
  with empty cells (by sex and age band where the indicator asks).
- `report_pdf`: the report as submitted, for the file: sections, indicators, financial table with the
  variance, status and dates. The safety section is printed only when the caller says the reader may see
  it (grants.permissions.can_see_sensitive_section); the document itself never decides.

Reads only what the views pass in (selectors did the queries).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from babel.numbers import format_decimal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from relais.demographics import AgeBand, Sex
from relais.money import format_money, minor_unit, quantize
from relais.pdf import build, number, para, styles, table_style

from ..models import NARRATIVE_SECTIONS, ProgressReport
from ..report_forms import section_label
from ..reporting import ExpenseLine, line_name
from ..selectors.reports import IndicatorRow

WIDTH = 174 * mm
RULED_LINES = 7
SENSITIVE = "safety_incidents"


def _date(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return date_format(value, "DATE_FORMAT")


def _title(report: ProgressReport) -> str:
    return _("%(kind)s %(number)s") % {"kind": report.get_kind_display(), "number": report.number}


def _header(report: ProgressReport, extra: Sequence[tuple[str, str]] = ()) -> Table:
    award = report.award
    s = styles()
    rows = [
        (_("Award"), f"{award.reference} — {award.title}"),
        (_("Organisation"), award.organisation.name),
        (_("Period"), f"{_date(report.period_start)} – {_date(report.period_end)}"),
        (_("Due date"), _date(report.due_date)),
        *extra,
    ]
    table = Table([[para(label, s.small), para(value, s.body)] for label, value in rows],
                  colWidths=[40 * mm, WIDTH - 40 * mm])
    table.setStyle(table_style(header=False))
    return table


def _ruled_space(lines: int = RULED_LINES) -> Table:
    table = Table([[""] for _ in range(lines)], colWidths=[WIDTH], rowHeights=[8 * mm] * lines)
    table.setStyle(table_style(("LINEBELOW", (0, 0), (-1, -1), 0.4, "#9aa5ae"), ("GRID", (0, 0), (-1, -1), 0, "white"),
                               header=False))
    return table


def _indicator_title(row: IndicatorRow) -> str:
    indicator = row.indicator
    unit = f" ({indicator.unit})" if indicator.unit else ""
    return f"{indicator.name}{unit} — " + _("target %(target)s") % {"target": number(row.target.target)}


def _grid(cells: Sequence[Sequence[str]]) -> Table:
    s = styles()
    header = ["", *[str(label) for _value, label in AgeBand.choices]]
    data = [[para(h, s.small, empty="") for h in header]]
    for (_value, label), values in zip(Sex.choices, cells, strict=True):
        data.append([para(str(label), s.small), *[para(v, s.small, empty="") for v in values]])
    first = 40 * mm
    table = Table(data, colWidths=[first] + [(WIDTH - first) / len(AgeBand.choices)] * len(AgeBand.choices),
                  rowHeights=[None] + [10 * mm] * len(Sex.choices))
    table.setStyle(table_style())
    return table


def narrative_form_pdf(*, report: ProgressReport, indicators: Sequence[IndicatorRow]) -> bytes:
    """The report's form to print and fill in by hand."""
    s = styles()
    title = _title(report)
    story: list[Flowable] = [
        para(title, s.title),
        _header(report),
        Spacer(1, 4 * mm),
        para(_("Write by hand, then type it into the report's page (or have it typed) before the due date. "
               "Safety incidents are not written on this form: report them directly to the programme team."),
             s.small),
    ]
    for name in NARRATIVE_SECTIONS:
        story.append(KeepTogether([para(section_label(name), s.heading), _ruled_space()]))
    if indicators:
        story.append(Paragraph(_("Indicators"), s.heading))
        for row in indicators:
            block: list[Flowable] = [para(_indicator_title(row), s.body), Spacer(1, 1.5 * mm)]
            if row.indicator.by_sex_and_age:
                block.append(_grid([[""] * len(AgeBand.choices) for _sex in Sex.choices]))
            else:
                single = Table([[para(_("This period"), s.small), ""]], colWidths=[40 * mm, 50 * mm],
                               rowHeights=[10 * mm])
                single.setStyle(table_style(header=False))
                block.append(single)
            block.append(Spacer(1, 3 * mm))
            story.append(KeepTogether(block))
    reference = report.award.reference
    return build(story, title=f"{reference} — {title}", footer=f"{reference} — {title}")


def _money(value: Decimal | None, currency: str) -> str:
    """An amount in a table column (the currency is in the table's caption): '1 250 000', '12 500,50'."""
    if value is None:
        return "—"
    places = minor_unit(currency)
    return format_decimal(quantize(value, currency), format="#,##0" + ("." + "0" * places if places else ""),
                          locale=(get_language() or "fr").replace("-", "_"))


def _financial_table(lines: Sequence[ExpenseLine], currency: str) -> Table:
    s = styles()
    header = [_("Budget line"), _("Budget"), _("Spent before"), _("Spent this period"), _("Cumulative"),
              _("Variance"), _("Explanation")]
    data = [[para(h, s.small) for h in header]]
    totals = [Decimal(0), Decimal(0), Decimal(0), Decimal(0)]
    for line in lines:
        variance = f"{number(line.variance)} %" if line.variance is not None else "—"
        data.append([para(line_name(line.line), s.small), para(_money(line.line.amount, currency), s.small),
                     para(_money(line.before, currency), s.small), para(_money(line.amount, currency), s.small),
                     para(_money(line.cumulative, currency), s.small), para(variance, s.small),
                     para(line.explanation, s.small, empty="")])
        for index, value in enumerate((line.line.amount, line.before, line.amount or Decimal(0), line.cumulative)):
            totals[index] += value
    budget, _before, _now, cumulative = totals
    variance = (f"{number(((cumulative - budget) * 100 / budget).quantize(Decimal('0.1')))} %" if budget else "—")
    data.append([para(_("Total"), s.small), *[para(_money(t, currency), s.small) for t in totals],
                 para(variance, s.small), ""])
    table = Table(data, colWidths=[34 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm, 15 * mm, WIDTH - 137 * mm],
                  repeatRows=1)
    table.setStyle(table_style(("ALIGN", (1, 1), (5, -1), "RIGHT"), ("BACKGROUND", (0, -1), (-1, -1), "#f3f5f6")))
    return table


def report_pdf(*, report: ProgressReport, indicators: Sequence[IndicatorRow], lines: Sequence[ExpenseLine],
               sensitive: bool) -> bytes:
    """The report as it stands, for the file. `sensitive`: whether this reader may see the safety section."""
    s = styles()
    title = _title(report)
    currency = report.award.currency
    extra = [(_("Status"), report.get_status_display()),
             (_("Submitted on"), _date(report.submitted_at)),
             (_("Decided on"), _date(report.decided_at))]
    story: list[Flowable] = [para(title, s.title), _header(report, extra)]
    for name in NARRATIVE_SECTIONS:
        story += [para(section_label(name), s.heading), para(getattr(report, name), s.body)]
    if sensitive:
        story += [para(section_label(SENSITIVE), s.heading), para(report.safety_incidents, s.body)]
    if indicators:
        story.append(Paragraph(_("Indicators"), s.heading))
        header = [_("Indicator"), _("This period"), _("Reached so far"), _("Target"), _("Progress")]
        data = [[para(h, s.small) for h in header]]
        for row in indicators:
            progress = f"{number(row.progress)} %" if row.progress is not None else "—"
            data.append([para(row.indicator.name + (f" ({row.indicator.unit})" if row.indicator.unit else ""),
                              s.small),
                         para(number(row.total) if row.values else "—", s.small), para(number(row.cumulative), s.small),
                         para(number(row.target.target), s.small), para(progress, s.small)])
        table = Table(data, colWidths=[WIDTH - 96 * mm, 24 * mm, 24 * mm, 24 * mm, 24 * mm], repeatRows=1)
        table.setStyle(table_style(("ALIGN", (1, 1), (-1, -1), "RIGHT")))
        story.append(table)
        for row in indicators:
            if row.indicator.by_sex_and_age and row.values:
                story += [Spacer(1, 3 * mm), para(row.indicator.name, s.body),
                          _grid([[number(v) for v in values] for _label, values in row.grid])]
    if lines:
        story += [Paragraph(_("Financial report"), s.heading), para(_("Amounts in %(currency)s.")
                                                                  % {"currency": currency}, s.small),
                  Spacer(1, 2 * mm), _financial_table(lines, currency), Spacer(1, 2 * mm),
                  para(_("Spent this period: %(now)s; cumulative: %(cumulative)s of a budget of %(budget)s.") % {
                      "now": format_money(sum((line.amount or Decimal(0) for line in lines), Decimal(0)), currency),
                      "cumulative": format_money(sum((line.cumulative for line in lines), Decimal(0)), currency),
                      "budget": format_money(sum((line.line.amount for line in lines), Decimal(0)), currency)},
                       s.body)]
    if report.finance_comment:
        story += [Paragraph(_("Finance comment"), s.heading), para(report.finance_comment, s.body)]
    reference = report.award.reference
    return build(story, title=f"{reference} — {title}", footer=f"{reference} — {title}")
