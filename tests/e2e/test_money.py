"""Browser journey (issue 11): the manager issues the agreement, the grantee accepts it electronically, the
manager countersigns, finance pays the first tranche by mobile money and, above the threshold, a second
finance member approves it; the award shows the tranche paid and the ledger, and the grantee's e-mails wait
in the outbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from grants.models import (
    ApplicationStatus,
    Award,
    AwardStatus,
    Disbursement,
    DisbursementStatus,
    LedgerEntry,
    Rail,
)
from grants.services.award_terms import PLAN_PERCENT, BudgetLineTerms, TrancheTerms, award_terms_save
from grants.services.awards import award_create
from orgs.services.screening import sanctions_list_import, screening_run
from relais.actor import Actor
from relais.models import OutboundEmail, Role
from tests.conftest import _world
from tests.e2e.conftest import PHONE, assert_fits_phone, login
from tests.factories import TEST_PASSWORD
from tests.grants.factories import ApplicationFactory, BudgetLineFactory, CallFactory, GrantSettingsFactory
from tests.grants.payables import second_finance, verified_payment_details

pytestmark = pytest.mark.e2e

UN_SAMPLE = django_settings.BASE_DIR / "orgs" / "fixtures" / "sanctions_sample_un.xml"


def logout(page, live_server):
    page.goto(f"{live_server.url}/")
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()


def spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def drafted_award(world, *, amount: Decimal = Decimal("5000000")) -> Award:
    """An approved application's award, drafted, whose first tranche needs the signed agreement and a clear
    screening (set through the terms, as the manager does on the terms page)."""
    row = GrantSettingsFactory(tenant=world.tenant)
    row.approval_thresholds = {"XOF": "1000000"}
    row.save()
    manager = world.actor(Role.MANAGER)
    call = CallFactory(tenant=world.tenant, currency="XOF", status="closed", min_grant=Decimal("1"),
                       max_grant=amount * 2, envelope=amount * 10)
    application = ApplicationFactory(tenant=world.tenant, call=call, organisation=world.organisation,
                                     status=ApplicationStatus.APPROVED, requested_amount=amount,
                                     awarded_amount=amount, reference="ARG-2026-0001",
                                     start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    BudgetLineFactory(tenant=world.tenant, application=application)  # 10 × 500 000 = the amount
    award = award_create(application=application, actor=manager)
    start = award.start_date or timezone.localdate()
    later = ("agreement_signed", "screening", "previous_report")
    award_terms_save(
        award=award, actor=manager, title=award.title, start_date=start, end_date=award.end_date,
        plan=PLAN_PERCENT,
        budget_lines=[BudgetLineTerms(line.category_id, line.description, line.amount)
                      for line in award.budget_lines.order_by("id")],
        tranches=[TrancheTerms(start, ("agreement_signed", "screening"), percent=Decimal(40)),
                  TrancheTerms(start + dt.timedelta(days=120), later, percent=Decimal(40)),
                  TrancheTerms(start + dt.timedelta(days=240), later, percent=Decimal(20))])
    award.refresh_from_db()
    return award


@pytest.mark.django_db(transaction=True)
def test_agreement_signature_and_a_mobile_money_payment_approved_by_a_second_finance_member(page, live_server):
    world = _world("argent", "Bailleur de l'argent")
    manager, grantee = world.members[Role.MANAGER], world.members[Role.APPLICANT]
    finance = world.members[Role.FINANCE]
    finance2 = second_finance(world)
    award = drafted_award(world)
    verified_payment_details(world, verifier=world.actor(Role.FINANCE))  # the CSO's mobile money number
    sanctions_list_import(actor=Actor.system(world.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                          source_format="un_xml")
    assert screening_run(actor=world.actor(Role.MANAGER), organisation=world.organisation).decision == "clear"
    award_url = f"{live_server.url}/argent/awards/{award.pk}/"
    page.set_viewport_size(PHONE)  # every page of the journey is checked at 360 px

    # The manager reads a draft, then issues the agreement from the award page.
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(award_url)
    assert_fits_phone(page)
    page.click("#agreement button:has-text('Générer')")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    page.click("#agreement button:has-text('Émettre')")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    award.refresh_from_db()
    assert award.status == AwardStatus.ISSUED
    logout(page, live_server)

    # The grantee reads and accepts it: typed full name and the box.
    login(page, live_server, grantee.user.email, TEST_PASSWORD)
    page.goto(award_url)
    assert_fits_phone(page)
    page.click("#agreement a.button")
    page.wait_for_url("**/agreement/sign/")
    assert_fits_phone(page)
    page.fill("#id_full_name", "Mariam Cissé")
    page.check("#id_accepted")
    page.click("#accept button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    award.refresh_from_db()
    assert award.status == AwardStatus.SIGNED
    assert "Mariam Cissé" in page.inner_text("#agreement")
    logout(page, live_server)

    # The manager countersigns.
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(award_url)
    assert_fits_phone(page)
    page.click("#agreement button:has-text('Contresigner')")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE and award.countersigned_by_id == manager.user_id
    logout(page, live_server)

    # Finance records the first tranche by mobile money: above the threshold, it waits for approval.
    tranche = award.tranches.get(number=1)
    login(page, live_server, finance.user.email, TEST_PASSWORD)
    page.goto(award_url)
    assert_fits_phone(page)
    page.click("#payments a.button")
    page.wait_for_url("**/payments/new/")
    assert_fits_phone(page)
    page.select_option("#id_tranche", str(tranche.pk))
    page.select_option("#id_rail", Rail.MOBILE_MONEY)
    page.select_option("#id_operator", "orange_money")
    page.fill("#id_amount", "2000000")
    page.fill("#id_paid_on", timezone.localdate().isoformat())
    page.fill("#id_reference", "OM-2026-77")
    page.click("main form button[type=submit]")
    page.wait_for_url("**#payments")
    assert_fits_phone(page)
    payment = Disbursement.objects.get(award=award)
    assert (payment.rail, payment.status, payment.amount) == (
        Rail.MOBILE_MONEY, DisbursementStatus.AWAITING_APPROVAL, Decimal("2000000"))
    assert page.locator(f"#payment-{payment.pk} button:has-text('Approuver')").count() == 0  # not their own
    logout(page, live_server)

    # The other finance member approves it.
    login(page, live_server, finance2.user.email, TEST_PASSWORD)
    page.goto(award_url)
    assert_fits_phone(page)
    page.click(f"#payment-{payment.pk} button:has-text('Approuver')")
    page.wait_for_selector(".msg-success")
    assert_fits_phone(page)
    payment.refresh_from_db()
    assert payment.status == DisbursementStatus.PAID and payment.approved_by_id == finance2.user_id
    assert payment.payee == {"operator": "orange_money", "number": "+223 70 12 34 56", "holder": "Mariam Cissé"}

    # The award page: the tranche paid, the payment and the ledger row.
    page.goto(award_url)
    assert_fits_phone(page)
    paid_cell = page.inner_text("#tranches tbody tr:first-child td:nth-child(3)")
    assert paid_cell.replace("\u202f", " ").replace("\xa0", " ") == "2 000 000 FCFA", paid_cell
    payments_text = page.inner_text("#payments").replace("\u202f", " ").replace("\xa0", " ")
    assert "Mobile money" in payments_text or "mobile" in payments_text.lower()
    ledger = page.inner_text("#payments table")
    assert "2 000 000" in ledger.replace("\u202f", " ").replace("\xa0", " "), ledger
    assert LedgerEntry.objects.filter(award=award, tranche=tranche).count() == 1
    tranche.refresh_from_db()
    assert tranche.paid == Decimal("2000000")

    # The finance page lists the award (its paid amount).
    page.goto(f"{live_server.url}/argent/finance/")
    assert_fits_phone(page)
    assert award.reference in page.inner_text("main")

    logout(page, live_server)

    # The grantee sees the payment paid, to their own number in full.
    login(page, live_server, grantee.user.email, TEST_PASSWORD)
    page.goto(award_url)
    assert_fits_phone(page)
    own = spaces(page.inner_text(f"#payment-{payment.pk}"))
    assert "Payé" in own and "+223 70 12 34 56" in own and "Orange" in own, own
    assert page.locator("#payments a.button").count() == 0  # no "record a payment" for the grantee

    # The grantee's e-mails: agreement ready, countersigned, payment sent.
    kinds = set(OutboundEmail.objects.filter(recipient=grantee.user.email).values_list("kind", flat=True))
    assert {"award_agreement_ready", "award_countersigned", "award_payment_sent"} <= kinds, kinds
