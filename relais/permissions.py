"""Permission decisions that carry a reason a person can read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

if TYPE_CHECKING:  # pragma: no cover - typing only
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

    from .actor import Actor
    from .models import Membership


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def raise_if_denied(self) -> None:
        if not self.allowed:
            raise PermissionDenied(self.reason)


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, str(reason))


def require(decision: Decision) -> None:
    """In a service: refuse what the decision denies (`Refused`, marked forbidden), with its reason."""
    from .errors import Refused

    if not decision:
        raise Refused(decision.reason, forbidden=True)


# --- roles in a tenant: the one decorator of tenant views, and the tenancy decisions ----------


def role_label(role: str) -> str:
    from .models import Role

    return str(Role(role).label)


def can_act_as(actor: Actor | None, *roles: str) -> Decision:
    """ALLOW when the actor holds one of `roles` in its tenant; otherwise the roles the page needs."""
    if actor is None or not actor.role:
        return deny(_("You are not a member of this workspace."))
    if actor.role in roles:
        return ALLOW
    return deny(
        _("This page is reserved for the following roles: %(roles)s. Your role in this workspace: %(mine)s.")
        % {"roles": ", ".join(role_label(r) for r in roles), "mine": role_label(actor.role)}
    )


def role_required(*roles: str) -> Callable:
    """Decorate a tenant view: 403 with a readable reason for other roles (reads `request.actor`)."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            can_act_as(getattr(request, "actor", None), *roles).raise_if_denied()
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def can_manage_members(actor: Actor | None) -> Decision:
    """Members, invitations, the audit log and the workspace settings are the managers'."""
    if actor is None or not actor.is_manager:
        return deny(_("Only a programme manager can manage members."))
    return ALLOW


def _other_member(actor: Actor | None, target: Membership, own: str) -> Decision:
    decision = can_manage_members(actor)
    if not decision:
        return decision
    assert actor is not None
    if target.tenant_id != actor.tenant.pk:
        return deny(_("This membership belongs to another workspace."))
    if actor.user_id == target.user_id:
        return deny(own)
    return ALLOW


def can_change_membership(actor: Actor | None, target: Membership) -> Decision:
    """Nobody changes their own role: that rule stops anyone raising their own privileges."""
    return _other_member(actor, target, _("You cannot change your own role."))


def can_revoke_membership(actor: Actor | None, target: Membership) -> Decision:
    return _other_member(actor, target, _("You cannot remove your own access."))
