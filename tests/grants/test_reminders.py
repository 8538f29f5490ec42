"""Report reminders (issue 12): which reminder goes on which day, never twice a day, the managers' weekly
digest, the recipient's language, never the safety section, the command and the task, the workspace's
local date at midnight."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from grants import tasks
from grants.models import AwardStatus, GrantSettings, ReminderLog, ReportStatus
from grants.services.reminders import (
    parse_reminder_days,
    reminder_days_problems,
    send_reminders,
    send_reminders_all,
)
from relais.models import OutboundEmail, Role
from tests.factories import MembershipFactory
from tests.grants.factories import AwardFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 7, 15)  # a Wednesday
MONDAY_AFTER = dt.date(2026, 7, 20)
SECRET = "Menace contre une animatrice de Sévaré"


def _report(world, *, due=DUE, status=ReportStatus.DRAFT, award_status=AwardStatus.ACTIVE, **extra):
    award = AwardFactory(tenant=world.tenant, status=award_status, application__organisation=world.organisation)
    return ProgressReportFactory(tenant=world.tenant, award=award, due_date=due, status=status,
                                 safety_incidents=SECRET, activities="Ateliers à Mopti", **extra)


def _kinds(world, day):
    return [(r.kind, r.days) for r in send_reminders(tenant=world.tenant, today=day)]


def test_which_reminder_goes_on_which_day(world_a):
    _report(world_a)
    days = {}
    day = DUE - dt.timedelta(days=20)
    while day <= DUE + dt.timedelta(days=30):
        sent = [(r.kind, r.days) for r in send_reminders(tenant=world_a.tenant, today=day) if r.kind != "digest"]
        if sent:
            days[day] = sent
        day += dt.timedelta(days=1)
    assert days == {
        DUE - dt.timedelta(days=14): [("before", 14)],
        DUE - dt.timedelta(days=3): [("before", 3)],
        DUE: [("due", 0)],
        DUE + dt.timedelta(days=7): [("overdue", 7)],
        DUE + dt.timedelta(days=14): [("overdue", 14)],
        DUE + dt.timedelta(days=21): [("overdue", 21)],
        DUE + dt.timedelta(days=28): [("overdue", 28)],
    }


def test_the_workspace_chooses_the_days_before(world_a):
    GrantSettings.objects.create(tenant=world_a.tenant, reminder_days=[5])
    _report(world_a)
    assert _kinds(world_a, DUE - dt.timedelta(days=14)) == []
    assert _kinds(world_a, DUE - dt.timedelta(days=5)) == [("before", 5)]


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.APPROVED])
def test_no_reminder_once_submitted_or_approved(world_a, status):
    _report(world_a, status=status)
    for day in (DUE - dt.timedelta(days=3), DUE, DUE + dt.timedelta(days=7)):
        assert _kinds(world_a, day) == []
    assert not OutboundEmail.objects.filter(kind="report_reminder").exists()


def test_changes_requested_is_reminded_like_a_draft(world_a):
    _report(world_a, status=ReportStatus.CHANGES_REQUESTED)
    assert _kinds(world_a, DUE) == [("due", 0)]


@pytest.mark.parametrize("award_status", [AwardStatus.DRAFTED, AwardStatus.ISSUED, AwardStatus.CLOSED,
                                          AwardStatus.TERMINATED])
def test_only_reports_of_active_or_signed_awards(world_a, award_status):
    _report(world_a, award_status=award_status)
    assert _kinds(world_a, DUE) == []
    _report(world_a, award_status=AwardStatus.SIGNED)
    assert _kinds(world_a, DUE) == [("due", 0)]


def test_running_twice_the_same_day_sends_nothing_new(world_a):
    report = _report(world_a)
    first = send_reminders(tenant=world_a.tenant, today=DUE)
    assert [r.kind for r in first] == ["due"] and first[0].emails
    count = OutboundEmail.objects.count()
    assert send_reminders(tenant=world_a.tenant, today=DUE) == []
    assert OutboundEmail.objects.count() == count
    assert list(ReminderLog.objects.values_list("key", "day")) == [(f"report:{report.pk}", DUE)]


def test_the_grantee_hears_in_its_language_with_the_link_and_never_the_safety_section(world_a):
    applicant = world_a.user(Role.APPLICANT)
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    colleague = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation,
                                  user__email="collegue@tenant-a.test", user__language="fr").user
    report = _report(world_a)
    send_reminders(tenant=world_a.tenant, today=DUE - dt.timedelta(days=3))
    emails = {e.recipient: e for e in OutboundEmail.objects.filter(kind="report_reminder")}
    assert set(emails) == {applicant.email, colleague.email}
    english, french = emails[applicant.email], emails[colleague.email]
    assert english.subject == f"Progress report {report.number} of {report.award.reference} due in 3 days"
    assert "is due on July 15, 2026, in 3 days." in english.body
    assert f"/tenant-a/reports/{report.pk}/edit/" in english.body
    assert french.subject == f"Rapport d’avancement {report.number} de {report.award.reference} attendu dans 3 jours"
    assert "15 juillet 2026" in french.body
    assert english.link == french.link == f"/tenant-a/reports/{report.pk}/edit/"
    for email in emails.values():
        assert SECRET not in email.body + email.subject
        assert "Mopti" not in email.body


def test_overdue_reminder_says_how_late(world_a):
    _report(world_a)
    send_reminders(tenant=world_a.tenant, today=DUE + dt.timedelta(days=14))
    email = OutboundEmail.objects.get(kind="report_reminder")
    assert "en retard" in email.subject
    assert "il y a 14 jours" in email.body


def test_the_weekly_digest_lists_overdue_and_waiting_reports_for_each_manager(world_a, world_b):
    overdue = _report(world_a, due=MONDAY_AFTER - dt.timedelta(days=2))
    waiting = _report(world_a, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
    not_yet = _report(world_a, due=MONDAY_AFTER + dt.timedelta(days=1))
    _report(world_b, due=MONDAY_AFTER - dt.timedelta(days=2))
    second = MembershipFactory(tenant=world_a.tenant, role=Role.MANAGER, user__email="m2@tenant-a.test",
                               user__language="en").user
    sent = send_reminders(tenant=world_a.tenant, today=MONDAY_AFTER)
    digests = [r for r in sent if r.kind == "digest"]
    assert {r.key for r in digests} == {f"digest:{world_a.user(Role.MANAGER).pk}", f"digest:{second.pk}"}
    emails = {e.recipient: e for e in OutboundEmail.objects.filter(kind="report_digest")}
    # Managers only: not finance, reviewers, the grantee, nor the other workspace's managers.
    assert set(emails) == {"manager@tenant-a.test", "m2@tenant-a.test"}
    french, english = emails["manager@tenant-a.test"], emails["m2@tenant-a.test"]
    assert french.subject == "Rapports d’avancement : le point de la semaine"
    assert english.subject == "Progress reports: this week's summary"
    assert f"report {overdue.number} of {overdue.award.reference}: due on July 18, 2026, 2 days late" in english.body
    assert f"/tenant-a/reports/{overdue.pk}/" in english.body
    assert "Submitted reports waiting for your review:" in english.body
    assert f"/tenant-a/reports/{waiting.pk}/" in english.body
    assert f"/tenant-a/reports/{not_yet.pk}/" not in english.body
    for email in emails.values():
        assert SECRET not in email.body and "Mopti" not in email.body
    # Once a day only.
    assert [r for r in send_reminders(tenant=world_a.tenant, today=MONDAY_AFTER) if r.kind == "digest"] == []


def test_no_digest_without_anything_to_say_nor_on_other_days(world_a):
    _report(world_a, due=MONDAY_AFTER + dt.timedelta(days=10))
    assert [r for r in send_reminders(tenant=world_a.tenant, today=MONDAY_AFTER) if r.kind == "digest"] == []
    _report(world_a, due=MONDAY_AFTER - dt.timedelta(days=3))
    tuesday = MONDAY_AFTER + dt.timedelta(days=1)
    assert [r for r in send_reminders(tenant=world_a.tenant, today=tuesday) if r.kind == "digest"] == []
    assert not OutboundEmail.objects.filter(kind="report_digest").exists()


def test_the_command_runs_for_every_active_workspace_and_a_given_date(world_a, world_b):
    _report(world_a)
    _report(world_b)
    out = StringIO()
    call_command("send_reminders", "--date", DUE.isoformat(), stdout=out)
    assert out.getvalue().strip() == "2026-07-15: 2 reminder(s), 2 e-mail(s) queued."
    assert set(OutboundEmail.objects.filter(kind="report_reminder").values_list("tenant__slug", flat=True)) == {
        "tenant-a", "tenant-b"}
    out = StringIO()
    call_command("send_reminders", "--date", DUE.isoformat(), stdout=out)
    assert "0 reminder(s)" in out.getvalue()
    world_b.tenant.is_active = False
    world_b.tenant.save(update_fields=["is_active"])
    assert send_reminders_all(today=DUE + dt.timedelta(days=7)) == {"reminders": 1, "emails": 1}


def test_the_command_refuses_a_bad_date(world_a):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "15/07/2026")


def _at(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize(("zone", "reminded"), [("Africa/Bamako", False), ("Africa/Nairobi", True)])
def test_the_task_uses_the_workspaces_local_date_around_midnight(world_a, settings, monkeypatch, zone, reminded):
    """23:30 UTC on the day before the due date: still that day in Bamako (UTC+0), already the due date in
    Nairobi (UTC+3)."""
    settings.TIME_ZONE = zone
    _report(world_a)
    _at(monkeypatch, dt.datetime.combine(DUE - dt.timedelta(days=1), dt.time(23, 30), tzinfo=dt.UTC))
    result = tasks.send_reminders_task.enqueue()
    assert result.return_value == {"reminders": int(reminded), "emails": int(reminded)}
    assert OutboundEmail.objects.filter(kind="report_reminder").exists() is reminded


def test_the_command_default_date_is_local_too(world_a, settings, monkeypatch):
    settings.TIME_ZONE = "Africa/Nairobi"
    _report(world_a)
    _at(monkeypatch, dt.datetime.combine(DUE - dt.timedelta(days=1), dt.time(21, 0), tzinfo=dt.UTC))
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("2026-07-15: 1 reminder(s)")


def test_the_task_reschedules_itself_for_the_next_morning_when_the_backend_can(world_a, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    _at(monkeypatch, dt.datetime(2026, 7, 14, 23, 30, tzinfo=dt.UTC))
    settings.TIME_ZONE = "Africa/Nairobi"
    assert tasks.next_reminders_run(timezone.now()) == dt.datetime(2026, 7, 16, 4, 0, tzinfo=dt.UTC)
    tasks.send_reminders_task.call(reschedule=True)
    queued = default_task_backend.results
    assert len(queued) == 1
    assert queued[0].task.run_after == dt.datetime(2026, 7, 16, 4, 0, tzinfo=dt.UTC)
    assert queued[0].kwargs == {"reschedule": True}
    default_task_backend.clear()
    tasks.send_reminders_task.call()
    assert default_task_backend.results == []


# --- the setting ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [("14, 3", [14, 3]), ("3,14", [14, 3]), (" 7 ", [7]), ("", []),
                                                 ("14; 3", [14, 3]), ("1.5", None), ("-3", None), ("x", None),
                                                 ("14,,3", None), ("٣", None)])
def test_parse_reminder_days(text, expected):
    assert parse_reminder_days(text) == expected


@pytest.mark.parametrize(("days", "problem"), [
    ([14, 3], None), ([], None), ([0], "between 1 and 365"), ([400], "between 1 and 365"),
    ([3, 3], "once"), (list(range(1, 12)), "At most 10"), ([True], "between 1 and 365"),
])
def test_reminder_days_problems(english, days, problem):
    problems = reminder_days_problems(days)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]
