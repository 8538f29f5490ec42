from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .dashboard import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    return {
        "nav_items": nav_for(request),
        "current_tenant": actor.tenant if actor else None,
        "current_role": actor.membership.get_role_display() if actor and actor.membership else "",
        "demo_mode": settings.DEBUG,
        # Callable, so the query runs only when base.html shows the navigation.
        "has_several_workspaces": lambda: _workspace_count(request) > 1,
    }


def _workspace_count(request: HttpRequest) -> int:
    if not request.user.is_authenticated:
        return 0
    counted = getattr(request, "workspace_count", None)  # TenantMiddleware's membership query counts them
    if counted is not None:
        return counted
    return request.user.memberships.filter(is_active=True, tenant__is_active=True).count()
