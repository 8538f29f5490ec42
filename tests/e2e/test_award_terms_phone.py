"""The award terms and grant settings pages on a 360 px phone: nothing wider than the screen, and a
plan saved from the phone adds up exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.models import Tranche
from relais.models import Role
from tests.e2e.conftest import login
from tests.e2e.test_phone_width import OFFENDERS_JS
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, TenantFactory
from tests.grants.factories import AwardBudgetLineFactory, AwardFactory, TrancheFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_terms_and_settings_fit_a_360_px_phone(browser, browser_context_args, live_server):
    tenant = TenantFactory(slug="terms-phone", name="Bailleur termes")
    organisation = OrganisationFactory(tenant=tenant)
    manager = MembershipFactory(tenant=tenant, role=Role.MANAGER, user__email="manager@terms-phone.test")
    award = AwardFactory(tenant=tenant, application__organisation=organisation, amount=Decimal("5000000"))
    TrancheFactory(tenant=tenant, award=award, number=1, amount=Decimal("5000000"))
    AwardBudgetLineFactory(tenant=tenant, award=award, amount=Decimal("5000000"))
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 360, "height": 740}})
    page = context.new_page()
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    for path in (f"awards/{award.pk}/terms/", "awards/settings/"):
        page.goto(f"{live_server.url}/terms-phone/{path}")
        measured = page.evaluate(OFFENDERS_JS, 360)
        assert measured["scrollWidth"] <= 360 and measured["offenders"] == [], (path, measured)
    page.goto(f"{live_server.url}/terms-phone/awards/{award.pk}/terms/")
    page.fill("#id_tranches-0-percent", "60")
    page.fill("#id_tranches-0-due_date", "2026-02-01")
    page.fill("#id_tranches-1-percent", "40")
    page.fill("#id_tranches-1-due_date", "2026-09-01")
    page.get_by_role("button", name="Enregistrer les termes").click()
    page.wait_for_url(f"**/awards/{award.pk}/")
    assert [t.amount for t in Tranche.objects.filter(award=award).order_by("number")] == [Decimal("3000000"),
                                                                                        Decimal("2000000")]
