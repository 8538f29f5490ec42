from django.conf import settings

from .dashboard import nav_for


def navigation(request):
    return {
        "nav_items": nav_for(request),
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": getattr(request, "membership", None),
        "demo_mode": settings.DEBUG,
    }
