"""Named extension points through which a feature widens what another may show, without importing it.

A reviewer may know a CSO only through an application they review, and only grants
knows about applications: grants registers `register_scope("reviewer_organisations", fn)`
from its `AppConfig.ready()` and orgs' selector asks `scope("reviewer_organisations")`.
Neither imports the other; both import the kernel.

Each function takes `*, actor` and returns a queryset of ids (`.values("…_id")`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REVIEWER_ORGANISATIONS = "reviewer_organisations"  # fn(*, actor) -> ids of the CSOs a reviewer may see

_SCOPES: dict[str, list[Callable[..., Any]]] = {}


def register_scope(name: str, reader: Callable[..., Any]) -> None:
    readers = _SCOPES.setdefault(name, [])
    if reader not in readers:  # ready() may run twice in tests
        readers.append(reader)


def scope(name: str) -> list[Callable[..., Any]]:
    """The readers registered under `name` (none: the scope adds nothing)."""
    return list(_SCOPES.get(name, ()))
