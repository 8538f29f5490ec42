"""Due diligence: the tenant's checklist and the documents CSOs upload against it."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relais.concurrency import Versioned
from relais.models.tenancy import TenantOwned
from relais.uploads import get_private_storage
from relais.validators import no_control_characters


class DueDiligenceItem(Versioned, TenantOwned):
    """One line of a tenant's due-diligence checklist (e.g. "Statutes")."""

    name = models.CharField(_("name"), max_length=150, validators=[no_control_characters])
    name_en = models.CharField(_("name in English"), max_length=150, blank=True, validators=[no_control_characters])
    description = models.TextField(_("description"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    expires = models.BooleanField(
        _("expires"), default=False, help_text=_("Documents for this item have an expiry date.")
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), null=True, blank=True,
        help_text=_("Usual validity, used to suggest an expiry date from the issue date."),
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ordering", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="ddi_unique_name_per_tenant"),
        ]
        verbose_name = _("due-diligence item")
        verbose_name_plural = _("due-diligence checklist")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "fr").startswith("en"):
            return self.name_en
        return self.name


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


def document_upload_to(instance: OrganisationDocument, filename: str) -> str:
    """A random, non-guessable name in the tenant's folder; the real name is kept in a field."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"tenant-{instance.tenant_id}/due-diligence/{uuid.uuid4().hex}.{extension}"


class OrganisationDocument(TenantOwned):
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="documents", verbose_name=_("organisation")
    )
    item = models.ForeignKey(
        DueDiligenceItem, on_delete=models.PROTECT, related_name="documents", verbose_name=_("checklist item")
    )
    file = models.FileField(_("file"), storage=get_private_storage, upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    review_status = models.CharField(
        _("review"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "item", "review_status"]),
            # The managers' queue (dashboard and overview): the oldest pending documents first, a few at a time,
            # read in this order instead of sorting every pending document of the registry.
            models.Index(fields=["tenant", "review_status", "uploaded_at"], name="document_review_queue"),
        ]
        verbose_name = _("organisation document")
        verbose_name_plural = _("organisation documents")

    def __str__(self) -> str:
        return self.original_name

    def is_expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today

    def days_left(self, today: date) -> int | None:
        return None if self.expires_on is None else (self.expires_on - today).days


class DueDiligenceStatus(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    INCOMPLETE = "incomplete", _("Incomplete")
    EXPIRED = "expired", _("Expired")
