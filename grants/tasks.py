"""Background work for grants: closing calls at their deadline (e-mails leave from the kernel's outbox)."""

from __future__ import annotations

from django_tasks import task


@task()
def close_due_calls() -> int:
    from .services.calls import close_due_calls as close

    return close()
