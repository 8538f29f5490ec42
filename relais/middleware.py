"""Kernel middleware: a request id for every request, then the tenant, membership and actor from the URL.

Views under /<tenant_slug>/ never see the slug: they read request.actor (tenant, user,
membership). A visitor who is not an active member gets 404, the same answer as for
a tenant that does not exist, so tenant names do not leak.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .actor import Actor
from .models.tenancy import MFA_ROLES
from .selectors import workspace_membership

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .http import RelaisRequest
    from .models import User

GetResponse = Callable[[HttpRequest], HttpResponseBase]

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("relais_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: RelaisRequest) -> HttpResponseBase:
        request_id = uuid.uuid4().hex
        token = _request_id.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class PrivateCacheMiddleware:
    """A response to a signed-in person is theirs alone: `Cache-Control: private, no-store`,
    so neither a shared proxy nor the browser cache of a shared computer keeps a page of
    payment details or a list of peacebuilders. A view that set its own Cache-Control
    keeps it. Anonymous pages are left alone, and static files never reach this
    middleware (whitenoise answers them first, with their long cache headers)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def user_has_mfa(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class TenantMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: RelaisRequest) -> HttpResponseBase:
        request.actor = None
        return self.get_response(request)

    def process_view(self, request: RelaisRequest, view_func: Callable[..., HttpResponseBase],
                     view_args: tuple[Any, ...], view_kwargs: dict[str, Any]) -> HttpResponse | None:
        slug = view_kwargs.pop("tenant_slug", None)
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        found = workspace_membership(user_id=request.user.pk, slug=slug)
        if found is None:
            raise Http404(_("Workspace not found."))
        membership, request.workspace_count = found
        request.actor = Actor(tenant=membership.tenant, user=request.user, membership=membership)
        if (
            membership.tenant.require_mfa_for_staff
            and membership.role in MFA_ROLES
            and not user_has_mfa(request.user)
        ):
            messages.warning(
                request,
                _("This workspace requires two-factor authentication for your role. Set it up to continue."),
            )
            return redirect("mfa_activate_totp")
        return None


SESSION_REFRESHED_KEY = "relais_refreshed_at"


class SessionRefreshMiddleware:
    """Sessions end after SESSION_COOKIE_AGE of inactivity without being written at every request.

    SESSION_SAVE_EVERY_REQUEST rewrote the session row (and its cookie) on every page view: a
    database write per click. Instead, a signed-in person's session is saved again only when its
    last save is older than SESSION_REFRESH_SECONDS (a few minutes), which pushes its expiry to
    SESSION_COOKIE_AGE from now. A session therefore ends between SESSION_COOKIE_AGE minus the
    interval and SESSION_COOKIE_AGE after the last request: never later than the promised 2 h.
    Anonymous sessions are left alone (see "Middleware before the tenant is resolved")."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is None or user is None or not user.is_authenticated or session.modified:
            return response  # a session saved by this request is already fresh
        now = int(timezone.now().timestamp())
        last = session.get(SESSION_REFRESHED_KEY)
        if not isinstance(last, int) or now - last >= settings.SESSION_REFRESH_SECONDS or now < last:
            session[SESSION_REFRESHED_KEY] = now  # modified: SessionMiddleware saves it and renews the cookie
        return response
