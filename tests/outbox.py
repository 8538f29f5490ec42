"""Test helpers for the outbox: send what the worker would send."""

from __future__ import annotations

from relais.actor import Actor
from relais.models import Invitation, OutboundEmail
from relais.outbox import Recipient
from relais.services.outbox import email_enqueue, invitation_context, outbox_deliver, redacted_link


def send_invitation_email(invitation: Invitation) -> OutboundEmail:
    """What the worker does for an invitation: the queued outbox row (made here for a factory's
    invitation that has none) is sent, its link rebuilt at that moment."""
    row = OutboundEmail.objects.filter(tenant_id=invitation.tenant_id, kind="invitation",
                                       target_id=str(invitation.pk), status="queued").first()
    if row is None:
        [row] = email_enqueue(actor=Actor.system(invitation.tenant), kind="invitation", target=invitation,
                              recipients=[Recipient(email=invitation.email)], template="relais/email/invitation",
                              context=invitation_context(invitation, redacted_link()))
    outbox_deliver(email_id=row.pk)
    row.refresh_from_db()
    return row
