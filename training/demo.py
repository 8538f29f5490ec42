"""seed_demo for training: per workspace, the applicant's CSO has a completed baseline capacity assessment
and a completed follow-up six months later (scores that improve in most domains), each with an action
plan; and the demo trainer runs two sessions: a two-day one held a month ago and closed, with twenty
participants from five demo CSOs (women and men of four age bands), their attendance, pre/post-test
scores, evaluations and certificates, and a protected one planned in three weeks. Through the services
and the engine, as the trainer would do it; idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

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
    SessionStatus,
    Topic,
)
from .selectors import session_list, topic_list
from .selectors.learning import learning_rows
from .services import learning as learning_services
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
PLANS: dict[str, list[tuple[str, str, int, str]]] = {
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
    assert trainer.user is not None  # the demo trainer is a member, not the system
    assessment = assessment_create(actor=trainer, organisation=organisation, date=date, kind=kind,
                                   facilitator=trainer.user)
    sub_areas = AssessmentSubArea.objects.filter(tenant=trainer.tenant).select_related("domain")
    scores: dict[int, tuple[int | None, str]] = {}
    for index, sa in enumerate(sub_areas):
        base = BASELINE.get(sa.domain.order, 2) + (index % 2 if sa.domain.order in (1, 5) else 0)
        score = min(4, base + (GAIN.get(sa.domain.order, 1) if gain else 0))
        scores[sa.pk] = (score, "Constat partagé avec l'équipe lors de l'atelier." if index == 0 else "")
    assessment_save_scores(actor=trainer, assessment=assessment, scores=scores)
    assessment_complete(actor=trainer, assessment=assessment)
    rows = [{"id": None, "delete": False, "item": item, "owner": owner, "status": status,
             "due_date": date + dt.timedelta(days=days)} for item, owner, days, status in PLANS[kind]]
    action_plan_save(actor=trainer, assessment=assessment, rows=rows)


HELD_TITLE = "Médiation et dialogue communautaire, atelier de deux jours (démo)"
PLANNED_TITLE = "Gestion financière des OSC, session protégée (démo)"
DEMO_CSOS = 5  # the applicant's CSO and the next four of the workspace are invited
HELD_REGION = {"peace-direct": "Mopti", "wanep-mali": "Ségou"}


class DemoParticipant(NamedTuple):
    name: str
    sex: str
    age_band: str
    organisation: int  # index into the invited CSOs
    role: str
    marks: str  # one letter per day: Present, Late, Absent, Excused
    pre: int | None  # None: not there for the pre-test (first morning)
    post: int | None  # None: not there for the post-test (last afternoon)
    satisfaction: int | None = None  # the evaluation form, handed in on the last afternoon
    comment: str = ""


MARKS = {"P": AttendanceStatus.PRESENT, "L": AttendanceStatus.LATE, "A": AttendanceStatus.ABSENT,
         "E": AttendanceStatus.EXCUSED}
F, M = Sex.FEMALE, Sex.MALE
Y1, Y2, A3, A4 = AgeBand.FROM_15_TO_24, AgeBand.FROM_25_TO_35, AgeBand.FROM_36_TO_50, AgeBand.OVER_50
DP = DemoParticipant
# Twenty people per workspace, other names in each (a leak between workspaces shows): women and men of
# four age bands from five CSOs; a few late, one absent the second day and one excused the first (both
# under the certificate threshold); most scored before and after, most handed in the evaluation.
PARTICIPANTS: dict[str, list[DemoParticipant]] = {
    "peace-direct": [
        DP("Aïssata Barry", F, Y1, 0, "Animatrice jeunesse", "PP", 40, 72, 5,
           "Les jeux de rôle sur la médiation nous serviront dans les quartiers."),
        DP("Hamidou Guindo", M, Y2, 0, "Chargé de programme", "PL", 55, 78, 4),
        DP("Fatoumata Dicko", F, Y2, 0, "Médiatrice communautaire", "PP", 48, 80, 5),
        DP("Sékou Ongoïba", M, Y1, 0, "Pair éducateur", "PA", 35, None),
        DP("Mohamed Ag Ahmed", M, A4, 1, "Président du comité de paix", "PP", 60, 75, 4,
           "Prévoir une traduction en tamasheq pour certains modules."),
        DP("Fadimata Walet Mohamed", F, A3, 1, "Trésorière", "PP", 42, 70, 5),
        DP("Almahady Maïga", M, A3, 1, "Animateur", "LP", 50, 68, 3,
           "Deux jours, c'est trop court pour tout le programme."),
        DP("Zeinabou Touré", F, Y2, 1, "Chargée de suivi-évaluation", "PP", 58, 85, 5),
        DP("Oumou Diakité", F, A3, 2, "Médiatrice", "PP", 62, 82, 4),
        DP("Djénéba Coulibaly", F, A4, 2, "Présidente", "PP", 65, 70, 4),
        DP("Assétou Samaké", F, Y1, 2, "Volontaire", "EP", None, 66, 4),
        DP("Bakary Konaté", M, Y2, 2, "Comptable", "PP", 45, 45, 3,
           "Bonne animation, mais la salle était trop chaude."),
        DP("Mariam Sidibé", F, Y2, 3, "Juriste", "PP", 70, 88, 5),
        DP("Rokia Doumbia", F, A3, 3, "Coordinatrice", "PL", 52, 74, None),
        DP("Adama Diallo", M, A3, 3, "Chargé de plaidoyer", "PP", 47, 69, 4),
        DP("Salimata Koné", F, Y1, 3, "Stagiaire", "PP", 38, 64, 5,
           "J'aimerais une session de suivi dans six mois."),
        DP("Seydou Bagayoko", M, A4, 4, "Directeur adjoint", "PP", 57, 71, 4),
        DP("Korotoumou Traoré", F, Y2, 4, "Animatrice", "PP", 44, 76, 5),
        DP("Drissa Dembélé", M, Y2, 4, "Chargé de projet", "PP", 51, 73, None),
        DP("Lassana Sissoko", M, Y1, 4, "Agent de terrain", "PP", 33, 61, 4),
    ],
    "wanep-mali": [
        DP("Nana Cissé", F, Y2, 0, "Présidente", "PP", 58, 84, 5,
           "Les cas pratiques sur les conflits fonciers étaient très concrets."),
        DP("Kadidia Diallo", F, Y1, 0, "Chargée de communication", "PP", 46, 75, 5),
        DP("Bintou Sanogo", F, Y2, 0, "Secrétaire générale", "LP", 50, 72, 4),
        DP("Habibatou Maïga", F, Y1, 0, "Membre", "PP", 39, 66, 4),
        DP("Abdoulaye Tangara", M, A3, 1, "Chercheur", "PP", 68, 80, 4),
        DP("Ramata Fofana", F, A3, 1, "Chargée d'études", "PP", 61, 79, 4),
        DP("Cheick Oumar Berthé", M, A4, 1, "Directeur", "PA", 64, None),
        DP("Youssouf Kanté", M, Y2, 1, "Assistant de recherche", "PP", 53, 77, 3,
           "Il faudrait plus de temps pour les exercices en groupe."),
        DP("Sitan Dembélé", F, Y2, 2, "Enseignante", "PP", 47, 73, 5),
        DP("Mamadou Tounkara", M, A3, 2, "Coordinateur", "PL", 55, 70, 4),
        DP("Maïmouna Diarra", F, A3, 2, "Conseillère VBG", "PP", 59, 83, 5,
           "Merci pour les outils d'écoute des survivantes."),
        DP("Issa Coulibaly", M, Y1, 2, "Animateur", "PP", 36, 62, None),
        DP("Souleymane Keïta", M, Y2, 3, "Président", "PP", 49, 71, 4),
        DP("Fanta Camara", F, Y1, 3, "Animatrice", "EP", None, 68, 4),
        DP("Modibo Sylla", M, Y1, 3, "Formateur pair", "PP", 42, 42, 3,
           "Prévoir une traduction en bambara pour certains modules."),
        DP("Tenin Kouyaté", F, Y2, 3, "Trésorière", "PP", 44, 69, 4),
        DP("Mahamane Haïdara", M, A4, 4, "Président", "PP", 63, 74, 4),
        DP("Aïcha Walet Alhousseini", F, A3, 4, "Animatrice", "PP", 51, 78, 5),
        DP("Baba Cissé", M, Y2, 4, "Chargé des droits humains", "LL", 48, 70, 4),
        DP("Alhassane Ag Hamadi", M, Y1, 4, "Agent de terrain", "PP", 37, 65, 5),
    ],
}


def _held_session(trainer: Actor, organisations: list[Any], people: list[DemoParticipant], *, topic: Topic,
                  region: Any, today: dt.date) -> None:
    """What the trainer did a month ago: created the two-day session, registered the twenty, entered the
    attendance, marked it held, typed the tests and the evaluations, issued the certificates the
    attendance allows (the service decides), and closed it."""
    start = today - dt.timedelta(days=30)
    held = session_services.session_create(actor=trainer, values={
        "title": HELD_TITLE, "topic": topic, "start_date": start, "end_date": start + dt.timedelta(days=1),
        "region": region, "venue": "Maison des jeunes", "languages": "Français, bambara", "capacity": 24},
        invited_organisations=organisations)
    registrations = [
        session_services.participant_create_and_register(session=held, actor=trainer, values={
            "organisation": organisations[person.organisation % len(organisations)], "full_name": person.name,
            "sex": person.sex, "age_band": person.age_band, "role_title": person.role})
        for person in people]
    marks = {(registration.pk, day): MARKS[letter] for registration, person in zip(registrations, people, strict=True)
             for day, letter in zip(held.days, person.marks, strict=True)}
    session_services.attendance_save(session=held, actor=trainer, marks=marks)
    held.refresh_from_db()
    held = session_services.session_transition(session=held, actor=trainer, target=SessionStatus.HELD)
    learning_services.learning_save(session=held, actor=trainer, rows={
        registration.pk: {"pre_score": person.pre, "post_score": person.post, "satisfaction": person.satisfaction,
                          "evaluation_comment": person.comment}
        for registration, person in zip(registrations, people, strict=True)})
    for row in learning_rows(session=held, actor=trainer):
        if row.eligibility.allowed and row.certificate is None:
            learning_services.certificate_issue(registration=row.registration, actor=trainer)
    held.refresh_from_db()
    session_services.session_transition(session=held, actor=trainer, target=SessionStatus.CLOSED)


def _sessions(trainer: Actor, organisations: list[Any], people: list[DemoParticipant], *, region: Any,
              today: dt.date) -> None:
    """Each session is created once (found by its title afterwards): seeding again changes nothing, and a
    database seeded by an older demo gains the sessions it lacks."""
    existing = set(session_list(actor=trainer).filter(title__in=[HELD_TITLE, PLANNED_TITLE])
                   .values_list("title", flat=True))
    if existing == {HELD_TITLE, PLANNED_TITLE}:
        return
    session_services.topics_seed(actor=Actor.system(trainer.tenant))
    topics = list(topic_list(actor=trainer).order_by("position"))
    if HELD_TITLE not in existing:
        _held_session(trainer, organisations, people, topic=topics[0], region=region, today=today)
    if PLANNED_TITLE not in existing:
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
        assert organisation is not None  # the demo applicant belongs to the workspace's first CSO
        demo_csos = [organisation, *[o for o in data.get("organisations", {}).values()
                                     if o.pk != organisation.pk][:DEMO_CSOS - 1]]
        people = PARTICIPANTS.get(tenant.slug, PARTICIPANTS["peace-direct"])
        region = data.get("regions", {}).get(HELD_REGION.get(tenant.slug, ""))
        with transaction.atomic():
            _sessions(trainer, demo_csos, people, region=region, today=today)
        if Assessment.objects.filter(tenant=tenant, organisation=organisation).exists():
            continue
        with transaction.atomic():
            framework_ensure(actor=Actor.system(tenant))
            _assess(trainer, organisation, date=today - dt.timedelta(days=240), kind=AssessmentKind.BASELINE,
                    gain=False)
            _assess(trainer, organisation, date=today - dt.timedelta(days=50), kind=AssessmentKind.FOLLOW_UP,
                    gain=True)
