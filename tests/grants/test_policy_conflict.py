"""Conflict of interest for staff: a manager linked to the applicant CSO (membership, contact person,
author of its application) does nothing on that application: no screening, no request for changes,
no assignment, no decision. The buttons are hidden and a direct POST is refused with a clear message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Application, ApplicationStatus, Review
from grants.services.applications import application_transition, applications_decide
from grants.services.reviews import review_assign, reviews_assign_automatically
from grants.workflow import APPLICATION
from relais.actor import Actor
from relais.conflicts import conflict_of_interest, linked_organisation_ids
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.factories import ApplicationFactory, CallFactory
from tests.orgs.factories import ContactPersonFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus
COI = ("Conflit d'intérêts : vous avez un lien avec cette organisation (membre ou personne de contact). "
       "Un autre gestionnaire doit traiter sa demande, sa subvention, sa convention et ses paiements.")
LINKS = ["membership", "contact-person", "author"]


def link(world, how: str, role: str = Role.MANAGER) -> Actor:
    """Tie the world's member of `role` to the world's CSO in one of the ways the data allows."""
    membership = world.members[role]
    organisation = world.organisation
    if how == "membership":  # the admin can name a CSO on a staff membership
        membership.organisation = organisation
        membership.save()
    elif how == "contact-person":  # listed among the CSO's contact people, under the same e-mail
        ContactPersonFactory(tenant=world.tenant, organisation=organisation, email=membership.user.email.upper())
    else:  # wrote one of its applications (an applicant member later made a manager)
        ApplicationFactory(tenant=world.tenant, organisation=organisation, created_by=membership.user)
    return Actor.of(membership)


def _own_application(world, status: str) -> Application:
    call = CallFactory(tenant=world.tenant, status="closed")
    return ApplicationFactory(tenant=world.tenant, call=call, organisation=world.organisation, status=status)


MANAGER_STEPS = [pytest.param(row.source, row.target, id=f"{row.action}-from-{row.source}")
                 for row in APPLICATION.transitions if Role.MANAGER in row.roles]


@pytest.mark.parametrize(("source", "target"), MANAGER_STEPS)
@pytest.mark.parametrize("how", LINKS)
def test_a_linked_manager_takes_no_step_on_the_application(world_a, how, source, target):
    manager = link(world_a, how)
    app = _own_application(world_a, source)
    assert APPLICATION.available(manager, app) == []
    with pytest.raises(Refused) as caught:
        application_transition(application=app, target=target, actor=manager, reason="Motif")
    assert caught.value.messages == [COI]
    assert caught.value.forbidden
    app.refresh_from_db()
    assert app.status == source
    assert not AuditEvent.objects.filter(target_id=str(app.pk), action__startswith="application.").exists()


def test_another_manager_still_handles_it(world_a):
    link(world_a, "contact-person")
    other = Actor.of(MembershipFactory(tenant=world_a.tenant, role=Role.MANAGER))
    app = _own_application(world_a, S.SUBMITTED)
    assert [t.target for t in APPLICATION.available(other, app)] == [S.SCREENING, S.CHANGES_REQUESTED]
    application_transition(application=app, target=S.SCREENING, actor=other)
    app.refresh_from_db()
    assert app.status == S.SCREENING


@pytest.mark.parametrize("how", LINKS)
def test_a_linked_manager_assigns_no_reviewer(world_a, how):
    manager = link(world_a, how)
    app = _own_application(world_a, S.SCREENING)
    with pytest.raises(Refused) as caught:
        review_assign(application=app, reviewer=world_a.user(Role.REVIEWER), actor=manager)
    assert caught.value.messages == [COI]
    assert reviews_assign_automatically(call=app.call, actor=manager) == 0
    assert not Review.objects.filter(application=app).exists()
    # The same manager still assigns on another CSO's application of the call.
    other = ApplicationFactory(tenant=world_a.tenant, call=app.call, status=S.SCREENING,
                               organisation=OrganisationFactory(tenant=world_a.tenant))
    assert reviews_assign_automatically(call=app.call, actor=manager) == 1
    assert list(Review.objects.values_list("application_id", flat=True)) == [other.pk]


def test_the_batch_decision_refuses_the_own_application_only(world_a):
    manager = link(world_a, "membership")
    own = _own_application(world_a, S.DECISION_PENDING)
    other = ApplicationFactory(tenant=world_a.tenant, call=own.call, status=S.DECISION_PENDING,
                               organisation=OrganisationFactory(tenant=world_a.tenant))
    done, refused = applications_decide(applications=[own, other], target=S.REJECTED, actor=manager,
                                        reason="Hors priorités")
    assert [a.pk for a in done] == [other.pk]
    assert refused == {own.pk: [COI]}


def _url(world, name, app):
    return reverse(f"grants:{name}", kwargs={"tenant_slug": world.tenant.slug, "application_pk": app.pk})


@pytest.mark.parametrize("how", LINKS)
def test_the_pages_hide_the_buttons_and_say_why(world_a, how):
    link(world_a, how)
    app = _own_application(world_a, S.SCREENING)
    client = world_a.client_for(Role.MANAGER)
    detail = client.get(_url(world_a, "application_detail", app)).content.decode().replace("&#x27;", "'")
    assert COI in detail
    assert _url(world_a, "application_change_status", app) not in detail
    assert _url(world_a, "application_assign", app) not in detail
    screening = client.get(_url(world_a, "application_screening", app)).content.decode().replace("&#x27;", "'")
    assert COI in screening
    assert _url(world_a, "application_change_status", app) not in screening


def test_an_unlinked_manager_sees_the_buttons(world_a):
    app = _own_application(world_a, S.SCREENING)
    detail = world_a.client_for(Role.MANAGER).get(_url(world_a, "application_detail", app)).content.decode()
    assert _url(world_a, "application_change_status", app) in detail
    assert _url(world_a, "application_assign", app) in detail
    assert "Conflit d'intérêts" not in detail.replace("&#x27;", "'")


@pytest.mark.parametrize("how", LINKS)
def test_a_direct_post_is_refused_with_a_clear_message(world_a, how):
    link(world_a, how)
    app = _own_application(world_a, S.SCREENING)
    client = world_a.client_for(Role.MANAGER)
    response = client.post(_url(world_a, "application_change_status", app),
                           {"target": S.IN_REVIEW, "reason": ""}, follow=True)
    assert response.status_code == 200
    assert COI in response.content.decode().replace("&#x27;", "'")
    response = client.post(_url(world_a, "application_assign", app),
                           {"reviewer": world_a.user(Role.REVIEWER).pk}, follow=True)
    assert response.status_code == 200
    assert COI in response.content.decode().replace("&#x27;", "'")
    app.refresh_from_db()
    assert app.status == S.SCREENING
    assert not Review.objects.filter(application=app).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE, Role.REVIEWER, Role.TRAINER])
def test_the_decision_holds_for_any_record_of_the_cso_for_staff(world_a, role):
    """Issue 11 asks the same decision for awards, agreements and payments of the CSO."""
    actor = link(world_a, "contact-person", role)
    assert not conflict_of_interest(actor, world_a.organisation.pk)
    assert conflict_of_interest(actor, OrganisationFactory(tenant=world_a.tenant).pk)


def test_applicants_the_system_and_unlinked_staff_have_no_conflict(world_a, world_b):
    organisation = world_a.organisation
    assert conflict_of_interest(world_a.actor(Role.APPLICANT), organisation.pk)
    assert conflict_of_interest(Actor.system(world_a.tenant), organisation.pk)
    assert conflict_of_interest(world_a.actor(Role.MANAGER), organisation.pk)
    # A contact person of the same e-mail in another workspace links nobody here.
    ContactPersonFactory(tenant=world_b.tenant, organisation=world_b.organisation,
                         email=world_a.user(Role.MANAGER).email)
    assert linked_organisation_ids(world_a.actor(Role.MANAGER)) == frozenset()


def test_the_links_are_read_once_per_actor(world_a, django_assert_num_queries):
    manager = link(world_a, "contact-person")
    with django_assert_num_queries(2):  # contact people, applications written
        assert linked_organisation_ids(manager) == {world_a.organisation.pk}
        assert not conflict_of_interest(manager, world_a.organisation.pk)
        assert conflict_of_interest(manager, world_a.organisation.pk + 1000)


def test_awarded_amount_untouched_when_refused(world_a):
    manager = link(world_a, "author")
    app = _own_application(world_a, S.DECISION_PENDING)
    with pytest.raises(Refused):
        application_transition(application=app, target=S.APPROVED, actor=manager, amount=Decimal("1000000"))
    app.refresh_from_db()
    assert app.awarded_amount is None and app.decided_by is None
