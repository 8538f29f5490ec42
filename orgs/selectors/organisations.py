"""Readers of the CSO registry. Every reader takes the actor: it filters by the actor's
tenant and by what the actor's role may see, so "missing" and "not yours" are one 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from orgs.models import (
    Commune,
    ContactPerson,
    FocusArea,
    ImportBatch,
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    PaymentDetails,
    Region,
)
from orgs.models.organisations import mask_number
from orgs.permissions.due_diligence import can_view_screening
from orgs.permissions.organisations import can_see_contact_details, can_see_payment_details
from relais import sql
from relais.actor import Actor
from relais.display import ReadOnlyView
from relais.models import Role
from relais.permissions import Decision
from relais.scopes import REVIEWER_ORGANISATIONS, scope
from relais.selectors import audit_timeline as kernel_audit_timeline


def organisation_list(*, actor: Actor) -> QuerySet[Organisation]:
    """Managers, finance and trainers see the tenant's CSOs; an applicant sees only their own;
    a reviewer only those of the applications assigned to them in calls without blind review
    (browsing the whole registry would let them guess who is behind a blind application).
    grants tells which, through the kernel's "reviewer_organisations" scope (orgs never imports grants)."""
    organisations = Organisation.objects.filter(tenant=actor.tenant).select_related("region")
    if actor.role == Role.APPLICANT:
        return organisations.filter(pk=actor.organisation_id)
    if actor.role == Role.REVIEWER:
        visible = Q(pk__in=[])  # no reader registered: nothing
        for reader in scope(REVIEWER_ORGANISATIONS):
            visible |= Q(pk__in=reader(actor=actor))
        return organisations.filter(visible)
    if not actor.role:
        return organisations.none()
    return organisations


def own_organisation_id(*, actor: Actor) -> int | None:
    """The CSO an applicant acts for (None for staff)."""
    return actor.organisation_id if actor.role == Role.APPLICANT else None


def organisation_list_note(*, actor: Actor) -> str:
    """Why the list holds fewer CSOs than the registry, for the roles that see only some."""
    if actor.role == Role.REVIEWER:
        return str(_("Only the organisations whose application you review are listed, except in calls with "
                     "blind review."))
    return ""


def access_organisation(*, actor: Actor, pk: Any) -> Organisation:
    """Same 404 for a missing id, another tenant's CSO and, for an applicant, another CSO."""
    return get_object_or_404(organisation_list(actor=actor), pk=pk)


def organisation_status_counts(*, actor: Actor) -> dict[str, int]:
    """How many CSOs the actor may see, by status (the managers' dashboard)."""
    return dict(organisation_list(actor=actor).order_by().values_list("status").annotate(n=Count("pk")))


def organisation_timeline(*, actor: Actor, organisation: Organisation):
    """The audit events about a CSO the actor reached through access_organisation, oldest first."""
    return kernel_audit_timeline(actor=actor, target=organisation)


# --- the organisation page: only what the reader may see ----------------------------------

# The registry profile every member who may open the organisation may read. Contacts,
# payment details and the status reason are given apart, as this reader may see them; a
# field added to Organisation later stays off the page until it is listed here.
ORGANISATION_PROFILE_FIELDS = frozenset({
    "pk", "id", "tenant_id", "name", "acronym", "short_name", "status", "get_status_display", "type",
    "get_type_display", "registration_number", "registration_date", "founding_year", "region", "region_id",
    "regions_of_work", "communes_of_work", "focus_areas", "languages", "get_languages_display", "staff_women",
    "staff_men", "volunteers_women", "volunteers_men", "budget_band", "get_budget_band_display", "description",
    "created_at", "updated_at",
})


@dataclass(frozen=True)
class PaymentDetailsView:
    """Payment details as one member may read them: in full for finance and the organisation's own
    members; for everyone else the numbers masked ("•••• 4321"), the holders left out, and why."""

    bank_name: str
    bank_account: str
    bank_account_holder: str
    mobile_operator: str
    mobile_number: str
    mobile_holder: str
    needs_verification: bool
    verified_at: datetime | None
    masked_reason: str
    stripe_account: str = ""


@dataclass(frozen=True)
class OrganisationPage:
    organisation: ReadOnlyView
    contacts: list[ContactPerson]
    contacts_hidden_reason: str  # why no contact is shown, or "" when they are
    payment: PaymentDetailsView | None


def _payment_view(details: PaymentDetails, *, shown: Decision) -> PaymentDetailsView:
    return PaymentDetailsView(
        bank_name=details.bank_name,
        bank_account=details.bank_account if shown else details.masked_bank_account,
        bank_account_holder=details.bank_account_holder if shown else "••••",
        mobile_operator=details.get_mobile_operator_display() if details.mobile_operator else "",
        mobile_number=details.mobile_number if shown else details.masked_mobile_number,
        mobile_holder=details.mobile_holder if shown else "",
        needs_verification=details.needs_verification, verified_at=details.verified_at,
        masked_reason="" if shown else shown.reason,
        stripe_account=details.stripe_account if shown else mask_number(details.stripe_account),
    )


def organisation_page(*, organisation: Organisation, actor: Actor) -> OrganisationPage:
    """The organisation's page as this member may read it (from access_organisation). Contacts:
    managers and the organisation's own members; full payment numbers: finance and its own members;
    the status reason (it may quote a sanctions match): those who see screening results."""
    tenant_id = organisation.tenant_id
    prefetch_related_objects([organisation], "focus_areas", "regions_of_work", "communes_of_work__region")
    contacts_shown = can_see_contact_details(actor, organisation)
    contacts = list(ContactPerson.objects.filter(tenant_id=tenant_id, organisation=organisation)
                    .order_by("name", "pk")) if contacts_shown else []
    details = PaymentDetails.objects.filter(tenant_id=tenant_id, organisation=organisation).first()
    return OrganisationPage(
        organisation=ReadOnlyView(
            organisation, fields=ORGANISATION_PROFILE_FIELDS,
            status_reason=organisation.status_reason if can_view_screening(actor) else "",
        ),
        contacts=contacts,
        contacts_hidden_reason="" if contacts_shown else contacts_shown.reason,
        payment=_payment_view(details, shown=can_see_payment_details(actor, organisation)) if details else None,
    )


# The columns the list's rows show (OrganisationTable.body_html): not the description, search text or
# payment details the export reads. A field a row writer starts to read must be added here (the
# constant-query tests catch a forgotten one: a query per row).
ORGANISATION_ROW_FIELDS = ("id", "tenant_id", "name", "acronym", "type", "status", "region_id")


def organisation_list_rows(*, actor: Actor) -> QuerySet[Organisation]:
    """What the list page filters and pages: its rows' columns only. The head office is named from
    the tenant's regions the page reads anyway (`reference_names`), the regions of work and focus
    areas from `names_of_page`: no join, no Region instances, no prefetch (issue 10)."""
    return organisation_list(actor=actor).select_related(None).only(*ORGANISATION_ROW_FIELDS)


def organisation_export_rows(*, actor: Actor) -> QuerySet[Organisation]:
    """What the export reads, every column with the relations it writes out: one query per relation,
    whatever the row count."""
    return organisation_list(actor=actor).prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("name")),
        Prefetch("regions_of_work", queryset=Region.objects.order_by("ordering", "name")),
    ).select_related("payment_details")


def payment_details_of(*, organisation: Organisation) -> PaymentDetails | None:
    """The payment details of a CSO the caller reached through access_organisation (or None)."""
    return PaymentDetails.objects.filter(tenant_id=organisation.tenant_id, organisation=organisation).first()


def access_contact(*, actor: Actor, organisation: Organisation, pk: Any) -> ContactPerson:
    """A contact person of a CSO the actor reached through access_organisation."""
    return get_object_or_404(
        ContactPerson.objects.filter(tenant=actor.tenant, organisation_id=organisation.pk), pk=pk
    )


# --- reference data: every member reads it; the forms offer it ---------------------------


def region_list(*, actor: Actor) -> QuerySet[Region]:
    return Region.objects.filter(tenant=actor.tenant).order_by("ordering", "name")


def focus_area_list(*, actor: Actor) -> QuerySet[FocusArea]:
    return FocusArea.objects.filter(tenant=actor.tenant).order_by("name")


@dataclass(frozen=True)
class ReferenceNames:
    """The tenant's regions (in their order) and focus areas (by name) as (pk, name) pairs, and each
    region's zone (by pk)."""

    regions: list[tuple[int, str]]
    focus_areas: list[tuple[int, str]]
    zones: dict[int, str]


_REFERENCE_SQL = """
SELECT 'r', "id", "name", "ordering", "zone" FROM {region} WHERE "tenant_id" = %s
UNION ALL SELECT 'f', "id", "name", 0, '' FROM {focus_area} WHERE "tenant_id" = %s
ORDER BY 1, 4, 3"""

_PAGE_LINKS_SQL = """
SELECT 'r', "organisation_id", "region_id" FROM {regions} WHERE "organisation_id" IN ({ids})
UNION ALL SELECT 'f', "organisation_id", "focusarea_id" FROM {areas} WHERE "organisation_id" IN ({ids})"""


def reference_names(*, actor: Actor) -> ReferenceNames:
    """Regions and focus areas in one query (UNION ALL of the two small tables), values only: the
    organisation list names its rows' regions of work and focus areas and fills its filter drop-downs
    from them, instead of four queries building model instances (issue 10, throughput). Each part
    keeps the order of region_list and focus_area_list. Plain SQL (relais.sql): the ORM took three
    times longer to build this union than the database to answer it."""
    rows = sql.fetch_rows(_REFERENCE_SQL.format(region=sql.table(Region), focus_area=sql.table(FocusArea)),
                          [actor.tenant.pk, actor.tenant.pk])
    result = ReferenceNames(regions=[], focus_areas=[], zones={})
    for kind, pk, name, _ordering, zone in rows:
        if kind == "r":
            result.regions.append((pk, name))
            result.zones[pk] = zone
        else:
            result.focus_areas.append((pk, name))
    return result


def names_of_page(organisation_ids: list[int], *, reference: ReferenceNames) -> dict[int, tuple[list[str], list[str]]]:
    """(regions of work, focus areas) of each given organisation, by name in the order of
    ``reference``, from one query on the two through tables (UNION ALL), values only, in plain SQL
    (relais.sql). A link to a region or focus area outside ``reference`` (another tenant's) is
    never named."""
    if not organisation_ids:
        return {}
    ids = sql.placeholders(len(organisation_ids))
    links = sql.fetch_rows(_PAGE_LINKS_SQL.format(regions=sql.table(Organisation.regions_of_work.through),
                                                  areas=sql.table(Organisation.focus_areas.through), ids=ids),
                           [*organisation_ids, *organisation_ids])
    region_rank = {pk: rank for rank, (pk, _name) in enumerate(reference.regions)}
    area_rank = {pk: rank for rank, (pk, _name) in enumerate(reference.focus_areas)}
    linked: dict[int, tuple[list[int], list[int]]] = {pk: ([], []) for pk in organisation_ids}
    for kind, organisation_id, target_id in links:
        ranks = region_rank if kind == "r" else area_rank
        if target_id in ranks:
            linked[organisation_id][0 if kind == "r" else 1].append(ranks[target_id])
    return {pk: ([reference.regions[rank][1] for rank in sorted(regions)],
                 [reference.focus_areas[rank][1] for rank in sorted(areas)])
            for pk, (regions, areas) in linked.items()}


def commune_list(*, actor: Actor) -> QuerySet[Commune]:
    return Commune.objects.filter(tenant=actor.tenant).select_related("region")


def access_region(*, actor: Actor, pk: Any) -> Region:
    return get_object_or_404(region_list(actor=actor), pk=pk)


def access_focus_area(*, actor: Actor, pk: Any) -> FocusArea:
    return get_object_or_404(focus_area_list(actor=actor), pk=pk)


def access_commune(*, actor: Actor, pk: Any) -> Commune:
    return get_object_or_404(commune_list(actor=actor), pk=pk)


# --- joining and importing ---------------------------------------------------------------


def join_request_list(*, actor: Actor) -> QuerySet[JoinRequest]:
    """Managers see every pending request; an applicant those for their own CSO; others none."""
    requests = JoinRequest.objects.filter(tenant=actor.tenant, status=JoinRequestStatus.PENDING).select_related(
        "user", "organisation"
    )
    if actor.is_manager:
        return requests
    if actor.role == Role.APPLICANT:
        return requests.filter(organisation_id=actor.organisation_id)
    return requests.none()


def access_join_request(*, actor: Actor, pk: Any) -> JoinRequest:
    """Same 404 for a missing id, another tenant's request and, for an applicant, another CSO's."""
    requests = JoinRequest.objects.filter(tenant=actor.tenant).select_related("user", "organisation", "tenant")
    if actor.role == Role.APPLICANT:
        requests = requests.filter(organisation_id=actor.organisation_id)
    return get_object_or_404(requests, pk=pk)


def access_import_batch(*, actor: Actor, pk: Any) -> ImportBatch:
    """The managers' import batches of the tenant (others: 404)."""
    batches = ImportBatch.objects.filter(tenant=actor.tenant).select_related("tenant")
    if not actor.is_manager:
        batches = batches.none()
    return get_object_or_404(batches, pk=pk)


def organisations_where_contact(*, actor: Actor) -> QuerySet:
    """The CSOs of the actor's tenant that list the actor's user (by e-mail) among their contact people
    (relais.conflicts: a staff member who is a CSO's contact person is linked to it)."""
    email = (actor.user.email if actor.user is not None else "").strip()
    if not email:
        return ContactPerson.objects.none().values_list("organisation_id", flat=True)
    return (ContactPerson.objects.filter(tenant=actor.tenant, email__iexact=email)
            .values_list("organisation_id", flat=True).distinct())
