"""Who may do what with training sessions: plain decisions with a reason a person can read.

Who may do what with capacity assessments. Trainers and managers facilitate and read; a CSO's applicant
reads its own assessments and moves its action items; reviewers and finance see nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.models import Role
from relais.permissions import ALLOW, Decision, can_act_as, deny

from .models import Assessment, AssessmentStatus, SessionStatus, TrainingSession


def is_session_trainer(actor: Actor, session: TrainingSession) -> bool:
    """Uses the prefetched trainers when the selector loaded them (no query per row)."""
    if actor.membership is None:
        return False
    return any(m.pk == actor.membership.pk for m in session.trainers.all())


def can_create_session(actor: Actor) -> Decision:
    if actor.has_role(Role.MANAGER, Role.TRAINER):
        return ALLOW
    return deny(_("Only programme managers and trainers create training sessions."))


def can_manage_session(actor: Actor, session: TrainingSession) -> Decision:
    """Edit, attendance, printed sheet, import: the managers, and the session's own trainers."""
    if actor.is_system or actor.is_manager:
        return ALLOW
    if actor.has_role(Role.TRAINER) and is_session_trainer(actor, session):
        return ALLOW
    return deny(_("Only the session's trainers and the programme managers manage this session."))


def certificates_issuable(session: TrainingSession) -> Decision:
    """Certificates are issued once the session is held (or closed): marks typed ahead for a planned
    session prove nobody attended yet, and a cancelled session gives none."""
    if session.status == SessionStatus.CANCELLED:
        return deny(_("A cancelled session gives no certificate."))
    if session.status not in (SessionStatus.HELD, SessionStatus.CLOSED):
        return deny(_("Certificates are issued once the session is held: mark it as held first."))
    return ALLOW


def can_register_participants(actor: Actor, session: TrainingSession) -> Decision:
    """Trainers and managers; applicants for their own staff when their organisation is invited."""
    if session.status not in ("planned", "held"):
        return deny(_("Registrations are closed for this session."))
    if can_manage_session(actor, session):
        return ALLOW
    if actor.has_role(Role.APPLICANT) and actor.organisation_id is not None and \
            session.invited_organisations.filter(pk=actor.organisation_id).exists():
        return ALLOW
    return deny(_("Your organisation is not invited to this session."))


def session_may_act(actor: Actor, session: TrainingSession) -> Decision:
    """The workflow's object rule: a trainer moves only their own sessions."""
    if actor.has_role(Role.TRAINER) and not is_session_trainer(actor, session):
        return deny(_("Only the session's trainers move this session."))
    return ALLOW


FACILITATORS = (Role.MANAGER, Role.TRAINER)


def can_manage_framework(actor: Actor) -> Decision:
    return can_act_as(actor, Role.MANAGER)


def can_facilitate(actor: Actor) -> Decision:
    return can_act_as(actor, *FACILITATORS)


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
