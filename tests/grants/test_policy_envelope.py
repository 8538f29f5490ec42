"""The envelope is a limit: an approval that would take the call past it is refused with the amount
left; a manager may change the envelope first, with a reason, audited, never below what is approved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import ApplicationStatus, Call
from grants.services.applications import application_transition, applications_decide
from grants.services.calls import call_envelope_change, call_update
from relais.errors import Refused
from relais.models import AuditEvent, Role
from relais.money import format_money
from tests.factories import OrganisationFactory
from tests.grants.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def _call_with_room(world, *, envelope="12000000", approved="8000000"):
    """A call whose envelope has `envelope - approved` left, and one application awaiting a decision (5 M)."""
    call = CallFactory(tenant=world.tenant, envelope=Decimal(envelope), status="closed")
    ApplicationFactory(tenant=world.tenant, call=call, status=S.APPROVED, awarded_amount=Decimal(approved),
                       organisation=OrganisationFactory(tenant=world.tenant))
    pending = ApplicationFactory(tenant=world.tenant, call=call, status=S.DECISION_PENDING,
                                 requested_amount=Decimal("5000000"), organisation=world.organisation)
    return call, pending


def test_an_approval_past_the_envelope_is_refused_with_the_amount_left(world_a):
    call, pending = _call_with_room(world_a)
    with pytest.raises(Refused) as caught:
        application_transition(application=pending, target=S.APPROVED, actor=world_a.actor(Role.MANAGER))
    message = " ".join(caught.value.messages)
    assert f"il reste {format_money(Decimal('4000000'), 'XOF')}" in message
    assert format_money(Decimal("12000000"), "XOF") in message
    pending.refresh_from_db()
    assert pending.status == S.DECISION_PENDING and pending.awarded_amount is None
    assert not AuditEvent.objects.filter(action="application.approve").exists()


def test_an_approval_that_fits_exactly_passes(world_a):
    call, pending = _call_with_room(world_a, envelope="13000000")
    application_transition(application=pending, target=S.APPROVED, actor=world_a.actor(Role.MANAGER))
    pending.refresh_from_db()
    assert pending.status == S.APPROVED and pending.awarded_amount == Decimal("5000000")


def test_a_lower_award_that_fits_passes(world_a):
    call, pending = _call_with_room(world_a)
    application_transition(application=pending, target=S.APPROVED, actor=world_a.actor(Role.MANAGER),
                           amount="4000000", reason="Budget revu à la baisse")
    pending.refresh_from_db()
    assert pending.status == S.APPROVED and pending.awarded_amount == Decimal("4000000")


def test_the_batch_decision_approves_what_fits_and_refuses_the_rest(world_a):
    call = CallFactory(tenant=world_a.tenant, envelope=Decimal("12000000"), status="closed")
    apps = [ApplicationFactory(tenant=world_a.tenant, call=call, status=S.DECISION_PENDING,
                               requested_amount=Decimal("5000000"),
                               organisation=OrganisationFactory(tenant=world_a.tenant)) for _ in range(3)]
    done, refused = applications_decide(applications=apps, target=S.APPROVED, actor=world_a.actor(Role.MANAGER))
    assert [a.pk for a in done] == [apps[0].pk, apps[1].pk]
    assert list(refused) == [apps[2].pk]
    assert f"il reste {format_money(Decimal('2000000'), 'XOF')}" in " ".join(refused[apps[2].pk])


def test_the_ranking_batch_shows_the_refusal(world_a):
    call, pending = _call_with_room(world_a)
    response = world_a.client_for(Role.MANAGER).post(
        reverse("grants:call_decide", kwargs={"tenant_slug": world_a.tenant.slug, "call_pk": call.pk}),
        {"decision": S.APPROVED, "applications": [pending.pk], "confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert "il reste" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == S.DECISION_PENDING


def test_a_manager_raises_the_envelope_with_a_reason_then_approves(world_a):
    call, pending = _call_with_room(world_a)
    manager = world_a.actor(Role.MANAGER)
    call_envelope_change(call=call, actor=manager, envelope=Decimal("15000000"),
                         reason="Contribution supplémentaire du bailleur")
    call.refresh_from_db()
    assert call.envelope == Decimal("15000000")
    event = AuditEvent.objects.get(action="call.envelope_changed")
    assert Decimal(str(event.before["envelope"])) == Decimal("12000000")
    assert Decimal(str(event.after["envelope"])) == Decimal("15000000")
    assert event.after["reason"] == "Contribution supplémentaire du bailleur"
    application_transition(application=pending, target=S.APPROVED, actor=manager)
    pending.refresh_from_db()
    assert pending.status == S.APPROVED


@pytest.mark.parametrize(("envelope", "reason", "message"), [
    ("15000000", "  ", "motif"),
    ("7999999", "Réduction", "inférieure au montant déjà accordé"),
    ("12000000", "Rien", "déjà"),
    ("-1", "Négatif", "positif"),
])
def test_the_envelope_change_is_refused(world_a, envelope, reason, message):
    call, _pending = _call_with_room(world_a)
    with pytest.raises(Refused) as caught:
        call_envelope_change(call=call, actor=world_a.actor(Role.MANAGER), envelope=Decimal(envelope), reason=reason)
    assert message in " ".join(caught.value.messages)
    call.refresh_from_db()
    assert call.envelope == Decimal("12000000")
    assert not AuditEvent.objects.filter(action="call.envelope_changed").exists()


def test_lowering_down_to_the_approved_total_is_allowed(world_a):
    call, _pending = _call_with_room(world_a)
    call_envelope_change(call=call, actor=world_a.actor(Role.MANAGER), envelope=Decimal("8000000"),
                         reason="Fonds réaffectés")
    call.refresh_from_db()
    assert call.envelope == Decimal("8000000")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.REVIEWER, Role.TRAINER, Role.APPLICANT])
def test_only_managers_change_the_envelope(world_a, role):
    call, _pending = _call_with_room(world_a)
    with pytest.raises(Refused):
        call_envelope_change(call=call, actor=world_a.actor(role), envelope=Decimal("20000000"), reason="Pourquoi")
    url = reverse("grants:call_envelope", kwargs={"tenant_slug": world_a.tenant.slug, "call_pk": call.pk})
    client = world_a.client_for(role)
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"envelope": "20000000", "reason": "Pourquoi"}).status_code in (403, 404)
    call.refresh_from_db()
    assert call.envelope == Decimal("12000000")


def test_the_envelope_page_from_the_call_page(world_a):
    call, _pending = _call_with_room(world_a)
    client = world_a.client_for(Role.MANAGER)
    url = reverse("grants:call_envelope", kwargs={"tenant_slug": world_a.tenant.slug, "call_pk": call.pk})
    detail = client.get(reverse("grants:call_detail", kwargs={"tenant_slug": world_a.tenant.slug,
                                                              "call_pk": call.pk})).content.decode()
    assert url in detail
    page = client.get(url)
    assert page.status_code == 200
    assert format_money(Decimal("4000000"), "XOF") in page.content.decode()  # what is left
    refused = client.post(url, {"envelope": "7000000", "reason": "Trop bas"})
    assert refused.status_code == 200
    assert "inférieure au montant déjà accordé" in refused.content.decode()
    missing_reason = client.post(url, {"envelope": "20000000", "reason": ""})
    assert missing_reason.status_code == 200
    assert Call.objects.get(pk=call.pk).envelope == Decimal("12000000")
    done = client.post(url, {"envelope": "20000000", "reason": "Rallonge du bailleur"})
    assert done.status_code == 302
    assert Call.objects.get(pk=call.pk).envelope == Decimal("20000000")


def test_the_call_form_no_longer_changes_the_envelope_once_approved(world_a):
    call, _pending = _call_with_room(world_a)
    with pytest.raises(Refused) as caught:
        call_update(call=call, actor=world_a.actor(Role.MANAGER), data={"envelope": Decimal("30000000")})
    assert "envelope" in caught.value.message_dict
    call.refresh_from_db()
    assert call.envelope == Decimal("12000000")
    html = world_a.client_for(Role.MANAGER).get(
        reverse("grants:call_edit", kwargs={"tenant_slug": world_a.tenant.slug, "call_pk": call.pk})).content.decode()
    assert "page de l'appel" in html.replace("&#x27;", "'")


def test_a_call_form_opened_before_the_envelope_was_raised_cannot_put_the_old_envelope_back(world_a):
    from tests.page_forms import form_data

    call = CallFactory(tenant=world_a.tenant, envelope=Decimal("12000000"), status="draft")
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"calls/{call.pk}/edit/")
    tab = form_data(client.get(url).content)
    call_envelope_change(call=call, actor=world_a.actor(Role.MANAGER), envelope=Decimal("15000000"),
                         reason="Contribution supplémentaire du bailleur")
    tab["title_fr"] = ["Nouveau titre"]
    response = client.post(url, tab)
    assert response.status_code == 409
    call.refresh_from_db()
    assert call.envelope == Decimal("15000000")
