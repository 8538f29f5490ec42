"""Phones (360 px) are first-class: every page every demo role reaches from its dashboard fits a 360 px
screen once the stylesheet has loaded. Nothing is wider than the viewport except inside a box that
scrolls sideways on its own (a wide table in its .table-wrap).

The pages are crawled, not listed: pages other engineers add are covered as soon as a link leads there.
"""

from __future__ import annotations

import re
import time
from collections import deque
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.core.management import call_command

from grants.models import Award, AwardStatus
from orgs.demo import DEMO_PASSWORD, DEMO_ROLES, TENANTS, demo_email
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 360
MAX_PAGES_PER_ROLE = 60
# The same page shape (ids replaced, same query keys) is visited at most this often per role:
# two applications' sections are checked, not the twentieth.
MAX_PER_SHAPE = 2
# Not pages: files, exports, leaving the session, the admin, another workspace's URLs.
SKIPPED = re.compile(r"/(pdf|download|export[^/]*|admin|accounts|i18n)(/|$)|\.(csv|xlsx|pdf|zip)$|/documents/\d+/$")

# For every element that sticks out of the viewport on the right (off-screen to the left is
# deliberate, e.g. the skip link), that is not inside a box that
# scrolls (or clips) sideways: "tag.class (right edge px)".
OFFENDERS_JS = """(width) => {
  const out = [];
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 1 && !scrolls(el)) {
      const cls = (el.getAttribute('class') || '').trim().replace(/\\s+/g, '.');
      const id = el.id ? '#' + el.id : '';
      out.push(`${el.tagName.toLowerCase()}${cls ? '.' + cls : ''}${id} (${Math.round(r.right)} px)`);
      if (out.length >= 5) break;
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, offenders: out};
}"""

# The stylesheet has loaded and applies (a page measured without it would be meaningless).
STYLED_JS = """() => [...document.styleSheets].some(s => (s.href || '').includes('relais/relais.css')
                       && s.cssRules.length > 10)"""


def _shape(url: str) -> str:
    """The page shape: ids replaced, and the query's values kept (`?section=budget` is its own page)
    except ids and sort orders (the same page in another order)."""
    parts = urlsplit(url)
    query = sorted((k, "<n>" if v.isdigit() or k in ("sort", "order") else v)
                   for k, v in parse_qsl(parts.query) if k != "page")
    return re.sub(r"/\d+(?=/)", "/<n>", parts.path) + "?" + urlencode(query)


def _wanted(url: str, *, origin: str, tenant_slug: str, other_slugs: set[str]) -> str | None:
    """The link to visit (without its fragment), or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or SKIPPED.search(parts.path):
        return None
    first = parts.path.strip("/").split("/")[0]
    if first in other_slugs and first != tenant_slug:
        return None
    query = parse_qsl(parts.query)
    for key, value in query:
        if key == "page" and (not value.isdigit() or int(value) > 2):
            return None
        if key in ("format", "download"):
            return None
    return parts.path + (f"?{urlencode(query)}" if query else "")


# Pages of issues 11 and 12 each role must reach (page shapes without the workspace): the crawl's bounds
# must not silently drop them as pages are added.
REQUIRED = {
    "manager": {"/awards/<n>/", "/awards/<n>/terms/", "/awards/settings/", "/finance/", "/reports/",
                "/reports/<n>/"},
    "finance": {"/awards/<n>/", "/awards/<n>/payments/new/", "/finance/", "/reports/", "/reports/<n>/"},
    "applicant": {"/awards/<n>/", "/reports/", "/reports/<n>/", "/reports/<n>/edit/"},
}


def crawl(browser, browser_context_args, live_server, *, email: str, tenant_slug: str,
          starts: tuple[str, ...] = (), reached: set[str] | None = None) -> tuple[int, list[str]]:
    """Visit every page reachable from the dashboard, then from `starts` (pages the dashboard's links
    reach only beyond the bounds); return the count and the problems. `reached` gets the page shapes."""
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": WIDTH, "height": 740}})
    page = context.new_page()
    problems: list[str] = []
    try:
        login(page, live_server, email, DEMO_PASSWORD)
        page.wait_for_load_state()
        other_slugs = {spec["slug"] for spec in TENANTS}
        start = f"/{tenant_slug}/"
        queue, seen, shapes, visited = deque([start, *starts]), {start, *starts}, {}, 0
        while queue and visited < MAX_PAGES_PER_ROLE:
            path = queue.popleft()
            shape = _shape(path)
            if shapes.get(shape, 0) >= MAX_PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            try:
                response = page.goto(live_server.url + path, wait_until="load")
            except Exception:  # a download starts instead of a page: not a page to measure
                continue
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            visited += 1
            if reached is not None:
                reached.add(shape.removeprefix(f"/{tenant_slug}").removesuffix("?"))
            assert page.evaluate(STYLED_JS), f"{path}: the stylesheet did not load"
            result = page.evaluate(OFFENDERS_JS, WIDTH)
            if result["scrollWidth"] > WIDTH or result["offenders"]:
                problems.append(f"{email} {path}: page {result['scrollWidth']} px wide; "
                                f"too wide: {', '.join(result['offenders']) or '-'}")
            hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
            for href in hrefs:
                target = _wanted(href.split("#")[0], origin=live_server.url, tenant_slug=tenant_slug,
                                 other_slugs=other_slugs)
                if target and target not in seen:
                    seen.add(target)
                    queue.append(target)
    finally:
        context.close()
    return visited, problems


def test_every_page_of_every_demo_role_fits_a_360_px_phone(browser, browser_context_args, live_server, settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", "--quiet-accounts")
    settings.DEBUG = False
    started = time.monotonic()
    problems: list[str] = []
    pages = 0
    # Every role in the first workspace (reviewer2 and finance2 see what reviewer and finance see); the
    # second workspace's applicant drafts another application.
    accounts = [(local, TENANTS[0]["slug"]) for local, _role in DEMO_ROLES if not local[-1].isdigit()]
    accounts += [("applicant", TENANTS[1]["slug"])]
    # The drafted award (its terms page) is the third award of the manager's list: beyond MAX_PER_SHAPE.
    drafted = Award.objects.filter(tenant__slug=TENANTS[0]["slug"], status=AwardStatus.DRAFTED).order_by("id")[0]
    starts = {("manager", TENANTS[0]["slug"]): (f"/{TENANTS[0]['slug']}/awards/{drafted.pk}/",)}
    for local, slug in accounts:
        reached: set[str] = set()
        count, found = crawl(browser, browser_context_args, live_server, email=demo_email(local, slug),
                             tenant_slug=slug, starts=starts.get((local, slug), ()), reached=reached)
        assert count > 3, f"{local}@{slug}: only {count} pages reached"
        missing = REQUIRED.get(local, set()) - reached
        assert not missing, f"{local}@{slug}: the walk did not reach {sorted(missing)}"
        pages += count
        problems += found
    print(f"\n360 px walk: {pages} pages in {time.monotonic() - started:.0f} s")
    assert not problems, "Pages wider than a 360 px phone:\n" + "\n".join(problems)
