"""Scoring math: weights, missing criteria, spread."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.models import ApplicationStatus, ReviewScore, ReviewStatus
from grants.scoring import is_disputed, mean_score, review_weighted_score, spread
from grants.selectors import ranking
from grants.services.ranking import ranking_facts_refresh
from tests.grants.factories import ApplicationFactory, CallFactory, ReviewFactory, RubricCriterionFactory

D = Decimal


def test_weighted_mean_uses_weights():
    # (4×2 + 1×1) / 3 = 3
    assert review_weighted_score({1: 4, 2: 1}, {1: D(2), 2: D(1)}) == D("3.00")
    # (5×1 + 0×3) / 4 = 1.25
    assert review_weighted_score({1: 5, 2: 0}, {1: D(1), 2: D(3)}) == D("1.25")


def test_missing_criterion_is_left_out_of_numerator_and_denominator():
    # Criterion 2 not scored: mean over criterion 1 only, not a zero.
    assert review_weighted_score({1: 4}, {1: D(2), 2: D(1)}) == D("4.00")
    assert review_weighted_score({1: 4, 2: None}, {1: D(2), 2: D(1)}) == D("4.00")


def test_no_scored_criterion_gives_no_score_and_is_not_averaged():
    assert review_weighted_score({}, {1: D(1)}) is None
    assert mean_score([None, D("3.00")]) == D("3.00")
    assert mean_score([None]) is None


def test_zero_weight_criterion_does_not_count():
    assert review_weighted_score({1: 5, 2: 0}, {1: D(1), 2: D(0)}) == D("5.00")


def test_rounding_half_up_to_two_places():
    assert review_weighted_score({1: 1, 2: 2, 3: 2}, {1: D(1), 2: D(1), 3: D(1)}) == D("1.67")


def test_spread_and_flag():
    assert spread([D("1.00"), D("3.00"), D("2.00")]) == D("2.00")
    assert spread([D("1.00")]) is None
    assert is_disputed(D("1.51")) and not is_disputed(D("1.50")) and not is_disputed(None)


@pytest.mark.django_db
def test_ranking_with_criterion_added_after_a_review(world_a):
    call = CallFactory(tenant=world_a.tenant)
    c1 = RubricCriterionFactory(tenant=world_a.tenant, call=call, weight=D(3))
    app = ApplicationFactory(tenant=world_a.tenant, call=call, status=ApplicationStatus.DECISION_PENDING)
    r1 = ReviewFactory(tenant=world_a.tenant, application=app, status=ReviewStatus.SUBMITTED)
    r2 = ReviewFactory(tenant=world_a.tenant, application=app, status=ReviewStatus.SUBMITTED)
    ReviewFactory(tenant=world_a.tenant, application=app, status=ReviewStatus.DRAFT)  # not counted yet
    ReviewScore.objects.create(tenant=world_a.tenant, review=r1, criterion=c1, score=5)
    c2 = RubricCriterionFactory(tenant=world_a.tenant, call=call, weight=D(1))  # added later
    ReviewScore.objects.create(tenant=world_a.tenant, review=r2, criterion=c1, score=1)
    ReviewScore.objects.create(tenant=world_a.tenant, review=r2, criterion=c2, score=5)
    ranking_facts_refresh(call_id=call.pk)  # what the services writing reviews and criteria do
    (row,) = ranking(call=call)
    # r1: 5 (c2 missing, left out); r2: (1×3 + 5×1)/4 = 2; mean 3.5; spread 3 -> flagged
    assert row.score == D("3.50")
    assert row.spread == D("3.00") and row.disputed
    assert (row.reviews_done, row.reviews_expected) == (2, 3)
