"""Readers for due diligence and sanctions screening. Every query takes the tenant."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from .models import (
    DueDiligenceItem,
    DueDiligenceStatus,
    Organisation,
    OrganisationDocument,
    ReviewStatus,
    SanctionsListVersion,
    Screening,
    ScreeningDecision,
    Tenant,
)

# An accepted document that lapses within this many days is flagged as expiring.
EXPIRING_SOON_DAYS = 30


def checklist(*, tenant: Tenant, include_inactive: bool = False) -> QuerySet[DueDiligenceItem]:
    items = DueDiligenceItem.objects.filter(tenant=tenant)
    return items if include_inactive else items.filter(active=True)


def access_checklist_item(*, tenant: Tenant, pk: int) -> DueDiligenceItem:
    return get_object_or_404(DueDiligenceItem, tenant=tenant, pk=pk)


def access_document(*, tenant: Tenant, pk: int) -> OrganisationDocument:
    return get_object_or_404(
        OrganisationDocument.objects.select_related("organisation", "item", "tenant"), tenant=tenant, pk=pk
    )


def access_screening(*, tenant: Tenant, pk: int) -> Screening:
    return get_object_or_404(
        Screening.objects.select_related("organisation", "version", "ran_by", "decided_by", "tenant"),
        tenant=tenant, pk=pk,
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
    required = list(checklist(tenant=organisation.tenant).filter(required=True).values_list("pk", flat=True))
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
    items = list(checklist(tenant=organisation.tenant))
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


def documents_awaiting_review(*, tenant: Tenant) -> QuerySet[OrganisationDocument]:
    return (
        OrganisationDocument.objects.filter(tenant=tenant, review_status=ReviewStatus.PENDING)
        .select_related("organisation", "item")
        .order_by("uploaded_at")
    )


# --- screening ----------------------------------------------------------------------

def latest_list_version(*, tenant: Tenant) -> SanctionsListVersion | None:
    return SanctionsListVersion.objects.filter(tenant=tenant).first()


def current_list_versions(*, tenant: Tenant) -> list[SanctionsListVersion]:
    """The latest version of each source (UN, EU, OFAC, UK, other): what a screening uses."""
    current: dict[str, SanctionsListVersion] = {}
    for version in SanctionsListVersion.objects.filter(tenant=tenant).order_by("-imported_at", "-id"):
        current.setdefault(version.source, version)
    return sorted(current.values(), key=lambda v: (v.source, v.pk))


def list_versions(*, tenant: Tenant) -> QuerySet[SanctionsListVersion]:
    return SanctionsListVersion.objects.filter(tenant=tenant).select_related("imported_by")


def screenings_of(*, organisation: Organisation) -> QuerySet[Screening]:
    return (
        Screening.objects.filter(tenant_id=organisation.tenant_id, organisation=organisation)
        .select_related("version", "ran_by", "decided_by")
        .prefetch_related("candidates")
    )


def screenings_awaiting_decision(*, tenant: Tenant) -> QuerySet[Screening]:
    return Screening.objects.filter(tenant=tenant, decision=ScreeningDecision.PENDING).select_related("organisation")


SCREENING_STATES = ("never", "valid", "expired", "review", "match")


def screening_status(screening: Screening | None, *, tenant: Tenant, now: datetime) -> str:
    """never / review (candidates awaiting a decision) / match (confirmed) /
    expired (older than the tenant's validity) / valid."""
    if screening is None:
        return "never"
    if screening.decision == ScreeningDecision.CONFIRMED:
        return "match"
    if screening.decision == ScreeningDecision.PENDING:
        return "review"
    if screening.ran_at < now - timedelta(days=tenant.screening_validity_days):
        return "expired"
    return "valid"


def organisations_with_checks(*, tenant: Tenant, today: date, dd_status: str | None = None) -> QuerySet[Organisation]:
    """The tenant's CSOs with ``dd_status``, the latest screening (decision, date) and the
    number of documents awaiting review, in one query whatever the number of rows."""
    from django.db.models import Count, Subquery

    latest = Screening.objects.filter(tenant_id=OuterRef("tenant_id"), organisation_id=OuterRef("pk")).order_by(
        "-ran_at", "-id"
    )
    organisations = annotate_due_diligence(
        Organisation.objects.filter(tenant=tenant).select_related("region"), today=today
    ).annotate(
        last_screening_decision=Subquery(latest.values("decision")[:1]),
        last_screening_at=Subquery(latest.values("ran_at")[:1]),
        documents_to_review=Count("documents", filter=Q(documents__review_status=ReviewStatus.PENDING),
                                  distinct=True),
    )
    if dd_status in DueDiligenceStatus.values:
        organisations = organisations.filter(dd_status=dd_status)
    return organisations.order_by("name")


def screening_state_of_row(organisation: Organisation, *, tenant: Tenant, now: datetime) -> str:
    """screening_status() for a row of organisations_with_checks (no extra query)."""
    if organisation.last_screening_at is None:
        return "never"
    return screening_status(
        Screening(decision=organisation.last_screening_decision, ran_at=organisation.last_screening_at),
        tenant=tenant, now=now,
    )
