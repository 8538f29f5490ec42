"""Journey: an applicant uploads a document on their organisation's due-diligence page;
a manager accepts it and the organisation's due diligence becomes complete."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from orgs.models import OrganisationDocument, ReviewStatus
from relais.models import Role
from tests.dd_samples import pdf_bytes
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD
from tests.factories_dd import DueDiligenceItemFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]



def test_applicant_uploads_and_manager_accepts(page, live_server, world_a, browser, tmp_path):
    item = DueDiligenceItemFactory(tenant=world_a.tenant, name="Statuts et règlement intérieur", required=True)
    dd_url = f"{live_server.url}{world_a.url(f'organisations/{world_a.organisation.pk}/due-diligence/')}"
    scan = tmp_path / "statuts-signes.pdf"
    scan.write_bytes(pdf_bytes("Statuts signés"))

    # The applicant uploads on their organisation's page.
    login(page, live_server, world_a.user(Role.APPLICANT).email, TEST_PASSWORD)
    page.goto(dd_url)
    expect(page.locator("h1")).to_contain_text("Diligence raisonnable")
    section = page.locator(f"#item-{item.pk}")
    expect(section).to_contain_text("manquant")
    section.locator("input[type=file]").set_input_files(str(scan))
    section.get_by_role("button", name="Déposer").click()
    expect(page.locator(".messages")).to_contain_text("statuts-signes.pdf")
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("à vérifier")
    document = OrganisationDocument.objects.get()
    assert document.uploaded_by == world_a.user(Role.APPLICANT)
    assert document.content_type == "application/pdf"

    # The manager verifies it.
    manager_context = browser.new_context(locale="fr-FR")
    manager = manager_context.new_page()
    login(manager, live_server, world_a.user(Role.MANAGER).email, TEST_PASSWORD)
    manager.goto(dd_url)
    section = manager.locator(f"#item-{item.pk}")
    expect(section.get_by_role("link", name="statuts-signes.pdf")).to_be_visible()
    section.locator("summary", has_text="Vérifier").click()
    section.get_by_label("Accepter").check()
    section.get_by_role("button", name="Enregistrer la vérification").click()
    expect(manager.locator(".messages")).to_contain_text("Vérification enregistrée")
    expect(manager.locator("main")).to_contain_text("Diligence raisonnable complète")
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.ACCEPTED
    assert document.reviewed_by == world_a.user(Role.MANAGER)
    manager_context.close()
