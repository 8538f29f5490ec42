"""Browser journey (issue 12): the grantee writes the first progress report over two sessions and submits it;
the manager asks for a change on one section; the grantee reads the comment, changes the section and
resubmits; the manager approves; finance sees the next tranche's "previous report" condition met."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.models import ProgressReport, ReportStatus, Tranche
from relais.models import Role
from tests.conftest import _world
from tests.e2e.conftest import PHONE, assert_fits_phone, login
from tests.factories import TEST_PASSWORD
from tests.grants.factories import AwardBudgetLineFactory
from tests.grants.payables import payable_award

pytestmark = pytest.mark.e2e


def logout(page, live_server):
    page.goto(f"{live_server.url}/")
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()


def spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.django_db(transaction=True)
def test_report_written_in_two_sessions_sent_back_resubmitted_approved_releases_the_next_tranche(page, live_server):
    world = _world("rapports", "Bailleur des rapports")
    grantee, manager = world.members[Role.APPLICANT], world.members[Role.MANAGER]
    finance = world.members[Role.FINANCE]
    p = payable_award(world)
    award = p.award
    line = AwardBudgetLineFactory(tenant=world.tenant, award=award, description="Ateliers de dialogue",
                                  amount=Decimal("5000000"))
    # The second tranche waits for the first report (and nothing else).
    Tranche.objects.filter(award=award, number=2).update(conditions=["previous_report"])
    report = ProgressReport.objects.get(award=award, number=1)
    assert report.gates_tranche_id == p.tranche(2).pk
    edit_url = f"{live_server.url}/rapports/reports/{report.pk}/edit/"
    detail_url = f"{live_server.url}/rapports/reports/{report.pk}/"
    page.set_viewport_size(PHONE)  # every page of the journey is checked at 360 px

    # Session 1: from the reports list, the grantee types two sections and saves.
    login(page, live_server, grantee.user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/rapports/reports/")
    assert_fits_phone(page)
    page.click(f"main a[href$='/reports/{report.pk}/edit/']")
    page.wait_for_url("**/edit/")
    assert_fits_phone(page)
    page.fill("#id_activities", "Six ateliers de dialogue tenus à Ségou.")
    page.fill("#id_results", "Deux comités de paix créés.")
    page.click("button[name=go][value=_save]")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    logout(page, live_server)

    # Session 2: the text is still there; the rest is filled and the report submitted.
    login(page, live_server, grantee.user.email, TEST_PASSWORD)
    page.goto(edit_url)
    assert_fits_phone(page)
    assert page.input_value("#id_activities") == "Six ateliers de dialogue tenus à Ségou."
    assert page.input_value("#id_results") == "Deux comités de paix créés."
    page.fill("#id_next_steps", "Former les comités.")
    page.fill(f"#id_e{line.pk}_amount", "1500000")
    page.click("button[name=go][value=_submit]")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED, page.inner_text("main")
    logout(page, live_server)

    # The manager asks for a change on the results section.
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(detail_url)
    assert_fits_phone(page)
    page.click("details.review-field:has(#id_c_results) summary")
    page.fill("#id_c_results", "Précisez combien de femmes siègent dans les comités.")
    page.fill("#id_message", "Merci, un seul point à compléter.")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED
    assert report.review_comments["results"] == "Précisez combien de femmes siègent dans les comités."
    logout(page, live_server)

    # The grantee sees the comment beside the section, changes it and resubmits.
    login(page, live_server, grantee.user.email, TEST_PASSWORD)
    page.goto(edit_url)
    assert_fits_phone(page)
    assert "Merci, un seul point à compléter." in page.inner_text("main")
    assert "Précisez combien de femmes siègent dans les comités." in page.inner_text("main")
    page.fill("#id_results", "Deux comités de paix créés, dont 9 femmes sur 20 membres.")
    page.click("button[name=go][value=_submit]")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.results == "Deux comités de paix créés, dont 9 femmes sur 20 membres."
    logout(page, live_server)

    # The manager approves.
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(detail_url)
    assert_fits_phone(page)
    assert "dont 9 femmes" in page.inner_text("main")
    page.click("form:has(input[name=target][value=approved]) button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    logout(page, live_server)

    # Finance: on the award, the second tranche's "previous report" condition is met; on the finance page
    # the tranche is ready to pay.
    login(page, live_server, finance.user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/rapports/awards/{award.pk}/")
    assert_fits_phone(page)
    second = spaces(page.inner_text("#tranches tbody tr:nth-child(2)"))
    assert "✓ Rapport d’avancement précédent approuvé" in second, second
    assert "✗" not in second, second
    page.goto(f"{live_server.url}/rapports/finance/")
    assert_fits_phone(page)
    rows = [spaces(row).split("\t") for row in page.locator("#to-pay tbody tr").all_inner_texts()]
    second_row = next(cells for cells in rows if cells[0] == award.reference and cells[2].startswith("2"))
    assert "Prête à payer" in second_row[-1], rows
