"""seed_demo for grants: every application state, reviews from both reviewers, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from grants.models import Application, ApplicationStatus, Call, CallStatus, Review


@pytest.mark.django_db
def test_seed_demo_is_complete_and_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-accounts")
    counts = (Call.objects.count(), Application.objects.count(), Review.objects.count())
    call_command("seed_demo", "--quiet-accounts")
    assert (Call.objects.count(), Application.objects.count(), Review.objects.count()) == counts
    for slug in ("peace-direct", "wanep-mali"):
        statuses = set(Application.objects.filter(tenant__slug=slug).values_list("status", flat=True))
        assert statuses == set(ApplicationStatus.values)
        assert set(Call.objects.filter(tenant__slug=slug).values_list("status", flat=True)) == {
            CallStatus.OPEN, CallStatus.DECIDED}
        reviewers = set(Review.objects.filter(tenant__slug=slug).values_list("reviewer__email", flat=True))
        assert reviewers == {f"reviewer@{slug}.demo", f"reviewer2@{slug}.demo"}
        assert not Application.objects.filter(tenant__slug=slug).exclude(call__tenant__slug=slug).exists()


@pytest.mark.django_db
def test_the_demo_has_per_workspace_an_active_award_with_a_paid_first_tranche_one_in_euros_and_one_to_issue(settings):
    from decimal import Decimal

    from grants.models import Award, AwardStatus, Disbursement, DisbursementStatus, LedgerEntry

    settings.DEBUG = True
    call_command("seed_demo", quiet_accounts=True)
    for slug in ("peace-direct", "wanep-mali"):
        awards = Award.objects.filter(tenant__slug=slug)
        xof = awards.get(currency="XOF", status=AwardStatus.ACTIVE)
        first, second = xof.tranches.order_by("number")[:2]
        assert first.paid == first.amount and second.paid == 0
        assert "previous_report" in second.conditions  # waiting for the first progress report
        eur = awards.get(currency="EUR", status=AwardStatus.ACTIVE)
        payment = Disbursement.objects.get(award=eur)
        assert (payment.status, payment.paid_currency, payment.rate) == (DisbursementStatus.PAID, "XOF",
                                                                          Decimal("655.957"))
        assert awards.filter(status=AwardStatus.DRAFTED).exists()
        assert LedgerEntry.objects.filter(award__tenant__slug=slug).count() == 2
    call_command("seed_demo", quiet_accounts=True)  # idempotent: nothing paid twice
    assert Disbursement.objects.count() == 4


@pytest.mark.django_db
def test_the_demo_has_indicator_targets_and_reports_approved_due_and_overdue(settings):
    from django.utils import timezone

    from grants.models import (
        Award,
        AwardStatus,
        Indicator,
        IndicatorTarget,
        IndicatorValue,
        ReportExpense,
        ReportStatus,
        ReportTiming,
    )
    from grants.selectors.indicators import award_progress, call_indicators

    settings.DEBUG = True
    call_command("seed_demo", quiet_accounts=True)
    today = timezone.localdate()
    for slug in ("peace-direct", "wanep-mali"):
        assert Indicator.objects.filter(tenant__slug=slug, is_active=True).count() == 4
        awards = Award.objects.filter(tenant__slug=slug, status=AwardStatus.ACTIVE)
        xof, eur = awards.get(currency="XOF"), awards.get(currency="EUR")
        for award in (xof, eur):
            assert IndicatorTarget.objects.filter(award=award).count() == 4
        # The FCFA award: report 1 overdue (tranche 2 waits for it), report 2 due within 30 days.
        first, second = xof.reports.order_by("number")[:2]
        assert (first.status, first.timing(today), first.gates_tranche.number) == (
            ReportStatus.DRAFT, ReportTiming.OVERDUE, 2)
        assert (second.status, second.timing(today)) == (ReportStatus.DRAFT, ReportTiming.DUE)
        tranches = xof.tranches.order_by("number")
        assert tranches[0].paid == tranches[0].amount and tranches[1].paid == 0
        # The euro award: report 1 approved, with values by sex and age band and its expenses.
        approved = eur.reports.get(number=1)
        assert approved.status == ReportStatus.APPROVED
        assert IndicatorValue.objects.filter(report=approved).exclude(sex="").exclude(age_band="").exists()
        assert ReportExpense.objects.filter(report=approved).count() == eur.budget_lines.count() > 0
        people = award_progress(award=eur)[0]
        assert people.approved > 0 and people.breakdown.by_sex and people.breakdown.youth_share
        assert call_indicators(call=eur.call)[0].approved == people.approved
    counts = (IndicatorTarget.objects.count(), IndicatorValue.objects.count(), ReportExpense.objects.count())
    call_command("seed_demo", quiet_accounts=True)  # idempotent
    assert (IndicatorTarget.objects.count(), IndicatorValue.objects.count(), ReportExpense.objects.count()) == counts
    assert Award.objects.filter(reports__status=ReportStatus.APPROVED).count() == 2
