"""The budget editor on a phone: lines are cards, "Ajouter une ligne" adds one without a reload, and
the added line is saved with the others."""

from __future__ import annotations

import pytest

from grants.models import Application
from relais.models import Role
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, TenantFactory
from tests.grants.factories import BudgetCategoryFactory, CallFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_add_a_line_without_a_reload_on_a_360_px_phone(browser, browser_context_args, live_server):
    tenant = TenantFactory(slug="budget-phone", name="Bailleur budget")
    organisation = OrganisationFactory(tenant=tenant)
    applicant = MembershipFactory(tenant=tenant, role=Role.APPLICANT, organisation=organisation,
                                  user__email="applicant@budget-phone.test")
    category = BudgetCategoryFactory(tenant=tenant, name_fr="Personnel et indemnités")
    app = Application.objects.create(tenant=tenant, call=CallFactory(tenant=tenant, currency="XOF"),
                                     organisation=organisation)
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 360, "height": 740}})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, applicant.user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/budget-phone/applications/{app.pk}/edit/?section=budget")
    rows = page.locator("#lines-rows > tr")
    assert rows.count() == 5
    # A card: the category select takes the card's width and shows its whole label.
    select = page.locator("#id_lines-0-category")
    assert select.bounding_box()["width"] > 250
    assert page.locator("label[for=id_lines-0-unit_cost]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="Ajouter une ligne").click()
    assert rows.count() == 6  # no reload: the typed lines stay as they are
    assert page.input_value("#id_lines-TOTAL_FORMS") == "6"
    assert page.locator("#id_lines-5-unit_cost").get_attribute("step") == "1"
    page.select_option("#id_lines-5-category", str(category.pk))
    page.fill("#id_lines-5-description", "Animatrice")
    page.fill("#id_lines-5-quantity", "2.5")
    page.fill("#id_lines-5-unit_cost", "40000")
    page.click("button[name=go][value=budget]")
    page.wait_for_selector(".msg-success")
    line = app.budget_lines.get()
    assert (line.description, str(line.quantity), str(line.unit_cost)) == ("Animatrice", "2.50", "40000.00")
    app.refresh_from_db()
    assert app.requested_amount == 100000
    assert page.locator("#lines-rows > tr").count() == 1 + 3  # blank lines again after the save
    assert page.input_value("#id_lines-0-quantity") == "2.5"
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
