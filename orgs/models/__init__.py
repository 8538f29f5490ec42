from .audit import AuditEvent
from .organisations import (
    BudgetBand,
    Commune,
    ContactPerson,
    FocusArea,
    Language,
    MobileOperator,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    PaymentDetails,
    Region,
    Zone,
)
from .registry import ImportBatch, JoinRequest, JoinRequestStatus
from .tenancy import Invitation, Membership, Role, Tenant, TenantOwned, User

__all__ = [
    "AuditEvent",
    "BudgetBand",
    "Commune",
    "ContactPerson",
    "FocusArea",
    "ImportBatch",
    "Invitation",
    "JoinRequest",
    "JoinRequestStatus",
    "Language",
    "Membership",
    "MobileOperator",
    "Organisation",
    "OrganisationStatus",
    "OrganisationType",
    "PaymentDetails",
    "Region",
    "Role",
    "Tenant",
    "TenantOwned",
    "User",
    "Zone",
]
