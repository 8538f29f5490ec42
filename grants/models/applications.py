"""Applications: a CSO's proposal to a call, its sections, budget, answers, files, versions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orgs.models import Organisation, Region
from relais.concurrency import Versioned
from relais.models import TenantOwned
from relais.money import amount_field, quantize
from relais.uploads import get_private_storage
from relais.validators import no_control_characters

from .calls import BudgetCategory, Call, EligibilityQuestion, RequiredAttachment


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    IN_REVIEW = "in_review", _("In review")
    DECISION_PENDING = "decision_pending", _("Decision pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("application status", "Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INELIGIBLE = "ineligible", _("Ineligible")


EDITABLE_STATUSES = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED})
FINAL_STATUSES = frozenset(
    {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE}
)


class ReferenceSequence(TenantOwned):
    """Last reference number used per tenant and year (locked row, so no duplicates)."""

    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "year"], name="referencesequence_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(Versioned, TenantOwned):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reference = models.CharField(_("reference"), max_length=30, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    # Section: project
    title = models.CharField(_("project title"), max_length=200, blank=True, validators=[no_control_characters])
    summary = models.TextField(_("summary"), blank=True)
    # Section: context
    context = models.TextField(_("context and problem"), blank=True)
    # Section: objectives
    objectives = models.TextField(_("objectives"), blank=True)
    # Section: activities (timeline rows are TimelineActivity)
    activities = models.TextField(_("activities"), blank=True)
    # Section: where and when
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions of intervention"))
    communes = models.TextField(_("communes of intervention"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Section: beneficiaries
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    youth = models.PositiveIntegerField(_("youth (15–35)"), null=True, blank=True)
    # Section: risks
    risks = models.TextField(_("risks"), blank=True)
    do_no_harm = models.TextField(_("do-no-harm measures"), blank=True)
    # Section: budget (lines are BudgetLine)
    requested_amount = amount_field(verbose_name=_("requested amount"), default=Decimal("0"))
    cofunding_amount = amount_field(verbose_name=_("co-funding amount"), null=True, blank=True)
    cofunding_source = models.CharField(_("co-funding source"), max_length=255, blank=True,
                                        validators=[no_control_characters])
    # Workflow
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    changes_requested_message = models.TextField(_("changes requested"), blank=True)
    screening_reason = models.TextField(_("screening note"), blank=True)
    awarded_amount = amount_field(verbose_name=_("awarded amount"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The ranking's facts, kept by grants.services.ranking.ranking_facts_refresh (grants.scoring's maths):
    # mean weighted score and spread of the submitted reviews, submitted and non-recused reviews.
    ranking_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, editable=False)
    ranking_spread = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, editable=False)
    ranking_reviews_done = models.PositiveIntegerField(default=0, editable=False)
    ranking_reviews_active = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        # The application list reads a page in this order, for the whole tenant or one status.
        indexes = [
            models.Index(fields=["tenant", "-updated_at", "-id"], name="application_tenant_recent"),
            models.Index(fields=["tenant", "status", "-updated_at", "-id"], name="application_tenant_status"),
            # The ranking reads a call's applications in its order (score first, then reference and id).
            models.Index(fields=["call", "-ranking_score", "reference", "id"], name="application_call_ranking"),
            # The manager's pipeline counts applications per call and state, and sums the reviews outstanding,
            # from this index alone (an index-only scan on PostgreSQL; SQLite ignores the included columns).
            models.Index(fields=["tenant", "call", "status"], name="application_tenant_call_status",
                         include=["ranking_reviews_active", "ranking_reviews_done"]),
        ]
        constraints = [
            # One live application per organisation and call: a withdrawn one does not block a new start.
            models.UniqueConstraint(fields=["call", "organisation"], condition=~models.Q(status="withdrawn"),
                                    name="application_one_live_per_organisation_and_call"),
            models.UniqueConstraint(
                fields=["tenant", "reference"], condition=~models.Q(reference=""),
                name="application_unique_reference_per_tenant",
            ),
        ]
        verbose_name = _("application")

    def __str__(self) -> str:
        return self.reference or self.title or str(_("Application #%(pk)s") % {"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def currency(self) -> str:
        return self.call.currency

    @property
    def beneficiaries_total(self) -> int:
        return (self.women or 0) + (self.men or 0)


class TimelineActivity(TenantOwned):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="timeline")
    activity = models.CharField(_("activity"), max_length=200, blank=True, validators=[no_control_characters])
    start_month = models.PositiveSmallIntegerField(
        _("start month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    end_month = models.PositiveSmallIntegerField(
        _("end month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        ordering = ["start_month", "id"]
        verbose_name = _("timeline activity")

    def __str__(self) -> str:
        return self.activity


class BudgetLine(TenantOwned):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.ForeignKey(
        BudgetCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    description = models.CharField(_("description"), max_length=255, blank=True, validators=[no_control_characters])
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit_cost = amount_field(
        verbose_name=_("unit cost"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("budget line")

    def __str__(self) -> str:
        return self.description

    def total_in(self, currency: str) -> Decimal:
        if self.quantity is None or self.unit_cost is None:
            return quantize(0, currency)
        return quantize(self.quantity * self.unit_cost, currency)


class EligibilityAnswer(TenantOwned):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(EligibilityQuestion, on_delete=models.CASCADE, related_name="+")
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="eligibilityanswer_one_per_question")
        ]

    def __str__(self) -> str:
        return self.answer[:40]

    @property
    def display_answer(self) -> str:
        """Yes/no answers in the reader's language; free text as typed."""
        if self.question.kind == "yes_no" and self.answer in ("yes", "no"):
            return str(_("Yes") if self.answer == "yes" else _("No"))
        return self.answer


def attachment_path(instance: ApplicationAttachment, filename: str) -> str:
    return f"grants/{instance.tenant_id}/applications/{instance.application_id}/{filename}"


class ApplicationAttachment(TenantOwned):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    required = models.ForeignKey(
        RequiredAttachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("document"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ApplicationVersion(TenantOwned):
    """What the applicant submitted, frozen at each submission."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="applicationversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"
