"""Pages of a list without counting the whole table.

Django's ``Paginator`` runs ``COUNT(*)`` over the whole query on every page view: on 220,000 audit
events or 10,000 applications that count costs more than the page. ``page_of`` reads one row past
the page instead, which is enough to know whether there is a next page. The page object offers what
``templates/relais/pagination.html`` needs (``number``, ``has_next``/``has_previous``, their
numbers, ``has_other_pages``) and iterates over its rows; it never knows the number of pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .widgets import fast_escape as escape

DEFAULT_PER_PAGE = 25
MAX_PAGE = 10_000  # deeper pages are refused to the last reachable one: OFFSET grows with the page


def page_number(raw: object) -> int:
    """The page asked for in a query string: anything odd (``2²``, ``-1``, ``abc``, huge) reads as 1 or the cap."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return max(1, min(int(text), MAX_PAGE))


@dataclass
class LookaheadPage:
    object_list: Sequence[Any]
    number: int
    per_page: int
    has_next: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0


def page_of(rows: Any, raw_number: object, per_page: int = DEFAULT_PER_PAGE) -> LookaheadPage:
    """Slice ``rows`` (a queryset or a list) to one page, reading ``per_page + 1`` rows and no count.

    Annotate or prefetch *after* this when the annotation is costly: ``page.object_list`` is a list
    of at most ``per_page`` rows.
    """
    number = page_number(raw_number)
    start = (number - 1) * per_page
    chunk = list(rows[start:start + per_page + 1])
    if not chunk and number > 1:  # past the end (a stale link): show the first page rather than nothing
        return page_of(rows, 1, per_page)
    return LookaheadPage(object_list=chunk[:per_page], number=number, per_page=per_page,
                         has_next=len(chunk) > per_page)


def pagination_html(page: LookaheadPage, query: QueryDict) -> SafeString:
    """templates/relais/pagination.html for a LookaheadPage, written in one pass (the include, its three
    translations and two ``{% page_url %}`` cost a list written in one pass as much as its rows; issue 10):
    ``query`` is the request's GET, whose other parameters the links keep. tests/relais/test_pagination.py
    compares it with the template, byte for byte."""
    if not page.has_other_pages():
        return mark_safe("\n")

    def link(number: int) -> str:
        params = query.copy()
        params["page"] = str(number)
        return escape("?" + params.urlencode())

    previous = (f'<a href="{link(page.previous_page_number())}" rel="prev">{gettext("Previous")}</a>'
                if page.has_previous else "")
    following = f'<a href="{link(page.next_page_number())}" rel="next">{gettext("Next")}</a>' if page.has_next else ""
    number = gettext("Page %(n)s") % {"n": escape(localize(page.number))}
    return mark_safe(  # noqa: S308 - the values went through escape(); translations are the template's literals
        f'<nav class="pagination" aria-label="{gettext("Pagination")}">\n{previous}\n<span>{number}</span>\n'
        f"{following}\n</nav>\n")
