"""Staff side: screening, assignment, conflicts of interest, blind review, scoring, ranking, decisions."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from grants.models import ApplicationStatus, Review, ReviewStatus
from grants.services.reviews import review_assign, review_save, reviews_assign_automatically
from relais.actor import Actor
from relais.models import AuditEvent, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import ApplicationFactory, CallFactory, ReviewFactory, RubricCriterionFactory

S = ApplicationStatus


def _reviewers(world, n):
    return [world.members[Role.REVIEWER]] + [MembershipFactory(tenant=world.tenant, role=Role.REVIEWER)
                                             for _ in range(n - 1)]


@pytest.mark.django_db
def test_screening_page_shows_answers_against_rules(world_a):
    app = complete_application(world_a, status=S.SCREENING)
    answer = app.answers.get()
    answer.answer = "no"  # the disqualifying answer of the factory question
    answer.save()
    body = world_a.client_for(Role.MANAGER).get(world_a.url(f"applications/{app.pk}/screening/")).content.decode()
    assert 'class="badge bad"' in body
    for role in (Role.APPLICANT, Role.REVIEWER, Role.FINANCE):
        assert world_a.client_for(role).get(world_a.url(f"applications/{app.pk}/screening/")).status_code in (403, 404)


@pytest.mark.django_db
def test_mark_ineligible_with_reason_through_view(world_a, mailoutbox, django_capture_on_commit_callbacks):
    app = complete_application(world_a, status=S.SCREENING)
    client = world_a.client_for(Role.MANAGER)
    client.post(world_a.url(f"applications/{app.pk}/status/"), {"target": S.INELIGIBLE, "reason": ""})
    app.refresh_from_db()
    assert app.status == S.SCREENING  # reason required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(world_a.url(f"applications/{app.pk}/status/"),
                    {"target": S.INELIGIBLE, "reason": "Hors des régions éligibles"})
    app.refresh_from_db()
    assert app.status == S.INELIGIBLE and app.screening_reason == "Hors des régions éligibles"
    assert len(mailoutbox) == 1 and "Hors des régions éligibles" in mailoutbox[0].body


@pytest.mark.django_db
def test_never_assign_a_member_of_the_applicant_organisation(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    insider = MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER, organisation=world_a.organisation)
    manager = world_a.members[Role.MANAGER]
    with pytest.raises(ValidationError):
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


@pytest.mark.django_db
def test_reviewer_must_declare_before_seeing_the_application(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    client = world_a.client_for(Role.REVIEWER)
    body = client.get(world_a.url(f"reviews/{review.pk}/")).content.decode()
    assert "Contexte" not in body and 'name="has_conflict"' in body
    assert client.get(world_a.url(f"applications/{app.pk}/")).status_code == 302
    assert client.get(world_a.url(f"applications/{app.pk}/pdf/")).status_code == 302
    client.post(world_a.url(f"reviews/{review.pk}/conflict/"), {"has_conflict": "no"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT and review.coi == "none" and review.coi_declared_at
    assert "Contexte" in client.get(world_a.url(f"reviews/{review.pk}/")).content.decode()


@pytest.mark.django_db
def test_declared_conflict_recuses_and_manager_reassigns(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    client = world_a.client_for(Role.REVIEWER)
    client.post(world_a.url(f"reviews/{review.pk}/conflict/"), {"has_conflict": "yes", "details": "Mon cousin"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECUSED and review.coi_text == "Mon cousin"
    assert AuditEvent.objects.filter(action="review.declare_conflict", target_id=str(review.pk)).exists()
    assert client.get(world_a.url(f"applications/{app.pk}/")).status_code == 404  # no longer theirs
    other = MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER)
    manager = world_a.members[Role.MANAGER]
    assert reviews_assign_automatically(call=app.call, actor=Actor.of(manager)) == 1
    assert app.reviews.filter(reviewer=other.user, status=ReviewStatus.ASSIGNED).exists()


@pytest.mark.django_db
def test_reviewer_sees_only_assigned_applications(world_a):
    mine = complete_application(world_a, status=S.IN_REVIEW)
    other = complete_application(world_a, status=S.IN_REVIEW, organisation=OrganisationFactory(tenant=world_a.tenant))
    review = ReviewFactory(tenant=world_a.tenant, application=mine, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT)
    client = world_a.client_for(Role.REVIEWER)
    assert client.get(world_a.url(f"applications/{mine.pk}/")).status_code == 200
    assert client.get(world_a.url(f"applications/{other.pk}/")).status_code == 404
    foreign_review = ReviewFactory(tenant=world_a.tenant, application=other)
    assert client.get(world_a.url(f"reviews/{foreign_review.pk}/")).status_code == 404
    assert str(review.pk) in client.get(world_a.url("reviews/")).content.decode()


def _blind_setup(world):
    app = complete_application(world, status=S.IN_REVIEW)
    app.call.blind_review = True
    app.call.save()
    app.reference = "T-2026-901"
    app.save()
    review = ReviewFactory(tenant=world.tenant, application=app, reviewer=world.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    return app, review


@pytest.mark.django_db
def test_blind_review_hides_identity_in_views_documents_and_pdf(world_a):
    import pypdf

    app, review = _blind_setup(world_a)
    name = world_a.organisation.name
    client = world_a.client_for(Role.REVIEWER)
    for url in (f"reviews/{review.pk}/", f"applications/{app.pk}/", "reviews/", "applications/"):
        response = client.get(world_a.url(url))
        assert name not in response.content.decode(), url
    attachment = app.attachments.first()
    assert client.get(world_a.url(f"documents/{attachment.pk}/")).status_code == 403
    pdf = client.get(world_a.url(f"applications/{app.pk}/pdf/")).content
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert name not in text
    # The manager still sees everything.
    assert name in world_a.client_for(Role.MANAGER).get(world_a.url(f"applications/{app.pk}/")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_blind_review_respected_in_reviewer_exports_and_audited(world_a, fmt):
    app, review = _blind_setup(world_a)
    review_save(review=review, actor=world_a.actor(Role.REVIEWER),
                scores={c.pk: (4, "") for c in app.call.criteria.all()}, recommendation="fund",
                comment="", submit=True)
    name = world_a.organisation.name
    response = world_a.client_for(Role.REVIEWER).post(world_a.url(f"calls/{app.call.pk}/ranking/export/?format={fmt}"))
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        rows = [[str(c) for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(
            values_only=True)]
    assert len(rows) == 2 and app.reference in rows[1]
    assert not any(name in cell for row in rows for cell in row)
    assert AuditEvent.objects.filter(action="call.ranking_exported", after__blind=True).exists()
    manager_rows = world_a.client_for(Role.MANAGER).post(
        world_a.url(f"calls/{app.call.pk}/ranking/export/?format=csv")).content.decode("utf-8-sig")
    assert name in manager_rows


@pytest.mark.django_db
def test_scoring_draft_then_submit_locks_and_reveals_others(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    c1, c2 = app.call.criteria.all()
    second = MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER)
    mine = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                         status=ReviewStatus.DRAFT, coi="none")
    theirs = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=second.user,
                           status=ReviewStatus.DRAFT, coi="none")
    review_save(review=theirs, actor=Actor.of(second), scores={c1.pk: (1, "Faible"), c2.pk: (2, "")},
                recommendation="do_not_fund", comment="Avis de l'autre", submit=True)
    client = world_a.client_for(Role.REVIEWER)
    url = world_a.url(f"reviews/{mine.pk}/")
    before = client.get(url).content.decode()
    assert "Avis de l'autre" not in before and "Faible" not in before
    client.post(url, {f"score_{c1.pk}": "4", f"comment_{c1.pk}": "Solide", "recommendation": "", "save": "1"})
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.DRAFT and mine.scores.get(criterion=c1).score == 4
    client.post(url, {f"score_{c1.pk}": "4", f"score_{c2.pk}": "", "recommendation": "fund", "submit": "1"})
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.DRAFT  # criterion 2 missing: refused
    client.post(url, {f"score_{c1.pk}": "4", f"score_{c2.pk}": "5", "recommendation": "fund", "submit": "1"})
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.SUBMITTED and mine.submitted_at
    assert "Faible" in client.get(url).content.decode()
    client.post(url, {f"score_{c1.pk}": "0", f"score_{c2.pk}": "0", "recommendation": "fund", "submit": "1"})
    assert mine.scores.get(criterion=c1).score == 4  # locked
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING  # both expected reviews submitted


@pytest.mark.django_db
def test_hypothesis_like_random_scores_never_500(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    client = world_a.client_for(Role.REVIEWER)
    for value in ("9", "-1", "abc", "", "٣", "1e9"):
        data = {f"score_{c.pk}": value for c in app.call.criteria.all()}
        data.update({"recommendation": value, "submit": "1"})
        assert client.post(world_a.url(f"reviews/{review.pk}/"), data).status_code < 500


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
