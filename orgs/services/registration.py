"""Applicants joining a tenant: register a new CSO, or ask to join an existing one.

Before they join, people act as themselves in the tenant: an `Actor(tenant, user)`
without a membership (role "").
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import JoinRequest, JoinRequestStatus, Organisation, OrganisationStatus
from orgs.permissions.organisations import can_decide_join_request
from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused
from relais.models import Membership, Role, User
from relais.permissions import require
from relais.services.tenancy import membership_grant
from relais.workflow import transition

from ..models.organisations import fold
from ..workflow import JOIN_REQUEST
from .emails import join_request_decision_email
from .organisations import organisation_write


def _person(actor: Actor) -> User:
    assert actor.user is not None, "joining is done by a person, not by the system"
    return actor.user


def _check_may_join(actor: Actor) -> None:
    tenant, user = actor.tenant, _person(actor)
    if not tenant.is_active or not tenant.applicants_may_self_register:
        raise Refused(_("This workspace does not accept self-registration. Ask its team for an invitation."),
                      forbidden=True)
    existing = Membership.objects.filter(tenant=tenant, user=user).first()
    if existing is not None and existing.is_active:
        raise Refused(_("You are already a member of this workspace."))
    if existing is not None:
        # A revoked member must not walk back in through self-registration.
        raise Refused(_("Your access to this workspace was removed. Contact the programme team."), forbidden=True)


def organisation_self_register(*, actor: Actor, data: dict[str, Any]) -> Organisation:
    """A logged-in non-member registers a new CSO: it starts pending and the user
    becomes its applicant member. Only when the tenant allows self-registration."""
    _check_may_join(actor)
    with transaction.atomic():
        organisation = organisation_write(actor=actor, data=data, extra_audit={"source": "self_registration"})
        if organisation.status != OrganisationStatus.PENDING:  # pragma: no cover - defensive
            raise Refused(_("A new organisation starts pending verification."))
        membership_grant(actor=actor, user=_person(actor), role=Role.APPLICANT, organisation=organisation)
    return organisation


def find_organisation_to_join(*, actor: Actor, name_or_acronym: str) -> Organisation | None:
    """Exact (case- and accent-insensitive) acronym or legal name; no partial matches, so a
    non-member cannot browse the registry."""
    wanted = fold(name_or_acronym)
    if not wanted:
        return None
    candidates = Organisation.objects.filter(tenant=actor.tenant).only("pk", "name", "acronym", "tenant_id")
    for organisation in candidates:
        if wanted in (fold(organisation.acronym), fold(organisation.name)):
            return organisation
    return None


def join_request_create(*, actor: Actor, name_or_acronym: str, message: str = "") -> JoinRequest:
    _check_may_join(actor)
    organisation = find_organisation_to_join(actor=actor, name_or_acronym=name_or_acronym)
    if organisation is None:
        raise Refused(
            _("No organisation of this workspace has exactly this acronym or legal name. Check the spelling "
              "with your organisation, or register it as a new organisation.")
        )
    tenant, user = actor.tenant, _person(actor)
    with transaction.atomic():
        if JoinRequest.objects.filter(tenant=tenant, user=user, organisation=organisation,
                                      status=JoinRequestStatus.PENDING).exists():
            raise Refused(_("You have already asked to join this organisation; wait for the answer."))
        join_request = JoinRequest.objects.create(tenant=tenant, user=user, organisation=organisation,
                                                  message=message.strip())
        audit_record(tenant=tenant, actor=user, action="join_request.created", target=join_request,
                     after={"organisation": organisation.pk, "user": user.pk})
    return join_request


def join_request_decide(*, join_request: JoinRequest, actor: Actor, approve: bool) -> JoinRequest:
    """A manager or a current applicant member of the organisation approves (the requester
    becomes an applicant member) or declines (orgs.workflow.JOIN_REQUEST); the requester
    gets an e-mail."""
    if join_request.tenant_id != actor.tenant.pk:
        raise Refused(_("You are not a member of this workspace."), forbidden=True)
    require(can_decide_join_request(actor, join_request))
    if approve and not actor.is_manager and Membership.objects.filter(
        tenant=actor.tenant, user_id=join_request.user_id, is_active=False
    ).exists():
        raise Refused(_("This person's access was removed earlier; only a programme manager can let them back in."),
                      forbidden=True)

    def stamp(locked: JoinRequest, ctx: dict[str, Any]) -> None:
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()

    target = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
    with transaction.atomic():
        locked = transition(JOIN_REQUEST, obj=join_request, target=target, actor=actor, apply=stamp,
                            lock_related=("organisation", "user", "tenant"))
        if approve:
            membership_grant(actor=actor, user=locked.user, role=Role.APPLICANT, organisation=locked.organisation)
        join_request_decision_email(join_request=locked, actor=actor)
    return locked
