"""Managers create calls with their rubric, questions and documents; budget categories; deadline task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from grants.models import BudgetCategory, Call, CallStatus
from grants.tasks import close_due_calls
from relais.models import AuditEvent, Role
from tests.grants.factories import CallFactory, RubricCriterionFactory


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
