"""Phones (360 px): the manager's menu folds into one line (a <details>, no JavaScript needed) and a
wide table keeps its key column in view while the rest scrolls sideways in its own box."""

from __future__ import annotations

import pytest

from relais.models import Role
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _phone(browser, browser_context_args, *, javascript: bool = True):
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 360, "height": 740},
                                     "java_script_enabled": javascript})
    return context, context.new_page()


def test_the_manager_menu_takes_one_line_on_a_phone_and_opens_without_javascript(
        browser, browser_context_args, live_server, world_a):
    context, page = _phone(browser, browser_context_args, javascript=False)
    login(page, live_server, world_a.user(Role.MANAGER).email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{world_a.tenant.slug}/organisations/")
    summary = page.locator("header nav summary")
    assert summary.is_visible() and summary.bounding_box()["height"] < 50
    assert page.locator("header").bounding_box()["height"] < 740 / 4  # it took half the first screen
    members = page.locator("header nav a[href$='/members/']")
    assert not members.is_visible()
    summary.click()
    assert members.is_visible()
    context.close()


def test_on_a_wide_screen_the_menu_is_open(page, live_server, world_a):
    login(page, live_server, world_a.user(Role.MANAGER).email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{world_a.tenant.slug}/organisations/")
    assert not page.locator("header nav summary").is_visible()
    assert page.locator("header nav a[href$='/members/']").is_visible()


def test_a_wide_table_scrolls_in_its_box_with_the_organisation_name_in_view(
        browser, browser_context_args, live_server, world_a):
    context, page = _phone(browser, browser_context_args)
    login(page, live_server, world_a.user(Role.MANAGER).email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{world_a.tenant.slug}/organisations/")
    key = page.locator("td.key").first
    wrap = "el => el.closest('.table-wrap, .table-container')"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert key.evaluate(f"el => ({wrap})(el).scrollWidth > ({wrap})(el).clientWidth")  # wider: it scrolls
    before = key.bounding_box()["x"]
    key.evaluate(f"el => {{ ({wrap})(el).scrollLeft = 400; }}")
    assert key.evaluate(f"el => ({wrap})(el).scrollLeft") > 100
    assert abs(key.bounding_box()["x"] - before) < 2  # sticky: still where it was, readable
    context.close()
