"""grants.services.reviews: assignment (manual and balanced), conflict declarations, scoring."""

from __future__ import annotations

import pytest

from grants.models import ApplicationStatus, Review
from grants.services.reviews import review_assign, reviews_assign_automatically
from relais.actor import Actor
from relais.errors import Refused
from relais.models import Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import CallFactory

S = ApplicationStatus


def _reviewers(world, n):
    return [world.members[Role.REVIEWER]] + [MembershipFactory(tenant=world.tenant, role=Role.REVIEWER)
                                             for _ in range(n - 1)]


@pytest.mark.django_db
@pytest.mark.parametrize("score", [6, -1, 99])
def test_review_service_refuses_scores_outside_the_scale(world_a, score):
    from grants.models import ReviewScore, ReviewStatus
    from grants.services.reviews import review_save
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    scores = {c.pk: (score, "") for c in app.call.criteria.all()}
    with pytest.raises(Refused):
        review_save(review=review, actor=world_a.actor(Role.REVIEWER), scores=scores, recommendation="fund",
                    comment="", submit=True)
    assert not ReviewScore.objects.filter(review=review).exclude(score__in=range(6)).exists()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.WITHDRAWN, S.REJECTED, S.APPROVED])
def test_declaring_no_conflict_after_the_review_phase_does_not_open_the_application(world_a, status):
    from grants.models import ReviewStatus
    from grants.services.reviews import review_declare_conflict
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=status)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    with pytest.raises(Refused):
        review_declare_conflict(review=review, actor=world_a.actor(Role.REVIEWER), has_conflict=False)
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED
    assert world_a.client_for(Role.REVIEWER).get(world_a.url(f"applications/{app.pk}/")).status_code == 302


@pytest.mark.django_db
def test_incomplete_submission_keeps_the_typed_scores_as_a_draft(world_a):
    from grants.models import ReviewStatus
    from grants.services.reviews import review_save
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=ApplicationStatus.IN_REVIEW)
    c1, c2 = app.call.criteria.all()
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    with pytest.raises(Refused):
        review_save(review=review, actor=world_a.actor(Role.REVIEWER), scores={c1.pk: (3, "Pertinent pour Mopti")},
                    recommendation="", comment="Commentaire général", submit=True)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert review.comment == "Commentaire général"
    assert review.scores.get(criterion=c1).comment == "Pertinent pour Mopti"


@pytest.mark.django_db
def test_never_assign_a_member_of_the_applicant_organisation(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    insider = MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER, organisation=world_a.organisation)
    manager = world_a.members[Role.MANAGER]
    with pytest.raises(Refused):
        review_assign(application=app, reviewer=insider.user, actor=Actor.of(manager))
    created = reviews_assign_automatically(call=app.call, actor=Actor.of(manager))
    assert created == 1  # only the world's reviewer is eligible; the insider is skipped
    assert not Review.objects.filter(reviewer=insider.user).exists()


@pytest.mark.django_db
def test_automatic_assignment_balances_load(world_a):
    call = CallFactory(tenant=world_a.tenant, reviewers_per_application=2)
    reviewers = _reviewers(world_a, 3)
    apps = [complete_application(world_a, status=S.IN_REVIEW, call=call,
                                 organisation=OrganisationFactory(tenant=world_a.tenant)) for _ in range(3)]
    manager = world_a.members[Role.MANAGER]
    assert reviews_assign_automatically(call=call, actor=Actor.of(manager)) == 6
    loads = sorted(Review.objects.filter(reviewer__in=[m.user for m in reviewers]).values_list("reviewer", flat=True))
    counts = sorted(loads.count(m.user.pk) for m in reviewers)
    assert counts == [2, 2, 2]
    assert all(a.reviews.count() == 2 for a in apps)
    assert reviews_assign_automatically(call=call, actor=Actor.of(manager)) == 0
