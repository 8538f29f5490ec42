"""Kernel models: workspaces (tenants), users, memberships, invitations, the audit trail and the outbox."""

from .audit import AuditEvent
from .drafts import DraftRescue
from .outbox import EmailStatus, OutboundEmail
from .tenancy import MFA_ROLES, STAFF_ROLES, Invitation, Membership, Role, Tenant, TenantOwned, User

__all__ = [
    "MFA_ROLES", "STAFF_ROLES", "AuditEvent", "DraftRescue", "EmailStatus", "Invitation", "Membership",
    "OutboundEmail", "Role", "Tenant", "TenantOwned", "User",
]
