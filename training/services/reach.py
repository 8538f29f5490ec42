"""The writes of the reach: a manager's list of participants is recorded, with its reason; every training
write counts itself on the workspace's ReachSnapshot row (`reach_changed`)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused

from ..models import ReachSnapshot


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


def reach_changed(*, tenant_id: int) -> None:
    """Mark the workspace's stored programme figures stale: one `UPDATE … SET changes = changes + 1` (the row
    is made on the workspace's first training write; two first writes at once both count).

    Every training service that writes what the reach reads (sessions and their dates and status,
    participants, registrations, attendance, scores, certificates) calls it inside its transaction, as its
    last write: the bump commits with the data (a reader sees both or neither), and the snapshot row's lock,
    held until the commit, is the last one the transaction takes (no lock-order deadlock with the session
    rows)."""
    rows = ReachSnapshot.objects.filter(tenant_id=tenant_id)
    if rows.update(changes=F("changes") + 1):
        return
    try:
        with transaction.atomic():
            ReachSnapshot.objects.create(tenant_id=tenant_id, changes=1)
    except IntegrityError:  # made meanwhile by another write or a reader: count this one on it
        rows.update(changes=F("changes") + 1)
