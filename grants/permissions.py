"""Who may do what with calls, applications and reviews, with reasons a person can read.

Each function takes the actor (relais.actor.Actor) and, where it matters, the object; views
raise the decision (403 with the reason) or hand it to templates.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.conflicts import conflict_of_interest
from relais.models import Membership, Role
from relais.permissions import ALLOW, Decision, deny

from .models import Application, Award, ProgressReport, Review, ReviewStatus


def is_own_application(actor: Actor, application: Application) -> bool:
    """The actor is an applicant of the organisation that wrote the application."""
    return actor.has_role(Role.APPLICANT) and actor.acts_for(application.organisation_id)


def can_edit_application(actor: Actor, application: Application) -> Decision:
    if not is_own_application(actor, application):
        return deny(_("Only the applicant organisation can edit this application."))
    if not application.is_editable:
        return deny(_("This application is locked: it was submitted (%(status)s).")
                    % {"status": application.get_status_display()})
    return ALLOW


def can_start_application(actor: Actor) -> Decision:
    if not actor.has_role(Role.APPLICANT) or actor.organisation_id is None:
        return deny(_("Only applicants can start an application."))
    return ALLOW


def can_manage_applications(actor: Actor) -> Decision:
    """Screening, assignment, decisions, call editing: the programme managers' work."""
    if not actor.is_manager:
        return deny(_("Only programme managers can do this."))
    return ALLOW


def can_handle_application(actor: Actor, application: Application) -> Decision:
    """Screening, assignment and decisions on this application: a manager who is not linked to the
    applicant CSO (conflict of interest, relais.conflicts)."""
    decision = can_manage_applications(actor)
    if not decision:
        return decision
    return conflict_of_interest(actor, application.organisation_id)


def can_edit_calls(actor: Actor) -> Decision:
    if not actor.is_manager:
        return deny(_("Only programme managers edit calls."))
    return ALLOW


def can_assign_reviewers(actor: Actor) -> Decision:
    if not actor.is_manager:
        return deny(_("Only programme managers assign reviewers."))
    return ALLOW


def can_decide_applications(actor: Actor) -> Decision:
    if not actor.is_manager:
        return deny(_("Only programme managers decide."))
    return ALLOW


def can_read_ranking(actor: Actor) -> Decision:
    """The ranking is where managers decide: ranks, the running total and the envelope line say which
    applications are likely to be funded. Reviewers score the applications assigned to them and read
    the other reviews of those on their review pages; the ranking of the whole call (or even of their
    own applications against the envelope) is not needed for that, and would tell them outcomes before
    the decision (a pressure point on reviewers who know the applicants)."""
    if not actor.is_manager:
        return deny(_("The ranking is for programme managers: it is where they decide. Reviewers find "
                      "their applications and the other reviews on their review pages."))
    return ALLOW


def can_read_versions(actor: Actor) -> Decision:
    if actor.has_role(Role.REVIEWER):
        return deny(_("Reviewers see the submitted version only."))
    return ALLOW


def identity_hidden(actor: Actor, application: Application) -> bool:
    """Blind review: reviewers do not see who applied (name, contacts, documents)."""
    return actor.has_role(Role.REVIEWER) and application.call.blind_review


def can_download_attachment(actor: Actor, application: Application) -> Decision:
    if identity_hidden(actor, application):
        return deny(_("Blind review: documents that identify the applicant are hidden."))
    return ALLOW


def can_open_review(review: Review) -> Decision:
    """The reviewer opens the application only after declaring no conflict of interest."""
    if review.status == ReviewStatus.ASSIGNED:
        return deny(_("Declare whether you have a conflict of interest before opening the application."))
    if review.status == ReviewStatus.RECUSED:
        return deny(_("You declared a conflict of interest: this application is not yours to review."))
    return ALLOW


def can_read_review(actor: Actor, review: Review) -> Decision:
    """Reviewers read their own reviews; managers read everyone's."""
    if review.reviewer_id == actor.user_id or actor.is_manager:
        return ALLOW
    return deny(_("Only programme managers can do this."))


def reviewer_conflict(membership: Membership, application: Application) -> str:
    """Why this reviewer may not review the application ('' when they may)."""
    if membership.organisation_id and membership.organisation_id == application.organisation_id:
        return _("%(user)s is a member of the applicant organisation.") % {"user": membership.user.display_name}
    return ""


# --- awards and money ----------------------------------------------------------------

def can_manage_award(actor: Actor, award: Award) -> Decision:
    """Terms, agreement, countersignature, closing: a manager not linked to the grantee CSO."""
    if not actor.is_manager:
        return deny(_("Only programme managers manage awards."))
    return conflict_of_interest(actor, award.organisation_id)


def can_sign_award(actor: Actor, award: Award) -> Decision:
    if not (actor.has_role(Role.APPLICANT) and actor.acts_for(award.organisation_id)):
        return deny(_("Only the grantee organisation signs its agreement."))
    return ALLOW


def can_record_disbursement(actor: Actor) -> Decision:
    if not actor.has_role(Role.FINANCE):
        return deny(_("Only finance members record payments."))
    return ALLOW


def can_pay_award(actor: Actor, award: Award) -> Decision:
    """Recording, approving and reversing payments on this award: finance, not linked to the grantee."""
    decision = can_record_disbursement(actor)
    if not decision:
        return decision
    return conflict_of_interest(actor, award.organisation_id)


def can_see_payee_numbers(actor: Actor, award: Award) -> bool:
    """Full account numbers on a payment: finance and the grantee's own members only."""
    return actor.has_role(Role.FINANCE) or (actor.has_role(Role.APPLICANT) and actor.acts_for(award.organisation_id))


# --- progress reports ---------------------------------------------------------------------

def can_edit_report(actor: Actor, report: ProgressReport) -> Decision:
    if not (actor.has_role(Role.APPLICANT) and actor.acts_for(report.award.organisation_id)):
        return deny(_("Only the grantee organisation writes its reports."))
    if not report.is_editable:
        return deny(_("This report was submitted: it can no longer be changed."))
    return ALLOW


def can_review_report(actor: Actor, report: ProgressReport) -> Decision:
    if not actor.is_manager:
        return deny(_("Only programme managers review reports."))
    return conflict_of_interest(actor, report.award.organisation_id)


def can_see_sensitive_section(actor: Actor, report: ProgressReport) -> bool:
    """Safety incidents: the workspace's managers and the grantee's own members only (never finance,
    reviewers, trainers, exports or e-mails)."""
    return actor.is_manager or (actor.has_role(Role.APPLICANT) and actor.acts_for(report.award.organisation_id))


def can_configure_stripe(actor: Actor | None) -> Decision:
    """Switching Stripe transfers on and setting the workspace's keys: finance or a manager."""
    if actor is None or not actor.has_role(Role.FINANCE, Role.MANAGER):
        return deny(_("Only finance members and programme managers set up Stripe transfers."))
    return ALLOW


def can_configure_hub2(actor: Actor) -> Decision:
    """The workspace's HUB2 account (mobile money by API): programme managers and finance."""
    if not (actor.is_manager or actor.has_role(Role.FINANCE)):
        return deny(_("Only programme managers and finance set up HUB2."))
    return ALLOW


def can_read_finance(actor: Actor) -> Decision:
    """The finance page and the award exports: finance members and programme managers."""
    if not actor.has_role(Role.FINANCE, Role.MANAGER):
        return deny(_("Only finance members and programme managers see the finance page."))
    return ALLOW
