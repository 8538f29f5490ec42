"""State tables of training. An assessment: draft → completed once every sub-area is scored."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.workflow import StateMachine, Transition, register

from .models import Assessment, AssessmentScore, AssessmentStatus, AssessmentSubArea
from .permissions import FACILITATORS


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
