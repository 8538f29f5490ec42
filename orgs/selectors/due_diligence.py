"""Readers for due diligence and sanctions screening.

What a view reads goes through a function that takes the actor (`access_*` give the same
404 for a missing id and for what the actor may not see); the helpers that work on an
organisation already read through `access_*` stay in its tenant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, connections
from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from orgs.models import (
    ContactPerson,
    DueDiligenceItem,
    DueDiligenceStatus,
    Organisation,
    OrganisationDocument,
    ReviewStatus,
    SanctionsListVersion,
    Screening,
    ScreeningCandidate,
    ScreeningDecision,
    ScreeningState,
)
from orgs.sanctions import names_fingerprint
from relais import sql
from relais.actor import Actor
from relais.models import Membership, Role, Tenant

from . import organisations as registry

# An accepted document that lapses within this many days is flagged as expiring.
EXPIRING_SOON_DAYS = 30


def _checklist(tenant_id: int, *, include_inactive: bool = False) -> QuerySet[DueDiligenceItem]:
    items = DueDiligenceItem.objects.filter(tenant_id=tenant_id)
    return items if include_inactive else items.filter(active=True)


def checklist(*, actor: Actor, include_inactive: bool = False) -> QuerySet[DueDiligenceItem]:
    """The workspace's checklist (active items only unless asked): what uploads may be filed against."""
    return _checklist(actor.tenant.pk, include_inactive=include_inactive)


def access_checklist_item(*, actor: Actor, pk: int) -> DueDiligenceItem:
    return get_object_or_404(DueDiligenceItem, tenant_id=actor.tenant.pk, pk=pk)


def access_organisation_due_diligence(*, actor: Actor, pk: int) -> Organisation:
    """The organisation whose due diligence is asked for, if the actor may open it (404 otherwise:
    another tenant's, or for an applicant another CSO's); the page itself is can_view_due_diligence."""
    return registry.access_organisation(actor=actor, pk=pk)


def _visible_documents(actor: Actor) -> QuerySet[OrganisationDocument]:
    documents = OrganisationDocument.objects.filter(tenant_id=actor.tenant.pk)
    if actor.role == Role.APPLICANT:  # their own CSO's only: another CSO's documents do not exist for them
        documents = documents.filter(organisation_id=actor.organisation_id)
    return documents


def access_document(*, actor: Actor, pk: int) -> OrganisationDocument:
    return get_object_or_404(_visible_documents(actor).select_related("organisation", "item", "tenant"), pk=pk)


def access_screening(*, actor: Actor, pk: int) -> Screening:
    return get_object_or_404(
        Screening.objects.select_related("organisation", "version", "ran_by", "decided_by", "tenant"),
        tenant_id=actor.tenant.pk, pk=pk,
    )


def screening_candidates(screening: Screening) -> QuerySet[ScreeningCandidate]:
    return ScreeningCandidate.objects.filter(tenant_id=screening.tenant_id, screening=screening).select_related(
        "entry"
    )


# --- due-diligence status ----------------------------------------------------------

def _valid_q(today: date) -> Q:
    return Q(review_status=ReviewStatus.ACCEPTED) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def _lapsed_q(today: date) -> Q:
    return Q(review_status=ReviewStatus.ACCEPTED, expires_on__lt=today)


def status_from_items(item_states: list[tuple[bool, bool]]) -> str:
    """Combine (has a valid accepted document, has a lapsed accepted document) per
    required item. Complete when every required item has a valid document;
    expired when some item lacks one but had one that lapsed; else incomplete."""
    missing = [(valid, lapsed) for valid, lapsed in item_states if not valid]
    if not missing:
        return DueDiligenceStatus.COMPLETE
    if any(lapsed for _valid, lapsed in missing):
        return DueDiligenceStatus.EXPIRED
    return DueDiligenceStatus.INCOMPLETE


def due_diligence_status(organisation: Organisation, *, today: date) -> str:
    """The status of one organisation (two queries)."""
    required = list(_checklist(organisation.tenant_id).filter(required=True).values_list("pk", flat=True))
    documents = OrganisationDocument.objects.filter(
        tenant_id=organisation.tenant_id, organisation=organisation, item_id__in=required,
        review_status=ReviewStatus.ACCEPTED,
    ).values_list("item_id", "expires_on")
    valid: set[int] = set()
    lapsed: set[int] = set()
    for item_id, expires_on in documents:
        (lapsed if expires_on is not None and expires_on < today else valid).add(item_id)
    return status_from_items([(pk in valid, pk in lapsed) for pk in required])


def annotate_due_diligence(queryset: QuerySet[Organisation], *, today: date) -> QuerySet[Organisation]:
    """Add ``dd_status`` (complete / incomplete / expired) to organisations, in the
    same SQL query whatever the number of rows, so lists can show and filter it."""
    documents = OrganisationDocument.objects.filter(
        tenant_id=OuterRef("tenant_id"), organisation_id=OuterRef(OuterRef("pk")), item_id=OuterRef("pk")
    )
    required = DueDiligenceItem.objects.filter(tenant_id=OuterRef("tenant_id"), active=True, required=True)
    missing = required.filter(~Exists(documents.filter(_valid_q(today))))
    lapsed = missing.filter(Exists(documents.filter(_lapsed_q(today))))
    return queryset.annotate(
        dd_status=Case(
            When(~Exists(missing), then=Value(DueDiligenceStatus.COMPLETE.value)),
            When(Exists(lapsed), then=Value(DueDiligenceStatus.EXPIRED.value)),
            default=Value(DueDiligenceStatus.INCOMPLETE.value),
            output_field=CharField(),
        )
    )


@dataclass
class ItemRow:
    """One checklist line on an organisation's due-diligence page."""

    item: DueDiligenceItem
    documents: list[OrganisationDocument] = field(default_factory=list)
    state: str = "missing"  # missing / pending / rejected / ok / expiring / expired
    current: OrganisationDocument | None = None
    days_left: int | None = None


def due_diligence_overview(*, organisation: Organisation, today: date) -> tuple[list[ItemRow], str]:
    items = list(_checklist(organisation.tenant_id))
    documents = (
        OrganisationDocument.objects.filter(tenant_id=organisation.tenant_id, organisation=organisation)
        .select_related("uploaded_by", "reviewed_by")
        .order_by("-uploaded_at", "-id")
    )
    by_item: dict[int, list[OrganisationDocument]] = {}
    for document in documents:
        by_item.setdefault(document.item_id, []).append(document)
    rows = []
    states = []
    for item in items:
        row = ItemRow(item=item, documents=by_item.get(item.pk, []))
        accepted = [d for d in row.documents if d.review_status == ReviewStatus.ACCEPTED]
        valid = [d for d in accepted if not d.is_expired(today)]
        if valid:
            # The one that stays valid the longest is the one that counts.
            row.current = max(valid, key=lambda d: d.expires_on or date.max)
            row.days_left = row.current.days_left(today)
            row.state = "expiring" if row.days_left is not None and row.days_left <= EXPIRING_SOON_DAYS else "ok"
        elif accepted:
            row.current = accepted[0]
            row.state = "expired"
        elif any(d.review_status == ReviewStatus.PENDING for d in row.documents):
            row.state = "pending"
        elif row.documents:
            row.state = "rejected"
        if item.required:
            states.append((bool(valid), bool(accepted) and not valid))
        rows.append(row)
    return rows, status_from_items(states)


def documents_awaiting_review(*, actor: Actor) -> QuerySet[OrganisationDocument]:
    return (
        _visible_documents(actor).filter(review_status=ReviewStatus.PENDING)
        .select_related("organisation", "item")
        .order_by("uploaded_at")
    )


# --- screening ----------------------------------------------------------------------

def has_sanctions_list(*, actor: Actor) -> bool:
    return SanctionsListVersion.objects.filter(tenant_id=actor.tenant.pk).exists()


def current_list_versions(*, actor: Actor) -> list[SanctionsListVersion]:
    """The latest version of each source (UN, EU, OFAC, UK, other): what a screening uses."""
    current: dict[str, SanctionsListVersion] = {}
    for version in SanctionsListVersion.objects.filter(tenant_id=actor.tenant.pk).order_by("-imported_at", "-id"):
        current.setdefault(version.source, version)
    return sorted(current.values(), key=lambda v: (v.source, v.pk))


def list_versions(*, actor: Actor) -> QuerySet[SanctionsListVersion]:
    return SanctionsListVersion.objects.filter(tenant_id=actor.tenant.pk).select_related("imported_by")


def sanctions_list_by_checksum(*, actor: Actor, checksum: str) -> SanctionsListVersion | None:
    return SanctionsListVersion.objects.filter(tenant_id=actor.tenant.pk, checksum=checksum).first()


def screenings_of(*, organisation: Organisation) -> QuerySet[Screening]:
    return (
        Screening.objects.filter(tenant_id=organisation.tenant_id, organisation=organisation)
        .select_related("version", "ran_by", "decided_by")
        .prefetch_related("candidates")
    )


def screenings_awaiting_decision(*, actor: Actor) -> QuerySet[Screening]:
    return Screening.objects.filter(tenant_id=actor.tenant.pk, decision=ScreeningDecision.PENDING).select_related(
        "organisation"
    )


# Decisions after which a screening counts as cleared (while current: see screening_status).
CLEARED_DECISIONS = (ScreeningDecision.CLEAR, ScreeningDecision.FALSE_POSITIVE)


def names_to_screen_by_organisation(organisations: Iterable[Organisation]) -> dict[int, list[str]]:
    """Every name a screening checks, per organisation: its legal name and acronym, its
    contact people and the people who act for it in Relais (its active members).

    The one definition of "the names held": screening_run screens them and
    screening_status compares them with those screened. Two queries whatever the
    number of organisations.
    """
    organisations = list(organisations)
    if not organisations:
        return {}
    ids = [organisation.pk for organisation in organisations]
    tenants = {organisation.pk: organisation.tenant_id for organisation in organisations}
    held: dict[int, list[str]] = defaultdict(list)
    contacts = ContactPerson.objects.filter(tenant_id__in=set(tenants.values()), organisation_id__in=ids)
    for organisation_id, tenant_id, name in contacts.order_by("name", "pk").values_list(
        "organisation_id", "tenant_id", "name"
    ):
        if tenants[organisation_id] == tenant_id:
            held[organisation_id].append(name)
    members = Membership.objects.filter(tenant_id__in=set(tenants.values()), organisation_id__in=ids,
                                        is_active=True)
    for organisation_id, tenant_id, full_name in members.order_by("pk").values_list(
        "organisation_id", "tenant_id", "user__full_name"
    ):
        if tenants[organisation_id] == tenant_id:
            held[organisation_id].append(full_name)
    names: dict[int, list[str]] = {}
    for organisation in organisations:
        unique: list[str] = []
        for name in [organisation.name, organisation.acronym, *held[organisation.pk]]:
            name = (name or "").strip()
            if name and name not in unique:
                unique.append(name)
        names[organisation.pk] = unique
    return names


def names_to_screen(organisation: Organisation) -> list[str]:
    return names_to_screen_by_organisation([organisation])[organisation.pk]


def names_fingerprints(organisations: Iterable[Organisation]) -> dict[int, str]:
    """The fingerprint of the names each organisation holds now (two queries)."""
    return {pk: names_fingerprint(names) for pk, names in names_to_screen_by_organisation(organisations).items()}


def latest_screening(*, organisation: Organisation) -> Screening | None:
    return (
        Screening.objects.filter(tenant_id=organisation.tenant_id, organisation=organisation)
        .select_related("organisation", "tenant")
        .order_by("-ran_at", "-id")
        .first()
    )


def screening_status(
    screening: Screening | None, *, tenant: Tenant, now: datetime, current_fingerprint: str | None = None
) -> str:
    """never / review (candidates awaiting a decision) / match (confirmed) /
    expired (older than the tenant's validity) / stale (the organisation's names are
    no longer the names screened) / valid.

    ``current_fingerprint`` is the fingerprint of the names the organisation holds
    now (names_fingerprints); when left out it is read for this one screening.
    """
    if screening is None:
        return ScreeningState.NEVER
    if screening.decision == ScreeningDecision.CONFIRMED:
        return ScreeningState.MATCH
    if screening.decision == ScreeningDecision.PENDING:
        return ScreeningState.REVIEW
    if screening.ran_at < now - timedelta(days=tenant.screening_validity_days):
        return ScreeningState.EXPIRED
    if current_fingerprint is None:
        current_fingerprint = names_fingerprints([screening.organisation])[screening.organisation_id]
    if screening.names_fingerprint != current_fingerprint:
        return ScreeningState.STALE
    return ScreeningState.VALID


def annotate_latest_screening(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Add the latest screening's decision, date and names fingerprint to each organisation."""
    latest = Screening.objects.filter(tenant_id=OuterRef("tenant_id"), organisation_id=OuterRef("pk")).order_by(
        "-ran_at", "-id"
    )
    return queryset.annotate(
        last_screening_decision=Subquery(latest.values("decision")[:1]),
        last_screening_at=Subquery(latest.values("ran_at")[:1]),
        last_screening_fingerprint=Subquery(latest.values("names_fingerprint")[:1]),
    )


def screening_states(organisations: Iterable[Organisation], *, tenant: Tenant, now: datetime) -> dict[int, str]:
    """screening_status() of the latest screening of each organisation annotated by
    annotate_latest_screening: the names are read only for cleared, unexpired
    screenings, in two queries whatever the number of rows."""
    rows = list(organisations)
    cutoff = now - timedelta(days=tenant.screening_validity_days)
    to_compare = [o for o in rows if o.last_screening_decision in CLEARED_DECISIONS and o.last_screening_at >= cutoff]
    fingerprints = names_fingerprints(to_compare)
    states = {}
    for organisation in rows:
        screening = None
        if organisation.last_screening_at is not None:
            screening = Screening(decision=organisation.last_screening_decision, ran_at=organisation.last_screening_at,
                                  names_fingerprint=organisation.last_screening_fingerprint or "")
        states[organisation.pk] = screening_status(screening, tenant=tenant, now=now,
                                                   current_fingerprint=fingerprints.get(organisation.pk, ""))
    return states


def organisations_for_checks(
    *, actor: Actor, today: date, dd_status: str | None = None, screening_state: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Organisation]:
    """The tenant's CSOs in the overview's order (name), filtered by ``dd_status`` and
    ``screening_state`` (at ``now``) when given, without the per-row annotations: paginate this,
    then give the page to ``with_checks``."""
    tenant = actor.tenant
    organisations = Organisation.objects.filter(tenant=tenant)
    if dd_status in DueDiligenceStatus.values:
        organisations = annotate_due_diligence(organisations, today=today).filter(dd_status=dd_status)
    if screening_state in ScreeningState.values:
        now = now or timezone.now()
        states = screening_states(annotate_latest_screening(Organisation.objects.filter(tenant=tenant)),
                                  tenant=tenant, now=now)
        organisations = organisations.filter(pk__in=[pk for pk, state in states.items() if state == screening_state])
    return organisations.order_by("name", "id")


# The checklist's required items (rows without an organisation), then the page's accepted and pending
# documents, each with whether it lapsed before the day given.
_PAGE_CHECKS_SQL = """
SELECT NULL, "id", '', 0 FROM {items} WHERE "tenant_id" = %s AND "active" AND "required"
UNION ALL SELECT "organisation_id", "item_id", "review_status", CASE WHEN "expires_on" < %s THEN 1 ELSE 0 END
FROM {documents} WHERE "tenant_id" = %s AND "organisation_id" IN ({ids}) AND "review_status" IN (%s, %s)"""


def due_diligence_of_page(organisation_ids: list[int], *, tenant_id: int, today: date) -> dict[int, tuple[str, int]]:
    """(status, documents awaiting review) of each given organisation, in one query whatever their
    number: the checklist's required items and the accepted and pending documents of these
    organisations only, as one UNION ALL (the items first, as rows without an organisation). The rule
    is status_from_items, as in due_diligence_status and annotate_due_diligence (tests compare them).
    For a page of rows: the SQL annotation, with its nested subqueries, cost more to build and compile
    on every view of the overview than it saved; the separate query for the items was a round trip
    more on every view of the lists; the ORM's union took longer to build than the database to
    answer it, so the query is plain SQL (relais.sql), a document's lapse decided in it (issue 10)."""
    if not organisation_ids:
        return {}
    rows = sql.fetch_rows(
        _PAGE_CHECKS_SQL.format(items=sql.table(DueDiligenceItem), documents=sql.table(OrganisationDocument),
                                ids=sql.placeholders(len(organisation_ids))),
        [tenant_id, connection.ops.adapt_datefield_value(today), tenant_id, *organisation_ids,
         ReviewStatus.ACCEPTED.value, ReviewStatus.PENDING.value])
    required: list[int] = []
    found: list[tuple[int, int, str, int]] = []
    for organisation_id, item_id, review_status, lapsed_on_day in rows:
        if organisation_id is None:
            required.append(item_id)
        else:
            found.append((organisation_id, item_id, review_status, lapsed_on_day))
    return _due_diligence_of(organisation_ids, required, found)


def _due_diligence_of(organisation_ids: list[int], required: list[int],
                      found: list[tuple[int, int, str, int]]) -> dict[int, tuple[str, int]]:
    """due_diligence_of_page's answer from the required items' ids and the (organisation, item, review status,
    lapsed) of the page's accepted and pending documents."""
    wanted = set(required)
    valid: dict[int, set[int]] = defaultdict(set)
    lapsed: dict[int, set[int]] = defaultdict(set)
    pending: dict[int, int] = defaultdict(int)
    for organisation_id, item_id, review_status, lapsed_on_day in found:
        if review_status == ReviewStatus.PENDING:
            pending[organisation_id] += 1
        elif item_id in wanted:
            (lapsed if lapsed_on_day else valid)[organisation_id].add(item_id)
    return {pk: (status_from_items([(item in valid[pk], item in lapsed[pk]) for item in required]), pending[pk])
            for pk in organisation_ids}


CHECKS_ROW_FIELDS = ("id", "tenant_id", "name", "acronym", "status")
# Every screening of the given CSOs, each CSO's latest first (by date, then id, as the annotation).
_SCREENING = sql.RowReader(Screening, "s", only=("organisation", "decision", "ran_at", "names_fingerprint"))
_SCREENING_AT = [_SCREENING.attnames.index(name) for name in ("organisation_id", "decision", "ran_at",
                                                                  "names_fingerprint")]
_LATEST_SCREENINGS_SQL = """SELECT {columns} FROM {screenings} s
WHERE s."tenant_id" = %s AND s."organisation_id" IN ({ids})
ORDER BY s."organisation_id" ASC, s."ran_at" DESC, s."id" DESC"""


def latest_screenings_of_page(organisations: list[Organisation], *, tenant: Tenant) -> None:
    """What annotate_latest_screening adds (decision, date and names fingerprint of the latest
    screening), set on a page of CSOs from one plain query over their screenings: three correlated
    subqueries cost more to build and compile on every view of the overview than they saved (issue 10).
    The latest is the first by (ran_at, id) descending, as in the annotation (tests compare them)."""
    latest: dict[int, tuple[str, datetime, str]] = {}
    ids = [o.pk for o in organisations]
    if ids:  # the screenings as one hand-written statement: the values query cost ~0.5 ms to build (issue 10)
        db = connections[Screening.objects.db]
        screenings = sql.fetch_rows(
            _LATEST_SCREENINGS_SQL.format(columns=_SCREENING.columns(db), screenings=sql.table(Screening),
                                          ids=sql.placeholders(len(ids))), [tenant.pk, *ids])
        for row in screenings:
            _keep_latest(latest, _SCREENING.values(db, row))
    _set_latest_screenings(organisations, latest)


def _keep_latest(latest: dict[int, tuple[str, datetime, str]], values: list[Any]) -> None:
    """The screening's (decision, date, names fingerprint) for its CSO, if none came before (latest first)."""
    organisation_id, decision, ran_at, fingerprint = (values[i] for i in _SCREENING_AT)
    latest.setdefault(organisation_id, (decision, ran_at, fingerprint))


def _set_latest_screenings(organisations: list[Organisation], latest: dict[int, tuple[str, datetime, str]]) -> None:
    for organisation in organisations:
        decision, ran_at, fingerprint = latest.get(organisation.pk, (None, None, None))
        organisation.last_screening_decision = decision
        organisation.last_screening_at = ran_at
        organisation.last_screening_fingerprint = fingerprint


@sql.written_once
def _registry_checks_sql(db: Any, count: int) -> str:
    """_PAGE_CHECKS_SQL's rows (first column 0: a required item; 1: a document) and _LATEST_SCREENINGS_SQL's (2)
    for ``count`` CSOs, as one UNION ALL, each part in columns of its own (NULL in the others', typed for
    PostgreSQL, which types a UNION's columns two parts at a time), the screenings of each CSO latest first."""
    ids = sql.placeholders(count)
    blanks = ", ".join(f"CAST(NULL AS {f.cast_db_type(db)})" for f in _SCREENING.fields)
    items, documents, screenings = map(sql.table, (DueDiligenceItem, OrganisationDocument, Screening))
    ran_at, screening_id = (6 + _SCREENING.attnames.index(name) for name in ("ran_at", "id"))
    return (
        f"SELECT 0, NULL, \"id\", '', 0, {blanks} FROM {items} WHERE \"tenant_id\" = %s AND \"active\" "
        f'AND "required" UNION ALL SELECT 1, "organisation_id", "item_id", "review_status", '
        f'CASE WHEN "expires_on" < %s THEN 1 ELSE 0 END, {blanks} FROM {documents} WHERE "tenant_id" = %s '
        f'AND "organisation_id" IN ({ids}) AND "review_status" IN (%s, %s) UNION ALL '
        f"SELECT 2, s.\"organisation_id\", NULL, NULL, NULL, {_SCREENING.columns(db)} FROM {screenings} s "
        f'WHERE s."tenant_id" = %s AND s."organisation_id" IN ({ids}) '
        f"ORDER BY 1, 2, {ran_at} DESC, {screening_id} DESC")


def registry_checks_of_page(organisations: list[Organisation], *, tenant: Tenant,
                            today: date) -> dict[int, tuple[str, int]]:
    """due_diligence_of_page's answer for the given CSOs, their latest screening set on them as
    latest_screenings_of_page sets it, from one statement (_registry_checks_sql): the finance page and finance's
    dashboard ask both checks of the same CSOs, and the two statements cost a round trip and their Python twice
    (issue 10). Tests compare it with both and with the annotations."""
    ids = [o.pk for o in organisations]
    if not ids:
        return {}
    db = connections[Screening.objects.db]
    rows = sql.fetch_rows(_registry_checks_sql(db, len(ids)), [
        tenant.pk, connection.ops.adapt_datefield_value(today), tenant.pk, *ids, ReviewStatus.ACCEPTED.value,
        ReviewStatus.PENDING.value, tenant.pk, *ids])
    required: list[int] = []
    found: list[tuple[int, int, str, int]] = []
    latest: dict[int, tuple[str, datetime, str]] = {}
    for row in rows:
        if row[0] == 0:
            required.append(row[2])
        elif row[0] == 1:
            found.append((row[1], row[2], row[3], row[4]))
        else:
            _keep_latest(latest, _SCREENING.values(db, row[5:]))
    _set_latest_screenings(organisations, latest)
    return _due_diligence_of(ids, required, found)


def with_checks(
    organisations: Iterable[Organisation], *, tenant: Tenant, today: date, now: datetime
) -> list[Organisation]:
    """The given CSOs (one page, read with CHECKS_ROW_FIELDS), in the same order, with ``dd_status``,
    the latest screening (decision, date, names fingerprint), ``screening_state`` and
    ``documents_to_review``: over the page's rows only, in a constant number of queries whatever the
    page size."""
    rows = list(organisations)
    latest_screenings_of_page(rows, tenant=tenant)
    states = screening_states(rows, tenant=tenant, now=now)
    checks = due_diligence_of_page([o.pk for o in rows], tenant_id=tenant.pk, today=today)
    for organisation in rows:
        organisation.screening_state = states[organisation.pk]
        organisation.dd_status, organisation.documents_to_review = checks[organisation.pk]
    return rows


def organisations_to_screen_again(*, actor: Actor, now: datetime) -> list[Organisation]:
    """CSOs whose cleared screening no longer holds: names changed since (first) or expired.
    Each carries ``screening_state``."""
    tenant = actor.tenant
    # Only the CSOs with a cleared screening can need another: a semi-join on those screenings first, so the
    # latest-screening subqueries run for them, not for every CSO of the registry (2,000 on a large one).
    screened = Screening.objects.filter(tenant=tenant, decision__in=CLEARED_DECISIONS).values("organisation_id")
    cleared = annotate_latest_screening(Organisation.objects.filter(tenant=tenant, pk__in=screened)).filter(
        last_screening_decision__in=CLEARED_DECISIONS
    ).order_by("name")
    rows = list(cleared)
    states = screening_states(rows, tenant=tenant, now=now)
    again = []
    for organisation in rows:
        organisation.screening_state = states[organisation.pk]
        if organisation.screening_state in (ScreeningState.STALE, ScreeningState.EXPIRED):
            again.append(organisation)
    return sorted(again, key=lambda o: o.screening_state != ScreeningState.STALE)

