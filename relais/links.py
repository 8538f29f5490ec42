"""Absolute links for e-mails and PDFs, from RELAIS_BASE_URL; URLs of a list's rows reversed once."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def absolute_url(path: str) -> str:
    return settings.RELAIS_BASE_URL.rstrip("/") + path


def pk_url_maker(viewname: str, pk_kwarg: str, **kwargs: Any) -> Callable[[Any], str]:
    """``reverse()`` once for a whole list: the returned function writes each row's integer pk into
    the URL. A page of 25 rows reversed the same pattern 25 times (a measurable part of the list
    pages, issue 10); the result is the same string ``reverse()`` gives. The pattern is remembered per
    process (for the URLconf and script prefix in force), so a page's links cost no reverse() once warm."""
    head, tail = _pattern(viewname, pk_kwarg, tuple(sorted(kwargs.items())), get_script_prefix(),
                          get_urlconf() or settings.ROOT_URLCONF)
    if head is None:  # pragma: no cover - a pattern that does not take the pk as is
        return lambda pk: reverse(viewname, kwargs={**kwargs, pk_kwarg: pk})
    return lambda pk: f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=4096)
def _pattern(viewname: str, pk_kwarg: str, items: tuple[tuple[str, Any], ...], _prefix: str,
             _urlconf: Any) -> tuple[str | None, str]:
    """The URL of ``viewname`` cut around its pk, or (None, "") when the pk does not appear once as written."""
    url = reverse(viewname, kwargs={**dict(items), pk_kwarg: _MARKER})
    head, found, tail = url.partition(str(_MARKER))
    if not found or str(_MARKER) in tail:  # pragma: no cover
        return None, ""
    return head, tail


_MARKER = 918273645  # a number that appears in no route
