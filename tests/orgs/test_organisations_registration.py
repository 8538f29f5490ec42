"""Self-registration at /join/<slug>/ and join requests answered inside the tenant."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.models import JoinRequest, JoinRequestStatus, Organisation
from relais.models import AuditEvent, Membership, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.orgs.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    client.force_login(user)
    return client


def join_url(tenant):
    return reverse("join_tenant", kwargs={"slug": tenant.slug})


def test_join_index_lists_only_open_tenants(client, worlds):
    world_a, world_b = worlds
    world_b.tenant.applicants_may_self_register = False
    world_b.tenant.save()
    html = logged_in(client, UserFactory()).get(reverse("join_index")).content.decode()
    assert world_a.tenant.name in html and world_b.tenant.name not in html


def test_self_registration_creates_pending_org_and_applicant_membership(client, world_a):
    user = UserFactory()
    response = logged_in(client, user).post(join_url(world_a.tenant), {
        "action": "register", "new-name": "Association des jeunes de Tombouctou", "new-acronym": "AJT",
        "new-type": "youth_led",
    })
    assert response.status_code == 302
    org = Organisation.objects.get(tenant=world_a.tenant, acronym="AJT")
    assert org.status == "pending"
    membership = Membership.objects.get(tenant=world_a.tenant, user=user)
    assert membership.role == Role.APPLICANT and membership.organisation == org
    assert AuditEvent.objects.filter(action="organisation.created", target_id=str(org.pk),
                                     after__source="self_registration").exists()
    assert response.url == reverse("orgs:organisation_detail", kwargs={"tenant_slug": world_a.tenant.slug,
                                                                  "organisation_pk": org.pk})
    assert client.get(response.url).status_code == 200


def test_self_registration_refused_when_tenant_closed(client, world_a):
    world_a.tenant.applicants_may_self_register = False
    world_a.tenant.save()
    client = logged_in(client, UserFactory())
    response = client.get(join_url(world_a.tenant))
    assert response.status_code == 200
    assert "invitation" in response.content.decode()
    client.post(join_url(world_a.tenant), {"action": "register", "new-name": "Intrus"})
    assert not Organisation.objects.filter(name="Intrus").exists()


def test_join_requires_login_and_unknown_tenant_is_404(client, world_a):
    assert client.get(join_url(world_a.tenant)).status_code == 302
    assert logged_in(client, UserFactory()).get("/join/no-such-tenant/").status_code == 404


def test_member_is_sent_to_dashboard(world_a):
    response = world_a.client_for(Role.REVIEWER).get(join_url(world_a.tenant))
    assert response.status_code == 302


def test_join_request_by_exact_acronym(client, world_a):
    user = UserFactory()
    org = world_a.organisation
    client = logged_in(client, user)
    response = client.post(join_url(world_a.tenant), {"action": "join", "join-name_or_acronym": "nope"})
    assert response.status_code == 200 and not JoinRequest.objects.exists()
    response = client.post(join_url(world_a.tenant), {"action": "join",
                                                      "join-name_or_acronym": org.acronym.lower()})
    assert response.status_code == 302
    join_request = JoinRequest.objects.get(user=user)
    assert join_request.organisation == org and join_request.tenant == world_a.tenant


def test_join_request_audit_stores_the_user_id_not_the_email(client, world_a):
    """The audit log keeps ids, not personal data an erasure would have to chase."""
    user = UserFactory()
    logged_in(client, user).post(join_url(world_a.tenant), {
        "action": "join", "join-name_or_acronym": world_a.organisation.acronym})
    event = AuditEvent.objects.get(action="join_request.created")
    assert event.after == {"organisation": world_a.organisation.pk, "user": user.pk}
    assert user.email not in str(event.after)


@pytest.mark.parametrize("role,allowed", [
    (Role.MANAGER, True), ("own_applicant", True), ("other_applicant", False), (Role.REVIEWER, False),
    (Role.FINANCE, False), (Role.TRAINER, False),
])
def test_join_request_decision_matrix(world_a, role, allowed, mailoutbox, django_capture_on_commit_callbacks):
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    if role == "own_applicant":
        client = world_a.client_for(Role.APPLICANT)
    elif role == "other_applicant":
        from django.test import Client

        other = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                                  organisation=OrganisationFactory(tenant=world_a.tenant))
        client = Client()
        client.force_login(other.user)
    else:
        client = world_a.client_for(role)
    url = reverse("orgs:join_request_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "joinrequest_pk": join_request.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve"})
    join_request.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert join_request.status == JoinRequestStatus.APPROVED
        membership = Membership.objects.get(tenant=world_a.tenant, user=join_request.user)
        assert membership.role == Role.APPLICANT and membership.organisation == world_a.organisation
        assert AuditEvent.objects.filter(action="join_request.approve").exists()
        assert len(mailoutbox) == 1 and mailoutbox[0].to == [join_request.user.email]
    else:
        # Another CSO's applicant gets the same 404 as for a missing id: its requests are none of their business.
        assert response.status_code == (404 if role == "other_applicant" else 403)
        assert join_request.status == JoinRequestStatus.PENDING
        assert not Membership.objects.filter(tenant=world_a.tenant, user=join_request.user).exists()
        assert mailoutbox == []


def test_declined_request_gives_no_membership(world_a, mailoutbox, django_capture_on_commit_callbacks):
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = reverse("orgs:join_request_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "joinrequest_pk": join_request.pk})
    with django_capture_on_commit_callbacks(execute=True):
        world_a.client_for(Role.MANAGER).post(url, {"decision": "decline", "confirmed": "yes"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(user=join_request.user).exists()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("data", [{}, {"decision": ""}, {"decision": "maybe"}])
def test_a_post_without_a_decision_changes_nothing(world_a, data, mailoutbox):
    """A POST missing the decision used to decline the request (anything but "approve" declined)."""
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = reverse("orgs:join_request_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "joinrequest_pk": join_request.pk})
    response = world_a.client_for(Role.MANAGER).post(url, data, follow=True)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING
    assert not AuditEvent.objects.filter(action__startswith="join_request.").exclude(
        action="join_request.created").exists()
    assert mailoutbox == []
    assert "Choisissez d’approuver ou de refuser la demande." in response.content.decode()


def test_join_requests_page_lists_only_own_org_for_applicant(world_a):
    mine = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    theirs = JoinRequestFactory(tenant=world_a.tenant)
    url = reverse("orgs:join_requests", kwargs={"tenant_slug": world_a.tenant.slug})
    html = world_a.client_for(Role.APPLICANT).get(url).content.decode()
    assert mine.user.email in html and theirs.user.email not in html
    html = world_a.client_for(Role.MANAGER).get(url).content.decode()
    assert mine.user.email in html and theirs.user.email in html


def test_revoked_member_cannot_self_register_again(client, world_a):
    membership = world_a.members[Role.REVIEWER]
    membership.is_active = False
    membership.save()
    client = logged_in(client, membership.user)
    client.post(join_url(world_a.tenant), {"action": "register", "new-name": "Retour discret"})
    assert not Organisation.objects.filter(name="Retour discret").exists()
    membership.refresh_from_db()
    assert membership.is_active is False and membership.role == Role.REVIEWER


# --- the join-request table (orgs.workflow.JOIN_REQUEST) -------------------------------------------------------


def test_approving_someone_already_member_is_refused_by_the_table(world_a, mailoutbox):
    from orgs.services.registration import join_request_decide
    from relais.errors import Refused

    member = world_a.members[Role.TRAINER]
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation, user=member.user)
    with pytest.raises(Refused, match="déjà membre") as caught:
        join_request_decide(join_request=join_request, actor=world_a.actor(Role.MANAGER), approve=True)
    assert not caught.value.forbidden
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING
    member.refresh_from_db()
    assert member.role == Role.TRAINER
    # Declining stays possible.
    join_request_decide(join_request=join_request, actor=world_a.actor(Role.MANAGER), approve=False)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert AuditEvent.objects.filter(action="join_request.decline", target_id=str(join_request.pk)).exists()


def test_only_a_manager_lets_a_revoked_member_back_in(world_a):
    revoked = world_a.members[Role.REVIEWER]
    revoked.is_active = False
    revoked.save()
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation, user=revoked.user)
    url = reverse("orgs:join_request_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "joinrequest_pk": join_request.pk})
    response = world_a.client_for(Role.APPLICANT).post(url, {"decision": "approve"})
    assert response.status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING
    response = world_a.client_for(Role.MANAGER).post(url, {"decision": "approve"})
    assert response.status_code == 302
    revoked.refresh_from_db()
    assert revoked.is_active and revoked.role == Role.APPLICANT and revoked.organisation == world_a.organisation


def test_answering_twice_is_refused_with_a_message(world_a):
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = reverse("orgs:join_request_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "joinrequest_pk": join_request.pk})
    client = world_a.client_for(Role.MANAGER)
    assert client.post(url, {"decision": "decline", "confirmed": "yes"}).status_code == 302
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert response.status_code == 200
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(tenant=world_a.tenant, user=join_request.user).exists()
