"""seed_demo for training: per workspace, the applicant's CSO has a completed baseline capacity assessment
and a completed follow-up six months later (scores that improve in most domains), each with an action
plan; and the demo trainer runs two sessions: one held, with attendance for staff of the demo CSOs
(women and men of several age bands), and one planned and protected. Through the services and the
engine, as the trainer would do it; idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from relais.actor import Actor
from relais.demographics import AgeBand, Sex
from relais.models import Membership

from .models import (
    ActionItemStatus,
    Assessment,
    AssessmentKind,
    AssessmentSubArea,
    AttendanceStatus,
    Topic,
    TrainingSession,
)
from .services import sessions as session_services
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


HELD_TITLE = "Atelier de médiation communautaire (démo)"
PLANNED_TITLE = "Gestion financière des OSC, session protégée (démo)"
F, M = Sex.FEMALE, Sex.MALE
# (name, sex, age band, the two days' marks)
PEOPLE = [
    ("Fatoumata Diarra", F, AgeBand.FROM_15_TO_24, ("present", "present")),
    ("Moussa Keïta", M, AgeBand.FROM_25_TO_35, ("present", "late")),
    ("Aminata Traoré", F, AgeBand.FROM_36_TO_50, ("present", "present")),
    ("Ibrahim Coulibaly", M, AgeBand.OVER_50, ("late", "absent")),
    ("Kadiatou Sangaré", F, AgeBand.FROM_25_TO_35, ("present", "excused")),
    ("Boubacar Maïga", M, AgeBand.FROM_15_TO_24, ("absent", "present")),
]


def _sessions(trainer: Actor, organisations: list[Any], today: dt.date) -> None:
    if TrainingSession.objects.filter(tenant=trainer.tenant, title__in=[HELD_TITLE, PLANNED_TITLE]).exists():
        return
    session_services.topics_seed(actor=Actor.system(trainer.tenant))
    topics = list(Topic.objects.filter(tenant=trainer.tenant, active=True).order_by("position"))
    start = today - dt.timedelta(days=30)
    held = session_services.session_create(actor=trainer, values={
        "title": HELD_TITLE, "topic": topics[0], "start_date": start, "end_date": start + dt.timedelta(days=1),
        "venue": "Maison des jeunes", "languages": "Français, bambara", "capacity": 20},
        invited_organisations=organisations)
    marks = {}
    for index, (name, sex, band, days) in enumerate(PEOPLE):
        registration = session_services.participant_create_and_register(session=held, actor=trainer, values={
            "organisation": organisations[index % len(organisations)], "full_name": name, "sex": sex,
            "age_band": band})
        marks.update({(registration.pk, day): AttendanceStatus(status) for day, status in zip(held.days, days,
                                                                                            strict=True)})
    session_services.attendance_save(session=held, actor=trainer, marks=marks)
    held.refresh_from_db()
    session_services.session_transition(session=held, actor=trainer, target="held")
    begins = today + dt.timedelta(days=21)
    session_services.session_create(actor=trainer, values={
        "title": PLANNED_TITLE, "topic": topics[min(2, len(topics) - 1)], "start_date": begins,
        "end_date": begins + dt.timedelta(days=2), "venue": "Centre de formation", "languages": "Français",
        "capacity": 15, "protected": True}, invited_organisations=organisations)


def seed(context: dict[str, Any]) -> None:
    today = timezone.localdate()
    for data in context.get("tenants", {}).values():
        tenant = data["tenant"]
        users = data["users"]
        members = {m.user_id: m for m in Membership.objects.filter(tenant=tenant, is_active=True)
                   .select_related("tenant", "user", "organisation")}
        trainer = Actor.of(members[users["trainer"].pk])
        organisation = members[users["applicant"].pk].organisation
        demo_csos = [organisation, *[o for o in data.get("organisations", {}).values()
                                     if o.pk != organisation.pk][:2]]
        with transaction.atomic():
            _sessions(trainer, demo_csos, today)
        if Assessment.objects.filter(tenant=tenant, organisation=organisation).exists():
            continue
        with transaction.atomic():
            framework_ensure(actor=Actor.system(tenant))
            _assess(trainer, organisation, date=today - dt.timedelta(days=240), kind=AssessmentKind.BASELINE,
                    gain=False)
            _assess(trainer, organisation, date=today - dt.timedelta(days=50), kind=AssessmentKind.FOLLOW_UP,
                    gain=True)
