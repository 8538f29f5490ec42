"""Browser journeys for issue 9, "nothing is done by accident": back after submitting lands on the
record with a message (not "Accès refusé"), and withdrawing goes through a confirmation page that
works without JavaScript, after which the CSO can start a new application."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from grants.models import Application, ApplicationStatus
from relais.models import Role
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, TenantFactory
from tests.grants.conftest import complete_application

pytestmark = pytest.mark.e2e

LOCKED = "Cette demande a été déposée ; elle ne peut plus être modifiée."


def _world(slug: str):
    tenant = TenantFactory(slug=slug, name="Bailleur confirmation", reference_prefix="PD")
    organisation = OrganisationFactory(tenant=tenant)
    applicant = MembershipFactory(tenant=tenant, role=Role.APPLICANT, organisation=organisation,
                                  user__email=f"applicant@{slug}.test")
    return SimpleNamespace(tenant=tenant, organisation=organisation, applicant=applicant)


@pytest.mark.django_db(transaction=True)
def test_back_after_submitting_goes_to_the_record(page, live_server):
    world = _world("retour")
    app = complete_application(world)
    base = f"{live_server.url}/retour/applications/{app.pk}"
    login(page, live_server, world.applicant.user.email, TEST_PASSWORD)
    page.goto(f"{base}/edit/?section=project")
    page.goto(f"{base}/submit/")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".msg-success")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED

    page.go_back()  # the submit page, asked again: the record, with a word why
    page.wait_for_url(f"{base}/")
    assert LOCKED in page.inner_text(".messages")
    assert "Accès refusé" not in page.content()

    page.goto(f"{base}/edit/?section=project")  # an old link to a section
    assert page.url == f"{base}/"
    assert LOCKED in page.inner_text(".messages")


@pytest.mark.django_db(transaction=True)
def test_withdraw_without_javascript_then_start_again(browser, live_server):
    world = _world("retrait")
    app = complete_application(world, status=ApplicationStatus.SUBMITTED)
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        login(page, live_server, world.applicant.user.email, TEST_PASSWORD)
        page.goto(f"{live_server.url}/retrait/applications/{app.pk}/")
        assert page.locator("form button:has-text('Retirer')").count() == 0  # no one-tap withdraw
        page.click("a[href*='target=withdrawn']")
        assert page.locator("h1").inner_text() == "Retirer cette demande ?"
        assert "Cette action est irréversible." in page.inner_text("main")
        page.click("main a:has-text('Annuler')")  # cancel: back to the record, nothing done
        assert page.url == f"{live_server.url}/retrait/applications/{app.pk}/"
        app.refresh_from_db()
        assert app.status == ApplicationStatus.SUBMITTED

        page.click("a[href*='target=withdrawn']")
        page.click("main button.danger")
        page.wait_for_selector(".msg-success")
        app.refresh_from_db()
        assert app.status == ApplicationStatus.WITHDRAWN

        page.goto(f"{live_server.url}/retrait/calls/{app.call.pk}/")
        page.click("main form[action$='/apply/'] button[type=submit]")
        page.wait_for_url("**/edit/**")
        new = Application.objects.exclude(pk=app.pk).get(call=app.call, organisation=world.organisation)
        assert new.status == ApplicationStatus.DRAFT
    finally:
        context.close()
