"""Who may do what with capacity assessments. Trainers and managers facilitate and read; a CSO's applicant
reads its own assessments and moves its action items; reviewers and finance see nothing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.models import Role
from relais.permissions import ALLOW, Decision, can_act_as, deny

from .models import Assessment, AssessmentStatus

FACILITATORS = (Role.MANAGER, Role.TRAINER)
READERS = (Role.MANAGER, Role.TRAINER, Role.APPLICANT)


def can_manage_framework(actor: Actor) -> Decision:
    return can_act_as(actor, Role.MANAGER)


def can_facilitate(actor: Actor) -> Decision:
    return can_act_as(actor, *FACILITATORS)


def can_read_assessments(actor: Actor) -> Decision:
    return can_act_as(actor, *READERS)


def can_score_assessment(actor: Actor, assessment: Assessment) -> Decision:
    decision = can_facilitate(actor)
    if not decision:
        return decision
    if assessment.status != AssessmentStatus.DRAFT:
        return deny(_("This assessment is completed: its scores can no longer change."))
    return ALLOW


def can_edit_action_plan(actor: Actor, assessment: Assessment) -> Decision:
    """Facilitators write the plan; the CSO's applicant updates where each item stands."""
    if actor.has_role(*FACILITATORS):
        return ALLOW
    if actor.has_role(Role.APPLICANT) and actor.acts_for(assessment.organisation_id):
        return ALLOW
    return deny(_("Only the facilitators and the organisation itself update this action plan."))
