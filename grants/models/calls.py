"""Calls for proposals and what a call asks of applicants: questions, attachments, rubric."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orgs.models import FocusArea, Region
from relais.concurrency import Versioned
from relais.models import TenantOwned
from relais.money import amount_field, currency_field
from relais.validators import no_control_characters


def localised(fr: str, en: str) -> str:
    """The active language's variant of a bilingual text, falling back to the other."""
    if (get_language() or "fr").startswith("en"):
        return en or fr
    return fr or en


def _localised(obj, base: str) -> str:
    """French or English variant of a bilingual field, falling back to the other."""
    return localised(getattr(obj, f"{base}_fr"), getattr(obj, f"{base}_en"))


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    DECIDED = "decided", _("Decided")
    ARCHIVED = "archived", _("Archived")


class Call(Versioned, TenantOwned):
    title_fr = models.CharField(_("title (French)"), max_length=200, validators=[no_control_characters])
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True, validators=[no_control_characters])
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    envelope = amount_field(verbose_name=_("envelope"), validators=[MinValueValidator(Decimal("0"))])
    currency = currency_field(verbose_name=_("currency"))
    min_grant = amount_field(verbose_name=_("minimum grant"), default=Decimal("0"))
    max_grant = amount_field(verbose_name=_("maximum grant"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    review_deadline = models.DateField(_("review deadline"), null=True, blank=True)
    eligible_regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("eligible regions"))
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="+", verbose_name=_("focus areas"))
    reviewers_per_application = models.PositiveSmallIntegerField(_("reviewers per application"), default=2)
    blind_review = models.BooleanField(_("blind review"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closes_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-closes_at", "-id"], name="call_tenant_closes")]
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _localised(self, "title")

    @property
    def description(self) -> str:
        return _localised(self, "description")

    @property
    def accepts_submissions(self) -> bool:
        now = timezone.now()
        return self.status == CallStatus.OPEN and self.opens_at <= now < self.closes_at

    @property
    def has_closed(self) -> bool:
        """Published and past its closing time (a call closes only once closes_at has passed)."""
        return self.status != CallStatus.DRAFT and (self.status != CallStatus.OPEN or timezone.now() >= self.closes_at)

    @property
    def days_left(self) -> int:
        return max(0, (self.closes_at - timezone.now()).days)


class CallChild(TenantOwned):
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    TEXT = "text", _("Free text (screened by staff)")


class EligibilityQuestion(CallChild):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    text_fr = models.CharField(_("question (French)"), max_length=300, validators=[no_control_characters])
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True, validators=[no_control_characters])
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.YES_NO)
    disqualifying_answer = models.CharField(
        _("disqualifying answer"), max_length=3, blank=True, choices=[("yes", _("Yes")), ("no", _("No"))]
    )

    class Meta(CallChild.Meta):
        verbose_name = _("eligibility question")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _localised(self, "text")


class RequiredAttachment(CallChild):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="required_attachments")
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[no_control_characters])
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, validators=[no_control_characters])
    description = models.TextField(_("description"), blank=True)

    class Meta(CallChild.Meta):
        verbose_name = _("required attachment")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


SCORE_LEVELS = range(0, 6)


class RubricCriterion(CallChild):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[no_control_characters])
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, validators=[no_control_characters])
    description = models.TextField(_("description"), blank=True)
    # {"0": "no evidence", ..., "5": "excellent"}: what each level means.
    levels = models.JSONField(_("level descriptions"), default=dict, blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta(CallChild.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")

    def level_items(self) -> list[tuple[int, str]]:
        return [(n, str((self.levels or {}).get(str(n), ""))) for n in SCORE_LEVELS]


class BudgetCategory(TenantOwned):
    """Tenant-editable budget headings (staff, travel, equipment...)."""

    name_fr = models.CharField(_("name (French)"), max_length=120, validators=[no_control_characters])
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True, validators=[no_control_characters])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name_fr"], name="budgetcategory_unique_name_per_tenant")
        ]
        verbose_name = _("budget category")
        verbose_name_plural = _("budget categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")
