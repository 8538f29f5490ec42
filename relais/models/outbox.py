"""The outbox: one row per e-mail and recipient, so a manager can see what left and resend it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import TenantOwned


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboundEmail(TenantOwned):
    """An e-mail to one address. Its status changes through the workflow engine (relais.outbox_workflow).

    `target_type`/`target_id` name the object it is about, like AuditEvent, so a timeline finds it;
    `link` is that object's page (a path). A body whose link carries a secret (an invitation's token)
    is stored without it and rebuilt when sent.
    """

    recipient = models.EmailField(_("recipient"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"))
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80)
    target_id = models.CharField(_("object id"), max_length=64)
    link = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    failure_reason = models.CharField(_("reason of the failure"), max_length=500, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "target_type", "target_id"], name="outbox_target"),
            models.Index(fields=["tenant", "-created_at", "-id"], name="outbox_newest"),
        ]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject} ({self.status})"
