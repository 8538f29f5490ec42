"""What the training settings register with the kernel (imported from TrainingConfig.ready()): how
the audit log names the settings and reads their events."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relais.audit_describe import AuditTarget, register_audit_target, register_audit_values
from relais.audit_labels import register_audit_labels, register_audit_sentences

from .models import TrainingSettings

register_audit_target(AuditTarget(
    "training.trainingsettings", _("the training settings"),
    lambda tenant: TrainingSettings.objects.filter(tenant=tenant),
    name=lambda settings: "", page="training:settings", action_prefixes=("training_settings",),
    tenant_field="tenant",
))
register_audit_values(labels={
    "certificate_threshold": _("certificate threshold (percentage of days attended)"),
    "protect_new_sessions": _("new sessions are protected by default"),
})
register_audit_labels({"training_settings.saved": _("Training settings changed")})
register_audit_sentences({"training_settings.saved": _("%(actor)s changed %(object)s")})
