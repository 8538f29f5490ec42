"""The rules of progress reports that pages, services and the workflow share: the schedule of an award,
what makes a report complete, the variance rule, and the tranche condition "previous report approved"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais import sql
from relais.actor import Actor

from .conditions import Condition, register_condition
from .models import (
    Award,
    AwardBudgetLine,
    IndicatorTarget,
    IndicatorValue,
    ProgressReport,
    ReportExpense,
    ReportKind,
    ReportStatus,
    Tranche,
)

FINAL_REPORT_DELAY_DAYS = 30
REQUIRED_SECTIONS = ("activities", "results", "next_steps")


# --- the schedule ----------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedReport:
    number: int
    kind: str
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    gates_tranche: Tranche | None


def plan_schedule(award: Award, tranches: list[Tranche], *, today: dt.date) -> list[PlannedReport]:
    """One interim report before each tranche after the first (due on the tranche's planned date, or spread
    evenly over the award's period), then a final report due 30 days after the end. Periods follow each other."""
    start = award.start_date or today
    end = award.end_date if award.end_date and award.end_date > start else start + dt.timedelta(days=365)
    later = [t for t in sorted(tranches, key=lambda t: t.number) if t.number > 1]
    span = (end - start).days
    planned: list[PlannedReport] = []
    period_start = start
    for index, tranche in enumerate(later, start=1):
        due = tranche.due_date or start + dt.timedelta(days=span * index // (len(later) + 1))
        due = min(max(due, period_start), end)
        planned.append(PlannedReport(index, ReportKind.INTERIM, period_start, due, due, tranche))
        period_start = min(due + dt.timedelta(days=1), end)
    planned.append(PlannedReport(len(later) + 1, ReportKind.FINAL, period_start, end,
                                 end + dt.timedelta(days=FINAL_REPORT_DELAY_DAYS), None))
    return planned


# --- a complete report -----------------------------------------------------------------

@dataclass(frozen=True)
class ExpenseLine:
    """One budget line on a report's financial part: budget, spent before, spent now, cumulative, variance."""

    line: AwardBudgetLine
    before: Decimal
    amount: Decimal | None
    explanation: str
    threshold: Decimal
    final: bool

    @property
    def name(self) -> str:
        """The line's description, else its category's name (a line may have neither category nor text)."""
        return line_name(self.line)

    @property
    def cumulative(self) -> Decimal:
        return self.before + (self.amount or Decimal(0))

    @property
    def variance(self) -> Decimal | None:
        """(cumulative − budget) / budget, in % (one decimal); None without a budget."""
        if not self.line.amount:
            return None
        return ((self.cumulative - self.line.amount) * 100 / self.line.amount).quantize(Decimal("0.1"))

    @property
    def needs_explanation(self) -> bool:
        """Overspending past the threshold always needs a word; on the final report, underspending too."""
        variance = self.variance
        if variance is None:
            return self.cumulative > 0
        return variance > self.threshold or (self.final and -variance > self.threshold)


def expense_lines(report: ProgressReport, *, threshold: Decimal) -> list[ExpenseLine]:
    """The award's budget lines with what this report and the earlier ones (submitted or approved) spent."""
    award = report.award
    lines = list(AwardBudgetLine.objects.filter(tenant_id=award.tenant_id, award=award).select_related("category"))
    earlier = dict(
        ReportExpense.objects.filter(tenant_id=award.tenant_id, report__award=award, report__number__lt=report.number)
        .values_list("budget_line_id").annotate(total=Sum("amount")).values_list("budget_line_id", "total"))
    mine = {e.budget_line_id: e for e in ReportExpense.objects.filter(tenant_id=award.tenant_id, report=report)}
    final = report.kind == ReportKind.FINAL
    return [ExpenseLine(line, earlier.get(line.pk) or Decimal(0), mine[line.pk].amount if line.pk in mine else None,
                        mine[line.pk].explanation if line.pk in mine else "", threshold, final) for line in lines]


def line_name(line: AwardBudgetLine) -> str:
    return line.description or (line.category.name if line.category else "—")


def report_problems(report: ProgressReport) -> list[str]:
    """What blocks the submission, in the reader's language (the form shows the same list)."""
    from .services.awards import grant_settings

    targets = list(IndicatorTarget.objects.filter(tenant_id=report.tenant_id, award_id=report.award_id)
                   .select_related("indicator"))
    reported = set(IndicatorValue.objects.filter(tenant_id=report.tenant_id, report=report)
                   .values_list("indicator_id", flat=True))
    threshold = grant_settings(report.tenant).variance_threshold
    return problems_of(report, targets=targets, reported=reported,
                       lines=expense_lines(report, threshold=threshold))


def problems_of(report: ProgressReport, *, targets: list[IndicatorTarget], reported: set[int],
                lines: list[ExpenseLine]) -> list[str]:
    """The rules of a complete report on data already read (report_problems for one report, reports_problems
    for a page of them)."""
    problems = []
    labels = {name: ProgressReport._meta.get_field(name).verbose_name for name in REQUIRED_SECTIONS}
    for name in REQUIRED_SECTIONS:
        if not (getattr(report, name) or "").strip():
            problems.append(_("Fill in the section “%(section)s”.") % {"section": labels[name]})
    for target in targets:
        if target.indicator_id not in reported:
            problems.append(_("Give a value for the indicator “%(name)s” (0 if nothing this period).")
                            % {"name": target.indicator.name})
    for line in lines:
        name = line_name(line.line)
        if line.amount is None:
            problems.append(_("Enter what was spent on “%(line)s” (0 if nothing).") % {"line": name})
        elif line.needs_explanation and not line.explanation.strip():
            problems.append(_("Explain the variance of %(variance)s %% on “%(line)s”.")
                            % {"variance": line.variance, "line": name})
    return problems


def reports_problems(reports: list[ProgressReport], *, threshold: Decimal) -> dict[int, list[str]]:
    """report_problems for many reports in a fixed number of queries (the reports list): the reports carry
    their award."""
    if not reports:
        return {}
    tenant_id = reports[0].tenant_id
    award_ids = {r.award_id for r in reports}
    targets: dict[int, list[IndicatorTarget]] = {}
    for target in (IndicatorTarget.objects.filter(tenant_id=tenant_id, award_id__in=award_ids)
                   .select_related("indicator")):
        targets.setdefault(target.award_id, []).append(target)
    reported: dict[int, set[int]] = {}
    for report_id, indicator_id in (IndicatorValue.objects.filter(tenant_id=tenant_id, report__in=reports)
                                    .values_list("report_id", "indicator_id")):
        reported.setdefault(report_id, set()).add(indicator_id)
    lines: dict[int, list[AwardBudgetLine]] = {}
    for line in AwardBudgetLine.objects.filter(tenant_id=tenant_id, award_id__in=award_ids).select_related("category"):
        lines.setdefault(line.award_id, []).append(line)
    # Every expense of these awards: (award, report number, line) -> amount, explanation.
    spent: dict[int, list[tuple[int, int, int, Decimal, str]]] = {}
    for award_id, number, report_id, line_id, amount, explanation in (
            ReportExpense.objects.filter(tenant_id=tenant_id, report__award_id__in=award_ids)
            .values_list("report__award_id", "report__number", "report_id", "budget_line_id", "amount",
                         "explanation")):
        spent.setdefault(award_id, []).append((number, report_id, line_id, amount, explanation))
    result = {}
    for report in reports:
        expenses = spent.get(report.award_id, [])
        final = report.kind == ReportKind.FINAL
        rows = []
        for line in lines.get(report.award_id, []):
            before = sum((a for n, _r, lid, a, _e in expenses if lid == line.pk and n < report.number), Decimal(0))
            mine = [(a, e) for _n, r, lid, a, e in expenses if lid == line.pk and r == report.pk]
            rows.append(ExpenseLine(line, before, mine[0][0] if mine else None, mine[0][1] if mine else "",
                                    threshold, final))
        result[report.pk] = problems_of(report, targets=targets.get(report.award_id, []),
                                        reported=reported.get(report.pk, set()), lines=rows)
    return result


# --- the tranche condition -------------------------------------------------------------------

def _report_problem(number: int, status: str) -> str | None:
    if status == ReportStatus.APPROVED:
        return None
    return _("Progress report %(number)s is not approved yet (%(status)s).") % {
        "number": number, "status": dict(ReportStatus.choices).get(status, status)}


def previous_report_approved(tranche: Tranche, actor: Actor, today: dt.date) -> str | None:
    report = (ProgressReport.objects.filter(tenant_id=tranche.tenant_id, gates_tranche=tranche)
              .values_list("number", "status").first())
    return None if report is None else _report_problem(*report)


# The reports gating the given tranches (one at most each: gates_tranche is one-to-one). A hand-written
# statement: the values query cost more to build and compile than to run, on every view of the finance page
# and of finance's dashboard (issue 10).
_GATING_REPORTS_SQL = """SELECT "gates_tranche_id", "number", "status" FROM {reports}
WHERE "tenant_id" IN ({tenants}) AND "gates_tranche_id" IN ({ids})"""


def previous_reports_approved(tranches: Sequence[Tranche], actor: Actor, today: dt.date) -> dict[int, str | None]:
    """previous_report_approved for the tranches of a list (the finance page, the dashboard): one query
    whatever their number (a tranche is gated by one report at most)."""
    if not tranches:
        return {}
    tenants, ids = sorted({t.tenant_id for t in tranches}), [t.pk for t in tranches]
    reports = sql.fetch_rows(_GATING_REPORTS_SQL.format(reports=sql.table(ProgressReport),
                                                        tenants=sql.placeholders(len(tenants)),
                                                        ids=sql.placeholders(len(ids))), [*tenants, *ids])
    gating = {tranche_id: (number, status) for tranche_id, number, status in reports}
    return {t.pk: _report_problem(*gating[t.pk]) if t.pk in gating else None for t in tranches}


register_condition(Condition("previous_report", gettext_lazy("Previous progress report approved"),
                             previous_report_approved, check_many=previous_reports_approved))
