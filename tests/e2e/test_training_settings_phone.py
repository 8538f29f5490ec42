"""The training settings on a 360 px phone: a manager opens them from the session list, sets a 70 %
threshold and protected-by-default, and a new session's form then comes pre-ticked; every page fits."""

from __future__ import annotations

import pytest

from relais.models import Role
from tests.e2e.conftest import PHONE, assert_fits_phone, login
from tests.factories import TEST_PASSWORD, MembershipFactory, TenantFactory
from tests.training.factories import TopicFactory
from training.models import TrainingSettings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_the_training_settings_on_a_phone(browser, browser_context_args, live_server):
    tenant = TenantFactory(slug="tsettings-phone", name="Bailleur formations")
    TopicFactory(tenant=tenant)
    manager = MembershipFactory(tenant=tenant, role=Role.MANAGER, user__email="manager@tsettings-phone.test")
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    page = context.new_page()
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/tsettings-phone/training/")
    assert_fits_phone(page)
    page.get_by_role("link", name="Paramètres des formations").click()
    page.wait_for_url("**/training/settings/")
    assert_fits_phone(page)
    assert page.input_value("#id_certificate_threshold") == "80"
    page.fill("#id_certificate_threshold", "70")
    page.check("#id_protect_new_sessions")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/training/settings/")
    assert_fits_phone(page)
    saved = TrainingSettings.objects.get(tenant=tenant)
    assert saved.certificate_threshold == 70 and saved.protect_new_sessions
    page.goto(f"{live_server.url}/tsettings-phone/training/new/")
    assert_fits_phone(page)
    assert page.is_checked("#id_protected")
    context.close()
