from .audit import AuditEvent
from .organisations import FocusArea, Organisation, Region, Zone
from .tenancy import Invitation, Membership, Role, Tenant, TenantOwned, User

__all__ = [
    "AuditEvent",
    "FocusArea",
    "Invitation",
    "Membership",
    "Organisation",
    "Region",
    "Role",
    "Tenant",
    "TenantOwned",
    "User",
    "Zone",
]
