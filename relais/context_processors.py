from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .dashboard import nav_for, nav_html


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    items = nav_for(request)
    several_workspaces = partial(_several_workspaces, request)
    return {
        "nav_items": items,
        # Called only when base.html shows the navigation (its <nav>, written in one pass).
        "nav_html": partial(nav_html, items, several_workspaces),
        "current_tenant": actor.tenant if actor else None,
        "current_role": actor.membership.get_role_display() if actor and actor.membership else "",
        "demo_mode": settings.DEBUG,
        # Callable, so the query runs only when base.html shows the navigation.
        "has_several_workspaces": several_workspaces,
    }


def _several_workspaces(request: HttpRequest) -> bool:
    return _workspace_count(request) > 1


def _workspace_count(request: HttpRequest) -> int:
    if not request.user.is_authenticated:
        return 0
    counted = getattr(request, "workspace_count", None)  # TenantMiddleware's membership query counts them
    if counted is not None:
        return counted
    return request.user.memberships.filter(is_active=True, tenant__is_active=True).count()
