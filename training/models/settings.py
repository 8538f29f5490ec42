"""The workspace's training settings (one row per workspace, made on the first save)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.concurrency import Versioned
from relais.models import TenantOwned

from .learning import CERTIFICATE_THRESHOLD_PERCENT

# Below half the days a certificate of participation would not mean much; above 100 % nobody gets one.
THRESHOLD_MIN, THRESHOLD_MAX = 50, 100


class TrainingSettings(Versioned, TenantOwned):
    """A workspace's rules for certificates and protected sessions. Read through
    `training.selectors.settings.training_settings` (the defaults, unsaved, when the row is absent)."""

    certificate_threshold = models.PositiveSmallIntegerField(
        _("certificate threshold (percentage of days attended)"), default=CERTIFICATE_THRESHOLD_PERCENT,
        validators=[MinValueValidator(THRESHOLD_MIN), MaxValueValidator(THRESHOLD_MAX)])
    protect_new_sessions = models.BooleanField(_("new sessions are protected by default"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="trainingsettings_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(certificate_threshold__gte=THRESHOLD_MIN,
                                   certificate_threshold__lte=THRESHOLD_MAX),
                name="trainingsettings_threshold_50_to_100"),
        ]
        verbose_name = _("training settings")
        verbose_name_plural = _("training settings")

    def __str__(self) -> str:
        return f"{self.tenant_id}"
