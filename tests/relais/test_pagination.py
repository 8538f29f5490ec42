"""Pages without a full count: one row past the page tells whether there is a next one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.models import AuditEvent
from relais.pagination import MAX_PAGE, page_number, page_of


@pytest.mark.parametrize("raw,expected", [(None, 1), ("", 1), ("abc", 1), ("-3", 1), ("0", 1), ("2²", 1),
                                          ("٣", 1), ("4", 4), ("99999999999", MAX_PAGE)])
def test_odd_page_numbers_read_as_a_valid_page(raw, expected):
    assert page_number(raw) == expected


def test_a_list_is_cut_into_pages_with_a_next_flag():
    rows = list(range(53))
    first = page_of(rows, "1", 25)
    assert list(first) == list(range(25)) and first.has_next and not first.has_previous
    last = page_of(rows, "3", 25)
    assert list(last) == [50, 51, 52] and not last.has_next and last.has_previous
    assert last.start_index() == 51
    exact = page_of(list(range(50)), "2", 25)
    assert not exact.has_next


def test_a_page_past_the_end_falls_back_to_the_first():
    page = page_of(list(range(10)), "7", 25)
    assert page.number == 1 and list(page) == list(range(10))


@pytest.mark.django_db
def test_a_page_of_a_queryset_runs_no_count(tenant):
    for n in range(4):
        AuditEvent.objects.create(tenant=tenant, action=f"test.{n}")
    with CaptureQueriesContext(connection) as queries:
        page = page_of(AuditEvent.objects.filter(tenant=tenant).order_by("pk"), "2", 3)
    assert len(page) == 1 and not page.has_next
    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("number", ["1", "2", "3", "9"])
@pytest.mark.parametrize("count", [5, 53])
def test_the_page_links_are_what_the_pagination_template_wrote(rf, language, number, count):
    """pagination_html writes relais/pagination.html's markup for a page alone, first, middle, last and past
    the end, keeping the other parameters of the query (escaped: a search with & < " and accents)."""
    from django.template import engines
    from django.utils import translation

    from relais.pagination import pagination_html

    request = rf.get("/list/", {"q": 'Ségou & <"paix">', "status": "active", "page": number})
    page = page_of(list(range(count)), request.GET.get("page"), 25)
    with translation.override(language):
        expected = engines["django"].from_string('{% include "relais/pagination.html" %}').render(
            {"page": page}, request)
        assert pagination_html(page, request.GET) == expected
    assert ("Page" in expected) == (count > 25) and ("&amp;" in expected) == (count > 25)
