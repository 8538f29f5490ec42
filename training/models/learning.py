"""Learning: pre/post-test scores, evaluations (fields on Registration) and certificates (issue 13)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.models import TenantOwned

# A participant present (or late) on at least this share of the session's days may get a certificate.
# The default of the workspace setting (training.models.settings.TrainingSettings.certificate_threshold).
CERTIFICATE_THRESHOLD_PERCENT = 80


def new_certificate_code() -> str:
    """Unguessable (about 100 bits), URL-safe, short enough to type from a printed page."""
    return secrets.token_urlsafe(16)


class Certificate(TenantOwned):
    registration = models.OneToOneField("training.Registration", on_delete=models.PROTECT,
                                        related_name="certificate")
    code = models.CharField(max_length=40, unique=True, default=new_certificate_code, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("certificate")

    def __str__(self) -> str:
        return str(_("Certificate %(code)s") % {"code": self.code[:6]})
