"""Foundation journey: the applicant logs in, sees the French dashboard,
switches to English, logs out; a non-member gets 404 on another tenant."""

import re

import pytest
from playwright.sync_api import expect

from relais.models import Role
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_applicant_french_dashboard_switch_to_english_and_logout(live_server, page, worlds):
    world_a, _ = worlds
    login(page, live_server, world_a.user(Role.APPLICANT).email, TEST_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{world_a.tenant.slug}/$"))
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text(world_a.organisation.name)).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    page.goto(f"{live_server.url}/{world_a.tenant.slug}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_non_member_gets_404_on_another_tenant(live_server, page, worlds):
    world_a, world_b = worlds
    login(page, live_server, world_b.user(Role.MANAGER).email, TEST_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{world_b.tenant.slug}/$"))
    response = page.goto(f"{live_server.url}/{world_a.tenant.slug}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable")
