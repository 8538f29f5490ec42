"""E-mails about awards, through the kernel's outbox: the grantee (its active members and the
contact people who accepted e-mails) hears when the agreement is ready to sign, when it is
countersigned, and when a payment is sent; finance hears when a Stripe payment could not be sent. Amounts,
never payment numbers, are written."""

from __future__ import annotations

from django.urls import reverse

from relais.actor import Actor
from relais.links import absolute_url
from relais.models import OutboundEmail, Role
from relais.outbox import organisation_recipients, role_recipients
from relais.services.outbox import email_enqueue

from ..models import Award, Disbursement

AWARD_EMAIL_KINDS = ("agreement_ready", "countersigned", "payment_sent")


def _award_path(award: Award, actor: Actor) -> str:
    return reverse("grants:award_detail", kwargs={"tenant_slug": actor.tenant.slug, "award_pk": award.pk})


def award_email(*, award: Award, kind: str, actor: Actor, disbursement: Disbursement | None = None,
                ) -> list[OutboundEmail]:
    """Queue the e-mail of ``kind`` (one of AWARD_EMAIL_KINDS) to the grantee, inside the step's transaction."""
    if kind not in AWARD_EMAIL_KINDS:
        raise ValueError(kind)
    path = _award_path(award, actor)
    target = disbursement if disbursement is not None else award
    return email_enqueue(
        actor=actor, kind=f"award_{kind}", target=target,
        recipients=organisation_recipients(tenant=actor.tenant, organisation_id=award.organisation_id),
        template="grants/email/award", link=path,
        context={"award": award, "kind": kind, "disbursement": disbursement, "url": absolute_url(path)},
    )


def payment_sent_email(*, disbursement: Disbursement, actor: Actor) -> list[OutboundEmail]:
    return award_email(award=disbursement.award, kind="payment_sent", actor=actor, disbursement=disbursement)


def payment_send_stalled_email(*, disbursement: Disbursement, actor: Actor, attempts: int) -> list[OutboundEmail]:
    """Relais stopped trying to send a Stripe payment: the workspace's finance members (its managers when it
    has none) are told, each in their language, with a link to the finance page where they act. No account
    number is written."""
    recipients = (role_recipients(tenant=actor.tenant, role=Role.FINANCE)
                  or role_recipients(tenant=actor.tenant, role=Role.MANAGER))
    path = reverse("grants:finance", kwargs={"tenant_slug": actor.tenant.slug}) + "#processing"
    return email_enqueue(
        actor=actor, kind="payment_send_stalled", target=disbursement, recipients=recipients,
        template="grants/email/payment_stalled", link=path,
        context={"award": disbursement.award, "disbursement": disbursement, "attempts": attempts,
                 "url": absolute_url(path)},
    )
