"""grants.services.ranking: the ranking facts stored on each application stay equal to grants.scoring's,
after every kind of change the services make (review assigned, recused, saved, submitted; a criterion
re-weighted, added or removed), and the migration backfills them the same way."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants import scoring
from grants.models import Application, ApplicationStatus, ReviewScore, ReviewStatus
from grants.services.calls import call_update
from grants.services.ranking import ranking_facts_refresh
from grants.services.reviews import review_assign, review_declare_conflict, review_save
from relais.actor import Actor
from relais.models import Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import CallFactory, RubricCriterionFactory

S = ApplicationStatus
WEIGHTS = st.decimals(min_value=Decimal("0"), max_value=Decimal("9.99"), places=2)
SCORE = st.one_of(st.none(), st.integers(min_value=0, max_value=5))


def _expected(app: Application) -> tuple:
    """What grants.scoring says, read row by row from the database (the reference)."""
    weights = {c.pk: c.weight for c in app.call.criteria.all()}
    active = list(app.reviews.exclude(status=ReviewStatus.RECUSED))
    per_review = [scoring.review_weighted_score(
        {s.criterion_id: s.score for s in ReviewScore.objects.filter(review=r)}, weights)
        for r in active if r.status == ReviewStatus.SUBMITTED]
    return (scoring.mean_score(per_review), scoring.spread(per_review), len(per_review), len(active))


def _stored(app: Application) -> tuple:
    app.refresh_from_db()
    return (app.ranking_score, app.ranking_spread, app.ranking_reviews_done, app.ranking_reviews_active)


def _check(apps: list[Application]) -> None:
    for app in apps:
        assert _stored(app) == _expected(app)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weights=st.lists(WEIGHTS, min_size=2, max_size=3), new_weight=WEIGHTS.filter(lambda w: w > 0),
       added_weight=WEIGHTS, plans=st.lists(st.lists(st.tuples(st.sampled_from(["submit", "draft", "recuse"]),
                                                                 st.lists(SCORE, min_size=3, max_size=3)),
                                                       min_size=1, max_size=3), min_size=2, max_size=3))
def test_stored_score_equals_the_python_scoring_after_every_kind_of_change(world_a, weights, new_weight,
                                                                           added_weight, plans):
    manager = world_a.actor(Role.MANAGER)
    call = CallFactory(tenant=world_a.tenant, reviewers_per_application=4)  # never all done: stays in review
    criteria = [RubricCriterionFactory(tenant=world_a.tenant, call=call, weight=w) for w in weights]
    reviewers = [MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER) for _ in range(3)]
    apps = [complete_application(world_a, status=S.IN_REVIEW, call=call,
                                 organisation=OrganisationFactory(tenant=world_a.tenant)) for _ in plans]
    _check(apps)
    for app, plan in zip(apps, plans, strict=True):
        for member, (what, scores) in zip(reviewers, plan, strict=False):
            review = review_assign(application=app, reviewer=member.user, actor=manager)
            _check(apps)
            actor = _actor(member)
            review = review_declare_conflict(review=review, actor=actor, has_conflict=what == "recuse",
                                             details="Parent" if what == "recuse" else "")
            _check(apps)
            if what == "recuse":
                continue
            review_save(review=review, actor=actor, recommendation="fund", comment="", submit=False,
                        scores={c.pk: (s, "") for c, s in zip(criteria, scores, strict=False)})
            _check(apps)
            if what == "submit":
                full = {c.pk: (s if s is not None else 3, "") for c, s in zip(criteria, scores, strict=False)}
                review_save(review=review, actor=actor, recommendation="fund", comment="", submit=True, scores=full)
                _check(apps)
    call_update(call=call, actor=manager, data={"criteria": [{"id": criteria[0].pk, "weight": new_weight}]})
    _check(apps)
    call_update(call=call, actor=manager, data={"criteria": [{"id": None, "name_fr": "Ajout", "weight": added_weight}]})
    _check(apps)
    added = call.criteria.get(name_fr="Ajout")
    call_update(call=call, actor=manager, data={"criteria": [{"id": added.pk, "delete": True},
                                                             {"id": criteria[1].pk, "weight": Decimal("0")}]})
    _check(apps)


def _actor(member):
    return Actor.of(member)


@pytest.mark.django_db
def test_a_weight_change_moves_the_stored_score_and_the_ranking(world_a):
    manager = world_a.actor(Role.MANAGER)
    call = CallFactory(tenant=world_a.tenant, reviewers_per_application=2)
    c1 = RubricCriterionFactory(tenant=world_a.tenant, call=call, weight=Decimal("1"))
    c2 = RubricCriterionFactory(tenant=world_a.tenant, call=call, weight=Decimal("1"))
    apps = []
    for first, second in ((5, 1), (2, 3)):  # 3.00 and 2.50 with equal weights
        app = complete_application(world_a, status=S.IN_REVIEW, call=call,
                                   organisation=OrganisationFactory(tenant=world_a.tenant))
        member = MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER)
        review = review_assign(application=app, reviewer=member.user, actor=manager)
        review = review_declare_conflict(review=review, actor=_actor(member), has_conflict=False)
        review_save(review=review, actor=_actor(member), recommendation="fund", comment="", submit=True,
                    scores={c1.pk: (first, ""), c2.pk: (second, "")})
        apps.append(app)
    from grants.selectors import ranking

    assert [(r.application.pk, r.score) for r in ranking(call=call)] == [(apps[0].pk, Decimal("3.00")),
                                                                          (apps[1].pk, Decimal("2.50"))]
    call_update(call=call, actor=manager, data={"criteria": [{"id": c2.pk, "weight": Decimal("3")}]})
    # (5 + 1×3)/4 = 2.00; (2 + 3×3)/4 = 2.75: the order turns over
    assert [(r.application.pk, r.score) for r in ranking(call=call)] == [(apps[1].pk, Decimal("2.75")),
                                                                          (apps[0].pk, Decimal("2.00"))]


@pytest.mark.django_db
def test_the_migration_backfills_what_the_service_stores(world_a):
    from tests.grants.test_views_ranking import _varied_call

    call = _varied_call(world_a, 40)  # stores the facts through ranking_facts_refresh
    stored = list(Application.objects.filter(call=call).order_by("pk").values_list(
        "pk", "ranking_score", "ranking_spread", "ranking_reviews_done", "ranking_reviews_active"))
    assert any(row[1] is not None for row in stored) and any(row[2] is not None for row in stored)
    Application.objects.filter(call=call).update(ranking_score=None, ranking_spread=None, ranking_reviews_done=0,
                                                 ranking_reviews_active=0)
    import_module("grants.migrations.0007_rankscore_stored_score").backfill(django_apps, None)
    assert list(Application.objects.filter(call=call).order_by("pk").values_list(
        "pk", "ranking_score", "ranking_spread", "ranking_reviews_done", "ranking_reviews_active")) == stored
    assert ranking_facts_refresh(call_id=call.pk) == 0  # nothing left to correct
