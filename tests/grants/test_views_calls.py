"""Managers create calls with their rubric, questions and documents; budget categories; deadline task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from grants.models import ApplicationStatus, BudgetCategory, Call, CallStatus
from grants.tasks import close_due_calls
from relais.models import AuditEvent, Role
from tests.grants.conftest import complete_application
from tests.grants.factories import CallFactory, RubricCriterionFactory

S = ApplicationStatus


def _management(prefix, total=1):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000"}


def _call_data(world):
    now = timezone.localtime()
    return {
        "title_fr": "Appel jeunesse", "title_en": "Youth call", "description_fr": "Desc", "envelope": "20000000",
        "currency": "XOF", "min_grant": "1000000", "max_grant": "5000000",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "reviewers_per_application": "2", "eligible_regions": [world.organisation.region_id],
        **_management("criteria"), "criteria-0-name_fr": "Pertinence", "criteria-0-weight": "2",
        **_management("questions"), "questions-0-text_fr": "Enregistrée ?", "questions-0-kind": "yes_no",
        "questions-0-disqualifying_answer": "no",
        **_management("documents"), "documents-0-name_fr": "Statuts",
    }


@pytest.mark.django_db
def test_manager_creates_call_with_children_then_opens_it(world_a):
    client = world_a.client_for(Role.MANAGER)
    response = client.post(world_a.url("calls/new/"), _call_data(world_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(tenant=world_a.tenant, title_fr="Appel jeunesse")
    assert call.status == CallStatus.DRAFT
    assert call.criteria.get().tenant == world_a.tenant
    assert call.questions.get().disqualifying_answer == "no"
    assert call.required_attachments.get().name_fr == "Statuts"
    assert list(call.eligible_regions.all()) == [world_a.organisation.region]
    assert AuditEvent.objects.filter(action="call.created", target_id=str(call.pk)).exists()
    client.post(world_a.url(f"calls/{call.pk}/status/"), {"target": CallStatus.OPEN})
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN


@pytest.mark.django_db
def test_call_form_errors_are_shown_not_500(world_a):
    data = _call_data(world_a)
    data["max_grant"] = "10"
    response = world_a.client_for(Role.MANAGER).post(world_a.url("calls/new/"), data)
    assert response.status_code == 200
    assert not Call.objects.filter(title_fr="Appel jeunesse").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE, Role.TRAINER])
def test_only_managers_create_calls(world_a, role):
    assert world_a.client_for(role).post(world_a.url("calls/new/"), _call_data(world_a)).status_code == 403
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_opening_without_rubric_is_refused_with_message(world_a):
    call = CallFactory(tenant=world_a.tenant, status=CallStatus.DRAFT)
    response = world_a.client_for(Role.MANAGER).post(world_a.url(f"calls/{call.pk}/status/"),
                                                     {"target": CallStatus.OPEN}, follow=True)
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    assert "critère" in response.content.decode()


@pytest.mark.django_db
def test_budget_categories_are_tenant_editable(world_a, world_b):
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "form-0-name_fr": "Personnel", "form-0-order": "1",
            "form-0-is_active": "on"}
    response = world_a.client_for(Role.MANAGER).post(world_a.url("calls/budget-categories/"), data)
    assert response.status_code == 302
    assert BudgetCategory.objects.get().tenant == world_a.tenant
    assert "Personnel" not in world_b.client_for(Role.MANAGER).get(
        world_b.url("calls/budget-categories/")).content.decode()


@pytest.mark.django_db
def test_close_due_calls_task(world_a):
    call = CallFactory(tenant=world_a.tenant, closes_at=timezone.now() - dt.timedelta(minutes=1))
    RubricCriterionFactory(tenant=world_a.tenant, call=call)
    result = close_due_calls.enqueue()
    assert result.return_value == 1
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED


@pytest.mark.django_db
def test_applicant_cannot_start_after_close(world_a):
    call = CallFactory(tenant=world_a.tenant, closes_at=timezone.now() - dt.timedelta(minutes=1))
    world_a.client_for(Role.APPLICANT).post(world_a.url(f"calls/{call.pk}/apply/"))
    assert not call.applications.exists()


@pytest.mark.django_db
def test_duplicate_budget_category_is_a_message_not_a_500(world_a):
    BudgetCategory.objects.create(tenant=world_a.tenant, name_fr="Personnel")
    existing = BudgetCategory.objects.get()
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "form-0-id": existing.pk, "form-0-name_fr": "Personnel",
            "form-0-order": "0", "form-0-is_active": "on", "form-1-name_fr": "Personnel", "form-1-order": "1"}
    response = world_a.client_for(Role.MANAGER).post(world_a.url("calls/budget-categories/"), data)
    assert response.status_code in (200, 302)
    assert BudgetCategory.objects.count() == 1


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
@pytest.mark.parametrize("prefix", ["criteria", "questions", "documents"])
def test_a_call_form_claiming_100000_rows_is_refused_quickly(world_a, prefix, django_assert_max_num_queries):
    client = world_a.client_for(Role.MANAGER)
    client.get(world_a.url("calls/new/"))
    data = {**_call_data(world_a), f"{prefix}-TOTAL_FORMS": "100000"}
    with django_assert_max_num_queries(30):
        response = client.post(world_a.url("calls/new/"), data)
    assert response.status_code == 200
    assert not Call.objects.filter(tenant=world_a.tenant).exists()


@pytest.mark.django_db
def test_budget_categories_claiming_100000_rows_are_refused_quickly(world_a, django_assert_max_num_queries):
    client = world_a.client_for(Role.MANAGER)
    client.get(world_a.url("calls/budget-categories/"))
    data = {"form-TOTAL_FORMS": "100000", "form-INITIAL_FORMS": "0", "form-0-name_fr": "Personnel",
            "form-0-order": "1"}
    with django_assert_max_num_queries(30):
        response = client.post(world_a.url("calls/budget-categories/"), data)
    assert response.status_code == 200
    assert not BudgetCategory.objects.exists()


@pytest.mark.django_db
def test_the_number_of_reviewers_cannot_change_once_reviews_exist_and_the_form_says_why(world_a):
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    call = app.call
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    data = {"title_fr": call.title_fr, "envelope": "50000000", "currency": call.currency, "min_grant": "1000000",
            "max_grant": "10000000", "opens_at": "2026-01-01T00:00", "closes_at": "2030-02-01T00:00",
            "reviewers_per_application": "3",
            "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0", "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0", "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0"}
    response = world_a.client_for(Role.MANAGER).post(world_a.url(f"calls/{call.pk}/edit/"), data)
    assert response.status_code == 200
    assert "Le nombre d&#x27;évaluateurs par demande ne peut plus changer" in response.content.decode()
    call.refresh_from_db()
    assert call.reviewers_per_application == 2


@pytest.mark.django_db
def test_call_edited_in_two_tabs_the_second_save_is_refused_and_nothing_is_lost(world_a):
    from tests.page_forms import form_data

    call = CallFactory(tenant=world_a.tenant, status=CallStatus.DRAFT, title_fr="Appel initial",
                       description_fr="Description initiale")
    RubricCriterionFactory(tenant=world_a.tenant, call=call, name_fr="Pertinence")
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"calls/{call.pk}/edit/")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1["description_fr"] = ["Description du premier onglet"]
    assert client.post(url, tab1).status_code == 302
    tab2["title_fr"] = ["Titre du second onglet"]
    response = client.post(url, tab2)
    body = response.content.decode()
    assert response.status_code == 409 and "Quelqu'un d'autre a enregistré cette fiche" in body
    assert "Description initiale" in body and "Description du premier onglet" in body
    call.refresh_from_db()
    assert (call.title_fr, call.description_fr) == ("Appel initial", "Description du premier onglet")
    again = form_data(body)
    assert again["title_fr"] == ["Titre du second onglet"]
    assert again["description_fr"] == ["Description du premier onglet"]
    assert client.post(url, again).status_code == 302
    call.refresh_from_db()
    assert (call.title_fr, call.description_fr) == ("Titre du second onglet", "Description du premier onglet")
    assert call.criteria.get().name_fr == "Pertinence"


def test_rubric_level_descriptions_are_entered_with_the_call_and_shown_to_reviewers(world_a):
    from grants.models import ReviewStatus
    from tests.grants.factories import ReviewFactory

    client = world_a.client_for(Role.MANAGER)
    levels = {str(n): f"Niveau {n} : preuve {n}" for n in range(6)}
    data = {**_call_data(world_a), **{f"criteria-0-level_{n}": text for n, text in levels.items()}}
    data["criteria-0-level_3"] = "  "  # left blank: not kept
    assert client.post(world_a.url("calls/new/"), data).status_code == 302
    call = Call.objects.get(tenant=world_a.tenant, title_fr="Appel jeunesse")
    criterion = call.criteria.get()
    assert criterion.levels == {n: t for n, t in levels.items() if n != "3"}
    # The edit form shows them back, and an edit changes one without losing the others.
    page = client.get(world_a.url(f"calls/{call.pk}/edit/")).content.decode()
    assert "Niveau 5 : preuve 5" in page and 'name="criteria-0-level_0"' in page
    edit = {**data, "criteria-INITIAL_FORMS": "1", "criteria-0-id": str(criterion.pk),
            "criteria-0-level_3": "Moyen"}
    assert client.post(world_a.url(f"calls/{call.pk}/edit/"), edit).status_code == 302
    criterion.refresh_from_db()
    assert criterion.levels["3"] == "Moyen" and criterion.levels["0"] == "Niveau 0 : preuve 0"
    # The reviewer reads what each score means on the scoring page.
    app = complete_application(world_a, status=S.IN_REVIEW, call=call)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT)
    page = world_a.client_for(Role.REVIEWER).get(world_a.url(f"reviews/{review.pk}/")).content.decode()
    assert "4 — Niveau 4 : preuve 4" in page and "3 — Moyen" in page
