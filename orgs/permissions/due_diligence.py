"""Who may see, upload, review and screen in due diligence: `can_<verb>_<thing>(actor, ...) -> Decision`.

Choices (documented for the lead):
- Documents and the due-diligence page: managers (they verify CSOs), finance
  (tranches are released only when due diligence is clear, so finance must be
  able to check the evidence) and the organisation's own applicant members.
  Reviewers and trainers do not need a CSO's statutes or bank attestation to
  score a proposal or run a training, so they are refused (least privilege:
  bank attestations carry account numbers).
- Uploading: managers and the organisation's own applicant members.
- Reviewing documents, editing the checklist, importing sanctions lists,
  running screenings and deciding on them: managers only (importing and
  screening also by the system: commands and demo seeding).
- Screening results: managers and finance; never applicants (a possible match
  is sensitive and must not tip anyone off).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from orgs.models import Organisation, OrganisationDocument, Screening
from orgs.workflow import SCREENING
from relais.actor import Actor
from relais.models import Role
from relais.permissions import ALLOW, Decision, deny


def _is_own_applicant(actor: Actor, organisation: Organisation) -> bool:
    return actor.role == Role.APPLICANT and actor.acts_for(organisation.pk)


def _in_tenant(actor: Actor, obj) -> bool:
    return bool(actor.role) and actor.tenant.pk == obj.tenant_id


def can_view_due_diligence(actor: Actor, organisation: Organisation) -> Decision:
    if actor.is_system or not _in_tenant(actor, organisation):
        return deny(_("You are not a member of this workspace."))
    if actor.has_role(Role.MANAGER, Role.FINANCE) or _is_own_applicant(actor, organisation):
        return ALLOW
    if actor.role == Role.APPLICANT:
        return deny(_("You can only see the documents of your own organisation."))
    return deny(_("Due-diligence documents are reserved for programme managers, finance and the "
                  "organisation's own members."))


def can_see_due_diligence_status(actor: Actor) -> Decision:
    """The due-diligence column and filter of the organisation list: for those who act on it (managers
    verify, finance releases tranches on it). Reviewers score proposals and trainers run sessions:
    whether a CSO's papers are complete is not theirs to know."""
    if actor.has_role(Role.MANAGER, Role.FINANCE):
        return ALLOW
    return deny(_("Due-diligence documents are reserved for programme managers, finance and the "
                  "organisation's own members."))


def can_download_document(actor: Actor, document: OrganisationDocument) -> Decision:
    return can_view_due_diligence(actor, document.organisation)


def can_upload_document(actor: Actor, organisation: Organisation) -> Decision:
    decision = can_view_due_diligence(actor, organisation)
    if not decision:
        return decision
    if actor.is_manager or _is_own_applicant(actor, organisation):
        return ALLOW
    return deny(_("Only programme managers and the organisation's own members can upload documents."))


def can_review_documents(actor: Actor) -> Decision:
    if not actor.is_manager:
        return deny(_("Only a programme manager can accept or reject documents."))
    return ALLOW


def can_review_document(actor: Actor, document: OrganisationDocument) -> Decision:
    if not _in_tenant(actor, document):
        return deny(_("Only a programme manager can accept or reject documents."))
    return can_review_documents(actor)


def can_manage_checklist(actor: Actor) -> Decision:
    if not actor.is_manager:
        return deny(_("Only a programme manager can change the due-diligence checklist."))
    return ALLOW


def can_view_screening(actor: Actor) -> Decision:
    if not actor.has_role(Role.MANAGER, Role.FINANCE):
        return deny(_("Sanctions screening results are reserved for programme managers and finance."))
    return ALLOW


def can_run_screening(actor: Actor) -> Decision:
    """Import a sanctions list or screen an organisation: managers, and the system (commands, seeding)."""
    if not (actor.is_manager or actor.is_system):
        return deny(_("Only a programme manager can run a sanctions screening or import a list."))
    return ALLOW


def can_decide_screening(actor: Actor, screening: Screening) -> Decision:
    """Whether to offer the decision form; the screening table (orgs.workflow.SCREENING) decides on the attempt."""
    if actor.is_system or not actor.is_manager or not _in_tenant(actor, screening):
        return deny(_("Only a programme manager can run a sanctions screening or import a list."))
    if not SCREENING.available(actor, screening):
        return deny(_("This screening has already been decided; run a new screening to decide again."))
    return ALLOW
