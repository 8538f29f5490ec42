"""Who may do what with calls, applications and reviews, with reasons a person can read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from relais.models import Membership, Role
from relais.permissions import ALLOW, Decision, deny

from .models import Application, Review, ReviewStatus


def can_edit_application(membership: Membership, application: Application) -> Decision:
    if membership.role != Role.APPLICANT or membership.organisation_id != application.organisation_id:
        return deny(_("Only the applicant organisation can edit this application."))
    if not application.is_editable:
        return deny(_("This application is locked: it was submitted (%(status)s).")
                    % {"status": application.get_status_display()})
    return ALLOW


def can_manage_applications(membership: Membership) -> Decision:
    if membership.role != Role.MANAGER:
        return deny(_("Only programme managers can do this."))
    return ALLOW


def identity_hidden(membership: Membership, application: Application) -> bool:
    """Blind review: reviewers do not see who applied (name, contacts, documents)."""
    return membership.role == Role.REVIEWER and application.call.blind_review


def can_open_review(review: Review) -> Decision:
    if review.status == ReviewStatus.ASSIGNED:
        return deny(_("Declare whether you have a conflict of interest before opening the application."))
    if review.status == ReviewStatus.RECUSED:
        return deny(_("You declared a conflict of interest: this application is not yours to review."))
    return ALLOW
