"""grants.views.ranking: the ranking of a call, its limits, and batch decisions from it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from grants.models import ApplicationStatus, Review, ReviewStatus
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
    client.post(url, {"applications": [b.pk], "decision": S.REJECTED, "reason": ""})
    b.refresh_from_db()
    assert b.status == S.DECISION_PENDING  # reason required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"applications": [a.pk], "decision": S.APPROVED})
        client.post(url, {"applications": [b.pk], "decision": S.REJECTED, "reason": "Budget insuffisant"})
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
                                          {"applications": [app.pk], "decision": S.APPROVED})
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
        assert response.content.decode().count('name="applications"') == n
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
