"""Two reminder runs at once (two workers, or cron and the task): the ReminderLog row is inserted first,
in the outbox's transaction, so exactly one of them queues the e-mails (PostgreSQL only)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from grants.models import AwardStatus, ReminderLog
from grants.services import reminders as service
from relais.models import OutboundEmail
from tests.grants.factories import AwardFactory, ProgressReportFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUE_MONDAY = dt.date(2026, 7, 20)


def test_two_runs_at_once_send_each_reminder_once(world_a, monkeypatch):
    award = AwardFactory(tenant=world_a.tenant, status=AwardStatus.ACTIVE,
                         application__organisation=world_a.organisation)
    report = ProgressReportFactory(tenant=world_a.tenant, award=award, due_date=DUE_MONDAY)
    late = ProgressReportFactory(tenant=world_a.tenant, award=award, due_date=DUE_MONDAY - dt.timedelta(days=7))
    original = service.email_enqueue

    def slow_enqueue(**kwargs):
        # Widen the race: the outbox rows are written, not yet committed, while the other run tries.
        rows = original(**kwargs)
        time.sleep(0.2)
        return rows

    monkeypatch.setattr(service, "email_enqueue", slow_enqueue)
    barrier = threading.Barrier(2)
    results: list[list[service.Reminder]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(service.send_reminders(tenant=world_a.tenant, today=DUE_MONDAY))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 2
    keys = sorted(r.key for result in results for r in result)
    # The due report, the one a week late, and the manager's Monday digest: each once, across both runs.
    assert keys == sorted([f"report:{report.pk}", f"report:{late.pk}",
                           f"digest:{world_a.user('manager').pk}"])
    assert ReminderLog.objects.count() == 3
    assert OutboundEmail.objects.filter(kind="report_reminder").count() == 2
    assert OutboundEmail.objects.filter(kind="report_digest").count() == 1
