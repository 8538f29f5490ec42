"""Journey (issue 3): a user registers their CSO with a programme and uploads a
due-diligence document; a manager accepts the document and verifies the CSO."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from orgs.models import Organisation, OrganisationDocument, ReviewStatus
from relais.models import Role
from tests.dd_samples import pdf_bytes
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, MembershipFactory, RegionFactory, TenantFactory, UserFactory
from tests.factories_dd import DueDiligenceItemFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]



def test_applicant_registers_organisation_and_manager_verifies(page, live_server, tmp_path):
    tenant = TenantFactory(slug="peace-demo", name="Programme de paix", applicants_may_self_register=True)
    item = DueDiligenceItemFactory(tenant=tenant, name="Récépissé d'enregistrement", required=True)
    scan = tmp_path / "recepisse.pdf"
    scan.write_bytes(pdf_bytes("Récépissé"))
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

    page.get_by_role("link", name="Documents et diligence raisonnable").click()
    section = page.locator(f"#item-{item.pk}")
    section.locator("input[type=file]").set_input_files(str(scan))
    section.get_by_role("button", name="Déposer").click()
    expect(page.locator(".messages")).to_contain_text("recepisse.pdf")

    page.context.clear_cookies()
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{tenant.slug}/organisations/?q=segou")
    page.click("text=AFSP")
    page.click("form:has(input[name=status][value=verified]) button[type=submit]")
    page.wait_for_selector(".badge.ok")
    organisation.refresh_from_db()
    assert organisation.status == "verified"

    page.get_by_role("link", name="Documents et diligence raisonnable").click()
    section = page.locator(f"#item-{item.pk}")
    section.locator("summary", has_text="Vérifier").click()
    section.get_by_label("Accepter").check()
    section.get_by_role("button", name="Enregistrer la vérification").click()
    expect(page.locator("main")).to_contain_text("Diligence raisonnable complète")
    assert OrganisationDocument.objects.get(organisation=organisation).review_status == ReviewStatus.ACCEPTED
