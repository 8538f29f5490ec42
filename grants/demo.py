"""Demo data for grants: per tenant one open call and one decided call, applications in every state,
reviews from both demo reviewers. Idempotent: a tenant whose demo calls exist is skipped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from relais.audit import audit_record

from .models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    BudgetCategory,
    BudgetLine,
    Call,
    CallStatus,
    ConflictOfInterest,
    EligibilityAnswer,
    EligibilityQuestion,
    Recommendation,
    RequiredAttachment,
    Review,
    ReviewScore,
    ReviewStatus,
    RubricCriterion,
    TimelineActivity,
)
from .services.applications import allocate_reference, recompute_requested_amount
from .versions import snapshot

S = ApplicationStatus

CATEGORIES = [("Personnel", "Staff"), ("Activités", "Activities"), ("Transport et hébergement", "Travel"),
              ("Équipement", "Equipment"), ("Frais administratifs", "Administrative costs")]

LEVELS = {"0": "Absent", "1": "Très faible", "2": "Faible", "3": "Satisfaisant", "4": "Bon", "5": "Excellent"}
CRITERIA = [
    ("Pertinence par rapport au contexte local", "Relevance to the local context", Decimal("3")),
    ("Qualité de la méthodologie et du chronogramme", "Quality of the method and timeline", Decimal("2")),
    ("Capacité de l'organisation", "Organisational capacity", Decimal("2")),
    ("Budget réaliste et efficient", "Realistic and efficient budget", Decimal("1")),
]
QUESTIONS = [
    ("L'organisation est-elle légalement enregistrée au Mali ?", "Is the organisation legally registered in Mali?",
     "yes_no", "no"),
    ("L'organisation a-t-elle reçu un financement de ce bailleur l'an dernier ?",
     "Did the organisation receive funding from this donor last year?", "yes_no", ""),
    ("Décrivez vos liens avec les autorités traditionnelles de la zone.",
     "Describe your links with traditional authorities in the area.", "text", ""),
]
PROJECTS = [
    ("Dialogue intercommunautaire entre éleveurs et agriculteurs",
     "Des espaces de dialogue réguliers entre éleveurs peuls et agriculteurs dogons pour prévenir les conflits "
     "liés à l'accès à l'eau et aux pâturages."),
    ("Radios communautaires pour la cohésion sociale",
     "Des émissions hebdomadaires en langues locales animées par des jeunes pour lutter contre les rumeurs."),
    ("Femmes médiatrices de paix", "Former 60 femmes leaders à la médiation des conflits fonciers et familiaux."),
    ("Jeunes contre l'enrôlement",
     "Des activités économiques et sportives pour détourner les jeunes des groupes armés."),
    ("Éducation civique dans les écoles", "Des clubs de paix dans 20 écoles fondamentales."),
    ("Réinsertion des ex-combattants", "Accompagnement psychosocial et professionnel de 40 ex-combattants."),
    ("Comités locaux d'alerte précoce", "Des comités villageois qui signalent les tensions avant qu'elles dégénèrent."),
    ("Violences basées sur le genre : écoute et orientation", "Un réseau de points d'écoute et d'orientation."),
]


def _call(tenant, *, title_fr, title_en, status, opens, closes, blind, envelope, regions) -> Call:
    call = Call.objects.create(
        tenant=tenant, title_fr=title_fr, title_en=title_en, status=status, opens_at=opens, closes_at=closes,
        description_fr="Cet appel soutient des initiatives locales de paix portées par des organisations de la "
                       "société civile malienne, en particulier dans le centre et le nord du pays.",
        description_en="This call supports local peace initiatives led by Malian civil-society organisations, "
                       "especially in the centre and north of the country.",
        envelope=envelope, currency="XOF", min_grant=Decimal("2000000"), max_grant=Decimal("15000000"),
        review_deadline=(closes + dt.timedelta(days=21)).date(), reviewers_per_application=2, blind_review=blind,
    )
    call.eligible_regions.set(regions)
    for index, (fr, en, weight) in enumerate(CRITERIA):
        RubricCriterion.objects.create(tenant=tenant, call=call, order=index, name_fr=fr, name_en=en, weight=weight,
                                       levels=LEVELS, description="")
    for index, (fr, en, kind, disq) in enumerate(QUESTIONS):
        EligibilityQuestion.objects.create(tenant=tenant, call=call, order=index, text_fr=fr, text_en=en, kind=kind,
                                           disqualifying_answer=disq)
    RequiredAttachment.objects.create(tenant=tenant, call=call, name_fr="Statuts et récépissé", name_en="Statutes and "
                                      "registration receipt", description="PDF ou photo lisible.")
    audit_record(tenant=tenant, actor=None, action="call.created", target=call, after={"source": "seed_demo"})
    return call


def _application(tenant, call, organisation, project, status, categories, region, index) -> Application:
    title, summary = project
    today = timezone.localdate()
    app = Application.objects.create(
        tenant=tenant, call=call, organisation=organisation, status=S.DRAFT, title=title, summary=summary,
        context="Depuis 2015, les tensions entre communautés se sont aggravées dans la zone, alimentées par la "
                "raréfaction des ressources et la présence de groupes armés.",
        objectives="1. Réduire les conflits violents de 30 %.\n2. Renforcer les mécanismes locaux de médiation.",
        activities="Ateliers de dialogue, formation de médiateurs, émissions radio, suivi communautaire.",
        communes="Commune urbaine et communes rurales voisines", start_date=today + dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=60 + 365), women=180 + index * 10, men=150 + index * 5, youth=120,
        risks="Insécurité sur les axes routiers ; méfiance entre communautés.",
        do_no_harm="Équipes mixtes, consentement des chefs de village, aucune liste nominative partagée.",
        cofunding_amount=Decimal("500000") if index % 2 else None,
        cofunding_source="Contribution de l'organisation" if index % 2 else "",
    )
    app.regions.set([region])
    for month, name in ((1, "Ateliers de lancement"), (3, "Formation des médiateurs"), (6, "Dialogues villageois")):
        TimelineActivity.objects.create(tenant=tenant, application=app, activity=name, start_month=month,
                                        end_month=month + 2)
    for category, description, qty, cost in ((categories[0], "Coordinateur du projet (mois)", "12", "250000"),
                                             (categories[1], "Ateliers de dialogue", "8", "400000"),
                                             (categories[2], "Déplacements des équipes", "10", "75000")):
        BudgetLine.objects.create(tenant=tenant, application=app, category=category, description=description,
                                  quantity=Decimal(qty), unit_cost=Decimal(cost) + index * 10000)
    for question in call.questions.all():
        EligibilityAnswer.objects.create(tenant=tenant, application=app, question=question,
                                         answer="yes" if question.kind == "yes_no" else "Rencontres mensuelles.")
    app.requested_amount = recompute_requested_amount(app)
    if status != S.DRAFT:
        app.reference = allocate_reference(app)
        app.submitted_at = timezone.now() - dt.timedelta(days=10)
        ApplicationVersion.objects.create(tenant=tenant, application=app, number=1, snapshot=snapshot(app))
    app.status = status
    if status == S.CHANGES_REQUESTED:
        app.changes_requested_message = "Précisez les indicateurs de suivi et le nombre de villages concernés."
    if status == S.INELIGIBLE:
        app.screening_reason = "L'organisation n'a pas fourni de récépissé d'enregistrement valide."
    if status in (S.APPROVED, S.REJECTED):
        app.decided_at = timezone.now() - dt.timedelta(days=30)
        if status == S.APPROVED:
            app.awarded_amount = app.requested_amount
            app.decision_reason = "Projet pertinent et budget réaliste."
        else:
            app.decision_reason = "Classement insuffisant au regard de l'enveloppe disponible."
    app.save()
    audit_record(tenant=tenant, actor=None, action="application.created", target=app,
                 after={"status": status, "source": "seed_demo"})
    return app


def _review(tenant, app, reviewer, *, submitted: bool, base: int) -> None:
    review = Review.objects.create(
        tenant=tenant, application=app, reviewer=reviewer,
        status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.ASSIGNED,
        coi=ConflictOfInterest.NONE if submitted else "", coi_declared_at=timezone.now() if submitted else None,
        recommendation=Recommendation.FUND if base >= 3 else Recommendation.DO_NOT_FUND if submitted else "",
        comment="Projet bien ancré localement." if submitted else "",
        submitted_at=timezone.now() - dt.timedelta(days=3) if submitted else None,
    )
    if submitted:
        for offset, criterion in enumerate(app.call.criteria.all()):
            ReviewScore.objects.create(tenant=tenant, review=review, criterion=criterion,
                                       score=max(0, min(5, base + (offset % 2))), comment="")


def seed(context: dict[str, Any]) -> None:
    now = timezone.now()
    for data in context.get("tenants", {}).values():
        tenant = data["tenant"]
        if Call.objects.filter(tenant=tenant, title_fr__startswith="Appel 2026").exists():
            continue
        with transaction.atomic():
            categories = []
            for order, (fr, en) in enumerate(CATEGORIES):
                category, _ = BudgetCategory.objects.get_or_create(tenant=tenant, name_fr=fr,
                                                                   defaults={"name_en": en, "order": order})
                categories.append(category)
            regions = list(data["regions"].values())
            central = [r for r in regions if r.zone in ("centre", "north")] or regions
            open_call = _call(tenant, title_fr="Appel 2026 : dialogue communautaire et prévention des conflits",
                              title_en="2026 call: community dialogue and conflict prevention",
                              status=CallStatus.OPEN, opens=now - dt.timedelta(days=30),
                              closes=now + dt.timedelta(days=21), blind=False, envelope=Decimal("60000000"),
                              regions=central)
            decided_call = _call(tenant, title_fr="Appel 2025 : jeunes et cohésion sociale",
                                 title_en="2025 call: youth and social cohesion", status=CallStatus.CLOSED,
                                 opens=now - dt.timedelta(days=200), closes=now - dt.timedelta(days=120), blind=True,
                                 envelope=Decimal("30000000"), regions=[])
            users = data["users"]
            reviewers = [users["reviewer"], users["reviewer2"]]
            organisations = data["organisations"]
            own = next(o for o in organisations.values() if o.memberships.filter(role="applicant").exists())
            others = [o for o in organisations.values() if o.pk != own.pk]
            plan_open = [(own, S.DRAFT)] + list(zip(others, [S.SUBMITTED, S.SCREENING, S.IN_REVIEW,
                                                            S.DECISION_PENDING, S.CHANGES_REQUESTED,
                                                            S.WITHDRAWN], strict=False))
            plan_decided = [(own, S.APPROVED)] + list(zip(others, [S.REJECTED, S.INELIGIBLE, S.APPROVED],
                                                          strict=False))
            for index, (organisation, status) in enumerate(plan_open + plan_decided):
                call = open_call if index < len(plan_open) else decided_call
                app = _application(tenant, call, organisation, PROJECTS[index % len(PROJECTS)], status, categories,
                                   organisation.region or regions[0], index)
                if status == S.IN_REVIEW:
                    _review(tenant, app, reviewers[0], submitted=True, base=4)
                    _review(tenant, app, reviewers[1], submitted=False, base=0)
                elif status in (S.DECISION_PENDING, S.APPROVED, S.REJECTED):
                    good = status != S.REJECTED
                    _review(tenant, app, reviewers[0], submitted=True, base=4 if good else 2)
                    _review(tenant, app, reviewers[1], submitted=True, base=3 if good else 1)
            decided_call.status = CallStatus.DECIDED
            decided_call.save(update_fields=["status"])
