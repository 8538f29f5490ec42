"""What a template could print from a response's context without another query.

Walks the values a view put in the context: containers, dataclasses, plain objects'
public attributes, the names a ReadOnlyView lets through, model instances with the
related rows already loaded on them (select_related / prefetch_related caches) and
evaluated querysets. Names that start
with an underscore are skipped, as Django templates cannot read them.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest
from django.utils.functional import LazyObject

from relais.display import ReadOnlyView

# Added by context processors for every page, not by the view under test.
PROCESSOR_KEYS = {
    "request", "user", "perms", "messages", "DEFAULT_MESSAGE_LEVELS", "csrf_token", "LANGUAGES",
    "LANGUAGE_CODE", "LANGUAGE_BIDI", "nav_items", "nav_html", "current_tenant", "current_membership", "demo_mode",
    "has_several_workspaces", "True", "False", "None",
}
ATOMS = (str, bytes, int, float, bool, type(None))


def view_context(response) -> dict[str, Any]:
    """The keys and values of every context rendered for the response, without the processors'."""
    contexts = response.context if isinstance(response.context, list) else [response.context]
    values: dict[str, Any] = {}
    for context in contexts:
        for key, value in context.flatten().items():
            if key not in PROCESSOR_KEYS:
                values.setdefault(key, value)
    return values


def reachable(value: Any, *, depth: int = 8) -> Iterator[Any]:
    """Every value reachable from `value` (itself included), each object once, breadth first
    (so each is expanded at its shortest distance)."""
    seen: set[int] = set()
    queue = deque([(value, 0)])
    while queue:
        current, level = queue.popleft()
        if isinstance(current, LazyObject) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if level >= depth or isinstance(current, ATOMS):
            continue
        queue.extend((child, level + 1) for child in _children(current))


def _children(value: Any) -> list[Any]:
    if isinstance(value, (HttpRequest, LazyObject)):
        return []  # the request is the processors' (and a lazy value would be computed here)
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if isinstance(value, QuerySet):
        return list(value._result_cache or [])  # never evaluate: only what is already loaded
    if isinstance(value, Page):
        return list(value.object_list)
    if isinstance(value, (BaseForm, BaseFormSet)):
        return [getattr(value, "instance", None), getattr(value, "initial", None)]
    if isinstance(value, ReadOnlyView):  # what a template can name on it
        names = object.__getattribute__(value, "_fields") | set(object.__getattribute__(value, "_replaced"))
        return [getattr(value, name) for name in names]
    if isinstance(value, Model):
        loaded = [v for k, v in vars(value).items() if not k.startswith("_")]
        loaded += list(value._state.fields_cache.values())
        loaded += list(getattr(value, "_prefetched_objects_cache", {}).values())
        return loaded
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    if hasattr(value, "__dict__") and not callable(value):
        return [v for k, v in vars(value).items() if not k.startswith("_")]
    return []
