"""Browser journeys: Playwright drives Debian's chromium (never a downloaded one)."""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise RuntimeError("Debian's chromium is required for browser tests: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR"}


def login(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")


PHONE = {"width": 360, "height": 740}


def assert_fits_phone(page) -> None:
    """The page shown fits a 360 px screen (see test_phone_width: nothing sticks out except inside a box
    that scrolls sideways). Journeys run at that width to check pages the demo does not reach."""
    from tests.e2e.test_phone_width import OFFENDERS_JS

    page.wait_for_load_state()
    result = page.evaluate(OFFENDERS_JS, PHONE["width"])
    assert result["scrollWidth"] <= PHONE["width"] and not result["offenders"], (
        f"{page.url}: page {result['scrollWidth']} px wide; too wide: {', '.join(result['offenders']) or '-'}")


@pytest.fixture(autouse=True)
def _fresh_login_limits():
    """Each journey starts with allauth's rate-limit counters empty: they live in the cache, which the live
    server shares with the tests, and the journeys together log in more than 30 times a minute from
    127.0.0.1 (the "login" limit), which turned later journeys' logins into refusals."""
    from django.core.cache import cache

    cache.clear()
    yield
