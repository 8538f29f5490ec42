from .audit import AuditEvent
from .organisations import FocusArea, Organisation, OrganisationStatus, Region, Zone
from .tenancy import Invitation, Membership, Role, Tenant, TenantOwned, User

__all__ = [
    "AuditEvent",
    "FocusArea",
    "Invitation",
    "Membership",
    "Organisation",
    "OrganisationStatus",
    "Region",
    "Role",
    "Tenant",
    "TenantOwned",
    "User",
    "Zone",
]
