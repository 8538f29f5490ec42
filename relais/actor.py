"""Who is acting: one frozen value, built once per request or for the system.

`TenantMiddleware` sets `request.actor` for every page under `/<tenant>/`;
commands, tasks and webhooks use `Actor.system(tenant)`. Services take
`actor: Actor` and never look the membership up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .models import Membership, Tenant, User

SYSTEM = "system"  # the role name a transition table gives to automatic steps


@dataclass(frozen=True)
class Actor:
    """A user acting through one membership of one tenant, or the system acting for a tenant."""

    tenant: Tenant
    user: User | None = None
    membership: Membership | None = None
    # What was read about this actor once, for the rest of its request (relais.conflicts).
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.membership is not None:
            if self.membership.tenant_id != self.tenant.pk:
                raise ValueError("The membership belongs to another tenant.")
            if self.user is not None and self.membership.user_id != self.user.pk:
                raise ValueError("The membership belongs to another user.")

    @classmethod
    def system(cls, tenant: Tenant) -> Actor:
        return cls(tenant=tenant)

    @classmethod
    def of(cls, membership: Membership) -> Actor:
        """The actor of an active membership (tests, seeding)."""
        return cls(tenant=membership.tenant, user=membership.user, membership=membership)

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def role(self) -> str:
        """The member's role, `SYSTEM` for the system, "" for a user without an active membership."""
        if self.is_system:
            return SYSTEM
        if self.membership is None or not self.membership.is_active:
            return ""
        return self.membership.role

    @property
    def organisation_id(self) -> int | None:
        """The CSO an applicant acts for (None for staff and the system)."""
        return self.membership.organisation_id if self.membership is not None else None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_manager(self) -> bool:
        from .models import Role

        return self.role == Role.MANAGER

    def acts_for(self, organisation_id: int | None) -> bool:
        """True when the actor is a member (any role) of that CSO: the conflict-of-interest test."""
        return organisation_id is not None and self.organisation_id == organisation_id

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def __str__(self) -> str:
        return "system" if self.is_system else f"{self.user} ({self.role or '-'}) @ {self.tenant.slug}"
