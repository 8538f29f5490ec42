"""Background work for HUB2 mobile-money payments: sending a recorded payment, polling statuses."""

from __future__ import annotations

from django_tasks import task


@task()
def hub2_send_task(disbursement_id: int) -> str:
    from .services.hub2 import hub2_send

    return hub2_send(disbursement_id=disbursement_id)


@task()
def hub2_poll_task() -> dict[str, int]:
    from .services.hub2 import hub2_poll

    return hub2_poll()
