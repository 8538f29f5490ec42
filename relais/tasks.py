"""Background work of the kernel: every e-mail leaves from the outbox's one task."""

from __future__ import annotations

from django_tasks import task


@task()
def send_outbound_email(*, outbound_email_id: int) -> None:
    """Send one outbox row (its id only is queued: the stored arguments hold no address nor link)."""
    from relais.services.outbox import outbox_deliver

    outbox_deliver(email_id=outbound_email_id)
