"""The outbox's writers: every e-mail of Relais is stored here, one row per recipient, then sent by a task.

- `email_enqueue(...)` renders the e-mail for each recipient in their language, stores one queued
  row each (inside the caller's transaction) and, after commit, enqueues one task per row with the
  row's id only.
- `outbox_deliver(email_id=…)` is what the task runs: it sends with Django's mail API and marks the
  row sent, or failed with the reason (SMTP, socket, a header refused, a link that cannot be
  rebuilt…); it never lets an error out, so the worker never crashes on a bad address.
- `outbox_resend(actor=…, email=…)`: a manager puts a failed (or sent) e-mail back in the queue; a
  new attempt, audited by the engine.

This module is the only one that sends mail (a guard test reads the source).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.errors import Refused
from relais.links import absolute_url
from relais.models import EmailStatus, Invitation, OutboundEmail
from relais.outbox import OUTBOUND_EMAIL, Recipient, live_renderer, register_live_renderer, unique_recipients
from relais.permissions import can_manage_members, require
from relais.validators import one_line
from relais.workflow import transition

logger = logging.getLogger(__name__)

REASON_MAX = 500


class Undeliverable(Exception):
    """An e-mail that must not leave any more (its reason is shown as is)."""


def render_email(template: str, context: dict[str, Any], *, language: str) -> tuple[str, str]:
    """(subject, body) of `<template>_subject.txt` and `<template>_body.txt` in `language`."""
    with translation.override(language):
        subject = one_line(render_to_string(f"{template}_subject.txt", context))[:255]
        body = render_to_string(f"{template}_body.txt", context)
    return subject, body


def _send_after_commit(email_id: int) -> None:
    from relais.tasks import send_outbound_email

    send_outbound_email.enqueue(outbound_email_id=email_id)


def email_enqueue(
    *, actor: Actor, kind: str, target: models.Model, recipients: Iterable[Recipient], template: str,
    context: dict[str, Any] | None = None, link: str = "",
) -> list[OutboundEmail]:
    """Store one queued e-mail per distinct recipient, written in their language (the workspace's when
    they have none), and send each after commit. `context` gets `recipient` (and `user`, the same
    recipient, for the templates' greeting). `link` is the path of the object's page for the outbox.
    Returns the rows: an empty list means nobody could be reached."""
    tenant = actor.tenant
    if getattr(target, "tenant_id", tenant.pk) != tenant.pk:
        raise Refused(_("This object belongs to another workspace."), forbidden=True)
    rows = []
    with transaction.atomic():
        for recipient in unique_recipients(recipients):
            data = {**(context or {}), "recipient": recipient, "user": recipient}
            subject, body = render_email(template, data, language=recipient.language or tenant.default_language)
            row = OutboundEmail.objects.create(
                tenant=tenant, recipient=recipient.email.strip(), recipient_user_id=recipient.user_id,
                subject=subject, body=body, kind=kind, target_type=target._meta.label_lower,
                target_id=str(target.pk), link=link,
            )
            rows.append(row)
            transaction.on_commit(partial(_send_after_commit, row.pk))
    return rows


def _mark(email: OutboundEmail, target: str, reason: str = "") -> OutboundEmail | None:
    def stamp(locked: OutboundEmail, ctx: dict[str, Any]) -> dict[str, Any]:
        locked.attempts += 1
        if target == EmailStatus.SENT:
            locked.sent_at = timezone.now()
            locked.failure_reason = ""
            return {"attempts": locked.attempts}
        locked.failure_reason = reason[:REASON_MAX]
        return {"attempts": locked.attempts, "failure": locked.failure_reason}

    try:
        return transition(OUTBOUND_EMAIL, obj=email, target=target, actor=Actor.system(email.tenant), apply=stamp)
    except Refused:  # another worker took it first
        return None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, Undeliverable):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def outbox_deliver(*, email_id: int) -> OutboundEmail | None:
    """Send one queued e-mail and mark it sent, or failed with the reason. Never raises for a mail error."""
    email = OutboundEmail.objects.select_related("tenant").filter(pk=email_id).first()
    if email is None or email.status != EmailStatus.QUEUED:
        return email  # already handled (a task run twice)
    try:
        renderer = live_renderer(email.kind)
        subject, body = renderer(email) if renderer is not None else (email.subject, email.body)
        EmailMessage(one_line(subject), body, None, [email.recipient]).send()
    except Exception as exc:  # SMTP, socket, a refused header, a link that cannot be rebuilt: keep the reason
        logger.warning("E-mail %s to a recipient of tenant %s failed: %s", email.pk, email.tenant_id,
                       type(exc).__name__)
        return _mark(email, EmailStatus.FAILED, _reason(exc))
    return _mark(email, EmailStatus.SENT)


def outbox_resend(*, actor: Actor, email: OutboundEmail) -> OutboundEmail:
    """A manager sends an e-mail again: it goes back to the queue (a new attempt) and is sent after commit."""
    require(can_manage_members(actor))
    if email.tenant_id != actor.tenant.pk:
        raise Refused(_("This e-mail belongs to another workspace."), forbidden=True)

    def clear(locked: OutboundEmail, ctx: dict[str, Any]) -> dict[str, Any]:
        previous, locked.failure_reason = locked.failure_reason, ""
        return {"recipient": locked.recipient, "previous_failure": previous} if previous else {
            "recipient": locked.recipient}

    return transition(OUTBOUND_EMAIL, obj=email, target=EmailStatus.QUEUED, actor=actor, apply=clear,
                      on_commit=[lambda row: _send_after_commit(row.pk)])


# --- invitations: the link carries a token, so the stored body has none --------------------------


def invitation_context(invitation: Invitation, url: str) -> dict[str, Any]:
    return {"invitation": invitation, "url": url, "role": invitation.get_role_display()}


def redacted_link() -> str:
    return "[" + _("personal link, written only in the e-mail sent") + "]"


def _invitation_email(email: OutboundEmail) -> tuple[str, str]:
    """Rebuild the invitation e-mail with its link when it is sent (the link is never stored)."""
    from relais.services.tenancy import invitation_link_token

    language = email.tenant.default_language
    invitation = (Invitation.objects.select_related("tenant", "invited_by")
                  .filter(pk=email.target_id, tenant_id=email.tenant_id).first())
    if invitation is None or not invitation.is_usable:
        with translation.override(language):
            raise Undeliverable(_("The invitation is no longer valid (accepted, cancelled or expired)."))
    token = invitation_link_token(invitation=invitation)
    url = absolute_url(reverse("invitation_accept", kwargs={"token": token}))
    return render_email("relais/email/invitation", invitation_context(invitation, url), language=language)


register_live_renderer("invitation", _invitation_email)
