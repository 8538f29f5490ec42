"""Applicants joining a tenant: register a new CSO, or ask to join an existing one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import JoinRequest, JoinRequestStatus, Organisation, OrganisationStatus
from orgs.permissions.organisations import can_decide_join_request
from relais.audit import audit_record
from relais.models import Membership, Role, Tenant, User

from .organisations import active_membership, organisation_write
from .tenancy import membership_grant


def _check_may_join(tenant: Tenant, user: User) -> None:
    if not tenant.is_active or not tenant.applicants_may_self_register:
        raise PermissionDenied(_("This workspace does not accept self-registration. Ask its team for an invitation."))
    existing = Membership.objects.filter(tenant=tenant, user=user).first()
    if existing is not None and existing.is_active:
        raise ValidationError(_("You are already a member of this workspace."))
    if existing is not None:
        # A revoked member must not walk back in through self-registration.
        raise PermissionDenied(_("Your access to this workspace was removed. Contact the programme team."))


def organisation_self_register(*, tenant: Tenant, user: User, data: dict[str, Any]) -> Organisation:
    """A logged-in non-member registers a new CSO: it starts pending and the user
    becomes its applicant member. Only when the tenant allows self-registration."""
    _check_may_join(tenant, user)
    with transaction.atomic():
        organisation = organisation_write(
            tenant=tenant, data=data, actor=user, action="organisation.created",
            extra_audit={"source": "self_registration"},
        )
        if organisation.status != OrganisationStatus.PENDING:  # pragma: no cover - defensive
            raise ValidationError(_("A new organisation starts pending verification."))
        membership_grant(tenant=tenant, user=user, role=Role.APPLICANT, organisation=organisation, actor=user)
    return organisation


def find_organisation_to_join(*, tenant: Tenant, name_or_acronym: str) -> Organisation | None:
    """Exact (case- and accent-insensitive) acronym or legal name; no partial matches, so a
    non-member cannot browse the registry."""
    from ..models.organisations import fold

    wanted = fold(name_or_acronym)
    if not wanted:
        return None
    for organisation in Organisation.objects.filter(tenant=tenant).only("pk", "name", "acronym", "tenant_id"):
        if wanted in (fold(organisation.acronym), fold(organisation.name)):
            return organisation
    return None


def join_request_create(*, tenant: Tenant, user: User, name_or_acronym: str, message: str = "") -> JoinRequest:
    _check_may_join(tenant, user)
    organisation = find_organisation_to_join(tenant=tenant, name_or_acronym=name_or_acronym)
    if organisation is None:
        raise ValidationError(
            _("No organisation of this workspace has exactly this acronym or legal name. Check the spelling "
              "with your organisation, or register it as a new organisation.")
        )
    with transaction.atomic():
        if JoinRequest.objects.filter(tenant=tenant, user=user, organisation=organisation,
                                      status=JoinRequestStatus.PENDING).exists():
            raise ValidationError(_("You have already asked to join this organisation; wait for the answer."))
        join_request = JoinRequest.objects.create(tenant=tenant, user=user, organisation=organisation,
                                                  message=message.strip())
        audit_record(tenant=tenant, actor=user, action="join_request.created", target=join_request,
                     after={"organisation": organisation.pk, "user": user.email})
    return join_request


def _is_manager(tenant: Tenant, user: User) -> bool:
    membership = active_membership(tenant=tenant, user=user)
    return membership is not None and membership.role == Role.MANAGER


def join_request_decide(*, join_request: JoinRequest, actor: User, approve: bool) -> JoinRequest:
    """A manager or a current applicant member of the organisation approves (the
    requester becomes an applicant member) or declines; the requester gets an e-mail."""
    tenant = join_request.tenant
    with transaction.atomic():
        locked = JoinRequest.objects.select_for_update().select_related("organisation", "user").get(
            pk=join_request.pk, tenant=tenant
        )
        can_decide_join_request(active_membership(tenant=tenant, user=actor), locked).raise_if_denied()
        if locked.status != JoinRequestStatus.PENDING:
            raise ValidationError(_("This request has already been answered."))
        previous = Membership.objects.filter(tenant=tenant, user=locked.user).first()
        if approve and previous is not None and previous.is_active:
            raise ValidationError(_("This person is already a member of the workspace."))
        if approve and previous is not None and not _is_manager(tenant, actor):
            raise PermissionDenied(_("This person's access was removed earlier; only a programme manager can "
                                     "let them back in."))
        locked.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            membership_grant(tenant=tenant, user=locked.user, role=Role.APPLICANT,
                             organisation=locked.organisation, actor=actor)
        audit_record(tenant=tenant, actor=actor, action=f"join_request.{locked.status}", target=locked,
                     before={"status": JoinRequestStatus.PENDING}, after={"status": locked.status})
        from ..tasks import send_join_request_decision_email

        transaction.on_commit(lambda: send_join_request_decision_email.enqueue(join_request_id=locked.pk))
    return locked
