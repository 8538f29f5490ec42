"""Reminders about progress reports, sent by a daily job (grants.tasks.send_reminders_task, or cron:
``manage.py send_reminders``).

For each report still to submit (to write, or changes requested) of an active or signed award, the
grantee (the organisation's active members and its contacts who accepted e-mails) hears, in their language:
- N days before the due date, for each N of the workspace's GrantSettings.reminder_days (default 14 and 3);
- on the due date;
- then every 7 days while it is overdue (7, 14, 21... days after the due date).
Every Monday, each manager of the workspace gets a digest of the overdue reports and of the submitted
reports waiting for review, only when there is one of either.

Only the day matters: a day the job did not run is not caught up the next day. Never twice for the same
report (or manager's digest) and day: a ReminderLog row (tenant, key, day), unique, is inserted first, in
the same transaction as the outbox's rows; a second run that same day (even at the same time, on another
worker) fails to insert it and sends nothing. The safety section, and no text the grantee wrote, ever goes
into a reminder: only the report's number, the award and the dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.links import absolute_url
from relais.models import OutboundEmail, Tenant
from relais.outbox import Recipient, manager_recipients, organisation_recipients
from relais.services.outbox import email_enqueue

from ..models import AwardStatus, GrantSettings, ProgressReport, ReminderLog, ReportStatus
from ..models.awards import default_reminder_days

# Reports of these awards are reminded; a drafted or issued award has no reports due yet, a closed or
# terminated one no longer expects them.
REMINDED_AWARDS = (AwardStatus.ACTIVE, AwardStatus.SIGNED)
REMINDED_REPORTS = (ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED)
OVERDUE_EVERY_DAYS = 7
DIGEST_WEEKDAY = 0  # Monday
DIGEST_MAX_ROWS = 50  # per list; the digest says how many more there are
REMINDER_DAYS_MAX = 365
REMINDER_DAYS_COUNT_MAX = 10


@dataclass
class Reminder:
    """One reminder queued: its ReminderLog key, its kind (before / due / overdue / digest) and its e-mails."""

    key: str
    kind: str
    days: int = 0  # before: days left; overdue: days late
    emails: list[OutboundEmail] = field(default_factory=list)


# --- the setting ----------------------------------------------------------------------------------

def reminder_days_problems(days: Sequence[object]) -> list[str]:
    """Why a list of reminder days cannot be saved (empty list: nothing, reminders before the due date off)."""
    if len(days) > REMINDER_DAYS_COUNT_MAX:
        return [_("At most %(count)d reminders before the due date.") % {"count": REMINDER_DAYS_COUNT_MAX}]
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= REMINDER_DAYS_MAX:
            return [_("Each reminder is a whole number of days between 1 and %(max)d, for example 14, 3.")
                    % {"max": REMINDER_DAYS_MAX}]
    if len(set(days)) != len(days):
        return [_("Each number of days is given once.")]
    return []


def parse_reminder_days(text: str) -> list[int] | None:
    """'14, 3' -> [14, 3] (largest first); None when a part is not a whole number. Empty: no reminder before."""
    parts = [part.strip() for part in text.replace(";", ",").split(",")]
    if parts == [""]:
        return []
    days = []
    for part in parts:
        if not part.isascii() or not part.isdigit():
            return None
        days.append(int(part))
    return sorted(days, reverse=True)


# --- which reminder, which day ----------------------------------------------------------------------

def reminder_kind(report: ProgressReport, *, today: dt.date, reminder_days: Sequence[int]) -> tuple[str, int] | None:
    """('before', days left) / ('due', 0) / ('overdue', days late) when ``report`` is reminded ``today``."""
    if report.status not in REMINDED_REPORTS:
        return None
    delta = (report.due_date - today).days
    if delta > 0:
        return ("before", delta) if delta in reminder_days else None
    if delta == 0:
        return ("due", 0)
    late = -delta
    return ("overdue", late) if late % OVERDUE_EVERY_DAYS == 0 else None


def _claim(tenant: Tenant, key: str, today: dt.date) -> bool:
    """Insert the day's log row for ``key``; False when it is already there (sent today, or being sent)."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(tenant=tenant, key=key, day=today)
    except IntegrityError:
        return False
    return True


def _report_path(tenant: Tenant, report: ProgressReport) -> str:
    return reverse("grants:report_edit", kwargs={"tenant_slug": tenant.slug, "progressreport_pk": report.pk})


def _report_reminder(actor: Actor, report: ProgressReport, kind: str, days: int, today: dt.date) -> Reminder | None:
    tenant = actor.tenant
    key = f"report:{report.pk}"
    with transaction.atomic():
        if not _claim(tenant, key, today):
            return None
        award = report.award
        path = _report_path(tenant, report)
        # Only what may travel: the number, the award, the dates. Never a section of the report.
        emails = email_enqueue(
            actor=actor, kind="report_reminder", target=report, link=path,
            recipients=organisation_recipients(tenant=tenant, organisation_id=award.organisation_id),
            template="grants/email/report_reminder",
            context={"reminder": kind, "days": days, "report_number": report.number,
                     "kind_label": report.get_kind_display(), "award_reference": award.reference,
                     "award_title": award.title, "organisation": award.organisation.name,
                     "due_date": report.due_date, "url": absolute_url(path)})
    return Reminder(key=key, kind=kind, days=days, emails=emails)


def _digest_row(tenant: Tenant, report: ProgressReport, today: dt.date) -> dict[str, object]:
    award = report.award
    path = reverse("grants:report_detail", kwargs={"tenant_slug": tenant.slug, "progressreport_pk": report.pk})
    return {"report_number": report.number, "award_reference": award.reference, "award_title": award.title,
            "organisation": award.organisation.name, "due_date": report.due_date,
            "days_late": (today - report.due_date).days, "url": absolute_url(path)}


def _digest(actor: Actor, manager: Recipient, overdue: list[ProgressReport], overdue_more: int,
            waiting: list[ProgressReport], waiting_more: int, today: dt.date) -> Reminder | None:
    tenant = actor.tenant
    key = f"digest:{manager.user_id}"
    path = reverse("grants:report_list", kwargs={"tenant_slug": tenant.slug})
    with transaction.atomic():
        if not _claim(tenant, key, today):
            return None
        emails = email_enqueue(
            actor=actor, kind="report_digest", target=tenant, recipients=[manager], link=path,
            template="grants/email/report_digest",
            context={"overdue": [_digest_row(tenant, r, today) for r in overdue], "overdue_more": overdue_more,
                     "waiting": [_digest_row(tenant, r, today) for r in waiting], "waiting_more": waiting_more,
                     "url": absolute_url(path)})
    return Reminder(key=key, kind="digest", emails=emails)


def _report_rows(queryset: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    return queryset.select_related("award", "award__organisation").only(
        "id", "tenant_id", "number", "kind", "status", "due_date", "award__reference", "award__title",
        "award__status", "award__organisation_id", "award__organisation__name")


def send_reminders(*, tenant: Tenant, today: dt.date) -> list[Reminder]:
    """Queue the day's reminders of ``tenant`` (``today`` is the workspace's local date) and return them.
    Running it again the same day queues nothing new."""
    actor = Actor.system(tenant)
    settings = GrantSettings.objects.filter(tenant=tenant).only("reminder_days").first()
    reminder_days = list(settings.reminder_days if settings is not None else default_reminder_days())
    # The days on which a report is reminded today: its due date is today + N, today, or 7k days ago.
    horizon = max([0, *reminder_days])
    open_reports = ProgressReport.objects.filter(
        tenant=tenant, status__in=REMINDED_REPORTS, award__status__in=REMINDED_AWARDS,
        due_date__lte=today + dt.timedelta(days=horizon))
    sent: list[Reminder] = []
    for report in _report_rows(open_reports.order_by("due_date", "id")):
        which = reminder_kind(report, today=today, reminder_days=reminder_days)
        if which is not None:
            reminder = _report_reminder(actor, report, which[0], which[1], today)
            if reminder is not None:
                sent.append(reminder)
    if today.weekday() == DIGEST_WEEKDAY:
        overdue_qs = open_reports.filter(due_date__lt=today).order_by("due_date", "id")
        waiting_qs = ProgressReport.objects.filter(tenant=tenant, status=ReportStatus.SUBMITTED).order_by(
            "submitted_at", "id")
        overdue = list(_report_rows(overdue_qs)[:DIGEST_MAX_ROWS + 1])
        waiting = list(_report_rows(waiting_qs)[:DIGEST_MAX_ROWS + 1])
        if overdue or waiting:
            overdue_more = overdue_qs.count() - DIGEST_MAX_ROWS if len(overdue) > DIGEST_MAX_ROWS else 0
            waiting_more = waiting_qs.count() - DIGEST_MAX_ROWS if len(waiting) > DIGEST_MAX_ROWS else 0
            for manager in manager_recipients(tenant=tenant):
                reminder = _digest(actor, manager, overdue[:DIGEST_MAX_ROWS], overdue_more,
                                   waiting[:DIGEST_MAX_ROWS], waiting_more, today)
                if reminder is not None:
                    sent.append(reminder)
    return sent


def send_reminders_all(*, today: dt.date) -> dict[str, int]:
    """Every active workspace's reminders for ``today``: how many reminders and e-mails were queued."""
    reminders = emails = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        for reminder in send_reminders(tenant=tenant, today=today):
            reminders += 1
            emails += len(reminder.emails)
    return {"reminders": reminders, "emails": emails}
