"""Blind review: the pages of a blind reviewer receive the application without who applied."""

from __future__ import annotations

import pytest

from grants.models import ApplicationStatus, ReviewStatus
from grants.selectors import application_as_seen_by
from grants.services.reviews import review_save
from orgs.models import Organisation
from relais.models import Role
from tests.context_walk import reachable, view_context
from tests.grants.conftest import complete_application
from tests.grants.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def blind_review(world_a):
    organisation = world_a.organisation
    organisation.name, organisation.acronym = "Association Kisal des éleveurs de Douentza", "KISALDOU"
    organisation.save()
    app = complete_application(world_a, status=ApplicationStatus.IN_REVIEW)
    app.call.blind_review = True
    app.call.save()
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                           status=ReviewStatus.DRAFT, coi="none")
    review_save(review=review, actor=world_a.actor(Role.REVIEWER),
                scores={c.pk: (4, "") for c in app.call.criteria.all()}, recommendation="fund", comment="", submit=True)
    return app, review


def _leaks(context, organisation):
    values = list(reachable(context))
    found = [v for v in values if isinstance(v, Organisation)]
    texts = [v for v in values if isinstance(v, str) and (organisation.name in v or organisation.acronym in v)]
    return found, texts


@pytest.mark.parametrize("path", [
    "applications/{app}/", "reviews/{review}/", "applications/", "reviews/", "",
])
def test_a_blind_reviewer_page_context_holds_no_organisation(world_a, blind_review, path):
    app, review = blind_review
    url = world_a.url(path.format(app=app.pk, review=review.pk, call=app.call.pk))
    response = world_a.client_for(Role.REVIEWER).get(url)
    assert response.status_code == 200
    context = view_context(response)
    assert "hide_identity" not in context
    assert _leaks(context, world_a.organisation) == ([], [])


def test_the_manager_still_receives_the_organisation(world_a, blind_review):
    app, _ = blind_review
    response = world_a.client_for(Role.MANAGER).get(world_a.url(f"applications/{app.pk}/"))
    assert response.context["application"].organisation == world_a.organisation


def test_a_blind_reviewer_reads_an_anonymised_label_and_nothing_unlisted(world_a, blind_review):
    app, _ = blind_review
    shown = application_as_seen_by(application=app, actor=world_a.actor(Role.REVIEWER))
    assert str(shown.organisation) == shown.organisation.name == "Masqué (évaluation anonyme)"
    assert shown.title == app.title and shown.reference == app.reference
    assert shown.changes_requested_message == "" and list(shown.attachments.all()) == []
    with pytest.raises(AttributeError):
        shown.created_by  # noqa: B018  (the applicant's user: not listed, so absent)
    # A reviewer of a call without blind review reads the application itself.
    app.call.blind_review = False
    assert application_as_seen_by(application=app, actor=world_a.actor(Role.REVIEWER)) is app


@pytest.mark.django_db
def test_organisations_written_for_lists_each_cso_once(world_a):
    """The staff conflict-of-interest link: the model's ordering used to join the DISTINCT, giving one
    row per application (10,000 rows read on every application page at scale)."""
    from grants.selectors import organisations_written_for
    from tests.grants.factories import ApplicationFactory, CallFactory

    author = world_a.user(Role.APPLICANT)
    for _ in range(3):
        ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, created_by=author,
                           call=CallFactory(tenant=world_a.tenant))
    assert list(organisations_written_for(actor=world_a.actor(Role.APPLICANT))) == [world_a.organisation.pk]
