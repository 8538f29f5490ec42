"""Readers for the progress-report pages: the reports list (the grantee's, the workspace's with filters),
a report's indicators and financial table, its attachments and submitted versions.

Every reader starts from grants.selectors.awards.report_list (the awards the actor may see), so a report
of another CSO or another workspace is a 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from orgs.models import Organisation, Region
from relais.actor import Actor
from relais.demographics import AgeBand, Sex
from relais.models import Role
from relais.sql import placeholders, table, written_once

from ..models import (
    NARRATIVE_SECTIONS,
    REPORT_EDITABLE_STATUSES,
    Award,
    IndicatorTarget,
    IndicatorValue,
    ProgressReport,
    ReportAttachment,
    ReportStatus,
    ReportVersion,
)
from ..models.reports import report_timing
from ..reporting import ExpenseLine, expense_lines, line_name
from .awards import AWARD_STAFF, report_list

SENSITIVE = "safety_incidents"


@dataclass(frozen=True)
class ReportFilters:
    status: str = ""
    overdue: bool = False
    call_id: int | None = None
    region_id: int | None = None


@dataclass(frozen=True)
class ReportRow:
    """A row of the workspace's report list: the report's columns and its award's names, read as values
    (a page of report, award, organisation and region instances, joined and compiled as one query with
    the ordering subquery, cost twice as much; issue 10)."""

    pk: int
    award_id: int
    number: int
    kind: str
    due_date: dt.date
    status: str
    award_reference: str = ""
    award_title: str = ""
    organisation_short_name: str = ""
    region_id: int | None = None
    region_name: str | None = None

    def timing(self, today: dt.date) -> str | None:
        return report_timing(self.status, self.due_date, today)


_ROW_COLUMNS = ("id", "award", "number", "kind", "due_date", "status")


@written_once
def _window_sql(connection: Any, *, to_review_first: bool) -> str:
    """report_search unfiltered for staff (the list as first opened), one window of it, as one hand-written
    statement: the ORM query with its CASE ordering cost more to build and compile than to run."""
    quote = connection.ops.quote_name
    field = ProgressReport._meta.get_field

    def col(name: str) -> str:
        return quote(str(field(name).column))

    first = f"CASE WHEN {col('status')} = %s THEN 0 ELSE 1 END, " if to_review_first else ""
    return (f"SELECT {', '.join(col(name) for name in _ROW_COLUMNS)} FROM {table(ProgressReport)} "
            f"WHERE {col('tenant')} = %s ORDER BY {first}{col('due_date')}, {col('id')} LIMIT %s OFFSET %s")


def _names_sql(connection: Any, count: int) -> str:
    award, organisation, region = map(table, (Award, Organisation, Region))
    return (f"SELECT a.id, a.reference, a.title, o.name, o.acronym, o.region_id, r.name FROM {award} a "
            f"INNER JOIN {organisation} o ON a.organisation_id = o.id LEFT OUTER JOIN {region} r ON o.region_id = r.id "
            f"WHERE a.tenant_id = %s AND a.id IN ({placeholders(count)})")


@dataclass(frozen=True)
class ReportRows:
    """report_search as rows for one window (``page_of`` slices it): the window's reports from a narrow
    query on the reports alone (sorting every report joined to its award, organisation and region, texts
    included, read and sorted them all for 25: 7 ms of database time on 1,200 reports), then the names
    of their awards, organisations and regions for those rows only. Unfiltered, both are hand-written
    statements (tests/grants/test_money_rows.py compares the rows with report_search's)."""

    ordered: QuerySet[ProgressReport]
    tenant_id: int
    plain: bool = False  # unfiltered, for staff: the hand-written window
    to_review_first: bool = False

    def __getitem__(self, window: slice) -> list[ReportRow]:
        connection = connections[ProgressReport.objects.db]
        if self.plain:
            start = window.start or 0
            params: list[Any] = [self.tenant_id, *([ReportStatus.SUBMITTED.value] if self.to_review_first else []),
                                 window.stop - start, start]
            with connection.cursor() as cursor:
                cursor.execute(_window_sql(connection, to_review_first=self.to_review_first), params)
                rows = [tuple(row) for row in cursor.fetchall()]
        else:
            rows = list(self.ordered.values_list("pk", "award_id", "number", "kind", "due_date", "status")[window])
        if not rows:
            return []
        award_ids = sorted({row[1] for row in rows})
        with connection.cursor() as cursor:
            cursor.execute(_names_sql(connection, len(award_ids)), [self.tenant_id, *award_ids])
            names = {pk: (reference, title, acronym or name, region_id, region_name)
                     for pk, reference, title, name, acronym, region_id, region_name in cursor.fetchall()}
        return [ReportRow(*row, *names[row[1]]) for row in rows if row[1] in names]


def report_rows(*, actor: Actor, filters: ReportFilters, today: dt.date) -> ReportRows:
    """report_search for a page of the list: slice it (``page_of``) to read one window of rows."""
    return ReportRows(ordered=report_search(actor=actor, filters=filters, today=today, related=False),
                      tenant_id=actor.tenant.pk, plain=filters == ReportFilters() and actor.has_role(*AWARD_STAFF),
                      to_review_first=actor.is_manager)


def report_search(*, actor: Actor, filters: ReportFilters, today: dt.date,
                  related: bool = True) -> QuerySet[ProgressReport]:
    """The workspace's reports for managers and finance (the grantee's own for an applicant), filtered;
    managers get the reports waiting for their review first. Served by the (tenant, status, due date) and
    (tenant, due date) indexes. ``related=False``: without the award, organisation and region joined."""
    reports = report_list(actor=actor)
    if related:
        reports = reports.select_related("award__organisation__region")
    else:
        reports = reports.select_related(None)
    if filters.status in ReportStatus.values:
        reports = reports.filter(status=filters.status)
    if filters.overdue:
        reports = reports.filter(status__in=REPORT_EDITABLE_STATUSES, due_date__lt=today)
    if filters.call_id is not None:
        reports = reports.filter(award__call_id=filters.call_id)
    if filters.region_id is not None:
        reports = reports.filter(award__organisation__region_id=filters.region_id)
    if actor.is_manager:
        to_review = Case(When(status=ReportStatus.SUBMITTED, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
        return reports.order_by(to_review, "due_date", "id")
    return reports.order_by("due_date", "id")


def grantee_reports(*, actor: Actor) -> tuple[list[ProgressReport], QuerySet[ProgressReport]]:
    """An applicant's reports: those still to write (to do, changes requested; a handful per award), and
    the submitted or approved ones, latest first (paginated by the page)."""
    reports = report_list(actor=actor).select_related(None).select_related("award")  # the cards name the award
    open_ = list(reports.filter(status__in=REPORT_EDITABLE_STATUSES).order_by("due_date", "id")[:100])
    past = (reports.exclude(status__in=REPORT_EDITABLE_STATUSES).only(*PAST_REPORT_ROW_FIELDS)
            .order_by("-due_date", "-id"))
    return open_, past


# What a row of the grantee's past reports shows.
PAST_REPORT_ROW_FIELDS = ("number", "kind", "status", "due_date", "award__reference", "award__title")


# --- one report's content ---------------------------------------------------------------------

GRID = [(sex, band) for sex in Sex.values for band in AgeBand.values]


@dataclass
class IndicatorRow:
    """One targeted indicator on a report: this period's values (a cell per sex and age band, or one),
    the period's total and the progress to date against the award's target."""

    target: IndicatorTarget
    values: dict[tuple[str, str], Decimal]
    cumulative: Decimal

    @property
    def indicator(self) -> Any:
        return self.target.indicator

    @property
    def total(self) -> Decimal:
        return sum(self.values.values(), Decimal(0))

    @property
    def progress(self) -> Decimal | None:
        if not self.target.target:
            return None
        return (self.cumulative * 100 / self.target.target).quantize(Decimal("1"))

    def cell(self, sex: str, band: str) -> Decimal | None:
        return self.values.get((sex, band))

    @property
    def grid(self) -> list[tuple[str, list[Decimal | None]]]:
        return [(label, [self.values.get((sex, band)) for band in AgeBand.values]) for sex, label in Sex.choices]


def report_indicators(*, report: ProgressReport) -> list[IndicatorRow]:
    """The award's targeted indicators with this report's values and the cumulative progress (this report
    and the earlier ones): two queries."""
    targets = list(IndicatorTarget.objects.filter(tenant_id=report.tenant_id, award_id=report.award_id)
                   .select_related("indicator"))
    mine: dict[int, dict[tuple[str, str], Decimal]] = {}
    cumulative: dict[int, Decimal] = {}
    for report_id, indicator_id, sex, band, value in (
            IndicatorValue.objects.filter(tenant_id=report.tenant_id, report__award_id=report.award_id,
                                          report__number__lte=report.number)
            .values_list("report_id", "indicator_id", "sex", "age_band", "value")):
        cumulative[indicator_id] = cumulative.get(indicator_id, Decimal(0)) + value
        if report_id == report.pk:
            mine.setdefault(indicator_id, {})[(sex, band)] = value
    return [IndicatorRow(t, mine.get(t.indicator_id, {}), cumulative.get(t.indicator_id, Decimal(0)))
            for t in targets]


def report_expenses(*, report: ProgressReport) -> list[ExpenseLine]:
    from ..services.awards import grant_settings

    return expense_lines(report, threshold=grant_settings(report.tenant).variance_threshold)


def report_attachments(*, report: ProgressReport) -> list[ReportAttachment]:
    return list(ReportAttachment.objects.filter(tenant_id=report.tenant_id, report=report)
                .select_related("uploaded_by").order_by("id"))


def access_report_attachment(*, actor: Actor, pk: int) -> ReportAttachment:
    return get_object_or_404(
        ReportAttachment.objects.filter(tenant=actor.tenant, report__in=report_list(actor=actor).values("pk"))
        .select_related("report__award"), pk=pk)


def report_versions(*, report: ProgressReport) -> list[ReportVersion]:
    return list(ReportVersion.objects.filter(tenant_id=report.tenant_id, report=report)
                .select_related("created_by").order_by("number"))


# --- what changed between two submissions -------------------------------------------------------

@dataclass(frozen=True)
class VersionChange:
    label: str
    old: str
    new: str


def version_changes(older: dict[str, Any], newer: dict[str, Any], *, sensitive: bool,
                    indicators: list[IndicatorRow], lines: list[ExpenseLine]) -> list[VersionChange]:
    """What the grantee changed between two submitted versions, readably: section texts, indicator values
    and expenses. The safety section only for those who may read it."""
    changes = []
    names = [*NARRATIVE_SECTIONS, *([SENSITIVE] if sensitive else [])]
    for name in names:
        if (older.get(name) or "") != (newer.get(name) or ""):
            label = str(ProgressReport._meta.get_field(name).verbose_name)
            changes.append(VersionChange(label[:1].upper() + label[1:], older.get(name) or "—",
                                         newer.get(name) or "—"))
    indicator_names = {row.indicator.pk: row.indicator.name for row in indicators}
    sexes, bands = dict(Sex.choices), dict(AgeBand.choices)

    def values(snapshot: dict[str, Any]) -> dict[tuple[Any, str, str], str]:
        return {(i, s, b): v for i, s, b, v in snapshot.get("values", [])}

    old_values, new_values = values(older), values(newer)
    for key in sorted(set(old_values) | set(new_values), key=str):
        if old_values.get(key) != new_values.get(key):
            indicator_id, sex, band = key
            label = " — ".join(str(part) for part in (indicator_names.get(indicator_id, indicator_id),
                                                      sexes.get(sex, ""), bands.get(band, "")) if part)
            changes.append(VersionChange(label, old_values.get(key, "—"), new_values.get(key, "—")))
    line_names = {line.line.pk: line_name(line.line) for line in lines}

    def spent(snapshot: dict[str, Any]) -> dict[Any, tuple[str, str]]:
        return {line_id: (amount, why) for line_id, amount, why in snapshot.get("expenses", [])}

    old_spent, new_spent = spent(older), spent(newer)
    for line_id in sorted(set(old_spent) | set(new_spent), key=str):
        before, after = old_spent.get(line_id, ("—", "")), new_spent.get(line_id, ("—", ""))
        if before != after:
            label = _("Spent on “%(line)s”") % {"line": line_names.get(line_id, line_id)}
            changes.append(VersionChange(label, " — ".join(p for p in before if p), " — ".join(p for p in after if p)))
    return changes


def may_list_reports(actor: Actor) -> bool:
    return actor.has_role(Role.MANAGER, Role.FINANCE, Role.APPLICANT)
