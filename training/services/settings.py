"""The workspace's training settings: the share of days a participant attends to get a certificate,
and whether new sessions start protected.

Only managers change them. The row is made on the first save (reading the page never writes);
the save is a compare-and-swap on its version, so two tabs never overwrite each other.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.models import Tenant
from relais.permissions import ALLOW, Decision, deny, require

from ..models import TrainingSettings
from ..models.settings import THRESHOLD_MAX, THRESHOLD_MIN


def can_edit_training_settings(actor: Actor) -> Decision:
    if not actor.is_manager:
        return deny(_("Only programme managers change the training settings."))
    return ALLOW


def threshold_problems(value: int) -> list[str]:
    if not THRESHOLD_MIN <= value <= THRESHOLD_MAX:
        return [_("The threshold is a whole percentage between %(low)s and %(high)s, for example 80.") % {
            "low": THRESHOLD_MIN, "high": THRESHOLD_MAX}]
    return []


def training_settings_row(tenant: Tenant) -> TrainingSettings:
    """The workspace's settings row, made with the defaults on first use: for writers only."""
    row, _created = TrainingSettings.objects.get_or_create(tenant=tenant)
    return row


def training_settings_save(*, actor: Actor, certificate_threshold: int, protect_new_sessions: bool,
                           expected_version: int | None = None) -> TrainingSettings:
    """Save the page's settings. Rules: a manager; the threshold is a whole percentage from 50 to 100.
    Refused by field and nothing written; Stale when saved since `expected_version`. The audit event
    carries the values before and after (none when nothing changed but the version)."""
    require(can_edit_training_settings(actor))
    if isinstance(certificate_threshold, bool) or not isinstance(certificate_threshold, int):
        raise Refused(ValidationError({"certificate_threshold": [_("The threshold is a whole number.")]}))
    problems = threshold_problems(certificate_threshold)
    if problems:
        raise Refused(ValidationError({"certificate_threshold": problems}))
    with transaction.atomic():
        row = training_settings_row(actor.tenant)
        locked = TrainingSettings.objects.select_for_update().get(pk=row.pk, tenant=actor.tenant)
        claim_version(locked, expected=expected_version)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        fields = ["version", "updated_at"]
        for name, value in (("certificate_threshold", certificate_threshold),
                            ("protect_new_sessions", bool(protect_new_sessions))):
            if getattr(locked, name) != value:
                before[name], after[name] = getattr(locked, name), value
                setattr(locked, name, value)
                fields.append(name)
        locked.save(update_fields=fields)
        audit_record(tenant=actor.tenant, actor=actor.user, action="training_settings.saved", target=locked,
                     before=before, after=after)
    return locked
