"""Staff side: screening, assignment, conflicts of interest, blind review, scoring, ranking, decisions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from grants.models import ApplicationStatus, Review, ReviewStatus
from grants.selectors import REVIEW_LIST_ORDER
from grants.services.reviews import review_save, reviews_assign_automatically
from relais.actor import Actor
from relais.models import AuditEvent, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import ApplicationFactory, CallFactory, ReviewFactory

S = ApplicationStatus


def _reviewers(world, n):
    return [world.members[Role.REVIEWER]] + [MembershipFactory(tenant=world.tenant, role=Role.REVIEWER)
                                             for _ in range(n - 1)]


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
def test_review_draft_open_in_two_tabs_the_second_save_is_refused_and_nothing_is_lost(world_a):
    from tests.page_forms import form_data

    app = complete_application(world_a, status=S.IN_REVIEW)
    c1, c2 = app.call.criteria.all()
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    client = world_a.client_for(Role.REVIEWER)
    url = world_a.url(f"reviews/{review.pk}/")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1.update({f"score_{c1.pk}": ["4"], "comment": ["Commentaire du premier onglet"], "save": ["1"]})
    assert client.post(url, tab1).status_code == 302
    tab2.update({f"score_{c2.pk}": ["3"], "save": ["1"]})
    response = client.post(url, tab2)
    body = response.content.decode()
    assert response.status_code == 409 and "Quelqu'un d'autre a enregistré cette fiche" in body
    assert "Commentaire du premier onglet" in body
    review.refresh_from_db()
    assert review.comment == "Commentaire du premier onglet" and review.scores.get(criterion=c1).score == 4
    assert review.scores.get(criterion=c2).score is None
    again = form_data(body)
    assert again[f"score_{c2.pk}"] == ["3"] and again[f"score_{c1.pk}"] == ["4"]
    assert client.post(url, {**again, "save": "1"}).status_code == 302
    review.refresh_from_db()
    assert review.comment == "Commentaire du premier onglet"
    assert (review.scores.get(criterion=c1).score, review.scores.get(criterion=c2).score) == (4, 3)


def test_blind_review_names_the_organisation_on_the_conflict_question_only(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    app.call.blind_review = True
    app.call.save()
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    organisation = world_a.organisation
    client = world_a.client_for(Role.REVIEWER)
    body = client.get(world_a.url(f"reviews/{review.pk}/")).content.decode()
    assert 'name="has_conflict"' in body
    assert organisation.name in body and organisation.region.name in body
    assert "Contexte" not in body  # the proposal stays closed until the declaration
    client.post(world_a.url(f"reviews/{review.pk}/conflict/"), {"has_conflict": "no"})
    body = client.get(world_a.url(f"reviews/{review.pk}/")).content.decode()
    assert "Contexte" in body and organisation.name not in body


@pytest.mark.django_db
def test_review_list_puts_work_to_do_first_then_oldest_assignment(world_a):
    """Open reviews before finished ones, then in the order they were assigned (not by the call's
    deadline, which no index of the review table can serve)."""
    reviewer = world_a.user(Role.REVIEWER)
    today = timezone.localdate()
    soon = CallFactory(tenant=world_a.tenant, review_deadline=today + dt.timedelta(days=3))
    later = CallFactory(tenant=world_a.tenant, review_deadline=today + dt.timedelta(days=60))

    def review(call, status):
        app = ApplicationFactory(tenant=world_a.tenant, call=call, status=S.IN_REVIEW)
        return ReviewFactory(tenant=world_a.tenant, application=app, reviewer=reviewer, status=status)

    done = review(soon, ReviewStatus.SUBMITTED)
    first = review(later, ReviewStatus.ASSIGNED)
    second = review(soon, ReviewStatus.ASSIGNED)
    body = world_a.client_for(Role.REVIEWER).get(world_a.url("reviews/")).content.decode()
    positions = [body.index(f"/reviews/{r.pk}/") for r in (first, second, done)]
    assert positions == sorted(positions)


def test_review_list_order_is_served_by_an_index():
    """The order uses only the review row's columns, and an index leads with the list's filters
    (tenant, and the reviewer for a reviewer's list) followed by exactly that order."""
    assert all("__" not in field for field in REVIEW_LIST_ORDER)
    indexed = {tuple(index.fields) for index in Review._meta.indexes}
    assert ("tenant", "reviewer", *REVIEW_LIST_ORDER) in indexed  # a reviewer's list
    assert ("tenant", *REVIEW_LIST_ORDER) in indexed  # a manager's list
