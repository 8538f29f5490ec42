"""seed_demo for training: per workspace, the applicant's CSO has a completed baseline capacity assessment
and a completed follow-up six months later (scores that improve in most domains), each with an action
plan. Through the services and the engine, as the trainer would do it; idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from relais.actor import Actor
from relais.models import Membership

from .models import ActionItemStatus, Assessment, AssessmentKind, AssessmentSubArea
from .services.assessments import (
    action_plan_save,
    assessment_complete,
    assessment_create,
    assessment_save_scores,
    framework_ensure,
)

# Baseline score per domain (by order); the follow-up adds the gain, capped at 4.
BASELINE = {1: 2, 2: 1, 3: 2, 4: 1, 5: 2, 6: 1, 7: 1}
GAIN = {1: 1, 2: 2, 3: 1, 4: 1, 5: 1, 6: 2, 7: 0}
PLANS = {
    AssessmentKind.BASELINE: [
        ("Adopter un manuel de procédures financières", "Trésorière", 60, ActionItemStatus.DONE),
        ("Tenir un registre des biens à jour", "Chargé administratif", 90, ActionItemStatus.DONE),
        ("Mettre en place un plan de suivi-évaluation avec des indicateurs", "Coordinateur", 120,
         ActionItemStatus.IN_PROGRESS),
    ],
    AssessmentKind.FOLLOW_UP: [
        ("Faire réaliser le premier audit externe", "Conseil d'administration", 90, ActionItemStatus.OPEN),
        ("Rédiger un plan stratégique sur trois ans", "Directrice", 180, ActionItemStatus.OPEN),
    ],
}


def _assess(trainer: Actor, organisation: Any, *, date: dt.date, kind: str, gain: bool) -> None:
    assessment = assessment_create(actor=trainer, organisation=organisation, date=date, kind=kind,
                                   facilitator=trainer.user)
    sub_areas = AssessmentSubArea.objects.filter(tenant=trainer.tenant).select_related("domain")
    scores = {}
    for index, sa in enumerate(sub_areas):
        base = BASELINE.get(sa.domain.order, 2) + (index % 2 if sa.domain.order in (1, 5) else 0)
        score = min(4, base + (GAIN.get(sa.domain.order, 1) if gain else 0))
        scores[sa.pk] = (score, "Constat partagé avec l'équipe lors de l'atelier." if index == 0 else "")
    assessment_save_scores(actor=trainer, assessment=assessment, scores=scores)
    assessment_complete(actor=trainer, assessment=assessment)
    rows = [{"id": None, "delete": False, "item": item, "owner": owner, "status": status,
             "due_date": date + dt.timedelta(days=days)} for item, owner, days, status in PLANS[kind]]
    action_plan_save(actor=trainer, assessment=assessment, rows=rows)


def seed(context: dict[str, Any]) -> None:
    today = timezone.localdate()
    for data in context.get("tenants", {}).values():
        tenant = data["tenant"]
        users = data["users"]
        members = {m.user_id: m for m in Membership.objects.filter(tenant=tenant, is_active=True)
                   .select_related("tenant", "user", "organisation")}
        trainer = Actor.of(members[users["trainer"].pk])
        organisation = members[users["applicant"].pk].organisation
        if Assessment.objects.filter(tenant=tenant, organisation=organisation).exists():
            continue
        with transaction.atomic():
            framework_ensure(actor=Actor.system(tenant))
            _assess(trainer, organisation, date=today - dt.timedelta(days=240), kind=AssessmentKind.BASELINE,
                    gain=False)
            _assess(trainer, organisation, date=today - dt.timedelta(days=50), kind=AssessmentKind.FOLLOW_UP,
                    gain=True)
