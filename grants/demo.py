"""Demo data for grants: per tenant one open call and one decided call, applications in every state,
reviews from both demo reviewers. Idempotent: a tenant whose demo calls exist is skipped.

Everything goes through the services and the workflow engine, as the demo's people would do it in
the pages: the manager writes and opens the calls, applicants fill in and submit their applications,
the manager screens and assigns, reviewers declare and score, the manager decides. No e-mail is sent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from orgs.models import Organisation, OrganisationStatus
from relais.actor import Actor
from relais.demo import demo_pdf
from relais.models import Membership, Role

from .models import (
    Application,
    ApplicationStatus,
    BudgetCategory,
    Call,
    CallStatus,
    Recommendation,
    Review,
)
from .services.applications import (
    application_create,
    application_sections_save,
    application_transition,
    attachment_add,
)
from .services.calls import budget_categories_save, call_create, call_transition, call_update
from .services.reviews import review_assign, review_declare_conflict, review_save

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


def _categories(manager: Actor) -> list[BudgetCategory]:
    existing = {c.name_fr: c for c in BudgetCategory.objects.filter(tenant=manager.tenant)}
    missing = [{"id": None, "name_fr": fr, "name_en": en, "order": order, "is_active": True}
               for order, (fr, en) in enumerate(CATEGORIES) if fr not in existing]
    if missing:
        budget_categories_save(actor=manager, rows=missing)
        existing = {c.name_fr: c for c in BudgetCategory.objects.filter(tenant=manager.tenant)}
    return [existing[fr] for fr, _en in CATEGORIES]


def _call(manager: Actor, *, title_fr, title_en, opens, closes, review_deadline, blind, envelope, regions,
          currency: str = "XOF", min_grant: Decimal = Decimal("2000000"), max_grant: Decimal = Decimal("15000000"),
          ) -> Call:
    """A call written by the manager, then opened."""
    call = call_create(actor=manager, data={
        "title_fr": title_fr, "title_en": title_en, "opens_at": opens, "closes_at": closes,
        "description_fr": "Cet appel soutient des initiatives locales de paix portées par des organisations de la "
                          "société civile malienne, en particulier dans le centre et le nord du pays.",
        "description_en": "This call supports local peace initiatives led by Malian civil-society organisations, "
                          "especially in the centre and north of the country.",
        "envelope": envelope, "currency": currency, "min_grant": min_grant, "max_grant": max_grant,
        "review_deadline": review_deadline, "reviewers_per_application": 2, "blind_review": blind,
        "eligible_regions": regions, "focus_areas": [],
        "criteria": [{"id": None, "order": index, "name_fr": fr, "name_en": en, "weight": weight, "levels": LEVELS,
                      "description": ""} for index, (fr, en, weight) in enumerate(CRITERIA)],
        "questions": [{"id": None, "order": index, "text_fr": fr, "text_en": en, "kind": kind,
                       "disqualifying_answer": disq} for index, (fr, en, kind, disq) in enumerate(QUESTIONS)],
        "documents": [{"id": None, "name_fr": "Statuts et récépissé", "name_en": "Statutes and registration receipt",
                       "description": "PDF ou photo lisible."}],
    })
    return call_transition(call=call, target=CallStatus.OPEN, actor=manager)


def _author(applicant: Actor, organisation: Organisation) -> Actor:
    """Who fills in an organisation's application: the demo applicant for their own CSO; for the other
    demo CSOs, which have no account, the demo applicant stands in as a member of that CSO (a membership
    that is never saved, so it opens nothing else)."""
    if applicant.acts_for(organisation.pk):
        return applicant
    stand_in = Membership(tenant=applicant.tenant, user=applicant.user, role=Role.APPLICANT,
                          organisation=organisation, is_active=True)
    return Actor(tenant=applicant.tenant, user=applicant.user, membership=stand_in)


def _application(author: Actor, call: Call, project, categories, region, index, *, per_unit: Decimal = Decimal(1),
                 ) -> Application:
    """An application filled in section by section, complete, with its statutes attached (still a draft)."""
    title, summary = project
    today = timezone.localdate()
    app = application_create(call=call, actor=author)
    sections: dict[str, dict[str, Any]] = {
        "project": {"title": title, "summary": summary},
        "context": {"context": "Depuis 2015, les tensions entre communautés se sont aggravées dans la zone, "
                               "alimentées par la raréfaction des ressources et la présence de groupes armés."},
        "objectives": {"objectives": "1. Réduire les conflits violents de 30 %.\n"
                                     "2. Renforcer les mécanismes locaux de médiation."},
        "activities": {
            "activities": "Ateliers de dialogue, formation de médiateurs, émissions radio, suivi communautaire.",
            "timeline": [{"id": None, "activity": name, "start_month": month, "end_month": month + 2}
                         for month, name in ((1, "Ateliers de lancement"), (3, "Formation des médiateurs"),
                                             (6, "Dialogues villageois"))],
        },
        "location": {"regions": [region], "communes": "Commune urbaine et communes rurales voisines",
                     "start_date": today + dt.timedelta(days=60), "end_date": today + dt.timedelta(days=60 + 365)},
        "beneficiaries": {"women": 180 + index * 10, "men": 150 + index * 5, "youth": 120},
        "risks": {"risks": "Insécurité sur les axes routiers ; méfiance entre communautés.",
                  "do_no_harm": "Équipes mixtes, consentement des chefs de village, aucune liste nominative partagée."},
        "budget": {
            "cofunding_amount": (Decimal("500000") / per_unit).quantize(Decimal(1)) if index % 2 else None,
            "cofunding_source": "Contribution de l'organisation" if index % 2 else "",
            "lines": [{"id": None, "category": category, "description": description, "quantity": Decimal(qty),
                       "unit_cost": ((Decimal(cost) + index * 10000) / per_unit).quantize(Decimal(1))}
                      for category, description, qty, cost in (
                          (categories[0], "Coordinateur du projet (mois)", "12", "250000"),
                          (categories[1], "Ateliers de dialogue", "8", "400000"),
                          (categories[2], "Déplacements des équipes", "10", "75000"))],
        },
        "eligibility": {"answers": {question.pk: "yes" if question.kind == "yes_no" else "Rencontres mensuelles."
                                    for question in call.questions.all()}},
    }
    application_sections_save(application=app, actor=author, sections=sections)
    organisation = author.membership.organisation
    for document in call.required_attachments.all():
        upload = SimpleUploadedFile(f"{organisation.short_name}-statuts.pdf",
                                    demo_pdf(organisation.name, document.name_fr), content_type="application/pdf")
        attachment_add(application=app, actor=author, required=document, upload=upload)
    return app


def _review(reviewer: Actor, manager: Actor, app: Application, *, submitted: bool, base: int) -> None:
    """The manager assigns the reviewer; a reviewer who submitted declared no conflict, then scored."""
    review = review_assign(application=app, reviewer=reviewer.user, actor=manager)
    if not submitted:
        return
    review_declare_conflict(review=review, actor=reviewer, has_conflict=False)
    scores = {criterion.pk: (max(0, min(5, base + (offset % 2))), "")
              for offset, criterion in enumerate(app.call.criteria.all())}
    review_save(review=Review.objects.get(pk=review.pk), actor=reviewer, scores=scores,
                recommendation=Recommendation.FUND if base >= 3 else Recommendation.DO_NOT_FUND,
                comment="Projet bien ancré localement.", submit=True)


def _walk(app: Application, status: str, *, author: Actor, manager: Actor, reviewers: list[Actor]) -> None:
    """From submitted to `status`, the way the pages would take it."""

    def step(actor: Actor, target: str, reason: str = "") -> None:
        # Decisions are e-mailed as on the pages: the demo's outbox and timelines show who was told.
        application_transition(application=app, actor=actor, target=target, reason=reason)

    if status == S.WITHDRAWN:
        step(author, S.WITHDRAWN)
        return
    if status == S.CHANGES_REQUESTED:
        step(manager, S.CHANGES_REQUESTED, "Précisez les indicateurs de suivi et le nombre de villages concernés.")
        return
    if status == S.SUBMITTED:
        return
    step(manager, S.SCREENING)
    if status == S.INELIGIBLE:
        step(manager, S.INELIGIBLE, "L'organisation n'a pas fourni de récépissé d'enregistrement valide.")
        return
    if status == S.SCREENING:
        return
    step(manager, S.IN_REVIEW)
    if status == S.IN_REVIEW:
        _review(reviewers[0], manager, app, submitted=True, base=4)
        _review(reviewers[1], manager, app, submitted=False, base=0)
        return
    good = status != S.REJECTED
    # The second submitted review moves the application to decision (the system's step).
    _review(reviewers[0], manager, app, submitted=True, base=4 if good else 2)
    _review(reviewers[1], manager, app, submitted=True, base=3 if good else 1)
    app.refresh_from_db()
    if status == S.APPROVED:
        step(manager, S.APPROVED, "Projet pertinent et budget réaliste.")
    elif status == S.REJECTED:
        step(manager, S.REJECTED, "Classement insuffisant au regard de l'enveloppe disponible.")


def seed(context: dict[str, Any]) -> None:
    now = timezone.now()
    for data in context.get("tenants", {}).values():
        tenant = data["tenant"]
        if Call.objects.filter(tenant=tenant, title_fr__startswith="Appel 2026").exists():
            continue
        users = data["users"]
        members = {m.user_id: m for m in Membership.objects.filter(tenant=tenant, is_active=True)
                   .select_related("tenant", "user", "organisation")}

        def actor(local: str) -> Actor:
            return Actor.of(members[users[local].pk])  # noqa: B023  (used inside this iteration only)

        manager, applicant = actor("manager"), actor("applicant")
        reviewers = [actor("reviewer"), actor("reviewer2")]
        with transaction.atomic():
            categories = _categories(manager)
            regions = list(data["regions"].values())
            central = [r for r in regions if r.zone in ("centre", "north")] or regions
            open_call = _call(manager, title_fr="Appel 2026 : dialogue communautaire et prévention des conflits",
                              title_en="2026 call: community dialogue and conflict prevention",
                              opens=now - dt.timedelta(days=30), closes=now + dt.timedelta(days=21),
                              review_deadline=(now + dt.timedelta(days=42)).date(), blind=False,
                              envelope=Decimal("60000000"), regions=central)
            # Written and opened while it still took applications; it closed 120 days ago (below).
            decided_call = _call(manager, title_fr="Appel 2025 : jeunes et cohésion sociale",
                                 title_en="2025 call: youth and social cohesion",
                                 opens=now - dt.timedelta(days=200), closes=now + dt.timedelta(days=1),
                                 review_deadline=(now - dt.timedelta(days=99)).date(), blind=True,
                                 envelope=Decimal("30000000"), regions=[])
            organisations = data["organisations"]
            own = applicant.membership.organisation
            # A suspended CSO cannot apply.
            others = [o for o in organisations.values()
                      if o.pk != own.pk and o.status != OrganisationStatus.SUSPENDED]
            plan_open = [(own, S.DRAFT)] + list(zip(others, [S.SUBMITTED, S.SCREENING, S.IN_REVIEW,
                                                            S.DECISION_PENDING, S.CHANGES_REQUESTED,
                                                            S.WITHDRAWN], strict=False))
            plan_decided = [(own, S.APPROVED)] + list(zip(others, [S.REJECTED, S.INELIGIBLE, S.APPROVED],
                                                          strict=False))
            planned = []
            for index, (organisation, status) in enumerate(plan_open + plan_decided):
                call = open_call if index < len(plan_open) else decided_call
                author = _author(applicant, organisation)
                app = _application(author, call, PROJECTS[index % len(PROJECTS)], categories,
                                   organisation.region or regions[0], index)
                if status != S.DRAFT:
                    application_transition(application=app, actor=author, target=S.SUBMITTED)
                planned.append((app, status, author))
            call_update(call=decided_call, actor=manager, data={"closes_at": now - dt.timedelta(days=120)})
            call_transition(call=decided_call, target=CallStatus.CLOSED, actor=Actor.system(tenant))
            for app, status, author in planned:
                if status != S.DRAFT:
                    _walk(app, status, author=author, manager=manager, reviewers=reviewers)
            call_transition(call=decided_call, target=CallStatus.DECIDED, actor=manager)

    from .demo_awards import seed_awards  # after the decisions: the approved applications have their awards

    seed_awards(context)
