from .audit import AuditEvent
from .documents import DueDiligenceItem, DueDiligenceStatus, OrganisationDocument, ReviewStatus
from .organisations import FocusArea, Organisation, OrganisationStatus, Region, Zone
from .screening import (
    SanctionsEntry,
    SanctionsListVersion,
    SanctionsSource,
    SanctionsSourceFormat,
    Screening,
    ScreeningCandidate,
    ScreeningDecision,
)
from .tenancy import Invitation, Membership, Role, Tenant, TenantOwned, User

__all__ = [
    "AuditEvent",
    "DueDiligenceItem",
    "DueDiligenceStatus",
    "FocusArea",
    "Invitation",
    "Membership",
    "Organisation",
    "OrganisationDocument",
    "OrganisationStatus",
    "Region",
    "ReviewStatus",
    "Role",
    "SanctionsEntry",
    "SanctionsListVersion",
    "SanctionsSource",
    "SanctionsSourceFormat",
    "Screening",
    "ScreeningCandidate",
    "ScreeningDecision",
    "Tenant",
    "TenantOwned",
    "User",
    "Zone",
]
