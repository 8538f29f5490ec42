"""Progress reports: what grantees did with the money, reviewed by managers, gating the next tranche.

Each award has a schedule of reports (interim ones before each tranche after the first, a final one
after the end). A report carries narrative sections, an optional sensitive section (safety incidents:
the workspace's managers and the grantee only), indicator values (by sex and age band), expenditure
per budget line, attachments, and the versions frozen at each submission.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relais.concurrency import Versioned
from relais.demographics import AgeBand, Sex
from relais.models import TenantOwned
from relais.money import amount_field
from relais.uploads import get_private_storage
from relais.validators import no_control_characters

from .awards import Award, AwardBudgetLine, Tranche


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("Interim report")
    FINAL = "final", _("Final report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("To write")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


class ReportTiming(models.TextChoices):
    """A report not yet submitted, by its due date (computed, never stored)."""

    UPCOMING = "upcoming", _("Upcoming")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")


# A report "is due" from this many days before its due date; earlier it is upcoming.
DUE_WINDOW_DAYS = 30
NARRATIVE_SECTIONS = ("activities", "results", "changes", "challenges", "lessons", "next_steps")
REPORT_EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED})


def report_timing(status: str, due_date: dt.date, today: dt.date) -> str | None:
    """ProgressReport.timing for a report's status and due date (a list's rows read as values)."""
    if status not in REPORT_EDITABLE_STATUSES:
        return None
    if today > due_date:
        return ReportTiming.OVERDUE
    if today >= due_date - dt.timedelta(days=DUE_WINDOW_DAYS):
        return ReportTiming.DUE
    return ReportTiming.UPCOMING


class ProgressReport(Versioned, TenantOwned):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.INTERIM)
    # The tranche whose payment waits for this report's approval (none for the final report).
    gates_tranche = models.OneToOneField(Tranche, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="gating_report", verbose_name=_("tranche it releases"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT,
                              db_index=True)
    activities = models.TextField(_("activities carried out"), blank=True)
    results = models.TextField(_("results"), blank=True)
    changes = models.TextField(_("changes observed"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    # Sensitive: the workspace's managers and the grantee only; never exported in bulk, never in e-mails.
    safety_incidents = models.TextField(_("safety incidents"), blank=True)
    review_comments = models.JSONField(_("comments per section"), default=dict, blank=True)
    finance_comment = models.TextField(_("finance comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["tenant", "status", "due_date", "id"], name="report_tenant_status_due"),
            models.Index(fields=["tenant", "due_date", "id"], name="report_tenant_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="report_unique_number"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="report_period_ordered"),
        ]
        verbose_name = _("progress report")

    def __str__(self) -> str:
        return f"{self.award_id} #{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in REPORT_EDITABLE_STATUSES

    def timing(self, today: dt.date) -> str | None:
        """Upcoming / due / overdue for a report still to submit (also after changes were requested); None once
        submitted or approved. `today` is the workspace's local date (timezone edges: callers pass localdate)."""
        return report_timing(self.status, self.due_date, today)


class Indicator(TenantOwned):
    """What the workspace measures across its awards (people reached, dialogue sessions held...)."""

    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[no_control_characters])
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, validators=[no_control_characters])
    unit = models.CharField(_("unit"), max_length=50, blank=True, validators=[no_control_characters])
    by_sex_and_age = models.BooleanField(_("counted by sex and age band"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("indicator")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name_fr


class IndicatorTarget(TenantOwned):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="indicator_targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["indicator__order", "indicator_id"]
        constraints = [models.UniqueConstraint(fields=["award", "indicator"], name="indicatortarget_one_per_award")]
        verbose_name = _("indicator target")

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.target}"


class IndicatorValue(TenantOwned):
    """One value of the report's period; by sex and age band when the indicator asks for it
    (blank sex and age band otherwise)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["indicator_id", "sex", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", "sex", "age_band"], name="indicatorvalue_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="indicatorvalue_not_negative"),
        ]
        verbose_name = _("indicator value")

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"


class ReportExpense(TenantOwned):
    """What was spent on one budget line during the report's period, in the award's currency."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="expenses")
    budget_line = models.ForeignKey(AwardBudgetLine, on_delete=models.PROTECT, related_name="+")
    amount = amount_field(verbose_name=_("spent in the period"))
    explanation = models.TextField(_("explanation of the variance"), blank=True)

    class Meta:
        ordering = ["budget_line_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "budget_line"], name="reportexpense_one_per_line"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="reportexpense_not_negative"),
        ]
        verbose_name = _("expense")

    def __str__(self) -> str:
        return f"{self.budget_line_id}: {self.amount}"


def report_attachment_path(instance: ReportAttachment, filename: str) -> str:
    return f"grants/{instance.tenant_id}/reports/{instance.report_id}/{filename}"


class ReportAttachment(TenantOwned):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=report_attachment_path, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ReportVersion(TenantOwned):
    """What the grantee submitted, frozen at each submission."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="reportversion_unique_number")]

    def __str__(self) -> str:
        return f"v{self.number}"


class ReminderLog(TenantOwned):
    """One row per reminder sent (a report's, or a manager's weekly digest) and day: never twice."""

    key = models.CharField(max_length=100)  # "report:<id>:<kind>" or "digest:<user id>"
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key", "day"], name="reminderlog_once_per_day")]

    def __str__(self) -> str:
        return f"{self.key}@{self.day}"
