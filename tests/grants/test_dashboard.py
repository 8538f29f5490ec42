"""grants.dashboard: what grants registers with the kernel (audit labels, panels, navigation)."""

from __future__ import annotations

import pytest

from grants.models import ApplicationStatus
from relais.models import Role
from tests.grants.conftest import complete_application

S = ApplicationStatus


@pytest.mark.django_db
def test_application_timeline_and_audit_log_name_grants_actions(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    from grants.services.applications import application_transition

    application_transition(application=app, target=S.SCREENING, actor=world_a.actor(Role.MANAGER))
    client = world_a.client_for(Role.MANAGER)
    detail = client.get(world_a.url(f"applications/{app.pk}/")).content.decode()
    audit = client.get(world_a.url("audit/")).content.decode()
    events = audit[audit.index('<ol class="audit">'):]  # the action filter's option values are codes
    assert "application.screening_start" not in detail and "application.screening_start" not in events
    assert f"a commencé la vérification de la demande <a href=\"/{world_a.tenant.slug}/applications/{app.pk}/\">" \
        in events
    assert "Commencer la vérification" in detail or "Start screening" in detail


@pytest.mark.django_db
def test_the_pipeline_counts_the_reviews_still_to_do_per_call(world_a, world_b):
    from grants.models import ReviewStatus
    from grants.selectors import pipeline
    from grants.services.ranking import ranking_facts_refresh
    from tests.grants.factories import ApplicationFactory, CallFactory, ReviewFactory

    first, second = CallFactory(tenant=world_a.tenant), CallFactory(tenant=world_a.tenant)
    app = ApplicationFactory(tenant=world_a.tenant, call=first, status=ApplicationStatus.IN_REVIEW)
    for status in (ReviewStatus.ASSIGNED, ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.RECUSED):
        ReviewFactory(tenant=world_a.tenant, application=app, status=status)
    other = ReviewFactory(tenant=world_b.tenant, application__tenant=world_b.tenant, status=ReviewStatus.ASSIGNED)
    # The review services refresh the stored ranking facts the pipeline sums; the factories do not.
    ranking_facts_refresh(call_id=first.pk)
    ranking_facts_refresh(call_id=other.application.call_id)
    rows = {row["call"].pk: row["outstanding"] for row in pipeline(actor=world_a.actor(Role.MANAGER))}
    assert rows[first.pk] == 2 and rows[second.pk] == 0


@pytest.mark.django_db
def test_the_pipeline_follows_the_reviews_through_the_services(world_a, django_assert_num_queries):
    """Assigned, declared free of conflict (draft), submitted, recused: the outstanding count moves with the
    review services alone, which keep the ranking facts it sums."""
    from grants.selectors import pipeline
    from grants.services.reviews import review_assign, review_declare_conflict, review_save
    from relais.actor import Actor
    from tests.factories import MembershipFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    app.call.reviewers_per_application = 3
    app.call.save()
    manager = world_a.actor(Role.MANAGER)
    reviewers = [MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER) for _ in range(3)]

    def outstanding():
        return {row["call"].pk: row["outstanding"] for row in pipeline(actor=manager)}[app.call_id]

    reviews = [review_assign(application=app, reviewer=m.user, actor=manager) for m in reviewers]
    assert outstanding() == 3
    first = Actor.of(reviewers[0])
    draft = review_declare_conflict(review=reviews[0], actor=first, has_conflict=False)
    assert outstanding() == 3
    review_save(review=draft, actor=first, scores={c.pk: (4, "") for c in app.call.criteria.all()},
                recommendation="fund", comment="", submit=True)
    assert outstanding() == 2
    review_declare_conflict(review=reviews[1], actor=Actor.of(reviewers[1]), has_conflict=True,
                            details="Ma cousine dirige cette association.")
    assert outstanding() == 1
    with django_assert_num_queries(2):  # the calls, and one GROUP BY of the applications (no join of the reviews)
        outstanding()
