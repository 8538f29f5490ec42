"""Regressions found in the security review of grants: bad input never gives a 500, no leaks."""

from __future__ import annotations

import pytest

from grants.models import ApplicationStatus, Call, Review
from relais.actor import Actor
from relais.models import Role
from tests.grants.conftest import complete_application

S = ApplicationStatus


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "1.5", "²", "0x10", "99999999999999999999999"])
def test_assigning_a_reviewer_with_a_garbage_id_is_refused_with_a_message(world_a, value):
    app = complete_application(world_a, status=S.SCREENING)
    client = world_a.client_for(Role.MANAGER)
    client.raise_request_exception = False
    response = client.post(world_a.url(f"applications/{app.pk}/assign/"), {"reviewer": value}, follow=True)
    assert response.status_code == 200
    assert "Choisissez un évaluateur" in response.content.decode()
    assert not Review.objects.filter(application=app).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999999"])
def test_batch_decision_with_garbage_ids_is_refused_with_a_message(world_a, value):
    app = complete_application(world_a, status=S.DECISION_PENDING)
    client = world_a.client_for(Role.MANAGER)
    client.raise_request_exception = False
    response = client.post(world_a.url(f"calls/{app.call.pk}/decide/"),
                           {"decision": "approved", "applications": [value]}, follow=True)
    assert response.status_code == 200
    assert "Cochez au moins une demande" in response.content.decode()
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["eligible_regions", "focus_areas"])
def test_call_form_refuses_absurd_region_or_focus_area_ids(world_a, field):
    client = world_a.client_for(Role.MANAGER)
    client.raise_request_exception = False
    data = {"title_fr": "Appel", "envelope": "100", "currency": "XOF", "min_grant": "1", "max_grant": "10",
            "opens_at": "2030-01-01T00:00", "closes_at": "2030-02-01T00:00", "reviewers_per_application": "2",
            field: ["99999999999999999999999"],
            "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0", "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0", "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0"}
    response = client.post(world_a.url("calls/new/"), data)
    assert response.status_code == 200
    assert "99999999999999999999999" in response.content.decode()  # the error names the refused value
    assert not Call.objects.filter(tenant=world_a.tenant).exists()


@pytest.mark.django_db
def test_timeline_hides_staff_notes_from_applicants_and_all_reasons_from_blind_reviewers(world_a):
    from grants.models import ReviewStatus
    from grants.services.applications import application_transition
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.SUBMITTED)
    app.call.blind_review = True
    app.call.save()
    manager = world_a.members[Role.MANAGER]
    application_transition(application=app, target=S.SCREENING, actor=Actor.of(manager))
    application_transition(application=app, target=S.CHANGES_REQUESTED, actor=Actor.of(manager),
                           reason=f"{world_a.organisation.acronym}, ajoutez le budget")
    app.status = S.SCREENING
    app.save()
    application_transition(application=app, target=S.IN_REVIEW, actor=Actor.of(manager),
                           reason="Note interne : gouvernance fragile")
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                  status=ReviewStatus.DRAFT, coi="none")

    def history(role):
        body = world_a.client_for(role).get(world_a.url(f"applications/{app.pk}/")).content.decode()
        return body[body.index('class="timeline"'):]

    staff = history(Role.MANAGER)
    assert "Note interne" in staff and "ajoutez le budget" in staff
    applicant = history(Role.APPLICANT)
    assert "ajoutez le budget" in applicant  # written for them
    assert "Note interne" not in applicant  # a screening note is for staff
    reviewer = history(Role.REVIEWER)
    assert world_a.organisation.acronym not in reviewer and "Note interne" not in reviewer
    # The message block on the page itself, too, while changes are requested.
    app.status = S.CHANGES_REQUESTED
    app.changes_requested_message = f"{world_a.organisation.acronym}, ajoutez le budget"
    app.save()
    body = world_a.client_for(Role.REVIEWER).get(world_a.url(f"applications/{app.pk}/")).content.decode()
    assert world_a.organisation.acronym not in body


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 3])
def test_budget_total_beyond_the_money_column_is_refused_and_the_typed_lines_shown_back(world_a, lines):
    from decimal import Decimal

    from tests.grants.factories import BudgetCategoryFactory

    app = complete_application(world_a)
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.APPLICANT)
    client.raise_request_exception = False
    # One line whose total overflows, or three lines that fit alone but not together.
    quantity, unit_cost = ("9999999999.99", "999999999999.99") if lines == 1 else ("1", "400000000000")
    data = {"lines-TOTAL_FORMS": str(lines), "lines-INITIAL_FORMS": "0", "go": "budget"}
    for i in range(lines):
        data.update({f"lines-{i}-category": str(category.pk), f"lines-{i}-description": f"Ligne {i}",
                     f"lines-{i}-quantity": quantity, f"lines-{i}-unit_cost": unit_cost})
    response = client.post(world_a.url(f"applications/{app.pk}/edit/?section=budget"), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "trop élevé" in body and "Ligne 0" in body  # readable message, typed text kept on screen
    app.refresh_from_db()  # the row still loads: nothing absurd was stored
    assert app.requested_amount == Decimal("5000000")
    assert client.get(world_a.url(f"applications/{app.pk}/")).status_code == 200


@pytest.mark.django_db
def test_currency_of_a_call_with_applications_cannot_change(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    call = app.call
    data = {"title_fr": call.title_fr, "envelope": "50000000", "currency": "EUR", "min_grant": "1000000",
            "max_grant": "10000000", "opens_at": "2026-01-01T00:00", "closes_at": "2030-02-01T00:00",
            "reviewers_per_application": "2",
            "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0", "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0", "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0"}
    client = world_a.client_for(Role.MANAGER)
    response = client.post(world_a.url(f"calls/{call.pk}/edit/"), data)
    assert response.status_code == 200
    assert "La devise ne peut plus changer" in response.content.decode()
    call.refresh_from_db()
    assert call.currency == "XOF"  # 5 000 000 XOF requested does not silently become 5 000 000 EUR
    # Without applications the currency is still editable.
    app.delete()
    assert client.post(world_a.url(f"calls/{call.pk}/edit/"), data).status_code == 302
    call.refresh_from_db()
    assert call.currency == "EUR"


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity", "abc"])
def test_award_service_refuses_non_finite_amounts_with_a_message(world_a, amount):
    from django.core.exceptions import ValidationError

    from grants.services.applications import application_transition

    app = complete_application(world_a, status=S.DECISION_PENDING)
    manager = world_a.members[Role.MANAGER]
    with pytest.raises(ValidationError):
        application_transition(application=app, target=S.APPROVED, actor=Actor.of(manager),
                               amount=amount, reason="Montant revu")
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING and app.awarded_amount is None


@pytest.mark.django_db
@pytest.mark.parametrize("score", [6, -1, 99])
def test_review_service_refuses_scores_outside_the_scale(world_a, score):
    from django.core.exceptions import ValidationError

    from grants.models import ReviewScore, ReviewStatus
    from grants.services.reviews import review_save
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    scores = {c.pk: (score, "") for c in app.call.criteria.all()}
    with pytest.raises(ValidationError):
        review_save(review=review, actor=world_a.actor(Role.REVIEWER), scores=scores, recommendation="fund",
                    comment="", submit=True)
    assert not ReviewScore.objects.filter(review=review).exclude(score__in=range(6)).exists()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("child", ["criteria", "questions"])
def test_editing_a_call_cannot_delete_a_scored_criterion_or_an_answered_question(world_a, child):
    from grants.models import EligibilityAnswer, ReviewScore
    from tests.grants.factories import ReviewScoreFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    call = app.call
    criterion = call.criteria.first()
    ReviewScoreFactory(tenant=world_a.tenant, review__application=app, criterion=criterion, comment="Solide")
    rows = list(call.criteria.all()) if child == "criteria" else list(call.questions.all())
    data = {"title_fr": call.title_fr, "envelope": "50000000", "currency": "XOF", "min_grant": "1000000",
            "max_grant": "10000000", "opens_at": "2026-01-01T00:00", "closes_at": "2030-02-01T00:00",
            "reviewers_per_application": "2"}
    for name in ("criteria", "questions", "documents"):
        data.update({f"{name}-TOTAL_FORMS": "0", f"{name}-INITIAL_FORMS": "0"})
    data.update({f"{child}-TOTAL_FORMS": str(len(rows)), f"{child}-INITIAL_FORMS": str(len(rows))})
    for i, row in enumerate(rows):
        data[f"{child}-{i}-id"] = str(row.pk)
        if child == "criteria":
            data.update({f"{child}-{i}-name_fr": row.name_fr, f"{child}-{i}-weight": str(row.weight)})
        else:
            data.update({f"{child}-{i}-text_fr": row.text_fr, f"{child}-{i}-kind": row.kind})
    data[f"{child}-0-DELETE"] = "on"
    response = world_a.client_for(Role.MANAGER).post(world_a.url(f"calls/{call.pk}/edit/"), data)
    assert response.status_code == 200
    assert "impossible de le supprimer" in response.content.decode()
    assert ReviewScore.objects.filter(criterion=criterion, comment="Solide").exists()
    assert EligibilityAnswer.objects.filter(application=app).exists()


@pytest.mark.django_db
def test_a_recused_reviewer_no_longer_sees_the_application(world_a):
    from grants.models import ReviewStatus
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    app.title = "Projet confidentiel de Mopti"
    app.save()
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                  status=ReviewStatus.RECUSED, coi="declared", coi_text="Mon cousin")
    client = world_a.client_for(Role.REVIEWER)
    assert "Projet confidentiel" not in client.get(world_a.url("applications/")).content.decode()
    assert client.get(world_a.url(f"applications/{app.pk}/")).status_code == 404
    assert client.get(world_a.url(f"applications/{app.pk}/pdf/")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.WITHDRAWN, S.REJECTED, S.APPROVED])
def test_declaring_no_conflict_after_the_review_phase_does_not_open_the_application(world_a, status):
    from django.core.exceptions import ValidationError

    from grants.models import ReviewStatus
    from grants.services.reviews import review_declare_conflict
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=status)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    with pytest.raises(ValidationError):
        review_declare_conflict(review=review, actor=world_a.actor(Role.REVIEWER), has_conflict=False)
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED
    assert world_a.client_for(Role.REVIEWER).get(world_a.url(f"applications/{app.pk}/")).status_code == 302


@pytest.mark.django_db
def test_incomplete_submission_keeps_the_typed_scores_as_a_draft(world_a):
    from django.core.exceptions import ValidationError

    from grants.models import ReviewStatus
    from grants.services.reviews import review_save
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=ApplicationStatus.IN_REVIEW)
    c1, c2 = app.call.criteria.all()
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    with pytest.raises(ValidationError):
        review_save(review=review, actor=world_a.actor(Role.REVIEWER), scores={c1.pk: (3, "Pertinent pour Mopti")},
                    recommendation="", comment="Commentaire général", submit=True)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert review.comment == "Commentaire général"
    assert review.scores.get(criterion=c1).comment == "Pertinent pour Mopti"


@pytest.mark.django_db
def test_a_suspended_organisation_cannot_start_an_application(world_a):
    from django.core.exceptions import ValidationError

    from grants.services.applications import application_create
    from tests.grants.factories import CallFactory

    world_a.organisation.status = "suspended"
    world_a.organisation.save()
    call = CallFactory(tenant=world_a.tenant)
    with pytest.raises(ValidationError, match="suspend"):
        application_create(call=call, actor=world_a.actor(Role.APPLICANT))


@pytest.mark.django_db
def test_blind_review_cannot_be_switched_once_reviewers_are_assigned(world_a):
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    call = app.call
    call.blind_review = True
    call.save()
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    data = {"title_fr": call.title_fr, "envelope": "50000000", "currency": call.currency, "min_grant": "1000000",
            "max_grant": "10000000", "opens_at": "2026-01-01T00:00", "closes_at": "2030-02-01T00:00",
            "reviewers_per_application": "2",
            "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0", "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0", "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0"}
    response = world_a.client_for(Role.MANAGER).post(world_a.url(f"calls/{call.pk}/edit/"), data)
    assert response.status_code == 200
    call.refresh_from_db()
    assert call.blind_review is True


@pytest.mark.django_db
def test_application_timeline_and_audit_log_name_grants_actions(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    from grants.services.applications import application_transition

    application_transition(application=app, target=S.SCREENING, actor=world_a.actor(Role.MANAGER))
    client = world_a.client_for(Role.MANAGER)
    detail = client.get(world_a.url(f"applications/{app.pk}/")).content.decode()
    audit = client.get(world_a.url("audit/")).content.decode()
    assert "application.screening_start" not in detail and "application.screening_start" not in audit
    assert "Commencer la vérification" in detail or "Start screening" in detail
