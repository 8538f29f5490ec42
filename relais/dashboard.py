"""Registries through which apps add dashboard panels and navigation entries.

orgs owns the dashboard page and base.html; grants and training register what
they show there from their AppConfig.ready(), so nothing imports upwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .widgets import fast_escape

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .http import TenantRequest

# A panel: function(request) -> its template's context, or None to hide the panel.
PanelBuilder = Callable[["TenantRequest"], dict[str, Any] | None]
B = TypeVar("B", bound=PanelBuilder)


@dataclass(frozen=True)
class Panel:
    roles: frozenset[str]
    template: str
    build: PanelBuilder
    order: int


@dataclass(frozen=True)
class NavEntry:
    roles: frozenset[str]
    label: Any  # lazy translation
    url_name: str
    order: int


_PANELS: list[Panel] = []
_NAV: list[NavEntry] = []


def dashboard_panel(*, roles: Iterable[str], template: str, order: int = 100) -> Callable[[B], B]:
    """Decorate a function(request) -> context dict (or None to hide the panel)."""

    def decorator(build: B) -> B:
        _PANELS.append(Panel(frozenset(roles), template, build, order))
        return build

    return decorator


def nav_entry(*, roles: Iterable[str], label: Any, url_name: str, order: int = 100) -> None:
    if any(e.url_name == url_name for e in _NAV):
        return  # ready() may run twice in tests
    _NAV.append(NavEntry(frozenset(roles), label, url_name, order))


def panels_for(request: TenantRequest) -> list[dict[str, Any]]:
    role = request.actor.role
    result = []
    for panel in sorted(_PANELS, key=lambda p: p.order):
        if role in panel.roles:
            context = panel.build(request)
            if context is not None:
                result.append({"template": panel.template, **context})
    return result


@lru_cache(maxsize=512)
def _nav_links(role: str, slug: str, prefix: str, urlconf: Any, entries: int) -> tuple[tuple[NavEntry, str], ...]:
    """A role's entries with their URLs in one workspace: the same on every page, so reversed once
    per worker (a dozen reverse() calls were a measurable part of every list page). The script
    prefix, the URL configuration and the number of registered entries are part of the key."""
    return tuple((entry, reverse(entry.url_name, kwargs={"tenant_slug": slug}))
                 for entry in sorted(_NAV, key=lambda e: e.order) if role in entry.roles)


def nav_for(request: HttpRequest) -> list[dict[str, Any]]:
    actor = getattr(request, "actor", None)
    if actor is None:
        return []
    current = request.path
    items = []
    for entry, url in _nav_links(actor.role, actor.tenant.slug, get_script_prefix(), get_urlconf(), len(_NAV)):
        active = current == url if entry.url_name == "relais:dashboard" else current.startswith(url)
        items.append({"label": entry.label, "url": url, "active": active})
    return items


ARIA_CURRENT = ' aria-current="page"'


def nav_html(items: list[dict[str, Any]], several_workspaces: Callable[[], bool]) -> SafeString:
    """The navigation's ``<nav>`` element of base.html, written in one pass: its two template loops over
    a dozen entries (lazy labels cast and escaped, ``item.active`` looked up twice each) were part of
    every workspace page's frame (issue 10). tests/relais/test_tenancy_views.py compares it, byte for
    byte, with the template it replaced."""
    labels = [fast_escape(item["label"]) for item in items]
    current = "".join(f'<span class="menu-current"> · {label}</span>'
                      for item, label in zip(items, labels, strict=True) if item["active"])
    links = "".join(f'<li><a href="{fast_escape(item["url"])}"{ARIA_CURRENT if item["active"] else ""}>{label}</a></li>'
                    for item, label in zip(items, labels, strict=True))
    switch = (f'<li><a href="{fast_escape(reverse("workspaces"))}">{_("Switch workspace")}</a></li>'
              if several_workspaces() else "")
    # The translated phrases are written as they are, as {% translate "..." %} writes a template's literals.
    return mark_safe(  # noqa: S308 - every other value went through escape()
        f'<nav aria-label="{_("Main navigation")}"><details class="menu">\n'
        f'    <summary>{_("Menu")}{current}</summary><ul>\n'
        f"    {links}\n"
        f"    {switch}\n"
        f"  </ul></details></nav>")
