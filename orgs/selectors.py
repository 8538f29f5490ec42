"""Readers for tenancy data. Every query takes the tenant."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import AuditEvent, Invitation, Membership, Organisation, Role, Tenant, User


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


def organisation_list(*, tenant: Tenant, membership: Membership) -> QuerySet[Organisation]:
    """Staff see the tenant's CSOs; an applicant sees only their own."""
    organisations = Organisation.objects.filter(tenant=tenant).select_related("region")
    if membership.role == Role.APPLICANT:
        organisations = organisations.filter(pk=membership.organisation_id)
    return organisations


def access_organisation(*, tenant: Tenant, membership: Membership, pk: int) -> Organisation:
    return get_object_or_404(organisation_list(tenant=tenant, membership=membership), pk=pk)


def staff_of_organisation(*, organisation: Organisation) -> QuerySet[User]:
    """Users who are members of a CSO (used for conflict-of-interest checks)."""
    return User.objects.filter(
        memberships__organisation=organisation, memberships__tenant_id=organisation.tenant_id,
        memberships__is_active=True,
    )
