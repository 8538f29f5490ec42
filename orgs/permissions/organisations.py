"""Who may do what in the CSO registry, with reasons a person can read.

Each function takes the actor (relais.actor.Actor) and the object and returns a
Decision; views call `raise_if_denied()` (403 with the reason) or pass the
decision to the template, services refuse with it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.models import Role
from relais.permissions import ALLOW, Decision, deny

from ..models import JoinRequest, Organisation, PaymentDetails


def _in_tenant(actor: Actor | None, obj) -> bool:
    return actor is not None and obj.tenant_id == actor.tenant.pk


def is_own_organisation(actor: Actor | None, organisation: Organisation) -> bool:
    """The actor is an applicant member of this very CSO."""
    return (
        _in_tenant(actor, organisation)
        and actor is not None
        and actor.role == Role.APPLICANT
        and actor.acts_for(organisation.pk)
    )


def _manager_of(actor: Actor | None, obj) -> bool:
    return _in_tenant(actor, obj) and actor is not None and actor.is_manager


def can_create_organisation(actor: Actor | None) -> Decision:
    if actor is None or not actor.is_manager:
        return deny(_("Only a programme manager can add an organisation."))
    return ALLOW


def can_edit_organisation(actor: Actor | None, organisation: Organisation) -> Decision:
    if _manager_of(actor, organisation) or is_own_organisation(actor, organisation):
        return ALLOW
    return deny(_("Only a programme manager or the organisation's own members can edit this profile."))


def can_see_contact_details(actor: Actor | None, organisation: Organisation) -> Decision:
    if _manager_of(actor, organisation) or is_own_organisation(actor, organisation):
        return ALLOW
    return deny(_("Contact details are shown to programme managers and the organisation's own members only."))


def _finance_of(actor: Actor | None, obj) -> bool:
    return _in_tenant(actor, obj) and actor is not None and actor.role == Role.FINANCE


def can_see_payment_details(actor: Actor | None, organisation: Organisation) -> Decision:
    if _finance_of(actor, organisation) or is_own_organisation(actor, organisation):
        return ALLOW
    return deny(_("Payment details are shown to finance officers and the organisation's own members only."))


def can_edit_payment_details(actor: Actor | None, organisation: Organisation) -> Decision:
    return can_see_payment_details(actor, organisation)


def four_eyes_problem(actor: Actor | None, details: PaymentDetails | None) -> str:
    """Why this actor may not verify these details because they changed them ('' when they may)."""
    if actor is not None and details is not None and details.changed_by_id is not None \
            and details.changed_by_id == actor.user_id:
        return _("You changed these payment details: another finance member must verify them.")
    return ""


def can_verify_payment_details(actor: Actor | None, organisation: Organisation,
                               details: PaymentDetails | None = None) -> Decision:
    """Finance verifies; four eyes: never the person who last changed the details."""
    if not _finance_of(actor, organisation):
        return deny(_("Only a finance officer can verify payment details."))
    problem = four_eyes_problem(actor, details)
    return deny(problem) if problem else ALLOW


def can_see_timeline(actor: Actor | None, organisation: Organisation) -> Decision:
    """The organisation's history (the audit trail about it) is the managers'."""
    if _manager_of(actor, organisation):
        return ALLOW
    return deny(_("Only a programme manager can see the history."))


def can_manage_geography(actor: Actor | None) -> Decision:
    if actor is None or not actor.is_manager:
        return deny(_("Only a programme manager can change geography and focus areas."))
    return ALLOW


def can_import_organisations(actor: Actor | None) -> Decision:
    if actor is None or not actor.is_manager:
        return deny(_("Only a programme manager can import organisations."))
    return ALLOW


def can_decide_join_request(actor: Actor | None, join_request: JoinRequest) -> Decision:
    if actor is None or not actor.role or not _in_tenant(actor, join_request):
        return deny(_("You are not a member of this workspace."))
    if actor.is_manager or (actor.role == Role.APPLICANT and actor.acts_for(join_request.organisation_id)):
        return ALLOW
    return deny(_("Only a programme manager or a current member of the organisation can answer this request."))
