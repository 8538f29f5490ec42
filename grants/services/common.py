"""Small checks every grants service makes about what it was handed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.errors import Refused


def same_tenant(actor: Actor, *objects: models.Model | None) -> None:
    """Refuse objects of another workspace (a caller's bug, or a forged id that slipped through)."""
    for obj in objects:
        if obj is not None and getattr(obj, "tenant_id", actor.tenant.pk) != actor.tenant.pk:
            raise Refused(_("This belongs to another workspace."), forbidden=True)
