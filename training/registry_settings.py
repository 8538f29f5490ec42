"""What the training settings register with the kernel (imported from TrainingConfig.ready()): how
the audit log names the settings and reads their events."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relais.audit_describe import AuditTarget, register_audit_target, register_audit_values
from relais.audit_labels import register_audit_labels, register_audit_sentences

from .models import TrainingSettings


def _settings_url(settings: TrainingSettings) -> str:
    return reverse("training:settings", kwargs={"tenant_slug": settings.tenant.slug})


register_audit_target(AuditTarget(
    "training.trainingsettings", _("the training settings"),
    lambda tenant: TrainingSettings.objects.filter(tenant=tenant).select_related("tenant").only("tenant__slug"),
    name=lambda settings: "", url=_settings_url, action_prefixes=("training_settings",),
))
register_audit_values(labels={
    "certificate_threshold": _("certificate threshold (percentage of days attended)"),
    "protect_new_sessions": _("new sessions are protected by default"),
})
register_audit_labels({"training_settings.saved": _("Training settings changed")})
register_audit_sentences({"training_settings.saved": _("%(actor)s changed %(object)s")})
