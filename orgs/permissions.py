"""Role checks for tenant views, with reasons a person can read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from relais.permissions import ALLOW, Decision, deny

from .models import Membership, Role


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
