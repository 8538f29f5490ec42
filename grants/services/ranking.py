"""The ranking's stored facts: each application's weighted mean score, spread and review counts.

The ranking (grants.selectors.RankedApplications) reads these columns instead of summing every score
row of the call at each request. They are recomputed here, in the caller's transaction, by the
services that can change them (a review assigned, recused, saved or submitted; a call's criteria
added, re-weighted or removed), with grants.scoring's exact decimal maths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from .. import scoring
from ..models import Application, Review, ReviewScore, ReviewStatus, RubricCriterion

RANKING_FIELDS = ("ranking_score", "ranking_spread", "ranking_reviews_done", "ranking_reviews_active")


def ranking_facts_refresh(*, call_id: int, application_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored ranking facts of the given applications of one call (all of them if None).
    Three reads and one bulk update, whatever the number of applications. Returns how many changed.
    The services call it inside their transaction; the applications are locked before anything is read."""
    with transaction.atomic():
        return _refresh(call_id, None if application_ids is None else list(application_ids))


def _refresh(call_id: int, ids: list[int] | None) -> int:
    apps = Application.objects.filter(call_id=call_id)
    reviews = Review.objects.filter(application__call_id=call_id).exclude(status=ReviewStatus.RECUSED)
    scores = ReviewScore.objects.filter(review__application__call_id=call_id,
                                        review__status=ReviewStatus.SUBMITTED, score__isnull=False)
    if ids is not None:
        apps = apps.filter(pk__in=ids)
        reviews = reviews.filter(application_id__in=ids)
        scores = scores.filter(review__application_id__in=ids)
    list(apps.select_for_update().order_by("pk").values_list("pk", flat=True))  # one writer at a time
    weights: dict[int, Decimal] = dict(RubricCriterion.objects.filter(call_id=call_id).values_list("id", "weight"))
    by_review: dict[int, dict[int, int | None]] = defaultdict(dict)
    for review_id, criterion_id, score in scores.values_list("review_id", "criterion_id", "score"):
        by_review[review_id][criterion_id] = score
    active: dict[int, int] = defaultdict(int)
    done: dict[int, list[Decimal | None]] = defaultdict(list)
    for review_id, application_id, status in reviews.values_list("id", "application_id", "status"):
        active[application_id] += 1
        if status == ReviewStatus.SUBMITTED:
            done[application_id].append(scoring.review_weighted_score(by_review.get(review_id, {}), weights))
    changed = []
    for app in apps.only("id", *RANKING_FIELDS):
        values = (scoring.mean_score(done[app.pk]), scoring.spread(done[app.pk]), len(done[app.pk]), active[app.pk])
        if tuple(getattr(app, name) for name in RANKING_FIELDS) != values:
            for name, value in zip(RANKING_FIELDS, values, strict=True):
                setattr(app, name, value)
            changed.append(app)
    Application.objects.bulk_update(changed, RANKING_FIELDS, batch_size=1000)
    return len(changed)
