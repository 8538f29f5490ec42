"""Page weight and queries of the main pages with the demo data, per demo role.

Prints, for each page: gzip size of the HTML, first load (HTML + CSS + JS,
gzip) and the number of SQL queries. The budget (30 KB / 60 KB) is enforced by
tests/relais/test_page_weight.py; this script reports the figures on realistic data.
"""

from __future__ import annotations

import gzip
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["VAR_DIR"] = "/tmp/relais-bench-var"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ASSET_RE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="/static/([^"?#]+)"')
PAGES = {
    "manager": ["", "organisations/", "calls/", "calls/1/ranking/", "applications/", "applications/4/",
                "due-diligence/", "members/", "audit/"],
    "reviewer": ["", "reviews/"],
    "finance": ["", "organisations/"],
    "applicant": ["", "calls/", "applications/", "applications/1/edit/", "my-organisation/"],
}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def main() -> None:
    setup_test_environment()
    settings.DEBUG = True
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet-accounts", verbosity=0)
    print(f"{'page':48} {'HTML gz':>8} {'1st load':>9} {'queries':>8}")
    for role, paths in PAGES.items():
        client = Client()
        client.post("/accounts/login/", {"login": f"{role}@peace-direct.demo", "password": "relais-demo-2026"})
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/peace-direct/{path}", follow=True)
            html = response.content
            total = gz(html)
            for asset in set(ASSET_RE.findall(html.decode())):
                with open(finders.find(asset), "rb") as handle:
                    total += gz(handle.read())
            print(f"{role + ' /peace-direct/' + path:48} {gz(html):>8} {total:>9} {len(queries):>8}")


if __name__ == "__main__":
    main()
