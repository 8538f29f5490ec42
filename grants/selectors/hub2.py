"""Reading the workspace's HUB2 settings (never creates the row: GET pages write nothing)."""

from __future__ import annotations

from relais.actor import Actor
from relais.permissions import require

from ..models import GrantSettings
from ..permissions import can_configure_hub2


def hub2_settings_for(*, actor: Actor) -> GrantSettings:
    require(can_configure_hub2(actor))
    row = GrantSettings.objects.filter(tenant=actor.tenant).first()
    return row if row is not None else GrantSettings(tenant=actor.tenant)
