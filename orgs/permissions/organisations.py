"""Role checks for tenant views, with reasons a person can read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from relais.models import Membership, Role
from relais.permissions import ALLOW, Decision, deny


def role_label(role: str) -> str:
    return str(Role(role).label)


def can_act_as(membership: Membership | None, *roles: str) -> Decision:
    if membership is None:
        return deny(_("You are not a member of this workspace."))
    if membership.role in roles:
        return ALLOW
    allowed = ", ".join(role_label(r) for r in roles)
    return deny(
        _("This page is reserved for the following roles: %(roles)s. Your role in this workspace: %(mine)s.")
        % {"roles": allowed, "mine": role_label(membership.role)}
    )


def role_required(*roles: str) -> Callable:
    """Decorate a tenant view: 403 with a readable reason for other roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            decision = can_act_as(request.membership, *roles)
            if not decision:
                raise PermissionDenied(decision.reason)
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def can_manage_members(membership: Membership) -> Decision:
    return can_act_as(membership, Role.MANAGER)


def can_change_membership(actor: Membership, target: Membership) -> Decision:
    decision = can_manage_members(actor)
    if not decision:
        return decision
    if actor.user_id == target.user_id:
        return deny(_("You cannot change your own role."))
    return ALLOW


# --- Organisation registry -------------------------------------------------


def is_own_organisation(membership: Membership | None, organisation) -> bool:
    return (
        membership is not None
        and membership.role == Role.APPLICANT
        and membership.organisation_id == organisation.pk
        and membership.tenant_id == organisation.tenant_id
    )


def can_edit_organisation(membership: Membership | None, organisation) -> Decision:
    if membership is not None and membership.role == Role.MANAGER and membership.tenant_id == organisation.tenant_id:
        return ALLOW
    if is_own_organisation(membership, organisation):
        return ALLOW
    return deny(_("Only a programme manager or the organisation's own members can edit this profile."))


def can_see_contact_details(membership: Membership | None, organisation) -> Decision:
    if membership is not None and membership.role == Role.MANAGER and membership.tenant_id == organisation.tenant_id:
        return ALLOW
    if is_own_organisation(membership, organisation):
        return ALLOW
    return deny(_("Contact details are shown to programme managers and the organisation's own members only."))


def can_see_payment_details(membership: Membership | None, organisation) -> Decision:
    if membership is not None and membership.role == Role.FINANCE and membership.tenant_id == organisation.tenant_id:
        return ALLOW
    if is_own_organisation(membership, organisation):
        return ALLOW
    return deny(_("Payment details are shown to finance officers and the organisation's own members only."))


def can_edit_payment_details(membership: Membership | None, organisation) -> Decision:
    return can_see_payment_details(membership, organisation)


def can_verify_payment_details(membership: Membership | None, organisation) -> Decision:
    if membership is not None and membership.role == Role.FINANCE and membership.tenant_id == organisation.tenant_id:
        return ALLOW
    return deny(_("Only a finance officer can verify payment details."))


def can_decide_join_request(membership: Membership | None, join_request) -> Decision:
    if membership is None or membership.tenant_id != join_request.tenant_id:
        return deny(_("You are not a member of this workspace."))
    if membership.role == Role.MANAGER:
        return ALLOW
    if membership.role == Role.APPLICANT and membership.organisation_id == join_request.organisation_id:
        return ALLOW
    return deny(_("Only a programme manager or a current member of the organisation can answer this request."))
