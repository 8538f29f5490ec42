"""Who may see, upload, review and screen in due diligence.

Choices (documented for the lead):
- Documents and the due-diligence page: managers (they verify CSOs), finance
  (tranches are released only when due diligence is clear, so finance must be
  able to check the evidence) and the organisation's own applicant members.
  Reviewers and trainers do not need a CSO's statutes or bank attestation to
  score a proposal or run a training, so they are refused (least privilege:
  bank attestations carry account numbers).
- Uploading: managers and the organisation's own applicant members.
- Reviewing documents, editing the checklist, importing sanctions lists,
  running screenings and deciding on them: managers only.
- Screening results: managers and finance; never applicants (a possible match
  is sensitive and must not tip anyone off).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from orgs.models import Organisation, OrganisationDocument, Screening, ScreeningDecision
from relais.models import Membership, Role
from relais.permissions import ALLOW, Decision, deny


def _is_own_applicant(membership: Membership, organisation: Organisation) -> bool:
    return membership.role == Role.APPLICANT and membership.organisation_id == organisation.pk


def can_view_due_diligence(membership: Membership | None, organisation: Organisation) -> Decision:
    if membership is None or not membership.is_active or membership.tenant_id != organisation.tenant_id:
        return deny(_("You are not a member of this workspace."))
    if membership.role in (Role.MANAGER, Role.FINANCE) or _is_own_applicant(membership, organisation):
        return ALLOW
    if membership.role == Role.APPLICANT:
        return deny(_("You can only see the documents of your own organisation."))
    return deny(_("Due-diligence documents are reserved for programme managers, finance and the "
                  "organisation's own members."))


def can_download_document(membership: Membership | None, document: OrganisationDocument) -> Decision:
    return can_view_due_diligence(membership, document.organisation)


def can_upload_document(membership: Membership | None, organisation: Organisation) -> Decision:
    decision = can_view_due_diligence(membership, organisation)
    if not decision:
        return decision
    if membership.role == Role.MANAGER or _is_own_applicant(membership, organisation):
        return ALLOW
    return deny(_("Only programme managers and the organisation's own members can upload documents."))


def can_review_document(membership: Membership | None, document: OrganisationDocument) -> Decision:
    if membership is None or membership.tenant_id != document.tenant_id or membership.role != Role.MANAGER:
        return deny(_("Only a programme manager can accept or reject documents."))
    return ALLOW


def can_manage_checklist(membership: Membership | None) -> Decision:
    if membership is None or membership.role != Role.MANAGER:
        return deny(_("Only a programme manager can change the due-diligence checklist."))
    return ALLOW


def can_view_screening(membership: Membership | None) -> Decision:
    if membership is None or membership.role not in (Role.MANAGER, Role.FINANCE):
        return deny(_("Sanctions screening results are reserved for programme managers and finance."))
    return ALLOW


def can_run_screening(membership: Membership | None) -> Decision:
    if membership is None or membership.role != Role.MANAGER:
        return deny(_("Only a programme manager can run a sanctions screening or import a list."))
    return ALLOW


def can_decide_screening(membership: Membership | None, screening: Screening) -> Decision:
    decision = can_run_screening(membership)
    if not decision:
        return decision
    if screening.decision != ScreeningDecision.PENDING:
        return deny(_("This screening has already been decided; run a new screening to decide again."))
    return ALLOW
