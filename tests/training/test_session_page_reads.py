"""The session page's hand-written reads (training.selectors) against the querysets they replace.

access_session: role by role, the session it returns (its fields, its topic, region and commune, its trainers
and their users) is the one get_object_or_404(session_list(actor), pk) gives, and what that one hides is a
404 here too. participants_page: the pages and the count of session_participants and registrations_of.
invited_names: the invited organisations' names in the ORM's order.
"""

from __future__ import annotations

import pytest
from django.http import Http404

from relais.actor import Actor
from relais.models import Role
from relais.pagination import page_of
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.orgs.factories import CommuneFactory
from tests.training.factories import ParticipantFactory, RegistrationFactory, TrainingSessionFactory
from training.models import TrainingSession
from training.selectors import (
    access_session,
    invited_names,
    participants_page,
    registrations_of,
    session_list,
    session_participants,
)

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def _same(found: TrainingSession, expected: TrainingSession) -> None:
    assert _fields(found) == _fields(expected)
    for name in ("topic", "region", "commune"):
        ours, theirs = getattr(found, name), getattr(expected, name)
        assert (ours is None) == (theirs is None)
        if theirs is not None:
            assert _fields(ours) == _fields(theirs)
    # The ORM's prefetch has no order (Membership has none); ours is the order the trainers were set in.
    assert sorted(((_fields(m), _fields(m.user)) for m in found.trainers.all()), key=lambda t: t[0]["id"]) == \
        sorted(((_fields(m), _fields(m.user)) for m in expected.trainers.all()), key=lambda t: t[0]["id"])


@pytest.fixture
def sessions(world_a, world_b):
    """A session with a region, a commune, two trainers (one with a name) and an invited CSO; one bare session."""
    commune = CommuneFactory(tenant=world_a.tenant)
    full = TrainingSessionFactory(tenant=world_a.tenant, region=commune.region, commune=commune, remote=False)
    named = MembershipFactory(tenant=world_a.tenant, role=Role.TRAINER,
                              user=UserFactory(full_name="Aïssata Traoré", email="aissata@example.org"))
    full.trainers.set([world_a.members[Role.TRAINER], named])
    full.invited_organisations.set([world_a.organisation, OrganisationFactory(tenant=world_a.tenant)])
    bare = TrainingSessionFactory(tenant=world_a.tenant)
    elsewhere = TrainingSessionFactory(tenant=world_b.tenant)
    elsewhere.trainers.set([world_b.members[Role.TRAINER]])
    return full, bare, elsewhere


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reads_the_session_session_list_gives_and_nothing_it_hides(world_a, sessions, role):
    actor = world_a.actor(role)
    for session in sessions:
        expected = session_list(actor=actor).filter(pk=session.pk).first()
        if expected is None:
            with pytest.raises(Http404):
                access_session(actor=actor, pk=session.pk)
        else:
            _same(access_session(actor=actor, pk=session.pk), expected)
    visible = {s.pk for s in sessions if session_list(actor=actor).filter(pk=s.pk).exists()}
    assert visible == {Role.MANAGER: {sessions[0].pk, sessions[1].pk}, Role.TRAINER: {sessions[0].pk},
                       Role.APPLICANT: {sessions[0].pk}}.get(role, set())


def test_the_system_actor_reads_every_session_of_its_tenant_only(world_a, sessions):
    actor = Actor.system(world_a.tenant)
    _same(access_session(actor=actor, pk=sessions[1].pk), session_list(actor=actor).get(pk=sessions[1].pk))
    with pytest.raises(Http404):
        access_session(actor=actor, pk=sessions[2].pk)


@pytest.mark.parametrize("pk", ["abc", None, "12a", "-1", 2**63, "99999999999999999999999"])
def test_an_odd_id_is_a_404(world_a, pk):
    with pytest.raises(Http404):
        access_session(actor=world_a.actor(Role.MANAGER), pk=pk)


@pytest.mark.parametrize("path", ["training/9223372036854775808/", "training/99999999999999999999999/register/"])
def test_a_session_url_with_an_id_too_big_for_the_database_is_a_404(world_a, path):
    """The URL takes any digits; SQLite refused 2**63 with an OverflowError (a 500) once the read was hand-written."""
    client = world_a.client_for(Role.MANAGER)
    client.raise_request_exception = False
    assert client.get(world_a.url(path)).status_code == 404


def test_two_statements_and_the_trainers_need_no_other(world_a, sessions, django_assert_num_queries):
    with django_assert_num_queries(2):
        session = access_session(actor=world_a.actor(Role.TRAINER), pk=sessions[0].pk)
        names = sorted(m.user.full_name or m.user.email for m in session.trainers.all())
        assert session.topic.name and session.commune.name and session.region.name
    trainer = world_a.user(Role.TRAINER)
    assert names == sorted(["Aïssata Traoré", trainer.full_name or trainer.email])


@pytest.fixture
def crowd(world_a, sessions):
    """Seven people of the applicant's CSO and five of another, registered to the first session (names with
    accents and capitals, so the folded order matters), one registered to the bare session."""
    full, bare, _elsewhere = sessions
    other = OrganisationFactory(tenant=world_a.tenant, acronym="")
    names = ["Élise Coulibaly", "amadou Diarra", "Zoé Keïta", "Bakary Sangaré", "Ousmane Maïga", "Awa Touré",
             "Mariam Dicko", "Fanta Konaté", "Ibrahim Cissé", "Salif Kané", "Hawa Doumbia", "Éric Sidibé"]
    for i, name in enumerate(names):
        person = ParticipantFactory(tenant=world_a.tenant, full_name=name,
                                    organisation=world_a.organisation if i < 7 else other)
        RegistrationFactory(tenant=world_a.tenant, session=full, participant=person)
    RegistrationFactory(tenant=world_a.tenant, session=bare,
                        participant=ParticipantFactory(tenant=world_a.tenant, organisation=other))
    return full


@pytest.mark.parametrize("role", [Role.MANAGER, Role.TRAINER, Role.APPLICANT])
@pytest.mark.parametrize("number", [1, 2, 3, 4, "x", 99])
def test_the_participants_page_is_session_participants_page_and_its_count(world_a, crowd, role, number):
    actor = world_a.actor(role)
    page, count = participants_page(session=crowd, actor=actor, raw_number=number, per_page=5)
    expected = page_of(session_participants(session=crowd, actor=actor), number, 5)
    assert [tuple(row) for row in page] == [tuple(row) for row in expected]
    assert (page.number, page.has_next, page.has_previous) == (expected.number, expected.has_next,
                                                               expected.has_previous)
    assert count == registrations_of(session=crowd, actor=actor).count() == (7 if role == Role.APPLICANT else 12)
    assert [row.participant__full_name for row in page] == [row.participant__full_name for row in expected]


def test_an_empty_session_has_an_empty_first_page_and_no_one_counted(world_a, sessions):
    page, count = participants_page(session=sessions[1], actor=world_a.actor(Role.MANAGER), raw_number=3, per_page=5)
    assert (list(page), page.number, page.has_next, count) == ([], 1, False, 0)


def test_the_invited_names_are_the_orms_in_name_order(world_a, sessions):
    full = sessions[0]
    full.invited_organisations.add(OrganisationFactory(tenant=world_a.tenant, name="Association Àdama", acronym=""))
    expected = ", ".join(o.acronym or o.name for o in full.invited_organisations.order_by("name", "pk"))
    assert invited_names(full) == expected and "Association Àdama" in expected
