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
    pages, issue 10); the result is the same string ``reverse()`` gives. The maker is kept per worker
    (the finance page's four sections link to the same award page: one reverse() rather than four a
    view), keyed by the script prefix and URL configuration as well, as the navigation's links are."""
    return _maker(viewname, pk_kwarg, tuple(sorted(kwargs.items())), get_script_prefix(),
                  get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=4096)  # per view, tenant and (for a record's children) record
def _maker(viewname: str, pk_kwarg: str, items: tuple[tuple[str, Any], ...], prefix: str,
           urlconf: Any) -> Callable[[Any], str]:
    kwargs = dict(items)
    url = reverse(viewname, kwargs={**kwargs, pk_kwarg: _MARKER})
    head, found, tail = url.partition(str(_MARKER))
    if not found or str(_MARKER) in tail:  # pragma: no cover - a pattern that does not take the pk as is
        return lambda pk: reverse(viewname, kwargs={**kwargs, pk_kwarg: pk})
    return lambda pk: f"{head}{int(pk)}{tail}"


_MARKER = 918273645  # a number that appears in no route
