"""Reviews: one reviewer's conflict declaration, scores and recommendation on one application."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relais.concurrency import Versioned
from relais.models import TenantOwned

from .applications import Application
from .calls import RubricCriterion


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    RECUSED = "recused", _("Recused")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("review status", "Submitted")


class ConflictOfInterest(models.TextChoices):
    UNDECLARED = "", _("Not declared yet")
    NONE = "none", _("No conflict of interest")
    DECLARED = "declared", _("Conflict of interest declared")


class Recommendation(models.TextChoices):
    FUND = "fund", _("Fund")
    FUND_WITH_CHANGES = "fund_with_changes", _("Fund with changes")
    DO_NOT_FUND = "do_not_fund", _("Do not fund")


class Review(Versioned, TenantOwned):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED, db_index=True
    )
    coi = models.CharField(
        _("conflict of interest"), max_length=10, choices=ConflictOfInterest.choices, blank=True, default=""
    )
    coi_text = models.TextField(_("conflict of interest details"), blank=True)
    coi_declared_at = models.DateTimeField(null=True, blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        # The review list's order (status, then oldest assignment first), served for a reviewer and a manager.
        indexes = [models.Index(fields=["tenant", "reviewer", "status", "id"], name="review_tenant_reviewer_order"),
                   models.Index(fields=["tenant", "status", "id"], name="review_tenant_status_order")]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer")]
        verbose_name = pgettext_lazy("grant review", "review")

    def __str__(self) -> str:
        return f"{self.application} / {self.reviewer}"

    @property
    def is_locked(self) -> bool:
        return self.status in (ReviewStatus.SUBMITTED, ReviewStatus.RECUSED)


class ReviewScore(TenantOwned):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="reviewscore_one_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
