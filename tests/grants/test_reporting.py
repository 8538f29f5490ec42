"""Progress reports: the schedule follows the tranches, the timing follows the dates, approval releases
the next tranche, and the variance rule asks for explanations where the money moved off budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.conditions import tranche_conditions
from grants.models import Award, ProgressReport, ReportKind, ReportStatus, ReportTiming
from grants.reporting import ExpenseLine, report_problems
from grants.services.applications import application_transition
from grants.services.reports import report_save, report_transition
from relais.errors import Refused
from relais.models import Role
from tests.grants.conftest import complete_application
from tests.grants.factories import AwardBudgetLineFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db


def _award(world):
    app = complete_application(world, status="decision_pending")
    application_transition(application=app, target="approved", actor=world.actor(Role.MANAGER), amount="4000000",
                           reason="Oui")
    award = Award.objects.get(application=app)
    Award.objects.filter(pk=award.pk).update(status="active")
    award.refresh_from_db()
    return award


def test_the_schedule_has_an_interim_report_before_each_later_tranche_and_a_final_one(world_a):
    award = _award(world_a)
    reports = list(ProgressReport.objects.filter(award=award).order_by("number"))
    assert [(r.number, r.kind, r.gates_tranche.number if r.gates_tranche else None) for r in reports] == [
        (1, ReportKind.INTERIM, 2), (2, ReportKind.INTERIM, 3), (3, ReportKind.FINAL, None)]
    for earlier, later in zip(reports, reports[1:], strict=False):
        assert later.period_start == earlier.period_end + dt.timedelta(days=1)
    assert reports[-1].due_date == award.end_date + dt.timedelta(days=30)


@pytest.mark.parametrize(("today", "timing"), [
    (dt.date(2026, 6, 14), ReportTiming.UPCOMING),  # 31 days before
    (dt.date(2026, 6, 15), ReportTiming.DUE),  # 30 days before: due
    (dt.date(2026, 7, 15), ReportTiming.DUE),  # the due date itself is not late
    (dt.date(2026, 7, 16), ReportTiming.OVERDUE),
])
def test_timing_around_the_due_date(world_a, today, timing):
    report = ProgressReportFactory(tenant=world_a.tenant, due_date=dt.date(2026, 7, 15))
    assert report.timing(today) == timing
    report.status = ReportStatus.SUBMITTED
    assert report.timing(dt.date(2026, 8, 1)) is None  # submitted: no longer late


def test_approving_the_report_releases_the_tranche_it_gates(world_a):
    award = _award(world_a)
    report = ProgressReport.objects.get(award=award, number=1)
    tranche = report.gates_tranche
    state = {c.code: c for c in tranche_conditions(tranche, actor=world_a.actor(Role.FINANCE),
                                                   today=timezone.localdate())}
    assert not state["previous_report"].met
    applicant = world_a.actor(Role.APPLICANT)
    lines = {line.pk: (Decimal("0"), "") for line in award.budget_lines.all()}
    report_save(report=report, actor=applicant, expenses=lines,
                sections={"activities": "Ateliers", "results": "Résultats", "next_steps": "Suite"})
    report_transition(report=report, actor=applicant, target=ReportStatus.SUBMITTED)
    report_transition(report=report, actor=world_a.actor(Role.MANAGER), target=ReportStatus.APPROVED)
    state = {c.code: c for c in tranche_conditions(tranche, actor=world_a.actor(Role.FINANCE),
                                                   today=timezone.localdate())}
    assert state["previous_report"].met


def test_an_incomplete_report_cannot_be_submitted_and_says_why(world_a):
    award = _award(world_a)
    report = ProgressReport.objects.get(award=award, number=1)
    problems = report_problems(report)
    assert any("Activités réalisées" in p or "activités réalisées" in p for p in problems)
    with pytest.raises(Refused):
        report_transition(report=report, actor=world_a.actor(Role.APPLICANT), target=ReportStatus.SUBMITTED)


def test_the_variance_rule(world_a):
    line = AwardBudgetLineFactory.build(amount=Decimal("1000000"))
    spent = ExpenseLine(line, before=Decimal("600000"), amount=Decimal("550000"), explanation="",
                        threshold=Decimal("10"), final=False)
    assert spent.variance == Decimal("15.0") and spent.needs_explanation  # overspent by 15 % > 10 %
    under = ExpenseLine(line, before=Decimal("0"), amount=Decimal("500000"), explanation="", threshold=Decimal("10"),
                        final=False)
    assert not under.needs_explanation  # an interim report is expected to be under budget
    final = ExpenseLine(line, before=Decimal("0"), amount=Decimal("500000"), explanation="", threshold=Decimal("10"),
                        final=True)
    assert final.needs_explanation  # but the final one explains a 50 % underspend


def test_only_the_grantee_writes_its_report(world_a):
    award = _award(world_a)
    report = ProgressReport.objects.get(award=award, number=1)
    with pytest.raises(Refused):
        report_save(report=report, actor=world_a.actor(Role.MANAGER), sections={"activities": "x"})


def test_the_award_closes_only_on_its_approved_final_report_and_settled_tranches(world_a):
    from grants.models import AwardStatus, Tranche
    from grants.services.awards import award_transition, tranche_cancel

    award = _award(world_a)
    manager = world_a.actor(Role.MANAGER)
    for tranche in Tranche.objects.filter(award=award):
        tranche_cancel(tranche=tranche, actor=manager, reason="Projet arrêté d'un commun accord")
    with pytest.raises(Refused) as refused:
        award_transition(award=award, actor=manager, target=AwardStatus.CLOSED)
    assert any("rapport final" in message for message in refused.value.messages)
    final = ProgressReport.objects.get(award=award, kind=ReportKind.FINAL)
    ProgressReport.objects.filter(pk=final.pk).update(status=ReportStatus.APPROVED)
    award.refresh_from_db()
    award_transition(award=award, actor=manager, target=AwardStatus.CLOSED)
    award.refresh_from_db()
    assert award.status == AwardStatus.CLOSED
