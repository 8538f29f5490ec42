"""Navigation entries and dashboard panels of the registry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.models import OrganisationStatus
from relais.models import Role
from tests.factories import OrganisationFactory
from tests.orgs.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_navigation_entry_per_role(world_a, role):
    html = world_a.client_for(role).get(world_a.url()).content.decode()
    list_url = reverse("orgs:organisation_list", kwargs={"tenant_slug": world_a.tenant.slug})
    mine_url = reverse("orgs:my_organisation", kwargs={"tenant_slug": world_a.tenant.slug})
    assert (f'href="{list_url}"' in html) is (role != Role.APPLICANT)
    assert (f'href="{mine_url}"' in html) is (role == Role.APPLICANT)


def test_manager_dashboard_counts_and_join_requests(world_a):
    OrganisationFactory(tenant=world_a.tenant, status=OrganisationStatus.SUSPENDED)
    JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    html = world_a.client_for(Role.MANAGER).get(world_a.url()).content.decode()
    assert reverse("orgs:join_requests", kwargs={"tenant_slug": world_a.tenant.slug}) in html
    assert "?status=pending" in html
    applicant_html = world_a.client_for(Role.APPLICANT).get(world_a.url()).content.decode()
    assert reverse("orgs:join_requests", kwargs={"tenant_slug": world_a.tenant.slug}) in applicant_html
