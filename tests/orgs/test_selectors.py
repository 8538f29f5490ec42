"""Who sees which organisations (reviewers: only through their assigned, non-blind applications),
and what the organisation page receives for each role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grants.models import ReviewStatus
from orgs.models import ContactPerson, PaymentDetails
from orgs.selectors import organisations as selectors
from relais.models import Role
from tests.context_walk import reachable, view_context
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import review_of_organisation
from tests.orgs.factories import ContactPersonFactory, PaymentDetailsFactory

pytestmark = pytest.mark.django_db


def _detail(world, org):
    return reverse("orgs:organisation_detail", kwargs={"tenant_slug": world.tenant.slug, "organisation_pk": org.pk})


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
    visible = selectors.organisation_list(actor=world_a.actor(Role.REVIEWER))
    assert set(visible) == {registry["mine"], registry["just_assigned"]}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE, Role.TRAINER])
def test_other_staff_still_see_the_whole_registry(world_a, registry, role):
    visible = selectors.organisation_list(actor=world_a.actor(role))
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
        reverse("orgs:organisation_list", kwargs={"tenant_slug": world_a.tenant.slug})).content.decode()
    assert "Association des jeunes de Mopti" in html and "Femmes de Kayes" in html
    for key in ("blind", "recused", "someone_elses", "unrelated"):
        assert registry[key].name not in html, key
    assert world_a.organisation.name not in html
    assert "hors appels en évaluation anonyme" in html  # the reviewer is told why the list is short


def test_a_reviewer_of_another_tenant_sees_none_of_them(worlds):
    world_a, world_b = worlds
    _assigned(world_a, name="Association des jeunes de Mopti")
    visible = selectors.organisation_list(actor=world_b.actor(Role.REVIEWER))
    assert list(visible) == []


# --- the organisation page receives only what the role may see ---------------------------

SECRETS = {"bank_account": "ML13 0001 2222 3333 4321", "bank_account_holder": "Aminata Kisal-Diarra",
           "mobile_number": "+223 70 11 98 76", "mobile_holder": "Oumar Kisal-Coulibaly"}


def _page_context(world, role):
    response = world.client_for(role).get(_detail(world, world.organisation))
    assert response.status_code == 200
    return view_context(response)


def _strings_with(context, *needles):
    return [v for v in reachable(context) if isinstance(v, str) and any(n in v for n in needles)]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER, Role.TRAINER])
def test_other_roles_receive_masked_payment_details_only(world_a, role):
    review_of_organisation(world_a)
    PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation, **SECRETS)
    context = _page_context(world_a, role)
    assert "can_see_payment" not in context
    assert [v for v in reachable(context) if isinstance(v, PaymentDetails)] == []
    assert _strings_with(context, "3333 4321", "70 11 98 76", "Kisal-") == []
    payment = context["payment"]
    assert (payment.bank_account, payment.mobile_number) == ("•••• 4321", "•••• 9876")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.APPLICANT])
def test_finance_and_the_organisation_receive_the_full_payment_details(world_a, role):
    PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation, **SECRETS)
    payment = _page_context(world_a, role)["payment"]
    assert (payment.bank_account, payment.mobile_holder) == (SECRETS["bank_account"], SECRETS["mobile_holder"])


@pytest.mark.parametrize("role", [Role.FINANCE, Role.REVIEWER, Role.TRAINER])
def test_other_roles_receive_no_contact_people(world_a, role):
    review_of_organisation(world_a)
    contact = ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, phone="+223 66 77 88 99")
    context = _page_context(world_a, role)
    assert "can_see_contacts" not in context
    assert [v for v in reachable(context) if isinstance(v, ContactPerson)] == []
    assert _strings_with(context, contact.name, "66 77 88 99", contact.email) == []


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER, Role.APPLICANT])
def test_roles_without_screening_receive_no_status_reason(world_a, role):
    review_of_organisation(world_a)
    organisation = world_a.organisation
    organisation.status, organisation.status_reason = "suspended", "Correspondance confirmée : liste ONU 1267"
    organisation.save()
    context = _page_context(world_a, role)
    assert "show_status_reason" not in context
    assert _strings_with(context, "liste ONU 1267") == []
