"""Rescue of text typed while the session expired.

A person types a section for an hour; meanwhile the session expired, so the form's POST
arrives anonymous. It is kept only when the browser carries the signed "recent user" cookie
(set on responses to a logged-in user, valid RECENT_USER_MAX_AGE, cleared at logout and by a
password change) naming an active user who, in the workspace named by the URL, may edit that
object: the view says how, through its `rescues_drafts` function. The text (never files) is
capped per field, per rescue and per user, and kept in the database (DraftRescue), never in
the cache: the cache holds the login rate-limit counters, which nothing may evict. After
login, the GET of the same page gives the text back, once, to that same user only; nothing
is written to the object until they save.

Any other anonymous POST gets the plain redirect to login and nothing is stored: this
middleware runs before the tenant is resolved (see docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from relais.models import DraftRescue, Membership

if TYPE_CHECKING:  # pragma: no cover - typing only
    from relais.http import TenantRequest
    from relais.models import Tenant, User

RECENT_USER_COOKIE = "relais_recent_user"
_COOKIE_SALT = "relais.drafts.recent-user"
RECENT_USER_MAX_AGE = 3 * 24 * 3600  # a weekend away from an open form
_COOKIE_REFRESH_SECONDS = 3600  # re-sent at most hourly, not on every response
RESCUE_TTL = dt.timedelta(days=3)
MAX_FIELD_CHARS = 20_000
MAX_USER_BYTES = 100_000  # all of one user's rescues together
MAX_USER_RESCUES = 5
_MAX_NAME_CHARS = 100
_MAX_PATH_CHARS = 500
_SKIP = {"csrfmiddlewaretoken", "autosave"}

# A view's rescues_drafts function: may this membership edit the object the URL names?
RescueCheck = Callable[..., bool]


@dataclass(frozen=True)
class RescuedDraft:
    data: QueryDict
    truncated: bool  # a field was longer than MAX_FIELD_CHARS and was cut


def _password_tag(user: User) -> str:
    """Changes with the password, so a password change forgets every browser's recent-user cookie."""
    return salted_hmac(_COOKIE_SALT, user.get_session_auth_hash()).hexdigest()[:20]


def _read_cookie(request: HttpRequest) -> tuple[int, float, str] | None:
    value = request.get_signed_cookie(RECENT_USER_COOKIE, default=None, salt=_COOKIE_SALT,
                                      max_age=RECENT_USER_MAX_AGE)
    if not value:
        return None
    user_id, _, rest = value.partition(":")
    issued, _, tag = rest.partition(":")
    if not (user_id.isdigit() and issued.isdigit() and tag):
        return None
    return int(user_id), float(issued), tag


def remember_recent_user(request: HttpRequest, response: HttpResponseBase, *, was_logged_in: bool) -> None:
    """Set the recent-user cookie for a logged-in user; delete it when this request logged out."""
    user = request.user
    if user.is_authenticated:
        current = _read_cookie(request)
        tag = _password_tag(user)
        if (current and current[0] == user.pk and constant_time_compare(current[2], tag)
                and time.time() - current[1] < _COOKIE_REFRESH_SECONDS):
            return
        response.set_signed_cookie(
            RECENT_USER_COOKIE, f"{user.pk}:{int(time.time())}:{tag}", salt=_COOKIE_SALT,
            max_age=RECENT_USER_MAX_AGE, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
        )
    elif was_logged_in and RECENT_USER_COOKIE in request.COOKIES:
        response.delete_cookie(RECENT_USER_COOKIE, samesite="Lax")


def recent_user(request: HttpRequest) -> User | None:
    """The active user the signed cookie names, if the password did not change since; else None."""
    current = _read_cookie(request)
    if current is None:
        return None
    user = get_user_model().objects.filter(pk=current[0], is_active=True).first()
    if user is None or not constant_time_compare(current[2], _password_tag(user)):
        return None
    return user


def _capped_form_data(post: QueryDict) -> tuple[dict[str, list[str]], int, bool] | None:
    """The POSTed text, each value cut at MAX_FIELD_CHARS; None if it would still exceed MAX_USER_BYTES."""
    data: dict[str, list[str]] = {}
    size = 0
    truncated = False
    for name in post:
        if name in _SKIP or len(name) > _MAX_NAME_CHARS:
            continue
        values = []
        for value in post.getlist(name):
            value = value.replace("\x00", "")  # PostgreSQL's JSON cannot hold it
            if len(value) > MAX_FIELD_CHARS:
                value = value[:MAX_FIELD_CHARS]
                truncated = True
            values.append(value)
            size += len(name) + len(value.encode())
            if size > MAX_USER_BYTES:
                return None
        data[name] = values
    return data, size, truncated


def draft_rescue_keep(*, user: User, tenant: Tenant, path: str, data: dict[str, list[str]], size: int,
                      truncated: bool) -> None:
    """Keep one page's text for `user`; drop expired rescues and this user's oldest beyond the caps."""
    now = timezone.now()
    with transaction.atomic():
        DraftRescue.objects.filter(expires_at__lte=now).delete()
        DraftRescue.objects.update_or_create(
            tenant=tenant, user=user, path=path,
            defaults={"data": data, "size": size, "truncated": truncated, "created_at": now,
                      "expires_at": now + RESCUE_TTL},
        )
        count, total, over = 0, 0, []
        for pk, row_size in DraftRescue.objects.filter(user=user).order_by("-created_at", "-pk").values_list(
                "pk", "size"):
            count += 1
            total += row_size
            if count > MAX_USER_RESCUES or total > MAX_USER_BYTES:
                over.append(pk)
        if over:
            DraftRescue.objects.filter(pk__in=over).delete()


def stash_and_login(request: HttpRequest, view_kwargs: dict[str, Any], may_rescue: RescueCheck) -> HttpResponse:
    path = request.get_full_path()
    user = recent_user(request)
    slug = view_kwargs.get("tenant_slug")
    if user is not None and slug and len(path) <= _MAX_PATH_CHARS:
        membership = (
            Membership.objects.select_related("tenant")
            .filter(tenant__slug=slug, tenant__is_active=True, user=user, is_active=True)
            .first()
        )
        object_kwargs = {key: value for key, value in view_kwargs.items() if key != "tenant_slug"}
        if membership is not None and may_rescue(membership, **object_kwargs):
            captured = _capped_form_data(request.POST)
            if captured is not None:
                data, size, truncated = captured
                draft_rescue_keep(user=user, tenant=membership.tenant, path=path, data=data, size=size,
                                  truncated=truncated)
    return redirect_to_login(path)


def pop_rescued(request: TenantRequest) -> RescuedDraft | None:
    """The text this user typed on this page after their session expired, once."""
    rescue = DraftRescue.objects.filter(
        tenant=request.actor.tenant, user=request.user, path=request.get_full_path(), expires_at__gt=timezone.now()
    ).first()
    if rescue is None:
        return None
    rescue.delete()
    data = QueryDict(mutable=True)
    for name, values in rescue.data.items():
        data.setlist(name, values)
    return RescuedDraft(data=data, truncated=rescue.truncated)


class DraftRescueMiddleware:
    """Runs before TenantMiddleware: an anonymous POST to a view with a `rescues_drafts` function is
    stashed only for the recent user who may edit that object; every other anonymous POST stores nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        was_logged_in = request.user.is_authenticated
        response = self.get_response(request)
        remember_recent_user(request, response, was_logged_in=was_logged_in)
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., HttpResponseBase],
                     view_args: tuple[Any, ...], view_kwargs: dict[str, Any]) -> HttpResponse | None:
        may_rescue = getattr(view_func, "rescues_drafts", None)
        if request.method == "POST" and callable(may_rescue) and not request.user.is_authenticated:
            return stash_and_login(request, view_kwargs, may_rescue)
        return None
