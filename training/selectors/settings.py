"""Readers of the workspace's training settings. Reading never writes: a workspace that never saved
them gets the defaults, unsaved (the settings service makes the row on the first save)."""

from __future__ import annotations

from relais.models import Tenant

from ..models import TrainingSettings


def training_settings(tenant: Tenant) -> TrainingSettings:
    """The workspace's settings, or the defaults (unsaved) when it has none: one query."""
    return TrainingSettings.objects.filter(tenant=tenant).first() or TrainingSettings(tenant=tenant)


def certificate_threshold(tenant: Tenant) -> int:
    """The share of a session's days (in %) a participant attends to get a certificate, in this workspace."""
    return training_settings(tenant).certificate_threshold
