"""Journey: a verified user joins a programme by registering their CSO; a manager verifies it."""

from __future__ import annotations

import pytest

from orgs.models import Organisation, Role
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, MembershipFactory, RegionFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_applicant_registers_organisation_and_manager_verifies(page, live_server):
    tenant = TenantFactory(slug="peace-demo", name="Programme de paix", applicants_may_self_register=True)
    RegionFactory(tenant=tenant, name="Ségou")
    manager = MembershipFactory(tenant=tenant, role=Role.MANAGER, user__email="manager@e2e.test")
    UserFactory(email="awa@e2e.test")

    login(page, live_server, "awa@e2e.test", TEST_PASSWORD)
    page.goto(f"{live_server.url}/join/")
    page.click("text=Programme de paix")
    page.fill("input[name=new-name]", "Association des femmes de Ségou pour la paix")
    page.fill("input[name=new-acronym]", "AFSP")
    page.select_option("select[name=new-region]", label="Ségou")
    page.click("form:has(input[value=register]) button[type=submit]")
    page.wait_for_selector("h1:has-text('Association des femmes de Ségou pour la paix')")
    assert page.locator(".badge.warn").first.is_visible()
    organisation = Organisation.objects.get(acronym="AFSP")
    assert organisation.status == "pending"

    page.context.clear_cookies()
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{tenant.slug}/organisations/?q=segou")
    page.click("text=AFSP")
    page.click("form:has(input[name=status][value=verified]) button[type=submit]")
    page.wait_for_selector(".badge.ok")
    organisation.refresh_from_db()
    assert organisation.status == "verified"
