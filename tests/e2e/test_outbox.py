"""The outbox and the invitation link in a real browser, on a 360 px phone: the page does not scroll
sideways (the table scrolls inside its box), a failed e-mail is resent, the link copies with JavaScript
and is there to select without it."""

import re

import pytest
from playwright.sync_api import expect

from relais.models import Role
from relais.services import tenancy
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, OutboundEmailFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def _page_is_narrow(page) -> bool:
    """Nothing makes the page scroll sideways (a table may scroll inside its own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_manager_resends_a_failed_email_from_the_outbox_on_a_phone(live_server, page, worlds):
    world_a, world_b = worlds
    page.set_viewport_size(PHONE)
    OutboundEmailFactory(tenant=world_a.tenant, recipient="tres.long.adresse.de.contact@association-de-mopti.org",
                         subject="Document à fournir de nouveau : Statuts", status="failed",
                         failure_reason="SMTPRecipientsRefused: 550 5.1.1 Mailbox unavailable")
    OutboundEmailFactory(tenant=world_b.tenant, recipient="autre@wanep.example.org")
    login(page, live_server, world_a.user(Role.MANAGER).email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{world_a.tenant.slug}/outbox/")
    expect(page.locator("h1")).to_have_text("Boîte d'envoi")
    expect(page.get_by_text("550 5.1.1 Mailbox unavailable")).to_be_visible()
    expect(page.get_by_text("autre@wanep.example.org")).to_have_count(0)
    assert _page_is_narrow(page)
    page.get_by_role("button", name="Renvoyer").click()
    expect(page.locator(".messages")).to_contain_text("remis en file d'attente")
    assert _page_is_narrow(page)  # the message names the long address: it wraps


def test_the_invitation_link_copies_with_javascript(live_server, browser, worlds):
    world_a, _ = worlds
    _invitation, token = tenancy.invitation_create(actor=world_a.actor(Role.MANAGER), email="perdu@example.org",
                                                   role=Role.REVIEWER)
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    login(page, live_server, world_a.user(Role.MANAGER).email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{world_a.tenant.slug}/members/")
    button = page.locator("button[data-copy]")
    expect(button).to_have_text("Copier le lien")
    button.click()
    expect(button).to_have_text("Copié")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/invitations/{token}/")
    assert _page_is_narrow(page)
    context.close()


def test_without_javascript_the_link_is_there_to_select(live_server, browser, worlds):
    world_a, _ = worlds
    _invitation, token = tenancy.invitation_create(actor=world_a.actor(Role.MANAGER), email="perdu@example.org",
                                                   role=Role.REVIEWER)
    context = browser.new_context(locale="fr-FR", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    login(page, live_server, world_a.user(Role.MANAGER).email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/{world_a.tenant.slug}/members/")
    link = page.locator("input[id^=invitation-link-]")
    expect(link).to_have_value(re.compile(rf"/invitations/{re.escape(token)}/$"))
    expect(link).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copier le lien")).to_be_hidden()
    context.close()
