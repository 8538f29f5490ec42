"""The training session table: planned → held → closed, or cancelled with a reason.

State tables of training. An assessment: draft → completed once every sub-area is scored. An action
item of its plan: open, in progress or done, in any order (plans slip), moved by the facilitators or by
the assessed CSO itself.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.actor import Actor
from relais.models import Role
from relais.workflow import StateMachine, Transition, register

from .models import (
    ActionItem,
    ActionItemStatus,
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    AssessmentSubArea,
    SessionStatus,
    TrainingSession,
)
from .permissions import FACILITATORS, session_may_act

S = SessionStatus
STAFF = frozenset({Role.MANAGER, Role.TRAINER})

SESSION = register(StateMachine(
    name="training_session",
    model=TrainingSession,
    states=SessionStatus,
    may_act=session_may_act,
    transitions=(
        Transition(S.PLANNED, S.HELD, STAFF, "held", gettext_lazy("Mark as held")),
        Transition(S.HELD, S.CLOSED, STAFF, "closed", gettext_lazy("Close the session")),
        Transition(S.HELD, S.PLANNED, STAFF, "reopened", gettext_lazy("Back to planned")),
        Transition(S.PLANNED, S.CANCELLED, STAFF, "cancelled", gettext_lazy("Cancel the session"),
                   reason_required=True),
    ),
))


def every_sub_area_scored(assessment: Assessment, ctx: dict[str, Any]) -> list[str]:
    framework = AssessmentSubArea.objects.filter(tenant_id=assessment.tenant_id).values_list("pk", flat=True)
    scored = set(AssessmentScore.objects.filter(tenant_id=assessment.tenant_id, assessment_id=assessment.pk)
                 .values_list("sub_area_id", flat=True))
    missing = [pk for pk in framework if pk not in scored]
    if not framework:
        return [_("The assessment framework has no sub-area to score.")]
    if missing:
        return [_("Score every sub-area before completing the assessment (%(count)s left).") % {"count": len(missing)}]
    return []


ASSESSMENT = register(StateMachine(
    name="assessment",
    model=Assessment,
    states=AssessmentStatus,
    transitions=(
        Transition(AssessmentStatus.DRAFT, AssessmentStatus.COMPLETED, frozenset(FACILITATORS), "complete",
                   gettext_lazy("Complete the assessment"), requires=(every_sub_area_scored,)),
    ),
))


def _facilitator_or_own_cso(actor: Actor, item: ActionItem) -> bool:
    return actor.has_role(*FACILITATORS) or actor.acts_for(item.assessment.organisation_id)


ACTION_STEPS = {
    ActionItemStatus.OPEN: ("mark_open", gettext_lazy("Action reopened")),
    ActionItemStatus.IN_PROGRESS: ("mark_in_progress", gettext_lazy("Action started")),
    ActionItemStatus.DONE: ("mark_done", gettext_lazy("Action done")),
}

ACTION_ITEM = register(StateMachine(
    name="action_item",
    model=ActionItem,
    states=ActionItemStatus,
    transitions=tuple(
        Transition(source, target, frozenset({*FACILITATORS, Role.APPLICANT}), ACTION_STEPS[target][0],
                   ACTION_STEPS[target][1])
        for source in ActionItemStatus for target in ActionItemStatus if source != target
    ),
    may_act=_facilitator_or_own_cso,
))
