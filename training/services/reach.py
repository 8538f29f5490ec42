"""The one write of the reach exports: a manager's list of participants is recorded, with its reason."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused


def participant_list_export_record(*, actor: Actor, target: models.Model, reason: str, filters: dict[str, Any],
                                   rows: int) -> None:
    """Only managers export individual lists; the reason, the filters and the row count are kept (not the rows)."""
    if not actor.is_manager:
        raise Refused(_("Only a programme manager can export the list of participants."), forbidden=True)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("State why you need the list of participants."))
    with transaction.atomic():
        audit_record(tenant=actor.tenant, actor=actor.user, action="training_participants.exported", target=target,
                     after={"reason": reason, "rows": rows,
                            "filters": {k: v for k, v in filters.items() if v not in (None, "")}})
