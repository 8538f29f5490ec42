"""Page budget: HTML <= 14 KB gzip and HTML + CSS + JS + fonts <= 14 KB gzip on first load: the
first round trip of a 2G connection (issue 10).

Pages are discovered: the public pages plus every tenant URL without an object
id, for every role that may open it. The lists must also cost the same number of queries with 10
or 500 rows, never count the whole table, and the members page must stay light whatever the
registry's size.
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from relais.models import Role
from tests.harness import tenant_routes

HTML_BUDGET = 14 * 1024
FIRST_LOAD_BUDGET = 14 * 1024
ASSET_RE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"?#]+)"')

pytestmark = pytest.mark.django_db

MEASURED: dict[str, tuple[int, int]] = {}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def first_load(html: bytes) -> int:
    total = gz(html)
    for url in set(ASSET_RE.findall(html.decode())):
        path = finders.find(url.removeprefix("/static/"))
        assert path, f"missing static asset {url}"
        with open(path, "rb") as handle:
            total += gz(handle.read())
    return total


def check(name: str, response) -> None:
    assert response.status_code == 200, name
    html = response.content
    MEASURED[name] = (gz(html), first_load(html))
    assert gz(html) <= HTML_BUDGET, f"{name}: {gz(html)} B gzip HTML"
    assert first_load(html) <= FIRST_LOAD_BUDGET, f"{name}: {first_load(html)} B first load"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_public_pages_fit_the_budget(client, url):
    check(url, client.get(url))


def test_every_tenant_page_fits_the_budget_for_every_role(world_a, capsys):
    checked = 0
    for route in tenant_routes():
        if route.object_kwargs or set(route.kwargs) != {"tenant_slug"}:
            continue
        url = reverse(route.name, kwargs={"tenant_slug": world_a.tenant.slug})
        for role in Role.values:
            response = world_a.client_for(role).get(url)
            if response.status_code in (403, 405, 302) or not response["Content-Type"].startswith("text/html"):
                continue  # not a page: refused, redirected, or a download
            check(f"{route.name}[{role}]", response)
            checked += 1
    assert checked >= 6
    with capsys.disabled():
        worst = max(MEASURED.items(), key=lambda item: item[1][1])
        print(f"\npage weight: {checked} tenant pages; heaviest first load {worst[0]}: "
              f"HTML {worst[1][0]} B + assets = {worst[1][1]} B gzip")


# --- lists at scale ------------------------------------------------------------------------------

def _organisations(tenant, n):
    from orgs.models import Organisation
    from tests.factories import OrganisationFactory, RegionFactory

    region = RegionFactory(tenant=tenant)
    return Organisation.objects.bulk_create(OrganisationFactory.build_batch(n, tenant=tenant, region=region))


def _applications(tenant, n, status="submitted"):
    from grants.models import Application
    from tests.grants.factories import ApplicationFactory, CallFactory

    call = CallFactory(tenant=tenant)
    return Application.objects.bulk_create([
        ApplicationFactory.build(tenant=tenant, call=call, organisation=org, status=status, reference=f"T-{org.pk}")
        for org in _organisations(tenant, n)
    ])


def _reviews(world, n):
    from grants.models import Review
    from tests.grants.factories import ReviewFactory

    reviewer = world.user(Role.REVIEWER)
    return Review.objects.bulk_create([
        ReviewFactory.build(tenant=world.tenant, application=app, reviewer=reviewer)
        for app in _applications(world.tenant, n, status="in_review")
    ])


def _calls(tenant, n):
    from grants.models import Call
    from tests.grants.factories import CallFactory

    return Call.objects.bulk_create(CallFactory.build_batch(n, tenant=tenant))


def _members(tenant, n):
    from relais.models import Membership, User

    start = User.objects.count()
    users = User.objects.bulk_create([User(email=f"m{k}@example.org", username=f"m{k}", full_name=f"Membre {k}")
                                      for k in range(start, start + n)])
    return Membership.objects.bulk_create([Membership(tenant=tenant, user=u, role=Role.REVIEWER) for u in users])


LISTS = {  # name: (role, path, table listed, how to add n rows)
    "members": (Role.MANAGER, "members/", "relais_membership", lambda world, n: _members(world.tenant, n)),
    "organisations": (Role.MANAGER, "organisations/", "orgs_organisation",
                      lambda world, n: _organisations(world.tenant, n)),
    "organisations[finance]": (Role.FINANCE, "organisations/", "orgs_organisation",
                               lambda world, n: _organisations(world.tenant, n)),
    "due diligence": (Role.MANAGER, "due-diligence/", "orgs_organisation",
                      lambda world, n: _organisations(world.tenant, n)),
    "applications": (Role.MANAGER, "applications/", "grants_application",
                     lambda world, n: _applications(world.tenant, n)),
    "reviews": (Role.REVIEWER, "reviews/", "grants_review", _reviews),
    "reviews[manager]": (Role.MANAGER, "reviews/", "grants_review", _reviews),
    "calls": (Role.MANAGER, "calls/", "grants_call", lambda world, n: _calls(world.tenant, n)),
}


def _list_queries(client, url) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("name", LISTS)
def test_lists_cost_the_same_queries_for_10_or_500_rows_and_never_count_the_table(worlds, name):
    world_a, world_b = worlds
    role, path, table, add = LISTS[name]
    add(world_b, 20)  # the other tenant has rows too
    add(world_a, 10)
    client = world_a.client_for(role)
    client.get(world_a.url())  # the session's first refresh stamp is written here, not below
    few = _list_queries(client, world_a.url(path))
    add(world_a, 490)
    many = _list_queries(client, world_a.url(path))
    assert len(many) == len(few), "\n".join(many)
    counts = [sql for sql in many if sql.startswith("SELECT COUNT(*)") and f'FROM "{table}"' in sql
              and '"relais_membership"."user_id" =' not in sql]  # the navigation's "several workspaces?"
    assert not counts, f"a page view counted the whole table: {counts}"
    if name == "due diligence":  # statuses, screenings and documents are read for the page's rows only
        per_row = [sql for sql in many if "orgs_organisationdocument" in sql or "orgs_screening" in sql]
        assert per_row and all('"orgs_organisation"."id" IN (' in sql or '"organisation_id" IN (' in sql
                               for sql in per_row), per_row
        # the only other read of the checklist: its required items (the workspace's, not per row)
        assert all(sql.startswith('SELECT "orgs_duediligenceitem"."id"') for sql in many
                   if "orgs_duediligenceitem" in sql and sql not in per_row)
    second = client.get(world_a.url(path), {"page": "2"})
    assert second.status_code == 200 and b"page=1" in second.content  # a link back to the first page


def test_members_page_fits_the_budget_with_500_organisations_and_50_members(world_a):
    from relais.models import Invitation
    from tests.factories import InvitationFactory

    _organisations(world_a.tenant, 500)
    _members(world_a.tenant, 50)
    InvitationFactory.create_batch(5, tenant=world_a.tenant)
    assert Invitation.objects.filter(tenant=world_a.tenant).count() == 5
    response = world_a.client_for(Role.MANAGER).get(world_a.url("members/"))
    check("members with 500 organisations and 50 members", response)
