"""Readers for tenancy data. Every query takes the tenant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404

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
from orgs.permissions.due_diligence import can_view_screening
from orgs.permissions.organisations import can_see_contact_details, can_see_payment_details
from relais.actor import Actor
from relais.display import ReadOnlyView
from relais.models import AuditEvent, Invitation, Membership, Role, Tenant, User
from relais.permissions import Decision


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
        .select_related("tenant", "organisation")
        .order_by("tenant__name")
    )


def membership_list(*, tenant: Tenant) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(tenant=tenant)
        .select_related("user", "organisation")
        .order_by("-is_active", "role", "user__email")
    )


def invitation_list(*, tenant: Tenant) -> QuerySet[Invitation]:
    return Invitation.objects.filter(tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True).select_related(
        "invited_by", "organisation"
    )


def access_membership(*, tenant: Tenant, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user", "organisation", "tenant"), tenant=tenant, pk=pk)


def access_invitation(*, tenant: Tenant, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("tenant"), tenant=tenant, pk=pk)


def audit_list(*, tenant: Tenant, target_type: str | None = None, target_id: str | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(tenant=tenant).select_related("actor")
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id is not None:
        events = events.filter(target_id=str(target_id))
    return events


def audit_timeline(*, tenant: Tenant, target) -> QuerySet[AuditEvent]:
    """Events about one object, oldest first, for the timeline on its page."""
    return audit_list(tenant=tenant, target_type=target._meta.label_lower, target_id=target.pk).order_by(
        "created_at", "id"
    )


# A reviewer may know a CSO only through an application they review, and only grants
# knows about applications: grants registers its reader here from AppConfig.ready()
# (orgs never imports grants). Each reader returns a queryset of organisation ids.
_REVIEWER_ORGANISATION_READERS: list[Callable[..., QuerySet]] = []


def register_reviewer_organisations(reader: Callable[..., QuerySet]) -> None:
    """`reader(*, tenant, membership)` -> ids of the organisations this reviewer may see."""
    if reader not in _REVIEWER_ORGANISATION_READERS:  # ready() may run twice in tests
        _REVIEWER_ORGANISATION_READERS.append(reader)


def organisation_list(*, tenant: Tenant, membership: Membership) -> QuerySet[Organisation]:
    """Managers, finance and trainers see the tenant's CSOs; an applicant sees only their own;
    a reviewer only those of the applications assigned to them in calls without blind review
    (browsing the whole registry would let them guess who is behind a blind application)."""
    organisations = Organisation.objects.filter(tenant=tenant).select_related("region")
    if membership.role == Role.APPLICANT:
        organisations = organisations.filter(pk=membership.organisation_id)
    elif membership.role == Role.REVIEWER:
        visible = Q(pk__in=[])  # no reader registered: nothing
        for reader in _REVIEWER_ORGANISATION_READERS:
            visible |= Q(pk__in=reader(tenant=tenant, membership=membership))
        organisations = organisations.filter(visible)
    return organisations


def access_organisation(*, tenant: Tenant, membership: Membership, pk: int) -> Organisation:
    """Same 404 for a missing id, another tenant's CSO and, for an applicant, another CSO."""
    return get_object_or_404(organisation_list(tenant=tenant, membership=membership), pk=pk)


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
    )


def organisation_page(*, organisation: Organisation, membership: Membership) -> OrganisationPage:
    """The organisation's page as this member may read it (from access_organisation). Contacts:
    managers and the organisation's own members; full payment numbers: finance and its own members;
    the status reason (it may quote a sanctions match): those who see screening results."""
    tenant_id = organisation.tenant_id
    prefetch_related_objects([organisation], "focus_areas", "regions_of_work", "communes_of_work__region")
    contacts_shown = can_see_contact_details(membership, organisation)
    contacts = list(ContactPerson.objects.filter(tenant_id=tenant_id, organisation=organisation)
                    .order_by("name", "pk")) if contacts_shown else []
    details = PaymentDetails.objects.filter(tenant_id=tenant_id, organisation=organisation).first()
    return OrganisationPage(
        organisation=ReadOnlyView(
            organisation, fields=ORGANISATION_PROFILE_FIELDS,
            status_reason=organisation.status_reason if can_view_screening(Actor.of(membership)) else "",
        ),
        contacts=contacts,
        contacts_hidden_reason="" if contacts_shown else contacts_shown.reason,
        payment=_payment_view(details, shown=can_see_payment_details(membership, organisation)) if details else None,
    )


def organisation_table_rows(*, tenant: Tenant, membership: Membership) -> QuerySet[Organisation]:
    """What the list page and the export read: one query per relation, whatever the row count."""
    return organisation_list(tenant=tenant, membership=membership).prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("name")),
        Prefetch("regions_of_work", queryset=Region.objects.order_by("ordering", "name")),
    ).select_related("payment_details")


def organisation_detail(*, tenant: Tenant, membership: Membership, pk: int) -> Organisation:
    return get_object_or_404(
        organisation_list(tenant=tenant, membership=membership).prefetch_related(
            "focus_areas", "regions_of_work", "communes_of_work__region",
            Prefetch("contacts", queryset=ContactPerson.objects.order_by("name", "pk")),
        ).select_related("payment_details", "payment_details__verified_by"),
        pk=pk,
    )


def access_contact(*, tenant: Tenant, organisation: Organisation, pk: int) -> ContactPerson:
    return get_object_or_404(ContactPerson.objects.filter(tenant=tenant, organisation=organisation), pk=pk)


def region_list(*, tenant: Tenant) -> QuerySet[Region]:
    return Region.objects.filter(tenant=tenant).order_by("ordering", "name")


def focus_area_list(*, tenant: Tenant) -> QuerySet[FocusArea]:
    return FocusArea.objects.filter(tenant=tenant).order_by("name")


def commune_list(*, tenant: Tenant) -> QuerySet[Commune]:
    return Commune.objects.filter(tenant=tenant).select_related("region")


def access_region(*, tenant: Tenant, pk: int) -> Region:
    return get_object_or_404(Region, tenant=tenant, pk=pk)


def access_focus_area(*, tenant: Tenant, pk: int) -> FocusArea:
    return get_object_or_404(FocusArea, tenant=tenant, pk=pk)


def access_commune(*, tenant: Tenant, pk: int) -> Commune:
    return get_object_or_404(Commune.objects.select_related("region"), tenant=tenant, pk=pk)


def join_request_list(*, tenant: Tenant, membership: Membership) -> QuerySet[JoinRequest]:
    """Managers see every pending request; an applicant those for their own CSO; others none."""
    requests = JoinRequest.objects.filter(tenant=tenant, status=JoinRequestStatus.PENDING).select_related(
        "user", "organisation"
    )
    if membership.role == Role.MANAGER:
        return requests
    if membership.role == Role.APPLICANT:
        return requests.filter(organisation_id=membership.organisation_id)
    return requests.none()


def access_join_request(*, tenant: Tenant, membership: Membership, pk: int) -> JoinRequest:
    """Same 404 for a missing id, another tenant's request and, for an applicant, another CSO's."""
    requests = JoinRequest.objects.filter(tenant=tenant).select_related("user", "organisation", "tenant")
    if membership.role == Role.APPLICANT:
        requests = requests.filter(organisation_id=membership.organisation_id)
    return get_object_or_404(requests, pk=pk)


def access_import_batch(*, tenant: Tenant, pk: int) -> ImportBatch:
    return get_object_or_404(ImportBatch.objects.select_related("tenant"), tenant=tenant, pk=pk)


def self_registration_tenants() -> QuerySet[Tenant]:
    return Tenant.objects.filter(is_active=True, applicants_may_self_register=True).order_by("name")


def staff_of_organisation(*, organisation: Organisation) -> QuerySet[User]:
    """Users who are members of a CSO (used for conflict-of-interest checks)."""
    return User.objects.filter(
        memberships__organisation=organisation, memberships__tenant_id=organisation.tenant_id,
        memberships__is_active=True,
    )
