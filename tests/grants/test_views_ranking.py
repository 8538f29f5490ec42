"""grants.views.ranking: the ranking of a call, its limits, and batch decisions from it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from grants.models import ApplicationStatus, Review, ReviewStatus
from grants.selectors import RANKING_PER_PAGE
from grants.services.ranking import ranking_facts_refresh
from relais.models import Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import ApplicationFactory, CallFactory, ReviewFactory, RubricCriterionFactory

S = ApplicationStatus


def _reviewers(world, n):
    return [world.members[Role.REVIEWER]] + [MembershipFactory(tenant=world.tenant, role=Role.REVIEWER)
                                             for _ in range(n - 1)]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999999"])
def test_batch_decision_with_garbage_ids_is_refused_with_a_message(world_a, value):
    app = complete_application(world_a, status=S.DECISION_PENDING)
    client = world_a.client_for(Role.MANAGER)
    client.raise_request_exception = False
    response = client.post(world_a.url(f"calls/{app.call.pk}/decide/"),
                           {"decision": "approved", "applications": [value]}, follow=True)
    assert response.status_code == 200
    assert "Cochez au moins une demande" in response.content.decode()
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING


@pytest.mark.django_db
def test_manager_approves_and_rejects_in_batch_from_ranking(world_a, mailoutbox, django_capture_on_commit_callbacks):
    call = CallFactory(tenant=world_a.tenant)
    a = complete_application(world_a, status=S.DECISION_PENDING, call=call)
    b = complete_application(world_a, status=S.DECISION_PENDING, call=call,
                             organisation=OrganisationFactory(tenant=world_a.tenant))
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=b.organisation)
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"calls/{call.pk}/decide/")
    response = client.post(url, {"applications": [b.pk], "decision": S.REJECTED, "reason": "", "confirm": "1"})
    assert "Un motif est obligatoire pour refuser" in response.content.decode()
    b.refresh_from_db()
    assert b.status == S.DECISION_PENDING  # reason required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"applications": [a.pk], "decision": S.APPROVED, "confirm": "1"})
        client.post(url, {"applications": [b.pk], "decision": S.REJECTED, "reason": "Budget insuffisant",
                          "confirm": "1"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.awarded_amount) == (S.APPROVED, a.requested_amount)
    assert (b.status, b.decision_reason) == (S.REJECTED, "Budget insuffisant")
    assert len(mailoutbox) == 2
    assert any("Budget insuffisant" in m.body for m in mailoutbox)


@pytest.mark.django_db
def test_manager_member_of_applicant_cannot_decide_from_ranking(world_a):
    app = complete_application(world_a, status=S.DECISION_PENDING)
    manager = world_a.members[Role.MANAGER]
    manager.organisation = world_a.organisation
    manager.save()
    world_a.client_for(Role.MANAGER).post(world_a.url(f"calls/{app.call.pk}/decide/"),
                                          {"applications": [app.pk], "decision": S.APPROVED, "confirm": "1"})
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING


def _ranked_call(world, n):
    call = CallFactory(tenant=world.tenant, reviewers_per_application=2)
    criteria = [RubricCriterionFactory(tenant=world.tenant, call=call, weight=w) for w in (Decimal(2), Decimal(1))]
    reviewers = _reviewers(world, 2)
    from grants.models import Application, ReviewScore

    apps = Application.objects.bulk_create([
        Application(tenant=world.tenant, call=call, organisation=OrganisationFactory(tenant=world.tenant)
                    if i < 3 else world.organisation if i == 3 else _org(world, i),
                    status=S.DECISION_PENDING, title=f"P{i}", reference=f"T-{call.pk}-{i:03d}",
                    requested_amount=Decimal(1000000 + i)) for i in range(n)
    ])
    reviews = Review.objects.bulk_create([
        Review(tenant=world.tenant, application=a, reviewer=m.user, status=ReviewStatus.SUBMITTED)
        for a in apps for m in reviewers
    ])
    ReviewScore.objects.bulk_create([
        ReviewScore(tenant=world.tenant, review=r, criterion=c, score=(r.pk + c.pk) % 6)
        for r in reviews for c in criteria
    ])
    ranking_facts_refresh(call_id=call.pk)  # as the services do when they write reviews
    return call


_ORGS: dict = {}


def _org(world, i):
    from orgs.models import Organisation

    return Organisation.objects.create(tenant=world.tenant, name=f"Org {i}", acronym=f"O{i}")


@pytest.mark.django_db
def test_ranking_queries_constant_from_10_to_500(world_a, django_assert_num_queries, capsys):
    client = world_a.client_for(Role.MANAGER)
    counts = {}
    for n in (10, 500):
        call = _ranked_call(world_a, n)
        url = world_a.url(f"calls/{call.pk}/ranking/")
        client.get(url)  # warm up session and caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('name="applications"') == min(n, RANKING_PER_PAGE)
        counts[n] = len(ctx.captured_queries)
    assert counts[10] == counts[500]
    with django_assert_num_queries(counts[500]):
        client.get(url)
    with capsys.disabled():
        print(f"\nranking page queries: 10 applications -> {counts[10]}, 500 applications -> {counts[500]}")


@pytest.mark.django_db
def test_ranking_running_total_marks_where_the_money_runs_out(world_a):
    from grants.selectors import ranking

    call = CallFactory(tenant=world_a.tenant, envelope=Decimal("2500000"))
    c = RubricCriterionFactory(tenant=world_a.tenant, call=call)
    for score in (5, 4, 3):
        app = complete_application(world_a, status=S.DECISION_PENDING, call=call,
                                   organisation=OrganisationFactory(tenant=world_a.tenant))
        app.requested_amount = Decimal("1000000")
        app.save()
        r = ReviewFactory(tenant=world_a.tenant, application=app, status=ReviewStatus.SUBMITTED)
        from grants.models import ReviewScore

        ReviewScore.objects.create(tenant=world_a.tenant, review=r, criterion=c, score=score)
    ranking_facts_refresh(call_id=call.pk)
    rows = ranking(call=call)
    assert [r.score for r in rows] == [Decimal("5.00"), Decimal("4.00"), Decimal("3.00")]
    assert [r.running_total for r in rows] == [Decimal(1000000), Decimal(2000000), Decimal(3000000)]
    assert [r.within_envelope for r in rows] == [True, True, False]
    assert [r.first_over for r in rows] == [False, False, True]
    body = world_a.client_for(Role.MANAGER).get(world_a.url(f"calls/{call.pk}/ranking/")).content.decode()
    assert "over-envelope" in body


@pytest.mark.django_db
def test_ranking_closed_to_applicants_and_finance(world_a):
    call = CallFactory(tenant=world_a.tenant)
    ApplicationFactory(tenant=world_a.tenant, call=call, status=S.IN_REVIEW)
    for role in (Role.APPLICANT, Role.FINANCE, Role.TRAINER):
        status = world_a.client_for(role).get(world_a.url(f"calls/{call.pk}/ranking/")).status_code
        assert status in (403, 404)


@pytest.mark.django_db
def test_anonymous_gets_login_redirect(world_a):
    call = CallFactory(tenant=world_a.tenant)
    assert Client().get(world_a.url(f"calls/{call.pk}/ranking/")).status_code == 302


def _export(world, call, fmt):
    response = world.client_for(Role.MANAGER).post(world.url(f"calls/{call.pk}/ranking/export/?format={fmt}"))
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


@pytest.mark.django_db
@pytest.mark.parametrize(("currency", "amount", "csv_cell", "xlsx_cell"), [
    ("XOF", Decimal("7850000.00"), "7850000", 7850000),
    ("EUR", Decimal("12500.5"), "12500.50", 12500.5),
])
def test_ranking_export_amounts_in_minor_unit_with_currency(world_a, currency, amount, csv_cell, xlsx_cell):
    call = CallFactory(tenant=world_a.tenant, currency=currency)
    app = complete_application(world_a, status=ApplicationStatus.IN_REVIEW, call=call)
    app.requested_amount = amount
    app.save()
    header, row = _export(world_a, call, "csv")
    assert "Devise" in header
    assert row[header.index("Demandé")] == csv_cell and row[header.index("Devise")] == currency
    header, row = _export(world_a, call, "xlsx")
    assert row[header.index("Demandé")] == xlsx_cell and row[header.index("Devise")] == currency


def _python_ranking(call):
    """The ranking as grants.scoring computes it in Python, row by row: the reference the SQL must match."""
    from grants import scoring
    from grants.models import Application, ReviewScore
    from grants.selectors import RANKED_STATUSES

    weights = {c.pk: c.weight for c in call.criteria.all()}
    rows = []
    for app in Application.objects.filter(call=call, status__in=RANKED_STATUSES):
        active = list(app.reviews.exclude(status=ReviewStatus.RECUSED))
        done = [r for r in active if r.status == ReviewStatus.SUBMITTED]
        per_review = [scoring.review_weighted_score(
            {s.criterion_id: s.score for s in ReviewScore.objects.filter(review=r)}, weights) for r in done]
        rows.append({"pk": app.pk, "ref": app.reference, "status": app.status, "awarded": app.awarded_amount,
                     "score": scoring.mean_score(per_review), "spread": scoring.spread(per_review),
                     "done": len(done), "expected": max(call.reviewers_per_application, len(active)),
                     "requested": app.requested_amount})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["ref"], r["pk"]))
    total, crossed = Decimal(0), False
    for rank, row in enumerate(rows, start=1):
        row["rank"], row["within"], row["first_over"] = rank, True, False
        if row["status"] != S.REJECTED:
            total += (row["awarded"] or 0) if row["status"] == S.APPROVED else row["requested"]
            row["within"] = total <= call.envelope
            row["first_over"] = not row["within"] and not crossed
            crossed = crossed or not row["within"]
        row["total"] = total
    return rows


def _varied_call(world, n):
    """n applications with every case the math has: weights with cents, a zero weight, missing and empty
    scores, draft and recused reviews, approved (at less than requested) and rejected rows, ties, amounts
    with cents."""
    import random

    from grants.models import Application, ReviewScore

    rng = random.Random(20261129)
    call = CallFactory(tenant=world.tenant, reviewers_per_application=2, envelope=Decimal("2000000.50"),
                       currency="EUR")
    criteria = [RubricCriterionFactory(tenant=world.tenant, call=call, weight=w)
                for w in (Decimal("2.35"), Decimal("1"), Decimal("0.29"), Decimal("0"))]
    reviewers = _reviewers(world, 3)
    statuses = [S.DECISION_PENDING] * 6 + [S.IN_REVIEW, S.APPROVED, S.REJECTED, S.SCREENING, S.DRAFT]
    apps = Application.objects.bulk_create([
        Application(tenant=world.tenant, call=call, organisation=_org(world, 1000 + i), status=(status := rng.choice(
            statuses)), title=f"P{i}", reference=f"V-{call.pk}-{i:03d}",
            requested_amount=Decimal(rng.randrange(5_000_000, 30_000_000)) / 100,
            awarded_amount=Decimal(rng.randrange(1_000_000, 5_000_000)) / 100 if status == S.APPROVED else None)
        for i in range(n)])
    reviews = Review.objects.bulk_create([
        Review(tenant=world.tenant, application=a, reviewer=m.user, status=rng.choice(
            [ReviewStatus.SUBMITTED] * 4 + [ReviewStatus.DRAFT, ReviewStatus.RECUSED]))
        for a in apps for m in reviewers[:rng.randrange(0, 4)]])
    ReviewScore.objects.bulk_create([
        ReviewScore(tenant=world.tenant, review=r, criterion=c, score=rng.choice([None, 0, 1, 2, 3, 4, 5, 5]))
        for r in reviews for c in criteria if rng.random() < 0.85])
    ranking_facts_refresh(call_id=call.pk)  # as the services do when they write reviews
    return call


@pytest.mark.django_db
def test_sql_ranking_matches_the_python_scoring_on_every_page(world_a):
    from grants.selectors import RankedApplications
    from relais.pagination import page_of

    call = _varied_call(world_a, 130)
    expected = _python_ranking(call)
    assert len({r["score"] for r in expected}) > 10 and any(r["first_over"] for r in expected)
    got = []
    for number in (1, 2, 3):
        page = page_of(RankedApplications(call), number, RANKING_PER_PAGE)
        assert page.has_next is (number < 3)
        got.extend(page)
    assert [(r.application.pk, r.rank, r.score, r.spread, r.reviews_done, r.reviews_expected, r.requested,
             r.running_total, r.within_envelope, r.first_over) for r in got] == [
        (e["pk"], e["rank"], e["score"], e["spread"], e["done"], e["expected"], e["requested"], e["total"],
         e["within"], e["first_over"]) for e in expected]


@pytest.mark.django_db
def test_the_running_total_on_a_later_page_counts_the_pages_before(world_a):
    call = _ranked_call(world_a, 120)  # requested 1,000,000 + i each: the total grows on every row
    client = world_a.client_for(Role.MANAGER)
    page3 = client.get(world_a.url(f"calls/{call.pk}/ranking/?page=3"))
    rows = list(page3.context["table"].data)
    assert [r.rank for r in rows] == list(range(101, 121))
    assert rows[-1].running_total == sum(Decimal(1000000 + i) for i in range(120))
    body = page3.content.decode()
    assert "Rangs 101 à 120 sur 120" in body and 'rel="prev"' in body and 'rel="next"' not in body


@pytest.mark.django_db
def test_the_ranking_of_500_applications_fits_14_kb_gzip(world_a, capsys):
    from tests.relais.test_page_weight import first_load, gz

    call = _ranked_call(world_a, 500)
    response = world_a.client_for(Role.MANAGER).get(world_a.url(f"calls/{call.pk}/ranking/"))
    assert response.status_code == 200
    html = response.content
    assert html.decode().count('name="applications"') == RANKING_PER_PAGE
    assert gz(html) <= 14 * 1024 and first_load(html) <= 14 * 1024
    with capsys.disabled():
        print(f"\nranking of 500 applications: HTML {gz(html)} B gzip, first load {first_load(html)} B gzip")


@pytest.mark.django_db
def test_batch_decision_asks_for_confirmation_with_amounts_and_envelope_left(world_a):
    call = CallFactory(tenant=world_a.tenant, envelope=Decimal("12000000"))
    a = complete_application(world_a, status=S.DECISION_PENDING, call=call)  # requests 5,000,000
    b = complete_application(world_a, status=S.DECISION_PENDING, call=call,
                             organisation=OrganisationFactory(tenant=world_a.tenant))
    c = complete_application(world_a, status=S.IN_REVIEW, call=call,
                             organisation=OrganisationFactory(tenant=world_a.tenant))
    c.reference = "PD-2026-777"
    c.save()
    client = world_a.client_for(Role.MANAGER)
    ranking_page = client.get(world_a.url(f"calls/{call.pk}/ranking/")).content.decode()
    assert 'value="approved"' in ranking_page and "Approuver…" in ranking_page
    response = client.post(world_a.url(f"calls/{call.pk}/decide/"),
                           {"applications": [a.pk, b.pk, c.pk], "decision": S.APPROVED})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Approuver 2 demandes ?" in body and 'name="confirm"' in body
    assert "10\u202f000\u202f000" in body or "10 000 000" in body  # awarded by this batch
    assert "2\u202f000\u202f000" in body or "2 000 000" in body  # envelope left
    assert "PD-2026-777" in body  # not awaiting a decision: said, and not carried on
    assert body.count('name="applications"') == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == S.DECISION_PENDING  # nothing decided before the confirmation
    client.post(world_a.url(f"calls/{call.pk}/decide/"),
                {"applications": [a.pk, b.pk], "decision": S.APPROVED, "confirm": "1"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == S.APPROVED


@pytest.mark.django_db
def test_reviewers_get_no_ranking_nor_its_export(world_a):
    from relais.models import AuditEvent

    app = complete_application(world_a, status=S.DECISION_PENDING)
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                  status=ReviewStatus.SUBMITTED, coi="none")
    client = world_a.client_for(Role.REVIEWER)
    assert client.get(world_a.url(f"calls/{app.call.pk}/ranking/")).status_code == 403
    assert client.post(world_a.url(f"calls/{app.call.pk}/ranking/export/?format=csv")).status_code == 403
    assert not AuditEvent.objects.filter(action="call.ranking_exported").exists()
    detail = client.get(world_a.url(f"calls/{app.call.pk}/")).content.decode()
    assert f"calls/{app.call.pk}/ranking/" not in detail
