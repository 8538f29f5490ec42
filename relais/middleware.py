"""Request id (one per request, carried into audit events and the response) and private caching."""

from __future__ import annotations

import contextvars
import uuid

from django.utils.cache import patch_cache_control

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("relais_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
