"""State tables for orgs. Data, so tests walk every row."""

from __future__ import annotations

from dataclasses import dataclass

from orgs.models import OrganisationStatus
from relais.models import Role


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[str]
    reason_required: bool = False


ORGANISATION_TRANSITIONS: tuple[Transition, ...] = (
    Transition(OrganisationStatus.PENDING, OrganisationStatus.VERIFIED, frozenset({Role.MANAGER})),
    Transition(OrganisationStatus.PENDING, OrganisationStatus.SUSPENDED, frozenset({Role.MANAGER}), True),
    Transition(OrganisationStatus.VERIFIED, OrganisationStatus.SUSPENDED, frozenset({Role.MANAGER}), True),
    # Reinstating a suspended CSO is a decision too: say why.
    Transition(OrganisationStatus.SUSPENDED, OrganisationStatus.VERIFIED, frozenset({Role.MANAGER}), True),
)


def organisation_transition(source: str, target: str) -> Transition | None:
    for transition in ORGANISATION_TRANSITIONS:
        if transition.source == source and transition.target == target:
            return transition
    return None


def organisation_targets(source: str, role: str) -> list[Transition]:
    return [t for t in ORGANISATION_TRANSITIONS if t.source == source and role in t.roles]
