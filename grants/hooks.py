"""What grants does when a workspace is created (registered in GrantsConfig.ready)."""

from __future__ import annotations

from relais.actor import Actor


def set_up_indicators(*, actor: Actor) -> None:
    """A new workspace starts with the default indicators."""
    from .services.indicators import indicators_ensure_defaults

    indicators_ensure_defaults(actor=actor)
