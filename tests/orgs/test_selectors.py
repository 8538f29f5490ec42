"""Who sees which organisations: reviewers only through their assigned, non-blind applications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grants.models import ReviewStatus
from orgs import selectors
from orgs.models import Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import review_of_organisation

pytestmark = pytest.mark.django_db


def _detail(world, org):
    return reverse("organisation_detail", kwargs={"tenant_slug": world.tenant.slug, "organisation_pk": org.pk})


def _assigned(world, *, name, **review):
    """A CSO whose application (in review) is assigned to a reviewer, by default the world's."""
    organisation = OrganisationFactory(tenant=world.tenant, name=name)
    review_of_organisation(world, organisation, **review)
    return organisation


@pytest.fixture
def registry(world_a):
    return {
        "mine": _assigned(world_a, name="Association des jeunes de Mopti"),
        "just_assigned": _assigned(world_a, status=ReviewStatus.ASSIGNED, name="Femmes de Kayes"),
        "blind": _assigned(world_a, blind=True, name="Réseau anonyme de Gao"),
        "recused": _assigned(world_a, status=ReviewStatus.RECUSED, name="Coordination de Ségou"),
        "someone_elses": _assigned(world_a, reviewer=MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER).user,
                                   name="Collectif de Tombouctou"),
        "unrelated": OrganisationFactory(tenant=world_a.tenant, name="Union de Sikasso"),
    }


def test_a_reviewer_lists_only_the_organisations_of_their_open_non_blind_reviews(world_a, registry):
    visible = selectors.organisation_list(tenant=world_a.tenant, membership=world_a.members[Role.REVIEWER])
    assert set(visible) == {registry["mine"], registry["just_assigned"]}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE, Role.TRAINER])
def test_other_staff_still_see_the_whole_registry(world_a, registry, role):
    visible = selectors.organisation_list(tenant=world_a.tenant, membership=world_a.members[role])
    assert set(visible) == {world_a.organisation, *registry.values()}


@pytest.mark.parametrize(("key", "status"), [
    ("mine", 200), ("just_assigned", 200), ("blind", 404), ("recused", 404), ("someone_elses", 404),
    ("unrelated", 404),
])
def test_a_reviewer_opens_only_the_organisations_of_their_non_blind_reviews(world_a, registry, key, status):
    client = world_a.client_for(Role.REVIEWER)
    assert client.get(_detail(world_a, registry[key])).status_code == status
    assert client.get(_detail(world_a, world_a.organisation)).status_code == 404


def test_the_reviewer_list_page_shows_only_theirs(world_a, registry):
    html = world_a.client_for(Role.REVIEWER).get(
        reverse("organisation_list", kwargs={"tenant_slug": world_a.tenant.slug})).content.decode()
    assert "Association des jeunes de Mopti" in html and "Femmes de Kayes" in html
    for key in ("blind", "recused", "someone_elses", "unrelated"):
        assert registry[key].name not in html, key
    assert world_a.organisation.name not in html
    assert "hors appels en évaluation anonyme" in html  # the reviewer is told why the list is short


def test_a_reviewer_of_another_tenant_sees_none_of_them(worlds):
    world_a, world_b = worlds
    _assigned(world_a, name="Association des jeunes de Mopti")
    visible = selectors.organisation_list(tenant=world_b.tenant, membership=world_b.members[Role.REVIEWER])
    assert list(visible) == []
