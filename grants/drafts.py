"""Rescue of text typed while the session expired.

When a section form is POSTed without a session, the data (minus the CSRF token)
is stored server-side in the cache under a random key; only that key goes into
the anonymous session, which Django keeps through login (the session key is
cycled, its data kept). After login, the GET of the same section restores the
text into the form and asks the person to save it. Nothing is written to the
application until the logged-in user (who must be allowed to edit it) saves.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict

SESSION_KEY = "grants_draft_rescue"
TTL_SECONDS = 3 * 24 * 3600
_SKIP = {"csrfmiddlewaretoken", "autosave"}


def stash_and_login(request: HttpRequest) -> HttpResponse:
    path = request.get_full_path()
    data = {key: request.POST.getlist(key) for key in request.POST if key not in _SKIP}
    key = secrets.token_urlsafe(24)
    cache.set(f"draft-rescue:{key}", {"path": path, "data": data}, TTL_SECONDS)
    rescues = dict(request.session.get(SESSION_KEY, {}))
    rescues[path] = key
    request.session[SESSION_KEY] = rescues
    return redirect_to_login(path)


def pop_rescued(request: HttpRequest) -> QueryDict | None:
    rescues = dict(request.session.get(SESSION_KEY, {}))
    key = rescues.pop(request.get_full_path(), None)
    if key is None:
        return None
    request.session[SESSION_KEY] = rescues
    stored = cache.get(f"draft-rescue:{key}")
    cache.delete(f"draft-rescue:{key}")
    if not stored or stored.get("path") != request.get_full_path():
        return None
    data = QueryDict(mutable=True)
    for name, values in stored["data"].items():
        data.setlist(name, values)
    return data


class DraftRescueMiddleware:
    """Runs before TenantMiddleware: an anonymous POST to a view marked `rescues_drafts` is stashed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (request.method == "POST" and getattr(view_func, "rescues_drafts", False)
                and not request.user.is_authenticated):
            return stash_and_login(request)
        return None
