"""grants.services.calls: creating and editing calls under the rules of what may still change,
budget categories, the deadline task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import ApplicationStatus, BudgetCategory, Call, CallStatus, ReviewStatus
from grants.services.calls import budget_categories_save, call_create, call_update
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.factories import RegionFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import (
    ApplicationFactory,
    BudgetCategoryFactory,
    CallFactory,
    EligibilityAnswerFactory,
    EligibilityQuestionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RubricCriterionFactory,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def _data(**changes):
    now = timezone.now()
    data = {"title_fr": "Appel jeunesse", "title_en": "", "description_fr": "", "description_en": "",
            "envelope": Decimal("20000000"), "currency": "XOF", "min_grant": Decimal("1000000"),
            "max_grant": Decimal("5000000"), "opens_at": now, "closes_at": now + dt.timedelta(days=30),
            "review_deadline": None, "reviewers_per_application": 2, "blind_review": False,
            "eligible_regions": [], "focus_areas": []}
    data.update(changes)
    return data


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


def test_a_manager_creates_a_draft_call_with_its_rows(world_a):
    call = call_create(actor=world_a.actor(Role.MANAGER), data=_data(
        criteria=[{"id": None, "delete": False, "name_fr": "Pertinence", "weight": Decimal("2")}],
        questions=[{"id": None, "delete": False, "text_fr": "Enregistrée ?", "kind": "yes_no"}],
        documents=[{"id": None, "delete": False, "name_fr": "Statuts"}],
    ))
    assert call.status == CallStatus.DRAFT and call.tenant == world_a.tenant
    assert [c.name_fr for c in call.criteria.all()] == ["Pertinence"]
    assert call.questions.get().tenant == world_a.tenant and call.required_attachments.count() == 1
    assert AuditEvent.objects.filter(action="call.created", target_id=str(call.pk)).exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE, Role.TRAINER])
def test_only_managers_write_calls(world_a, role):
    with pytest.raises(Refused) as exc:
        call_create(actor=world_a.actor(role), data=_data())
    assert exc.value.forbidden
    assert not Call.objects.exists()


def test_regions_of_another_workspace_are_refused(world_a, world_b):
    with pytest.raises(Refused):
        call_create(actor=world_a.actor(Role.MANAGER),
                    data=_data(eligible_regions=[RegionFactory(tenant=world_b.tenant)]))
    assert not Call.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"closes_at": timezone.now() - dt.timedelta(days=1)}, "closes_at"),
    ({"max_grant": Decimal("10")}, "max_grant"),
])
def test_dates_and_grant_range_must_make_sense(world_a, changes, field):
    with pytest.raises(Refused) as exc:
        call_create(actor=world_a.actor(Role.MANAGER), data=_data(**changes))
    assert field in exc.value.message_dict


def test_the_envelope_cannot_go_below_what_is_already_awarded(world_a):
    from grants.services.calls import call_envelope_change

    call = CallFactory(tenant=world_a.tenant, envelope=Decimal("50000000"))
    ApplicationFactory(tenant=world_a.tenant, call=call, status=S.APPROVED, awarded_amount=Decimal("8000000"))
    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(Refused) as exc:
        call_update(call=call, actor=manager, data={"envelope": Decimal("7000000")})
    assert "envelope" in exc.value.message_dict
    with pytest.raises(Refused):
        call_envelope_change(call=call, actor=manager, envelope=Decimal("7000000"), reason="Réduction")
    call.refresh_from_db()
    assert call.envelope == Decimal("50000000")
    # Once applications are approved, the envelope changes with a reason (issue 9, the envelope is a limit).
    call_envelope_change(call=call, actor=manager, envelope=Decimal("8000000"), reason="Fonds réaffectés")
    call.refresh_from_db()
    assert call.envelope == Decimal("8000000")


@pytest.mark.parametrize("field", ["min_grant", "max_grant"])
def test_the_grant_range_is_fixed_once_applications_are_submitted(world_a, field):
    call = CallFactory(tenant=world_a.tenant)
    ApplicationFactory(tenant=world_a.tenant, call=call, status=S.DRAFT)
    manager = world_a.actor(Role.MANAGER)
    call_update(call=call, actor=manager, data={field: Decimal("2000000")})  # drafts only: still free
    ApplicationFactory(tenant=world_a.tenant, call=call, status=S.SUBMITTED)
    with pytest.raises(Refused) as exc:
        call_update(call=call, actor=manager, data={field: Decimal("3000000")})
    assert field in exc.value.message_dict
    call.refresh_from_db()
    assert getattr(call, field) == Decimal("2000000")


def test_reviewers_per_application_is_fixed_once_reviews_exist(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, status=S.IN_REVIEW)
    manager = world_a.actor(Role.MANAGER)
    call_update(call=app.call, actor=manager, data={"reviewers_per_application": 3})  # no review yet
    ReviewFactory(tenant=world_a.tenant, application=app, status=ReviewStatus.ASSIGNED)
    with pytest.raises(Refused) as exc:
        call_update(call=app.call, actor=manager, data={"reviewers_per_application": 1})
    assert "reviewers_per_application" in exc.value.message_dict
    app.call.refresh_from_db()
    assert app.call.reviewers_per_application == 3


def test_currency_and_blind_review_are_fixed_once_applications_and_reviews_exist(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, status=S.IN_REVIEW)
    ReviewFactory(tenant=world_a.tenant, application=app)
    with pytest.raises(Refused) as exc:
        call_update(call=app.call, actor=world_a.actor(Role.MANAGER), data={"currency": "EUR", "blind_review": True})
    assert {"currency", "blind_review"} <= set(exc.value.message_dict)
    assert "La devise ne peut plus changer" in _messages(exc)


def test_unchanged_values_pass_whatever_exists(world_a):
    app = complete_application(world_a, status=S.APPROVED)
    Call.objects.filter(pk=app.call_id).update(envelope=Decimal("50000000"))
    app.awarded_amount = Decimal("5000000")
    app.save()
    ReviewFactory(tenant=world_a.tenant, application=app, status=ReviewStatus.SUBMITTED)
    call = Call.objects.get(pk=app.call_id)
    call_update(call=call, actor=world_a.actor(Role.MANAGER), data=_data(
        title_fr="Nouveau titre", envelope=call.envelope, currency=call.currency, min_grant=call.min_grant,
        max_grant=call.max_grant, opens_at=call.opens_at, closes_at=call.closes_at,
        reviewers_per_application=call.reviewers_per_application, blind_review=call.blind_review))
    call.refresh_from_db()
    assert call.title_fr == "Nouveau titre"


@pytest.mark.parametrize("kind", ["criteria", "questions"])
def test_a_scored_criterion_or_answered_question_cannot_be_deleted_but_a_fresh_one_can(world_a, kind):
    call = CallFactory(tenant=world_a.tenant)
    if kind == "criteria":
        used, fresh = RubricCriterionFactory(tenant=world_a.tenant, call=call), RubricCriterionFactory(
            tenant=world_a.tenant, call=call)
        ReviewScoreFactory(tenant=world_a.tenant, criterion=used, review__application__call=call)
    else:
        used, fresh = EligibilityQuestionFactory(tenant=world_a.tenant, call=call), EligibilityQuestionFactory(
            tenant=world_a.tenant, call=call)
        EligibilityAnswerFactory(tenant=world_a.tenant, question=used, application__call=call)
    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(Refused) as exc:
        call_update(call=call, actor=manager, data={kind: [{"id": used.pk, "delete": True},
                                                           {"id": fresh.pk, "delete": True}]})
    assert "impossible de le supprimer" in _messages(exc)
    rows = call.criteria if kind == "criteria" else call.questions
    assert set(rows.values_list("pk", flat=True)) == {used.pk, fresh.pk}  # nothing of that save is kept
    call_update(call=call, actor=manager, data={kind: [{"id": fresh.pk, "delete": True}]})
    assert list(rows.values_list("pk", flat=True)) == [used.pk]


def test_a_row_of_another_call_is_refused(world_a):
    call, other = CallFactory(tenant=world_a.tenant), CallFactory(tenant=world_a.tenant)
    foreign = RubricCriterionFactory(tenant=world_a.tenant, call=other, name_fr="Autre")
    with pytest.raises(Refused):
        call_update(call=call, actor=world_a.actor(Role.MANAGER),
                    data={"criteria": [{"id": foreign.pk, "delete": False, "name_fr": "Volé"}]})
    foreign.refresh_from_db()
    assert foreign.name_fr == "Autre" and foreign.call == other


def test_budget_categories_are_written_by_managers_only_and_names_stay_unique(world_a):
    BudgetCategoryFactory(tenant=world_a.tenant, name_fr="Personnel")
    with pytest.raises(Refused) as exc:
        budget_categories_save(actor=world_a.actor(Role.FINANCE), rows=[{"id": None, "name_fr": "Transport"}])
    assert exc.value.forbidden
    with pytest.raises(Refused):
        budget_categories_save(actor=world_a.actor(Role.MANAGER), rows=[{"id": None, "name_fr": "Personnel"}])
    assert budget_categories_save(actor=world_a.actor(Role.MANAGER), rows=[{"id": None, "name_fr": "Transport"}]) == 2
    assert BudgetCategory.objects.filter(tenant=world_a.tenant).count() == 2
    assert AuditEvent.objects.filter(action="budget_categories.updated").count() == 1
