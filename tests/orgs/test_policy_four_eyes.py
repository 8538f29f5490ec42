"""Four eyes on payment details: whoever changed them cannot verify them; until a second finance
member verifies them, no disbursement can use them (orgs.services.organisations.payment_details_usable)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.models import PaymentDetailsStatus
from orgs.services import organisations as services
from orgs.workflow import PAYMENT_DETAILS
from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from relais.workflow import transition
from tests.factories import MembershipFactory
from tests.grants.conftest import review_of_organisation
from tests.orgs.factories import PaymentDetailsFactory

pytestmark = pytest.mark.django_db

FOUR_EYES = "Vous avez modifié ces coordonnées : un autre membre des finances doit les vérifier."
BANK = {"bank_name": "BMS", "bank_account": "ML13 5555 6666 7777 8888 1234", "bank_account_holder": "AJCET"}


def _verify_url(world):
    return reverse("orgs:payment_details_verify", kwargs={"tenant_slug": world.tenant.slug,
                                                          "organisation_pk": world.organisation.pk})


def _detail_url(world):
    return reverse("orgs:organisation_detail", kwargs={"tenant_slug": world.tenant.slug,
                                                       "organisation_pk": world.organisation.pk})


ROLES = [Role.MANAGER, Role.FINANCE, Role.REVIEWER, Role.TRAINER, Role.APPLICANT]


@pytest.mark.parametrize("changed_by_actor", [True, False], ids=["the-one-who-changed", "another"])
@pytest.mark.parametrize("role", ROLES)
def test_verify_matrix_role_by_actor(world_a, role, changed_by_actor):
    """Verify is allowed only to finance, and only to a finance member other than who changed the details."""
    other = MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE).user
    actor = world_a.actor(role)
    details = PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                                    changed_by=actor.user if changed_by_actor else other)
    allowed = role == Role.FINANCE and not changed_by_actor
    if allowed:
        services.payment_details_verify(details=details, actor=actor)
    else:
        with pytest.raises(Refused) as caught:
            services.payment_details_verify(details=details, actor=actor)
        if role == Role.FINANCE:
            assert caught.value.messages == [FOUR_EYES]
    details.refresh_from_db()
    assert (details.status == PaymentDetailsStatus.VERIFIED) is allowed
    assert AuditEvent.objects.filter(action="payment_details.verify").exists() is allowed


def test_the_engine_refuses_the_changer_even_without_the_service(world_a):
    finance = world_a.actor(Role.FINANCE)
    details = PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                                    changed_by=finance.user)
    with pytest.raises(Refused) as caught:
        transition(PAYMENT_DETAILS, obj=details, target=PaymentDetailsStatus.VERIFIED, actor=finance)
    assert caught.value.messages == [FOUR_EYES]


def test_second_finance_member_verifies_what_the_first_changed(world_a):
    first = world_a.actor(Role.FINANCE)
    second = Actor.of(MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE))
    details = services.payment_details_update(organisation=world_a.organisation, actor=first, data=BANK)
    assert details.changed_by == first.user
    with pytest.raises(Refused):
        services.payment_details_verify(details=details, actor=first)
    services.payment_details_verify(details=details, actor=second)
    details.refresh_from_db()
    assert details.status == PaymentDetailsStatus.VERIFIED and details.verified_by == second.user
    # The second member now changes the verified numbers: unverified again through the engine, audited,
    # and now the first member may verify them, not the second.
    services.payment_details_update(organisation=world_a.organisation, actor=second,
                                    data={**BANK, "bank_account": "ML13 5555 6666 7777 8888 9999"})
    details.refresh_from_db()
    assert details.status == PaymentDetailsStatus.UNVERIFIED and details.verified_by is None
    assert details.changed_by == second.user
    actions = list(AuditEvent.objects.filter(target_type="orgs.paymentdetails").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["payment_details.changed", "payment_details.verify", "payment_details.change",
                       "payment_details.changed"]
    last_change = AuditEvent.objects.filter(action="payment_details.changed").order_by("id").last()
    assert last_change.after["changed_by"] == second.user.pk
    with pytest.raises(Refused):
        services.payment_details_verify(details=details, actor=second)
    services.payment_details_verify(details=details, actor=first)


def test_the_changer_sees_why_and_no_button_and_a_direct_post_is_refused(world_a):
    review_of_organisation(world_a)
    finance = world_a.actor(Role.FINANCE)
    details = services.payment_details_update(organisation=world_a.organisation, actor=finance, data=BANK)
    client = world_a.client_for(Role.FINANCE)
    html = client.get(_detail_url(world_a)).content.decode()
    assert FOUR_EYES in html
    assert _verify_url(world_a) not in html
    response = client.post(_verify_url(world_a), follow=True)
    assert response.status_code == 200
    assert FOUR_EYES in response.content.decode()
    details.refresh_from_db()
    assert details.status == PaymentDetailsStatus.UNVERIFIED
    other = MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE)
    other_client = world_a.client_for(Role.FINANCE)
    other_client.force_login(other.user)
    assert _verify_url(world_a) in other_client.get(_detail_url(world_a)).content.decode()


def test_payment_details_usable_only_once_verified_by_a_second_person(world_a, world_b):
    organisation = world_a.organisation
    first = world_a.actor(Role.FINANCE)
    second = Actor.of(MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE))
    decision = services.payment_details_usable(actor=first, organisation=organisation)
    assert not decision and decision.reason == "Cette organisation n'a pas encore de coordonnées de paiement."
    details = services.payment_details_update(organisation=organisation, actor=first, data=BANK)
    decision = services.payment_details_usable(actor=first, organisation=organisation)
    assert not decision and "pas vérifiées" in decision.reason
    services.payment_details_verify(details=details, actor=second)
    assert services.payment_details_usable(actor=first, organisation=organisation)
    assert not services.payment_details_usable(actor=world_b.actor(Role.FINANCE), organisation=organisation)
    # A change after verification (by the CSO itself) makes them unusable until verified again.
    services.payment_details_update(organisation=organisation, actor=world_a.actor(Role.APPLICANT),
                                    data={**BANK, "bank_account": "ML13 0000 1111 2222 3333 4444"})
    assert not services.payment_details_usable(actor=first, organisation=organisation)


def test_details_verified_by_their_changer_are_not_usable(world_a):
    """Rows from before the rule (or written around it) where the same person changed and verified."""
    finance = world_a.actor(Role.FINANCE)
    PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation, status="verified",
                          changed_by=finance.user, verified_by=finance.user)
    assert not services.payment_details_usable(actor=finance, organisation=world_a.organisation)
