"""The writes of the reach: a manager's list of participants is recorded, with its reason; the programme's
figures are stored per workspace and marked stale by every training write (`reach_changed`)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused

from ..models import ReachSnapshot
from ..selectors.reach import Reach, organisations_mark, reach, reach_data, reach_from_data, reach_sessions

logger = logging.getLogger(__name__)


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
    rows). tests/training/test_reach_snapshot.py lists the services and checks each one."""
    rows = ReachSnapshot.objects.filter(tenant_id=tenant_id)
    if rows.update(changes=F("changes") + 1):
        return
    try:
        with transaction.atomic():
            ReachSnapshot.objects.create(tenant_id=tenant_id, changes=1)
    except IntegrityError:  # made meanwhile by another write or a reader: count this one on it
        rows.update(changes=F("changes") + 1)


def programme_figures(*, actor: Actor) -> Reach:
    """The reach of every session a manager sees, unfiltered (the page as first opened), from the stored
    figures while no training write and no registry change happened since they were computed; otherwise
    computed by `reach` and stored for the next view.

    `changes` and the registry mark are read before computing and the figures are stored only where
    `changes` still has that value (`UPDATE … WHERE changes = …`): a write committed during the computation
    leaves nothing stored (its bump waits for, or moved past, the value read), so stored figures are never
    older than what they claim. A changed registry mark makes them computed again at the next view. The only
    write of a GET, and of derived figures only."""
    if not (actor.is_manager or actor.is_system):
        raise Refused(_("Only programme managers can do this."), forbidden=True)
    tenant_id = actor.tenant.pk
    row = (ReachSnapshot.objects.filter(tenant_id=tenant_id)
           .values_list("changes", "computed_changes", "organisations_mark", "data").first())
    mark = organisations_mark(tenant_id=tenant_id)
    if row is not None:
        changes, computed_changes, stored_mark, data = row
        if computed_changes == changes and stored_mark == mark:
            stored = reach_from_data(data)
            if stored is not None:
                return stored
    figures = reach(sessions=reach_sessions(actor=Actor.system(actor.tenant)))
    try:
        with transaction.atomic():
            reach_store(tenant_id=tenant_id, figures=figures, changes=None if row is None else row[0], mark=mark)
    except DatabaseError:  # a read-only or busy database: storing only saves the next view's work
        logger.warning("Reach figures of workspace %s computed but not stored", tenant_id, exc_info=True)
    return figures


def reach_store(*, tenant_id: int, figures: Reach, changes: int | None, mark: str) -> bool:
    """Store the figures computed at `changes` (None: the workspace had no row) and `mark`, unless a training
    write moved `changes` since: then nothing is stored and False is returned."""
    values = {"computed_changes": changes or 0, "organisations_mark": mark, "computed_at": timezone.now(),
              "data": reach_data(figures)}
    if changes is not None:
        return ReachSnapshot.objects.filter(tenant_id=tenant_id, changes=changes).update(**values) == 1
    try:
        with transaction.atomic():
            ReachSnapshot.objects.create(tenant_id=tenant_id, changes=0, **values)
    except IntegrityError:  # a training write made the row meanwhile: these figures may be older than it
        return False
    return True
