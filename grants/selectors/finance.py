"""Readers for the finance page, the award list's filters and the money panels of the dashboard.

Every figure comes from the columns the disbursement services keep under row locks (Award.committed,
Award.paid, Tranche.committed): nothing is added up row by row. Totals are grouped by currency in
SQL over the filtered awards and never summed across currencies. Lists are sliced before anything
per row is evaluated (tranche conditions), so a page costs the same queries for 3 or 30,000 awards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.db.models.sql import Query

from orgs.models import Organisation, Region
from orgs.models.organisations import fold
from relais.actor import Actor
from relais.models import Role, User
from relais.money import Currency
from relais.pagination import LookaheadPage, page_of
from relais.sql import RowReader, convert, placeholders, positions, row_converters, split_row, table, written_once

from ..conditions import ConditionState, tranche_conditions_many
from ..models import (
    AUTOMATED_RAILS,
    Award,
    AwardStatus,
    Disbursement,
    DisbursementStatus,
    Tranche,
)
from .awards import AWARD_STAFF, award_list
from .choices import filter_calls_and_regions

MAX_SEARCH_WORDS = 10
# The columns the award list's and the finance page's rows show (grants.tables): an award row also
# carries the signature and termination fields, and its organisation a description (issue 10).
AWARD_ROW_FIELDS = ("reference", "currency", "amount", "paid", "status", "organisation__name",
                    "organisation__acronym", "call__title_fr", "call__title_en")
FINANCE_ROW_FIELDS = ("reference", "currency", "amount", "committed", "paid", "status", "organisation__name",
                      "organisation__acronym", "organisation__region__name")


class FinanceAwardRow(NamedTuple):
    """An award as the finance page's table shows it: its pk and FINANCE_ROW_FIELDS, read as values (a page of
    award, organisation and region instances was 75 instances to build for 25 rows; issue 10)."""

    pk: int
    reference: str
    currency: str
    amount: Decimal
    committed: Decimal
    paid: Decimal
    status: str
    organisation_name: str
    organisation_acronym: str
    region_name: str | None

    @property
    def organisation_short_name(self) -> str:
        return self.organisation_acronym or self.organisation_name

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


@dataclass(frozen=True)
class AwardFilters:
    """What the award list and the finance page may be narrowed by (read from the query string)."""

    call: int | None = None
    region: int | None = None
    currency: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, params: Any) -> AwardFilters:
        def pk(name: str) -> int | None:
            text = str(params.get(name) or "").strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None

        currency = str(params.get("currency") or "")
        status = str(params.get("status") or "")
        return cls(call=pk("call"), region=pk("region"),
                   currency=currency if currency in Currency.values else "",
                   status=status if status in AwardStatus.values else "",
                   q=" ".join(str(params.get("q") or "").split())[:200])

    def query(self) -> dict[str, str]:
        """The filters as query-string values (links to other pages and to the exports keep them)."""
        values = {"call": self.call or "", "region": self.region or "", "currency": self.currency,
                  "status": self.status, "q": self.q}
        return {name: str(value) for name, value in values.items() if value}


def filtered_awards(*, actor: Actor, filters: AwardFilters) -> QuerySet[Award]:
    """The awards the actor may see, narrowed by the filters (in the list's indexed order)."""
    awards = award_list(actor=actor)
    if filters.call:
        awards = awards.filter(call_id=filters.call)
    if filters.region:
        awards = awards.filter(organisation__region_id=filters.region)
    if filters.currency:
        awards = awards.filter(currency=filters.currency)
    if filters.status:
        awards = awards.filter(status=filters.status)
    if filters.q:
        awards = _search(awards, filters.q)
    return awards.order_by("-updated_at", "-id")


def _search(awards: QuerySet[Award], text: str) -> QuerySet[Award]:
    """Each word in the reference or in the organisation's names, acronym or region, accent-insensitive
    through the registry's folded ``search_name`` ("segou" finds "Ségou")."""
    for word in list(dict.fromkeys(fold(text).split()))[:MAX_SEARCH_WORDS]:
        awards = awards.filter(Q(reference__icontains=word) | Q(organisation__search_name__contains=word))
    return awards


@dataclass
class CurrencyTotal:
    currency: str
    awards: int
    amount: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


def totals_by_currency(awards: QuerySet[Award]) -> list[CurrencyTotal]:
    """One row per currency over the filtered awards: one GROUP BY query, never one grand total."""
    zero = Decimal("0")
    rows = (awards.order_by().values("currency")
            .annotate(n=Count("id"), total_amount=Coalesce(Sum("amount"), zero),
                      total_committed=Coalesce(Sum("committed"), zero), total_paid=Coalesce(Sum("paid"), zero))
            .order_by("currency"))
    return [CurrencyTotal(row["currency"], row["n"], row["total_amount"], row["total_committed"], row["total_paid"])
            for row in rows]


_TOTALS_CONVERTERS: dict[str, list[tuple[int, list[Any], Any]]] = {}


def _totals_converters(connection: Any) -> list[tuple[int, list[Any], Any]]:
    """What the ORM applies to totals_by_currency's Coalesce(Sum()) of amount, committed and paid (on SQLite, a
    float made a Decimal of 15 digits), so the hand-written totals are the queryset's figures: relais.sql.convert
    applies them to the three sums."""
    if connection.alias not in _TOTALS_CONVERTERS:
        found = []
        for position, name in enumerate(("amount", "committed", "paid")):  # totals_by_currency's, resolved
            expression = Coalesce(Sum(name), Decimal("0")).resolve_expression(Query(Award), allow_joins=True)
            found.append((position, connection.ops.get_db_converters(expression)
                          + expression.get_db_converters(connection), expression))
        _TOTALS_CONVERTERS[connection.alias] = found
    return _TOTALS_CONVERTERS[connection.alias]


_AWARD_ROW = RowReader(Award, "a", only=("organisation", "reference", "currency", "amount", "committed", "paid",
                                          "status"))
_AWARD_ORGANISATION = RowReader(Organisation, "o", only=("name", "acronym", "region"))
_AWARD_REGION = RowReader(Region, "r", only=("name",))
_TOTALS_COLUMNS = {"id": 'COUNT(a."id")', "currency": 'a."currency"', "amount": 'COALESCE(SUM(a."amount"), 0)',
                   "committed": 'COALESCE(SUM(a."committed"), 0)', "paid": 'COALESCE(SUM(a."paid"), 0)'}
_AWARD_READERS = (_AWARD_ROW, _AWARD_ORGANISATION, _AWARD_REGION)
_TOTALS_AT = itemgetter(*positions(_AWARD_READERS, [(_AWARD_ROW, name) for name in (
    "currency", "id", "amount", "committed", "paid")], start=2))
# A window row's FinanceAwardRow, in its order (the statement's first two columns tell the totals apart).
_FINANCE_ROW_AT = itemgetter(*positions(_AWARD_READERS, [
    *((_AWARD_ROW, name) for name in ("id", "reference", "currency", "amount", "committed", "paid", "status")),
    (_AWARD_ORGANISATION, "name"), (_AWARD_ORGANISATION, "acronym"), (_AWARD_REGION, "name")], start=2))


@written_once
def _award_window_sql(connection: Any, *, offset: bool) -> str:
    """The workspace's totals by currency (totals_by_currency's GROUP BY), then a window of its awards in
    filtered_awards' order, told apart by the first column: both read the tenant's awards, one round trip.
    A totals row carries its figures in the award columns (the count in the id's, the sums in the amounts'),
    its currency also in the second column, by which the totals are ordered (NULL in the awards' rows); an
    award row its place in the order last (a number: the update times, parsed for each row, were only sorted by).
    The first window has no OFFSET: with an OFFSET parameter PostgreSQL judged the prepared statement's generic
    plan dearer than a custom one and planned it again on every view (~0.3 ms on the bench)."""
    award, organisation, region = map(table, (Award, Organisation, Region))
    blanks = ", ".join(["NULL"] * (_AWARD_ORGANISATION.width + _AWARD_REGION.width))
    totals = ", ".join(_TOTALS_COLUMNS.get(f.attname, "NULL") for f in _AWARD_ROW.fields)
    place = 3 + _AWARD_ROW.width + _AWARD_ORGANISATION.width + _AWARD_REGION.width
    order = "ORDER BY a.updated_at DESC, a.id DESC"
    return (
        f'SELECT 0, a."currency", {totals}, {blanks}, NULL FROM {award} a WHERE a."tenant_id" = %s '
        f'GROUP BY a."currency" UNION ALL '
        f"SELECT * FROM (SELECT 1, NULL, {_AWARD_ROW.columns(connection)}, {_AWARD_ORGANISATION.columns(connection)}, "
        f"{_AWARD_REGION.columns(connection)}, ROW_NUMBER() OVER ({order}) FROM {award} a INNER JOIN {organisation} o "
        f"ON a.organisation_id = o.id LEFT OUTER JOIN {region} r ON o.region_id = r.id "
        f"WHERE a.tenant_id = %s {order} LIMIT %s{' OFFSET %s' if offset else ''}) w ORDER BY 1, 2, {place}")


class WorkspaceAwardRows:
    """The finance page's awards unfiltered, as page_of slices them: each slice one hand-written statement
    (LIMIT, OFFSET) in filtered_awards' order, its rows the values ``.values_list("pk", *FINANCE_ROW_FIELDS)``
    reads (FinanceAwardRow). The ORM query with its joins and deferred columns cost ~1 ms more to build and
    compile than to run, on every view (issue 10). The same statement reads the workspace's totals by currency
    (``totals``, as totals_by_currency gives them): they read the same rows."""

    def __init__(self, *, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.totals: list[CurrencyTotal] = []

    def __getitem__(self, window: slice) -> list[FinanceAwardRow]:
        start, stop = window.start or 0, window.stop
        if window.step is not None or stop is None or start < 0 or stop < start:
            raise ValueError("A window of awards is a bounded slice.")
        connection = connections[Award.objects.db]
        rows = []
        totals = []
        with connection.cursor() as cursor:
            cursor.execute(_award_window_sql(connection, offset=start > 0),
                           [self.tenant_id, self.tenant_id, stop - start, *([start] if start else [])])
            found = cursor.fetchall()
        converters = row_converters(connection, _AWARD_READERS, start=2)
        for row in found:
            if row[0] == 0:
                currency, count, *sums = _TOTALS_AT(row)
                figures = convert(connection, sums, _totals_converters(connection))
                totals.append(CurrencyTotal(currency, count, *figures))
            else:
                rows.append(FinanceAwardRow._make(_FINANCE_ROW_AT(convert(connection, row, converters))))
        self.totals = totals
        return rows


def finance_awards(*, actor: Actor, filters: AwardFilters, page: object,
                   per_page: int) -> tuple[LookaheadPage, list[CurrencyTotal]]:
    """The finance page's award table (a page of the filtered awards as FinanceAwardRow) and its totals by
    currency. Unfiltered (the page as first opened), both from one hand-written statement (WorkspaceAwardRows);
    filtered, the queryset's page and totals_by_currency over the filtered awards."""
    if not filters.query() and actor.has_role(*AWARD_STAFF):
        window = WorkspaceAwardRows(tenant_id=actor.tenant.pk)
        return page_of(window, page, per_page), window.totals
    awards = filtered_awards(actor=actor, filters=filters)
    shown = page_of(awards.select_related(None).values_list("pk", *FINANCE_ROW_FIELDS), page, per_page)
    shown.object_list = [FinanceAwardRow._make(values) for values in shown.object_list]
    return shown, totals_by_currency(awards)


@dataclass
class TrancheToPay:
    """A tranche of an active award with money left on it, and whether it may be paid now."""

    tranche: Tranche
    conditions: list[ConditionState] = field(default_factory=list)

    @property
    def problems(self) -> list[ConditionState]:
        return [state for state in self.conditions if not state.met]

    @property
    def ready(self) -> bool:
        return not self.problems


def _within(rows: QuerySet[Any], *, actor: Actor, filters: AwardFilters | None) -> QuerySet[Any]:
    """Rows of the filtered awards only (no subquery when nothing is filtered: the tenant is enough)."""
    if filters is None or not filters.query():
        return rows
    return rows.filter(award__in=filtered_awards(actor=actor, filters=filters).order_by().values("pk"))


def tranches_to_pay(*, actor: Actor, filters: AwardFilters | None = None) -> QuerySet[Tranche]:
    """Tranches of active awards, not cancelled, not fully committed: soonest due first. Finance and
    managers only. Slice it (``first_tranches_to_pay``) before evaluating conditions."""
    if not actor.has_role(*AWARD_STAFF):
        return Tranche.objects.none()
    awards = (filtered_awards(actor=actor, filters=filters) if filters is not None and filters.query()
              else Award.objects.filter(tenant=actor.tenant))
    active = awards.filter(status=AwardStatus.ACTIVE).order_by().values("pk")
    # In the order of the partial index tranche_to_pay (due date, then award and number).
    return (Tranche.objects.filter(tenant=actor.tenant, award__in=active, cancelled_at__isnull=True,
                                   committed__lt=F("amount"))
            .order_by(F("due_date").asc(nulls_last=True), "award_id", "number"))


# What the rows of tranches to pay show and what their conditions read (the award's status, the
# organisation's names and status for the registry's checks: orgs.selectors.due_diligence.CHECKS_ROW_FIELDS).
TRANCHE_ROW_FIELDS = ("tenant_id", "number", "amount", "committed", "due_date", "conditions", "award__tenant_id",
                      "award__reference", "award__currency", "award__status", "award__organisation__tenant_id",
                      "award__organisation__name", "award__organisation__acronym", "award__organisation__status")


# The unfiltered statement reads the same columns (each model's part of TRANCHE_ROW_FIELDS and the keys it joins
# on), not the organisation's sixty columns.
_TRANCHE = RowReader(Tranche, "t", only=("award", *(f for f in TRANCHE_ROW_FIELDS if "__" not in f)))
_AWARD = RowReader(Award, "a", only=("organisation", *(f.split("__")[1] for f in TRANCHE_ROW_FIELDS
                                                       if f.count("__") == 1)))
_ORGANISATION = RowReader(Organisation, "o", only=tuple(f.split("__")[2] for f in TRANCHE_ROW_FIELDS
                                                         if f.count("__") == 2))


@written_once
def _to_pay_sql(connection: Any) -> str:
    """tranches_to_pay without filters, as one hand-written statement (the order of the partial index
    tranche_to_pay): the ORM query with its nested subqueries cost ~2.4 ms to build and compile on every
    view of the finance page and of finance's dashboard, more than its database time (issue 10)."""
    tranche, award, organisation = map(table, (Tranche, Award, Organisation))
    return (
        f"SELECT {_TRANCHE.columns(connection)}, {_AWARD.columns(connection)}, "
        f"{_ORGANISATION.columns(connection)} "
        f"FROM {tranche} t INNER JOIN {award} a ON t.award_id = a.id "
        f"INNER JOIN {organisation} o ON a.organisation_id = o.id "
        f"WHERE t.tenant_id = %s AND a.tenant_id = %s AND a.status = %s AND t.cancelled_at IS NULL "
        f"AND t.committed < t.amount ORDER BY t.due_date ASC NULLS LAST, t.award_id ASC, t.number ASC LIMIT %s")


def first_tranches_to_pay(*, actor: Actor, filters: AwardFilters | None = None, n: int) -> list[Tranche]:
    """The first n tranches to pay with their award and organisation, in one query. Unfiltered (the page as
    first opened, the dashboard): one hand-written statement (_to_pay_sql). Filtered: the subquery orders
    the narrow ids (light on 30,000 tranches), then only the n rows are read in full."""
    if not actor.has_role(*AWARD_STAFF):
        return []
    if filters is None or not filters.query():
        connection = connections[Tranche.objects.db]
        rows = []
        with connection.cursor() as cursor:
            cursor.execute(_to_pay_sql(connection), [actor.tenant.pk, actor.tenant.pk, AwardStatus.ACTIVE.value, n])
            for row in cursor.fetchall():
                tranche_values, award_values, organisation_values = split_row(row, (_TRANCHE, _AWARD, _ORGANISATION))
                tranche = _TRANCHE.instance(connection, tranche_values)
                award = _AWARD.instance(connection, award_values)
                Award._meta.get_field("organisation").set_cached_value(
                    award, _ORGANISATION.instance(connection, organisation_values))
                Tranche._meta.get_field("award").set_cached_value(tranche, award)
                rows.append(tranche)
        return rows
    ordered = tranches_to_pay(actor=actor, filters=filters)
    return list(Tranche.objects.filter(tenant=actor.tenant, pk__in=ordered.values("pk")[:n])
                .select_related("award__organisation").only(*TRANCHE_ROW_FIELDS).order_by(*ordered.query.order_by))


def with_conditions(tranches: list[Tranche], *, actor: Actor, today: date) -> list[TrancheToPay]:
    """The given rows (a page) with their conditions evaluated, in a few queries whatever their number."""
    states = tranche_conditions_many(tranches, actor=actor, today=today)
    return [TrancheToPay(tranche, states[tranche.pk]) for tranche in tranches]


# The columns the finance page's and the dashboard's payment rows show: a payment row joined to its
# award, organisation, tranche and recorder carried some eighty columns, a dozen of them dates to parse.
AWAITING_ROW_FIELDS = ("award__reference", "award__organisation__name", "award__organisation__acronym",
                       "tranche__number", "amount", "currency", "status", "recorded_by__full_name",
                       "recorded_by__email")
PROCESSING_ROW_FIELDS = ("award__reference", "amount", "currency", "status", "rail", "external_id",
                         "send_attempts", "send_stalled_at", "created_at")


def _payments(actor: Actor, status: str) -> QuerySet[Disbursement]:
    """Payments of one status for finance and managers (who see every award of the workspace)."""
    if not actor.has_role(*AWARD_STAFF):
        return Disbursement.objects.none()
    return Disbursement.objects.filter(tenant=actor.tenant, status=status)


def awaiting_approval(*, actor: Actor, filters: AwardFilters | None = None,
                      exclude_mine: bool = False) -> QuerySet[Disbursement]:
    """Payments waiting for a second finance member, oldest first (the one who recorded a payment
    cannot approve it: ``exclude_mine`` leaves them out)."""
    payments = _within(_payments(actor, DisbursementStatus.AWAITING_APPROVAL), actor=actor, filters=filters)
    if exclude_mine:
        payments = payments.exclude(recorded_by=actor.user)
    return (payments.select_related("award__organisation", "tranche", "recorded_by").only(*AWAITING_ROW_FIELDS)
            .order_by("created_at", "id"))


def processing_payments(*, actor: Actor, filters: AwardFilters | None = None) -> QuerySet[Disbursement]:
    """Payments sent through Stripe or HUB2 that the provider has not confirmed yet, oldest first."""
    payments = _payments(actor, DisbursementStatus.PROCESSING).filter(rail__in=list(AUTOMATED_RAILS))
    return (_within(payments, actor=actor, filters=filters).select_related("award").only(*PROCESSING_ROW_FIELDS)
            .order_by("created_at", "id"))


# One statement for the two payment sections of the finance page as first opened (unfiltered): the first n
# payments awaiting approval and the first n processing through a provider, each part in its own order, the
# row told by its first column. The columns are those AWAITING_ROW_FIELDS and PROCESSING_ROW_FIELDS read.
_PAYMENT_FIELDS = ("award", "tranche", "amount", "currency", "status", "recorded_by", "rail", "external_id",
                   "send_attempts", "send_stalled_at", "created_at")
_PAYMENT = RowReader(Disbursement, "d", only=_PAYMENT_FIELDS)
_PAYMENT_AWARD = RowReader(Award, "a", only=("reference", "organisation"))
_PAYMENT_ORGANISATION = RowReader(Organisation, "o", only=("name", "acronym"))
_PAYMENT_TRANCHE = RowReader(Tranche, "t", only=("number",))
_RECORDER = RowReader(User, "u", only=("full_name", "email"))


@written_once
def _payments_sql(connection: Any) -> str:
    """awaiting_approval and processing_payments unfiltered, sliced, as one hand-written statement: the two ORM
    queries with their joins cost ~2.5 ms to build, compile and run on every view of the finance page (issue 10).
    Each part is a sub-select with its own ORDER BY and LIMIT (no parentheses around a UNION's parts: SQLite)."""
    payment, award, organisation, tranche, user = map(table, (Disbursement, Award, Organisation, Tranche, User))
    columns = ", ".join(reader.columns(connection) for reader in _PAYMENT_READERS)
    part = (f"SELECT * FROM (SELECT {{marker}}, {columns} FROM {payment} d "
            f"INNER JOIN {award} a ON d.award_id = a.id INNER JOIN {organisation} o ON a.organisation_id = o.id "
            f"INNER JOIN {tranche} t ON d.tranche_id = t.id LEFT OUTER JOIN {user} u ON d.recorded_by_id = u.id "
            f"WHERE d.tenant_id = %s AND d.status = %s{{rails}} ORDER BY d.created_at ASC, d.id ASC LIMIT %s) p")
    created_at = 2 + [f.attname for f in _PAYMENT.fields].index("created_at")
    return (
        part.format(marker=0, rails="") + " UNION ALL "
        + part.format(marker=1, rails=f" AND d.rail IN ({placeholders(len(AUTOMATED_RAILS))})")
        + f" ORDER BY 1, {created_at}, 2")


_PAYMENT_READERS = (_PAYMENT, _PAYMENT_AWARD, _PAYMENT_ORGANISATION, _PAYMENT_TRANCHE, _RECORDER)


class PaymentRow(NamedTuple):
    """A payment as the finance page's sections show it (awaiting a second approval, processing at a provider):
    the columns AWAITING_ROW_FIELDS and PROCESSING_ROW_FIELDS read (PAYMENT_ROW_VALUES), as values: a payment,
    its award, organisation, tranche and recorder were five instances a row, twenty rows a view (issue 10)."""

    pk: int
    award_id: int
    award_reference: str
    organisation_name: str
    organisation_acronym: str
    tranche_number: int
    amount: Decimal
    currency: str
    status: str
    rail: str
    external_id: str
    send_attempts: int
    send_stalled_at: datetime | None
    created_at: datetime
    recorded_by_id: int | None
    recorder_full_name: str | None
    recorder_email: str | None

    @property
    def organisation_short_name(self) -> str:
        return self.organisation_acronym or self.organisation_name

    @property
    def recorder_display_name(self) -> str | None:
        """User.display_name of the recorder (None without one)."""
        return self.recorder_full_name or self.recorder_email


PAYMENT_ROW_VALUES = ("pk", "award_id", "award__reference", "award__organisation__name",
                      "award__organisation__acronym", "tranche__number", "amount", "currency", "status", "rail",
                      "external_id", "send_attempts", "send_stalled_at", "created_at", "recorded_by_id",
                      "recorded_by__full_name", "recorded_by__email")
_PAYMENT_ROW_AT = itemgetter(*positions(_PAYMENT_READERS, [
    (_PAYMENT, "id"), (_PAYMENT, "award"), (_PAYMENT_AWARD, "reference"), (_PAYMENT_ORGANISATION, "name"),
    (_PAYMENT_ORGANISATION, "acronym"), (_PAYMENT_TRANCHE, "number"),
    *((_PAYMENT, name) for name in ("amount", "currency", "status", "rail", "external_id", "send_attempts",
                                    "send_stalled_at", "created_at", "recorded_by")),
    (_RECORDER, "full_name"), (_RECORDER, "email")], start=1))  # after the section marker


def payments_to_follow(*, actor: Actor, filters: AwardFilters | None = None,
                       n: int) -> tuple[list[PaymentRow], list[PaymentRow]]:
    """The first n of awaiting_approval and the first n of processing_payments, in their orders, as PaymentRow.
    Unfiltered (the finance page as first opened): one hand-written statement (_payments_sql), each row
    converted once and read by position. Filtered: the two querysets' values."""
    if filters is not None and filters.query():
        return ([PaymentRow._make(values) for values in awaiting_approval(actor=actor, filters=filters)
                 .values_list(*PAYMENT_ROW_VALUES)[:n]],
                [PaymentRow._make(values) for values in processing_payments(actor=actor, filters=filters)
                 .values_list(*PAYMENT_ROW_VALUES)[:n]])
    if not actor.has_role(*AWARD_STAFF):
        return [], []
    connection = connections[Disbursement.objects.db]
    tenant = actor.tenant.pk
    params = [tenant, DisbursementStatus.AWAITING_APPROVAL.value, n,
              tenant, DisbursementStatus.PROCESSING.value, *sorted(AUTOMATED_RAILS), n]
    awaiting: list[PaymentRow] = []
    processing: list[PaymentRow] = []
    with connection.cursor() as cursor:
        cursor.execute(_payments_sql(connection), params)
        found = cursor.fetchall()
    converters = row_converters(connection, _PAYMENT_READERS, start=1)
    for row in found:
        (awaiting if row[0] == 0 else processing).append(
            PaymentRow._make(_PAYMENT_ROW_AT(convert(connection, row, converters))))
    return awaiting, processing


def agreements_to_handle(*, actor: Actor) -> QuerySet[Award]:
    """A manager's: drafted awards whose agreement is to be issued, and signed ones to countersign."""
    if not actor.is_manager:
        return Award.objects.none()
    return (award_list(actor=actor).filter(status__in=[AwardStatus.DRAFTED, AwardStatus.SIGNED])
            .order_by("updated_at", "id"))


def applicant_awards(*, actor: Actor) -> QuerySet[Award]:
    """The applicant's organisation's awards, newest first (none for other roles)."""
    if not actor.has_role(Role.APPLICANT):
        return Award.objects.none()
    return award_list(actor=actor).order_by("-updated_at", "-id")


def last_payments(awards: list[Award]) -> dict[int, Disbursement]:
    """The latest paid payment of each award given (one query)."""
    if not awards:
        return {}
    tenant_id = awards[0].tenant_id
    latest: dict[int, Disbursement] = {}
    payments = (Disbursement.objects.filter(tenant_id=tenant_id, award__in=[a.pk for a in awards],
                                            status=DisbursementStatus.PAID)
                .order_by("award_id", "-paid_on", "-id").select_related("tranche"))
    for payment in payments:
        latest.setdefault(payment.award_id, payment)
    return latest


def filter_choices(*, actor: Actor) -> dict[str, Any]:
    """What the filter form offers: the workspace's calls that have awards, and its regions (one
    hand-written statement: grants.selectors.choices)."""
    calls, regions = filter_calls_and_regions(tenant_id=actor.tenant.pk, with_awards=True)
    return {"calls": calls, "regions": regions}


def award_export_rows(awards: QuerySet[Award]) -> QuerySet[Award]:
    """The filtered awards for an export, with what each row prints (no per-row query)."""
    return awards.select_related("organisation", "organisation__region", "call")


def award_of_application(*, actor: Actor, application: Any) -> Award | None:
    """The award an approved application became, if the actor may see it."""
    return award_list(actor=actor).filter(application=application).first()


def awards_of_applications(*, actor: Actor, applications: list[Any]) -> dict[int, Award]:
    """The awards of the given applications the actor may see, by application pk (one query)."""
    ids = [app.pk for app in applications]
    if not ids:
        return {}
    return {award.application_id: award for award in award_list(actor=actor).filter(application_id__in=ids)}
