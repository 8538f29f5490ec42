"""Kernel models: workspaces (tenants), users, memberships, invitations and the audit trail."""

from .audit import AuditEvent
from .drafts import DraftRescue
from .tenancy import MFA_ROLES, STAFF_ROLES, Invitation, Membership, Role, Tenant, TenantOwned, User

__all__ = [
    "MFA_ROLES", "STAFF_ROLES", "AuditEvent", "DraftRescue", "Invitation", "Membership", "Role", "Tenant",
    "TenantOwned", "User",
]
