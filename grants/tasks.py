"""Background work for grants: closing calls at their deadline, generating agreements in bulk (e-mails
leave from the kernel's outbox)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def close_due_calls() -> int:
    from .services.calls import close_due_calls as close

    return close()


@task()
def agreements_generate_bulk(*, tenant_id: int, award_ids: list[int], language: str | None = None) -> dict[str, int]:
    """Generate a new agreement version for each drafted award of the list, as the system (each in its own
    transaction: one refusal does not undo the others). Returns how many were generated and refused."""
    from relais.actor import Actor
    from relais.errors import Refused
    from relais.models import Tenant

    from .models import Award
    from .services.agreements import agreement_generate

    tenant = Tenant.objects.get(pk=tenant_id)
    actor = Actor.system(tenant)
    generated = refused = 0
    for award in Award.objects.filter(tenant=tenant, pk__in=award_ids).select_related("tenant").order_by("pk"):
        try:
            agreement_generate(award=award, actor=actor, language=language)
        except Refused:
            refused += 1
        else:
            generated += 1
    return {"generated": generated, "refused": refused, "missing": len(set(award_ids)) - generated - refused}


# Local time at which the self-rescheduled reminders run each day.
REMINDERS_HOUR = 7


def next_reminders_run(now: dt.datetime) -> dt.datetime:
    """The next day's REMINDERS_HOUR o'clock, in the server's time zone (settings.TIME_ZONE), aware."""
    local = timezone.localtime(now)
    day = local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(REMINDERS_HOUR)))


@task()
def send_reminders_task(*, reschedule: bool = False) -> dict[str, int]:
    """The day's report reminders and managers' digests of every active workspace (see
    grants.services.reminders). With ``reschedule`` and a backend that can defer tasks (the database
    queue can), it queues itself again for the next day at 07:00 local time; enqueue it once that way
    (``manage.py send_reminders --schedule``) or run ``manage.py send_reminders`` from cron instead."""
    from .services.reminders import send_reminders_all

    counts = send_reminders_all(today=timezone.localdate())
    if reschedule and send_reminders_task.get_backend().supports_defer:
        send_reminders_task.using(run_after=next_reminders_run(timezone.now())).enqueue(reschedule=True)
    return counts
