"""Types of the requests the kernel's middleware prepares (annotations only, nothing at run time).

`RequestIdMiddleware` and `TenantMiddleware` add attributes to every request;
django-stubs' `HttpRequest` does not know them. Code that reads them annotates
its request with one of these classes (django-stubs' documented pattern); no
request is ever an instance of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .actor import Actor
    from .models import User


class RelaisRequest(HttpRequest):
    """Any request after the kernel's middleware: outside `/<tenant>/` the actor is None."""

    request_id: str
    actor: Actor | None
    workspace_count: int  # set with the actor: the user's active workspaces (the navigation's switch link)


class TenantRequest(RelaisRequest):
    """A request to a page under `/<tenant>/`: TenantMiddleware found an active member."""

    user: User
    actor: Actor
