"""Suspending an organisation and declining a join request ask for confirmation (issue 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.models import JoinRequestStatus, Organisation, OrganisationStatus
from relais.models import AuditEvent, Membership, Role
from tests.factories import OrganisationFactory
from tests.orgs.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db


def _status_url(world, org) -> str:
    return reverse("orgs:organisation_change_status", kwargs={"tenant_slug": world.tenant.slug,
                                                              "organisation_pk": org.pk})


def _detail_url(world, org) -> str:
    return reverse("orgs:organisation_detail", kwargs={"tenant_slug": world.tenant.slug, "organisation_pk": org.pk})


@pytest.mark.parametrize("source", [OrganisationStatus.PENDING, OrganisationStatus.VERIFIED])
def test_suspend_confirmation(world_a, source):
    org = OrganisationFactory(tenant=world_a.tenant, status=source, name="Association des femmes de Kayes")
    client = world_a.client_for(Role.MANAGER)
    url = _status_url(world_a, org)
    detail = client.get(_detail_url(world_a, org)).content.decode()
    assert f'{url}?status=suspended"' in detail
    assert 'name="status" value="suspended"' not in detail  # a link to the confirmation, not a one-tap form
    body = client.get(url + "?status=suspended").content.decode()
    assert "Suspendre cette organisation ?" in body and "Association des femmes de Kayes" in body
    assert 'name="reason"' in body and 'class="danger"' in body and f'href="{_detail_url(world_a, org)}"' in body
    response = client.post(url, {"status": "suspended", "reason": "Doublon"})  # no confirmation: the page again
    assert response.status_code == 200 and "Doublon" in response.content.decode()
    no_reason = client.post(url, {"status": "suspended", "reason": "", "confirmed": "yes"})
    assert no_reason.status_code == 200 and "Indiquez le motif" in no_reason.content.decode()
    assert Organisation.objects.get(pk=org.pk).status == source
    assert not AuditEvent.objects.filter(action="organisation.suspend").exists()
    response = client.post(url, {"status": "suspended", "reason": "Doublon", "confirmed": "yes"})
    assert response.status_code == 302 and response.url == _detail_url(world_a, org)
    org.refresh_from_db()
    assert org.status == OrganisationStatus.SUSPENDED and org.status_reason == "Doublon"
    assert AuditEvent.objects.filter(action="organisation.suspend").count() == 1


def test_other_status_changes_act_on_post_and_get_never_acts(world_a):
    org = OrganisationFactory(tenant=world_a.tenant, status=OrganisationStatus.PENDING)
    client = world_a.client_for(Role.MANAGER)
    assert client.get(_status_url(world_a, org) + "?status=verified").status_code == 302
    assert Organisation.objects.get(pk=org.pk).status == OrganisationStatus.PENDING
    client.post(_status_url(world_a, org), {"status": "verified"})
    assert Organisation.objects.get(pk=org.pk).status == OrganisationStatus.VERIFIED


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE, Role.TRAINER, Role.APPLICANT])
def test_no_suspend_confirmation_for_who_may_not_suspend(world_a, role):
    org = world_a.organisation
    client = world_a.client_for(role)
    response = client.get(_status_url(world_a, org) + "?status=suspended")
    assert response.status_code in (302, 404) and b"confirmed" not in response.content
    assert client.post(_status_url(world_a, org), {"status": "suspended", "reason": "x",
                                                   "confirmed": "yes"}).status_code in (403, 404)
    assert Organisation.objects.get(pk=org.pk).status != OrganisationStatus.SUSPENDED


def _decide_url(world, join_request) -> str:
    return reverse("orgs:join_request_decide", kwargs={"tenant_slug": world.tenant.slug,
                                                       "joinrequest_pk": join_request.pk})


def test_decline_join_request_confirmation(world_a, mailoutbox, django_capture_on_commit_callbacks):
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    client = world_a.client_for(Role.MANAGER)
    url = _decide_url(world_a, join_request)
    listing = client.get(reverse("orgs:join_requests", kwargs={"tenant_slug": world_a.tenant.slug})).content.decode()
    assert f'href="{url}?decision=decline"' in listing and 'value="decline"' not in listing
    body = client.get(url + "?decision=decline").content.decode()
    assert "Refuser cette demande ?" in body and join_request.user.display_name in body
    assert "Cette action est irréversible." in body and 'name="decision" value="decline"' in body
    assert client.post(url, {"decision": "decline"}).status_code == 200  # no confirmation: the page again
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "decline", "confirmed": "yes"})
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED and len(mailoutbox) == 1
    assert client.get(url + "?decision=decline").status_code == 302  # answered: back to the list


def test_approving_needs_no_confirmation(world_a):
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    world_a.client_for(Role.MANAGER).post(_decide_url(world_a, join_request), {"decision": "approve"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.APPROVED
    assert Membership.objects.filter(tenant=world_a.tenant, user=join_request.user, is_active=True).exists()
