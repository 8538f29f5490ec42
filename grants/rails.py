"""Payment rails that Relais sends itself (Stripe, HUB2 mobile money), registered by their modules.

A provider says whether the workspace enabled it, what blocks a payment before anything is recorded
(limits, a missing account), where the money goes (the payee kept on the disbursement) and how to
send a recorded payment (scheduled after commit with the disbursement's id; the provider confirms
later through grants.services.disbursements.disbursement_provider_result). Manual rails (bank,
mobile money paid by hand, cash) need none of this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relais.models import Tenant

    from .models import Award


@dataclass(frozen=True)
class RailProvider:
    rail: str
    enabled: Callable[[Tenant], bool]
    problems: Callable[..., list[str]]  # (award=, amount=, operator=) -> readable problems
    payee: Callable[[Award], dict[str, Any]]
    send: Callable[[int], None]  # the disbursement's id; runs after commit


_PROVIDERS: dict[str, RailProvider] = {}


def register_rail(provider: RailProvider) -> RailProvider:
    _PROVIDERS[provider.rail] = provider
    return provider


def rail_provider(rail: str) -> RailProvider | None:
    return _PROVIDERS.get(rail)


def provider_problems(rail: str, *, award: Award, amount: Decimal, operator: str = "") -> list[str]:
    provider = _PROVIDERS.get(rail)
    if provider is None:
        return []
    return provider.problems(award=award, amount=amount, operator=operator)
