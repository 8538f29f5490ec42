"""Writes of the finance page: only the audit of an export (the page itself reads)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from relais.actor import Actor
from relais.audit import audit_record
from relais.permissions import require

from ..permissions import can_read_finance


def award_export_record(*, actor: Actor, fmt: str, rows: int, filters: Mapping[str, str]) -> None:
    """An export of awards and their money is deliberate and audited: by whom, in which format, how many
    rows and with which filters. Finance members and managers only."""
    require(can_read_finance(actor))
    after: dict[str, object] = {"format": fmt, "rows": rows}
    if filters:
        after["filters"] = urlencode(sorted(filters.items()))
    audit_record(tenant=actor.tenant, actor=actor.user, action="award.exported", target=actor.tenant, after=after)
