"""Scoring math: weighted review scores, application means, spread between reviewers.

Missing criteria: a criterion a reviewer did not score (e.g. added after the
review was submitted) is left out of that review's weighted mean and its weight
is left out of the denominator. A review with no scored criterion has no score
and is not counted in the application's mean.

The ranking computes the same in SQL, in integer hundredths (grants.selectors._RANKING_SQL), so
that a page of it needs no other rows; tests/grants/test_views_ranking.py checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

SPREAD_FLAG = Decimal("1.5")
TWO_PLACES = Decimal("0.01")


def review_weighted_score(scores: Mapping[int, int | None], weights: Mapping[int, Decimal]) -> Decimal | None:
    """Σ(score × weight) / Σ(weight) over the criteria this review scored; None if none."""
    numerator = Decimal(0)
    denominator = Decimal(0)
    for criterion_id, weight in weights.items():
        score = scores.get(criterion_id)
        if score is None or weight <= 0:
            continue
        numerator += Decimal(score) * weight
        denominator += weight
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def mean_score(review_scores: Iterable[Decimal | None]) -> Decimal | None:
    values = [v for v in review_scores if v is not None]
    if not values:
        return None
    return (sum(values, start=Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def spread(review_scores: Iterable[Decimal | None]) -> Decimal | None:
    values = [v for v in review_scores if v is not None]
    if len(values) < 2:
        return None
    return max(values) - min(values)


def is_disputed(value: Decimal | None) -> bool:
    return value is not None and value > SPREAD_FLAG
