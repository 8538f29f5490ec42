"""Organisational capacity assessments (OCA): the workspace's framework (domains, sub-areas, a descriptor
per level), assessments of a CSO on a date with a score per sub-area, and the action plan that follows."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from relais.concurrency import Versioned
from relais.models import TenantOwned
from relais.validators import no_control_characters

LEVELS = (1, 2, 3, 4)


def bilingual_name(fr: str, en: str) -> str:
    """The English name for a reader in English when there is one, else the French name."""
    if (get_language() or "fr").startswith("en") and en:
        return en
    return fr


class _Bilingual(models.Model):
    """A name kept in French and English; the reader's language picks, French when English is empty."""

    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[no_control_characters])
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, validators=[no_control_characters])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual_name(self.name_fr, self.name_en)


class AssessmentDomain(Versioned, _Bilingual, TenantOwned):
    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("capacity domain")
        verbose_name_plural = _("capacity domains")


class AssessmentSubArea(Versioned, _Bilingual, TenantOwned):
    domain = models.ForeignKey(AssessmentDomain, on_delete=models.CASCADE, related_name="sub_areas",
                               verbose_name=_("domain"))

    class Meta:
        ordering = ["domain__order", "domain_id", "order", "pk"]
        verbose_name = _("sub-area")
        verbose_name_plural = _("sub-areas")


class LevelDescriptor(TenantOwned):
    sub_area = models.ForeignKey(AssessmentSubArea, on_delete=models.CASCADE, related_name="descriptors",
                                 verbose_name=_("sub-area"))
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    text_fr = models.TextField(_("descriptor (French)"), blank=True)
    text_en = models.TextField(_("descriptor (English)"), blank=True)

    class Meta:
        ordering = ["sub_area_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["sub_area", "level"], name="oca_descriptor_one_per_level"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="oca_descriptor_level_1_4"),
        ]
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")

    @property
    def text(self) -> str:
        if (get_language() or "fr").startswith("en") and self.text_en:
            return self.text_en
        return self.text_fr


class AssessmentKind(models.TextChoices):
    BASELINE = "baseline", pgettext_lazy("assessment", "Baseline")
    FOLLOW_UP = "follow_up", pgettext_lazy("assessment", "Follow-up")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", pgettext_lazy("assessment", "Completed")


class Assessment(Versioned, TenantOwned):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=AssessmentKind.choices, default=AssessmentKind.BASELINE)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("facilitator"))
    status = models.CharField(_("status"), max_length=20, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["tenant", "organisation", "date"], name="oca_assessment_org_date")]
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class AssessmentScore(TenantOwned):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    sub_area = models.ForeignKey(AssessmentSubArea, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("sub-area"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    note = models.TextField(_("note"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "sub_area"], name="oca_score_one_per_sub_area"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=4), name="oca_score_1_4"),
        ]
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("assessment", "In progress")
    DONE = "done", pgettext_lazy("assessment", "Done")


class ActionItem(TenantOwned):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="action_items")
    item = models.CharField(_("action"), max_length=300, validators=[no_control_characters])
    owner = models.CharField(_("owner"), max_length=200, blank=True, validators=[no_control_characters])
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionItemStatus.choices,
                              default=ActionItemStatus.OPEN)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.item
