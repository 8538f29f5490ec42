"""The transition tables walked for every role: allowed roles succeed, others are refused with a message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from grants.models import Application, ApplicationStatus, CallStatus, ReviewStatus
from grants.services.applications import application_transition
from grants.services.calls import call_transition, close_due_calls
from grants.workflow import APPLICATION_TRANSITIONS, CALL_TRANSITIONS, SYSTEM
from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.grants.conftest import complete_application
from tests.grants.factories import (
    ApplicationFactory,
    CallFactory,
    ReviewFactory,
    RubricCriterionFactory,
)

S = ApplicationStatus


def _prepared(world, transition) -> Application:
    app = complete_application(world, status=transition.source)
    if transition.target == S.DECISION_PENDING:
        ReviewFactory(tenant=world.tenant, application=app, reviewer=world.user(Role.REVIEWER),
                      status=ReviewStatus.SUBMITTED)
    return app


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("transition", APPLICATION_TRANSITIONS,
                         ids=lambda t: f"{t.source}->{t.target}")
def test_application_table_for_every_role(transition, role, world_a, django_capture_on_commit_callbacks):
    app = _prepared(world_a, transition)
    membership = world_a.members[role]
    kwargs = {"reason": "Motif détaillé", "actor": Actor.of(membership)}
    if role in transition.roles:
        with django_capture_on_commit_callbacks(execute=True):
            application_transition(application=app, target=transition.target, **kwargs)
        app.refresh_from_db()
        assert app.status == transition.target
        event = AuditEvent.objects.get(action=f"application.{transition.action}", target_id=str(app.pk))
        assert event.before == {"status": transition.source}
        assert event.actor == membership.user
    else:
        with pytest.raises(Refused) as excinfo:
            application_transition(application=app, target=transition.target, **kwargs)
        assert excinfo.value.messages and all(excinfo.value.messages)
        app.refresh_from_db()
        assert app.status == transition.source
        assert not AuditEvent.objects.filter(target_id=str(app.pk), action__startswith="application.").exists()


OUTSIDE_THE_TABLE = [
    (source, target) for source in S.values for target in S.values
    if not any(t.source == source and t.target == target for t in APPLICATION_TRANSITIONS)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), OUTSIDE_THE_TABLE)
def test_pairs_outside_the_table_are_refused_for_managers_and_applicants(source, target, world_a):
    app = complete_application(world_a, status=source)
    for role in (Role.MANAGER, Role.APPLICANT):
        with pytest.raises(Refused) as excinfo:
            application_transition(application=app, target=target, actor=world_a.actor(role), reason="x")
        assert "cannot become" in excinfo.value.messages[0] or "ne peut pas" in excinfo.value.messages[0]


@pytest.mark.django_db
def test_applicant_of_another_organisation_cannot_submit(world_a):
    from tests.factories import MembershipFactory

    app = complete_application(world_a)
    other = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT)
    with pytest.raises(Refused):
        application_transition(application=app, target=S.SUBMITTED, actor=Actor.of(other))


@pytest.mark.django_db
def test_submit_stamps_reference_snapshot_and_sends_receipt_in_user_language(
        world_a, django_capture_on_commit_callbacks, mailoutbox):
    world_a.tenant.reference_prefix = "PD"
    world_a.tenant.save()
    applicant = world_a.members[Role.APPLICANT]
    applicant.user.language = "en"
    applicant.user.save()
    first = complete_application(world_a)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=first, target=S.SUBMITTED, actor=Actor.of(applicant))
    first.refresh_from_db()
    year = timezone.localdate().year
    assert first.reference == f"PD-{year}-001"
    assert first.versions.count() == 1
    assert first.versions.get().snapshot["title"] == "Dialogue à Mopti"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [applicant.user.email]
    assert "received" in mailoutbox[0].subject
    assert first.reference in mailoutbox[0].body
    second = complete_application(world_a, organisation=__import__("tests.factories").factories.OrganisationFactory(
        tenant=world_a.tenant))
    applicant.organisation = second.organisation
    applicant.save()
    application_transition(application=second, target=S.SUBMITTED, actor=Actor.of(applicant))
    second.refresh_from_db()
    assert second.reference == f"PD-{year}-002"


@pytest.mark.django_db
def test_submission_refused_after_close_even_if_task_did_not_run(world_a):
    app = complete_application(world_a)
    app.call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    app.call.save()
    assert app.call.status == CallStatus.OPEN
    applicant = world_a.members[Role.APPLICANT]
    with pytest.raises(Refused) as excinfo:
        application_transition(application=app, target=S.SUBMITTED, actor=Actor.of(applicant))
    assert "closed" in " ".join(excinfo.value.messages) or "clôtur" in " ".join(excinfo.value.messages)


@pytest.mark.django_db
def test_incomplete_application_lists_every_missing_item(world_a):
    call = CallFactory(tenant=world_a.tenant)
    app = ApplicationFactory(tenant=world_a.tenant, call=call, organisation=world_a.organisation, title="")
    applicant = world_a.members[Role.APPLICANT]
    with pytest.raises(Refused) as excinfo:
        application_transition(application=app, target=S.SUBMITTED, actor=Actor.of(applicant))
    assert len(excinfo.value.messages) >= 10


@pytest.mark.django_db
def test_decision_refused_to_manager_member_of_the_applicant_organisation(world_a):
    app = complete_application(world_a, status=S.DECISION_PENDING)
    manager = world_a.members[Role.MANAGER]
    manager.organisation = world_a.organisation
    manager.save()
    with pytest.raises(Refused) as excinfo:
        application_transition(application=app, target=S.APPROVED, actor=Actor.of(manager))
    assert excinfo.value.messages


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "reason", "ok"), [
    (None, "", True), (Decimal("4000000"), "Réduction des frais", True), (Decimal("4000000"), "", False),
    (Decimal("6000000"), "x", False), (Decimal("500000"), "x", False),
])
def test_award_amount_rules(world_a, amount, reason, ok):
    app = complete_application(world_a, status=S.DECISION_PENDING)
    manager = world_a.members[Role.MANAGER]
    if ok:
        application_transition(application=app, target=S.APPROVED, actor=Actor.of(manager),
                               amount=amount, reason=reason)
        app.refresh_from_db()
        assert app.awarded_amount == (amount or app.requested_amount)
        assert app.decided_by == manager.user and app.decided_at is not None
    else:
        with pytest.raises(Refused):
            application_transition(application=app, target=S.APPROVED, actor=Actor.of(manager),
                                   amount=amount, reason=reason)


@pytest.mark.django_db
def test_system_transition_needs_no_membership(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    ReviewFactory(tenant=world_a.tenant, application=app, status=ReviewStatus.SUBMITTED)
    application_transition(application=app, target=S.DECISION_PENDING, actor=Actor.system(world_a.tenant))
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING
    assert SYSTEM in [t for t in APPLICATION_TRANSITIONS if t.target == S.DECISION_PENDING][0].roles


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("transition", CALL_TRANSITIONS, ids=lambda t: f"{t.source}->{t.target}")
def test_call_table_for_every_role(transition, role, world_a):
    call = CallFactory(tenant=world_a.tenant, status=transition.source)
    RubricCriterionFactory(tenant=world_a.tenant, call=call)
    membership = world_a.members[role]
    if role in transition.roles:
        call_transition(call=call, target=transition.target, actor=Actor.of(membership))
        call.refresh_from_db()
        assert call.status == transition.target
        assert AuditEvent.objects.filter(action=f"call.{transition.action}", target_id=str(call.pk)).exists()
    else:
        with pytest.raises(Refused) as excinfo:
            call_transition(call=call, target=transition.target, actor=Actor.of(membership))
        assert excinfo.value.messages
        call.refresh_from_db()
        assert call.status == transition.source


@pytest.mark.django_db
def test_close_due_calls_closes_only_past_deadline(world_a, world_b):
    due = CallFactory(tenant=world_a.tenant, closes_at=timezone.now() - dt.timedelta(seconds=5))
    later = CallFactory(tenant=world_b.tenant)
    assert close_due_calls() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (CallStatus.CLOSED, CallStatus.OPEN)
    assert AuditEvent.objects.filter(action="call.close", target_id=str(due.pk), actor=None).exists()
    call_command("close_due_calls")
    assert not mail.outbox


def test_the_grants_tables_are_registered_with_the_engine():
    from relais.workflow import registered_machines

    machines = {machine.name: machine for machine in registered_machines()}
    assert {name: len(machines[name].transitions) for name in ("call", "application", "review")} == {
        "call": 4, "application": 17, "review": 3}
    assert machines["application"].transitions == APPLICATION_TRANSITIONS
    assert machines["call"].transitions == CALL_TRANSITIONS


@pytest.mark.django_db
@pytest.mark.parametrize("has_conflict", [False, True], ids=["no_conflict", "conflict"])
@pytest.mark.parametrize("role", Role.values)
def test_the_conflict_declaration_for_every_role(world_a, role, has_conflict):
    from grants.services.reviews import review_declare_conflict

    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    action = "review.declare_conflict" if has_conflict else "review.declare_no_conflict"
    if role == Role.REVIEWER:
        review_declare_conflict(review=review, actor=world_a.actor(role), has_conflict=has_conflict,
                                details="Mon cousin dirige l'organisation")
        review.refresh_from_db()
        assert review.status == (ReviewStatus.RECUSED if has_conflict else ReviewStatus.DRAFT)
        event = AuditEvent.objects.get(action=action, target_id=str(review.pk))
        assert event.before == {"status": ReviewStatus.ASSIGNED} and event.actor == world_a.user(role)
    else:
        with pytest.raises(Refused) as excinfo:
            review_declare_conflict(review=review, actor=world_a.actor(role), has_conflict=has_conflict,
                                    details="x")
        assert excinfo.value.forbidden and excinfo.value.messages
        review.refresh_from_db()
        assert review.status == ReviewStatus.ASSIGNED
        assert not AuditEvent.objects.filter(target_id=str(review.pk), action__startswith="review.").exists()


@pytest.mark.django_db
def test_another_reviewer_cannot_declare_or_score_someone_elses_review(world_a):
    from grants.services.reviews import review_declare_conflict, review_save
    from tests.factories import MembershipFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    other = Actor.of(MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER))
    with pytest.raises(Refused) as excinfo:
        review_declare_conflict(review=review, actor=other, has_conflict=False)
    assert excinfo.value.forbidden
    declared = ReviewFactory(tenant=world_a.tenant, reviewer=world_a.user(Role.REVIEWER), status=ReviewStatus.DRAFT)
    with pytest.raises(Refused) as excinfo:
        review_save(review=declared, actor=other, scores={}, recommendation="fund", comment="", submit=True)
    assert excinfo.value.forbidden
    declared.refresh_from_db()
    assert declared.status == ReviewStatus.DRAFT


@pytest.mark.django_db
def test_a_conflict_must_be_described_and_declared_once(world_a):
    from grants.services.reviews import review_declare_conflict

    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    reviewer = world_a.actor(Role.REVIEWER)
    with pytest.raises(Refused) as excinfo:
        review_declare_conflict(review=review, actor=reviewer, has_conflict=True, details="  ")
    assert "Décrivez le conflit" in " ".join(excinfo.value.messages)
    review_declare_conflict(review=review, actor=reviewer, has_conflict=False)
    with pytest.raises(Refused) as excinfo:
        review_declare_conflict(review=review, actor=reviewer, has_conflict=True, details="Finalement oui")
    assert "déjà" in " ".join(excinfo.value.messages)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


@pytest.mark.django_db
def test_submitting_a_review_is_the_review_tables_step_and_the_last_one_moves_the_application(world_a):
    from grants.services.reviews import review_save

    app = complete_application(world_a, status=S.IN_REVIEW)
    app.call.reviewers_per_application = 1
    app.call.save()
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    review_save(review=review, actor=world_a.actor(Role.REVIEWER), scores={c.pk: (3, "") for c in
                                                                            app.call.criteria.all()},
                recommendation="fund", comment="", submit=True)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    event = AuditEvent.objects.get(action="review.submit", target_id=str(review.pk))
    assert event.before == {"status": ReviewStatus.DRAFT}
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING
    moved = AuditEvent.objects.get(action="application.reviews_complete", target_id=str(app.pk))
    assert moved.actor is None  # the system's step
