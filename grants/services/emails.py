"""E-mails about applications, through the kernel's outbox.

The receipt goes to the person who submitted; decisions and refusal reasons (changes requested,
not eligible, approved, rejected) go to the organisation's active members and to its contact
people who accepted e-mails, so a CSO without an account is told too.
"""

from __future__ import annotations

from django.urls import reverse

from relais.actor import Actor
from relais.links import absolute_url
from relais.models import OutboundEmail
from relais.outbox import Recipient, organisation_recipients
from relais.services.outbox import email_enqueue

from ..models import Application, ApplicationStatus

S = ApplicationStatus

# Which e-mail each target state sends.
EMAIL_ON: dict[str, str] = {
    S.SUBMITTED: "receipt", S.CHANGES_REQUESTED: "changes_requested", S.INELIGIBLE: "ineligible",
    S.APPROVED: "approved", S.REJECTED: "rejected",
}
# The e-mails that tell the organisation a decision (the receipt only confirms a submission).
DECISION_EMAILS = frozenset({"changes_requested", "ineligible", "approved", "rejected"})


def application_recipients(*, application: Application, kind: str, actor: Actor) -> list[Recipient]:
    if kind == "receipt" and actor.user is not None:
        return [Recipient.of_user(actor.user)]
    return organisation_recipients(tenant=actor.tenant, organisation_id=application.organisation_id)


def application_email(*, application: Application, kind: str, actor: Actor) -> list[OutboundEmail]:
    """Queue the e-mail of `kind` about `application` (inside the step's transaction)."""
    path = reverse("grants:application_detail", kwargs={"tenant_slug": actor.tenant.slug,
                                                        "application_pk": application.pk})
    return email_enqueue(
        actor=actor, kind=f"application_{kind}", target=application,
        recipients=application_recipients(application=application, kind=kind, actor=actor),
        template="grants/email/application", link=path,
        context={"application": application, "kind": kind, "url": absolute_url(path)},
    )
