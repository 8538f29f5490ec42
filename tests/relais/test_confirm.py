"""The kernel's confirmation page (relais.confirm) and the workspace actions that use it: removing a
member's access, cancelling an invitation (issue 9, "nothing is done by accident")."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from relais.confirm import REASON_OPTIONAL, REASON_REQUIRED, Confirmation, confirmation_response
from relais.models import AuditEvent, Invitation, Membership, Role
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def _confirmation(**kwargs) -> Confirmation:
    return Confirmation(title="Supprimer ?", subject="La fiche", consequence="Elle disparaît.",
                        button="Supprimer", cancel_url="/retour/", **kwargs)


def _request(method: str = "get", data=None):
    factory = RequestFactory()
    request = getattr(factory, method)("/action/", data or {})
    request.user = None
    request._dont_enforce_csrf_checks = True
    return request


def test_get_and_unconfirmed_post_get_the_page_and_only_the_confirmed_post_acts():
    assert confirmation_response(_request(), _confirmation()) is not None
    assert confirmation_response(_request("post", {"reason": "x"}), _confirmation()) is not None
    assert confirmation_response(_request("post", {"confirmed": "no"}), _confirmation()) is not None
    assert confirmation_response(_request("post", {"confirmed": "yes"}), _confirmation()) is None


def test_a_required_reason_is_asked_again_and_an_optional_one_is_not():
    empty = _request("post", {"confirmed": "yes", "reason": "   "})
    response = confirmation_response(empty, _confirmation(reason=REASON_REQUIRED))
    assert response is not None and "Indiquez le motif avant de confirmer." in response.content.decode()
    assert confirmation_response(empty, _confirmation(reason=REASON_OPTIONAL)) is None
    too_long = _request("post", {"confirmed": "yes", "reason": "x" * 5001})
    assert confirmation_response(too_long, _confirmation(reason=REASON_OPTIONAL)) is not None


def test_the_page_says_what_to_which_record_with_a_red_button_and_a_way_back():
    body = confirmation_response(_request("post", {"reason": "tapé"}), _confirmation(
        reason=REASON_REQUIRED, fields={"target": "withdrawn"})).content.decode()
    assert "<h1>Supprimer ?</h1>" in body and "La fiche" in body and "Elle disparaît." in body
    assert "Cette action est irréversible." in body
    assert '<button type="submit" class="danger">Supprimer</button>' in body
    assert '<a href="/retour/">Annuler</a>' in body
    assert 'name="target" value="withdrawn"' in body and 'name="confirmed" value="yes"' in body
    assert ">tapé</textarea>" in body and "required" in body
    assert 'action="/action/"' in body and "<script" not in body and "style=" not in body


def test_an_action_that_can_be_undone_does_not_say_it_cannot():
    body = confirmation_response(_request(), _confirmation(final=False)).content.decode()
    assert "irréversible" not in body and 'name="reason"' not in body


# --- members and invitations -------------------------------------------------------------------


def test_remove_access_confirmation(world_a):
    membership = world_a.members[Role.TRAINER]
    url = world_a.url(f"members/{membership.pk}/revoke/")
    client = world_a.client_for(Role.MANAGER)
    members_page = client.get(world_a.url("members/")).content.decode()
    assert f'href="{url}"' in members_page and f'action="{url}"' not in members_page  # a link, not a one-tap form
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and membership.user.display_name in body
    assert "Retirer l’accès de cette personne ?" in body and f'href="{world_a.url("members/")}"' in body
    assert client.post(url).status_code == 200  # no confirmation: the page again
    membership.refresh_from_db()
    assert membership.is_active and not AuditEvent.objects.filter(action="membership.revoked").exists()
    response = client.post(url, {"confirmed": "yes"})
    assert response.status_code == 302 and response.url == world_a.url("members/")
    membership.refresh_from_db()
    assert not membership.is_active and AuditEvent.objects.filter(action="membership.revoked").count() == 1
    again = client.get(url, follow=True)  # back to the confirmation after the step: to the list
    assert again.redirect_chain[-1][0] == world_a.url("members/")


def test_removing_one_s_own_access_gets_no_confirmation_page(world_a):
    own = world_a.members[Role.MANAGER]
    client = world_a.client_for(Role.MANAGER)
    for response in (client.get(world_a.url(f"members/{own.pk}/revoke/")),
                     client.post(world_a.url(f"members/{own.pk}/revoke/"), {"confirmed": "yes"})):
        assert response.status_code == 302
    assert Membership.objects.get(pk=own.pk).is_active


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE, Role.TRAINER])
def test_only_managers_reach_the_member_confirmations(world_a, role):
    invitation = InvitationFactory(tenant=world_a.tenant)
    client = world_a.client_for(role)
    assert client.get(world_a.url(f"members/{world_a.members[Role.TRAINER].pk}/revoke/")).status_code == 403
    assert client.get(world_a.url(f"invitations/{invitation.pk}/revoke/")).status_code == 403


def test_cancel_invitation_confirmation(world_a):
    invitation = InvitationFactory(tenant=world_a.tenant, email="nouvelle@example.org")
    url = world_a.url(f"invitations/{invitation.pk}/revoke/")
    client = world_a.client_for(Role.MANAGER)
    members_page = client.get(world_a.url("members/")).content.decode()
    assert f'href="{url}"' in members_page and f'action="{url}"' not in members_page
    body = client.get(url).content.decode()
    assert "Annuler cette invitation ?" in body and "nouvelle@example.org" in body
    assert f'href="{world_a.url("members/")}"' in body
    assert client.post(url).status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert client.get(url).status_code == 302  # no longer pending: back to the list
