"""Page budget: HTML <= 30 KB gzip; HTML + CSS + JS + fonts <= 60 KB gzip on first load.

Pages are discovered: the public pages plus every tenant URL without an object
id, for every role that may open it.
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from relais.models import Role
from tests.harness import tenant_routes

HTML_BUDGET = 30 * 1024
FIRST_LOAD_BUDGET = 60 * 1024
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
