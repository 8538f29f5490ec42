"""Invited organisations named, not picked from every CSO of the workspace (issue 13, issue 10's page
budget): the session form, the registration of a new participant and a new capacity assessment."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Organisation
from relais.models import Role
from tests.factories import OrganisationFactory
from tests.page_forms import form_data
from tests.relais.test_page_weight import _organisations, check
from tests.training.factories import ParticipantFactory, TopicFactory, TrainingSessionFactory
from training.models import Assessment, Participant, TrainingSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def csos(worlds):
    world_a, world_b = worlds
    return {
        "ajcet": OrganisationFactory(tenant=world_a.tenant, acronym="AJCET",
                                     name="Association des jeunes contre l'enrôlement dans le terrorisme"),
        "segou": OrganisationFactory(tenant=world_a.tenant, acronym="FSP", name="Femmes de Ségou pour la paix"),
        "js1": OrganisationFactory(tenant=world_a.tenant, acronym="JS1", name="Jeunes de Ségou"),
        "js2": OrganisationFactory(tenant=world_a.tenant, acronym="JS2", name="Jeunes de Segou-Koura"),
        "foreign": OrganisationFactory(tenant=world_b.tenant, acronym="REJEFPO", name="Réseau des jeunes femmes"),
    }


ADD_ERROR = 'class="field has-error" id="field-add_organisations"'


def _new_session(world, **extra):
    topic = TopicFactory(tenant=world.tenant)
    return {"title": "Médiation communautaire", "topic": topic.pk, "start_date": "2026-04-01",
            "end_date": "2026-04-02", "venue": "Mopti", "capacity": "20", **extra}


def _session(world, *invited):
    session = TrainingSessionFactory(tenant=world.tenant)
    session.trainers.add(world.members[Role.TRAINER])
    session.invited_organisations.add(*invited)
    return session


def _edit_url(world, session):
    return world.url(f"training/{session.pk}/edit/")


def _invited(session):
    return set(session.invited_organisations.all())


# --- the session form ----------------------------------------------------------------------------

def test_a_session_is_created_naming_organisations_by_acronym_and_by_name_without_accents(world_a, csos):
    response = world_a.client_for(Role.TRAINER).post(world_a.url("training/new/"), _new_session(
        world_a, add_organisations="ajcet\nfemmes de segou pour la paix ; AJCET"))
    assert response.status_code == 302
    session = TrainingSession.objects.get(tenant=world_a.tenant)
    assert _invited(session) == {csos["ajcet"], csos["segou"]}


def test_the_new_session_form_lists_no_organisation(world_a, csos):
    html = world_a.client_for(Role.TRAINER).get(world_a.url("training/new/")).content.decode()
    assert 'name="add_organisations"' in html
    assert 'type="checkbox" name="invited_organisations"' not in html and "AJCET" not in html


def test_the_edit_form_ticks_the_invited_organisations_unticking_removes_and_names_add(world_a, csos):
    session = _session(world_a, csos["ajcet"], csos["js1"])
    client = world_a.client_for(Role.TRAINER)
    page = client.get(_edit_url(world_a, session)).content.decode()
    for cso in (csos["ajcet"], csos["js1"]):
        assert f'name="invited_organisations" value="{cso.pk}" id="id_invited_organisations_' in page
        assert f"{cso.acronym} — {cso.name}" in page.replace("&#x27;", "'")
    assert page.count('name="invited_organisations"') == 2 and "FSP" not in page  # only the invited ones
    data = form_data(page)
    assert sorted(data["invited_organisations"]) == sorted([str(csos["ajcet"].pk), str(csos["js1"].pk)])
    data["invited_organisations"] = [str(csos["ajcet"].pk)]  # JS1 unticked
    data["add_organisations"] = ["Femmes de Segou pour la paix"]
    assert client.post(_edit_url(world_a, session), data).status_code == 302
    assert _invited(session) == {csos["ajcet"], csos["segou"]}


@pytest.mark.parametrize("typed", ["segou", "nobody of that name", "ajcet; jeunes de segou koura tagou"])
def test_an_unknown_or_ambiguous_name_saves_nothing_and_keeps_the_typed_text(world_a, csos, typed):
    client = world_a.client_for(Role.TRAINER)
    response = client.post(world_a.url("training/new/"), _new_session(world_a, add_organisations=typed))
    html = response.content.decode()
    assert response.status_code == 200 and ADD_ERROR in html
    assert f">\n{typed}</textarea>" in html  # shown again as typed
    assert not TrainingSession.objects.filter(tenant=world_a.tenant).exists()
    errors = html[html.index('<p class="error" role="alert">'):]
    assert typed.split(";")[-1].strip() in errors and "ajcet" not in errors  # the names not found only
    if typed == "segou":  # the close matches are named, accents ignored
        for cso in ("segou", "js1", "js2"):
            assert f"{csos[cso].acronym} — {csos[cso].name}" in errors


def test_an_edit_with_an_unknown_name_changes_nothing_and_keeps_the_unticked_boxes(world_a, csos):
    session = _session(world_a, csos["ajcet"], csos["js1"])
    client = world_a.client_for(Role.TRAINER)
    data = form_data(client.get(_edit_url(world_a, session)).content)
    data["invited_organisations"] = [str(csos["ajcet"].pk)]
    data["add_organisations"] = ["FSP\nnobody of that name"]
    data["title"] = ["Nouveau titre"]
    response = client.post(_edit_url(world_a, session), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{csos["js1"].pk}" id="id_invited_organisations_1">' in html  # still there, unticked
    assert f'value="{csos["ajcet"].pk}" id="id_invited_organisations_0" checked>' in html
    session.refresh_from_db()
    assert session.title != "Nouveau titre" and _invited(session) == {csos["ajcet"], csos["js1"]}


def test_another_workspaces_organisation_does_not_exist(world_a, world_b, csos):
    client = world_a.client_for(Role.MANAGER)
    for typed in ("REJEFPO", "Réseau des jeunes femmes", str(csos["foreign"].pk)):
        response = client.post(world_a.url("training/new/"), _new_session(world_a, add_organisations=typed))
        assert response.status_code == 200, typed
        assert ADD_ERROR in response.content.decode(), typed
    # Nor can its id be sent as a ticked box.
    response = client.post(world_a.url("training/new/"),
                           _new_session(world_a, invited_organisations=[csos["foreign"].pk]))
    assert response.status_code == 200
    assert 'class="field has-error" id="field-invited_organisations"' in response.content.decode()
    assert not TrainingSession.objects.filter(tenant=world_a.tenant).exists()


def test_an_organisation_added_in_another_tab_is_kept_ticked_when_the_stale_page_is_shown(world_a, csos):
    session = _session(world_a, csos["ajcet"])
    client = world_a.client_for(Role.TRAINER)
    first = form_data(client.get(_edit_url(world_a, session)).content)
    second = form_data(client.get(_edit_url(world_a, session)).content)
    first["add_organisations"] = ["FSP"]
    assert client.post(_edit_url(world_a, session), first).status_code == 302
    second["title"] = ["Titre du second onglet"]
    response = client.post(_edit_url(world_a, session), second)
    assert response.status_code == 409
    again = form_data(response.content)
    assert sorted(again["invited_organisations"]) == sorted([str(csos["ajcet"].pk), str(csos["segou"].pk)])
    assert client.post(_edit_url(world_a, session), again).status_code == 302
    session.refresh_from_db()
    assert session.title == "Titre du second onglet" and _invited(session) == {csos["ajcet"], csos["segou"]}


def test_a_box_ticked_on_a_stale_page_stays_shown_when_the_other_tab_removed_its_organisation(world_a, csos):
    session = _session(world_a, csos["ajcet"], csos["js1"])
    client = world_a.client_for(Role.TRAINER)
    first = form_data(client.get(_edit_url(world_a, session)).content)
    second = form_data(client.get(_edit_url(world_a, session)).content)
    first["invited_organisations"] = [str(csos["js1"].pk)]  # AJCET removed in the first tab
    assert client.post(_edit_url(world_a, session), first).status_code == 302
    second["invited_organisations"] = [str(csos["ajcet"].pk)]  # JS1 removed in the second
    response = client.post(_edit_url(world_a, session), second)
    html = response.content.decode()
    assert response.status_code == 409
    assert f'value="{csos["ajcet"].pk}" id="id_invited_organisations_0" checked>' in html  # the person's choice
    assert f'value="{csos["js1"].pk}" id="id_invited_organisations_1">' in html  # the other tab's, unticked
    assert client.post(_edit_url(world_a, session), form_data(html)).status_code == 302
    assert _invited(session) == {csos["ajcet"]}


def test_the_session_forms_fit_the_budget_with_2000_organisations(world_a):
    organisations = _organisations(world_a.tenant, 2000)
    session = _session(world_a, *organisations[:25])
    client = world_a.client_for(Role.TRAINER)
    new = client.get(world_a.url("training/new/"))
    check("session form with 2,000 organisations", new)
    assert organisations[0].name not in new.content.decode()
    edit = client.get(_edit_url(world_a, session))
    check("session edit with 25 of 2,000 organisations invited", edit)
    assert edit.content.decode().count('name="invited_organisations"') == 25


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("page", ["new", "edit", "register", "assessment"])
def test_the_forms_cost_the_same_queries_for_10_or_500_organisations(world_a, page):
    organisations = _organisations(world_a.tenant, 10)
    session = _session(world_a, *organisations[:3])
    url = {"new": world_a.url("training/new/"), "edit": _edit_url(world_a, session),
           "register": world_a.url(f"training/{session.pk}/register/"),
           "assessment": world_a.url("training/assessments/new/")}[page]
    client = world_a.client_for(Role.TRAINER)
    client.get(world_a.url())  # the session's first refresh stamp is written here, not below
    few = _queries(client, url)
    more = _organisations(world_a.tenant, 490)
    session.invited_organisations.add(*more[:30])
    many = _queries(client, url)
    assert len(many) == len(few), "\n".join(many)
    assert not [sql for sql in many if 'FROM "orgs_organisation"' in sql and "LIMIT" not in sql
                and "IN (" not in sql and "INNER JOIN" not in sql], "a query reads every organisation"


# --- registering a new participant ---------------------------------------------------------------

def test_a_new_participants_organisation_is_typed_among_the_invited_ones_only(world_a, csos):
    session = _session(world_a, csos["ajcet"], csos["segou"])
    client = world_a.client_for(Role.TRAINER)
    url = world_a.url(f"training/{session.pk}/register/")
    page = client.get(url).content.decode()
    assert '<datalist id="organisation-suggestions">' in page and 'list="organisation-suggestions"' in page
    assert 'value="FSP — Femmes de Ségou pour la paix"' in page and "JS1" not in page  # the invited only
    person = {"new": "1", "full_name": "Awa Traoré", "sex": "female", "age_band": "25_35"}
    for typed in ("JS1", "Jeunes de Ségou", "REJEFPO", str(csos["ajcet"].pk)):  # not invited, another workspace's
        response = client.post(url, {**person, "organisation": typed})
        assert response.status_code == 200 and 'role="alert"' in response.content.decode(), typed
    assert not Participant.objects.filter(full_name="Awa Traoré").exists()
    assert client.post(url, {**person, "organisation": "femmes de segou pour la paix"}).status_code == 302
    assert Participant.objects.get(full_name="Awa Traoré").organisation == csos["segou"]


def test_the_search_of_known_people_stays_within_the_invited_organisations(world_a, csos):
    session = _session(world_a, csos["ajcet"])
    invited = ParticipantFactory(tenant=world_a.tenant, organisation=csos["ajcet"], full_name="Moussa Diarra")
    outside = ParticipantFactory(tenant=world_a.tenant, organisation=csos["js1"], full_name="Moussa Keïta")
    html = world_a.client_for(Role.TRAINER).get(world_a.url(f"training/{session.pk}/register/"),
                                                {"q": "moussa"}).content.decode()
    assert invited.full_name in html and outside.full_name not in html


def test_an_applicant_finds_its_own_organisation_filled_in(world_a, csos):
    session = _session(world_a, csos["ajcet"], world_a.organisation)
    html = world_a.client_for(Role.APPLICANT).get(world_a.url(f"training/{session.pk}/register/")).content.decode()
    assert f'name="organisation" value="{world_a.organisation}"' in html
    assert "AJCET" not in html  # another invited CSO is not the applicant's


def test_the_registration_page_offers_no_list_when_hundreds_are_invited(world_a):
    organisations = _organisations(world_a.tenant, 300)
    session = _session(world_a, *organisations)
    response = world_a.client_for(Role.TRAINER).get(world_a.url(f"training/{session.pk}/register/"))
    check("registration with 300 organisations invited", response)
    assert "<datalist" not in response.content.decode()


# --- a new capacity assessment -------------------------------------------------------------------

def test_an_assessment_names_its_organisation_by_acronym_in_this_workspace_only(framework_a, csos):
    world = framework_a
    client = world.client_for(Role.TRAINER)
    url = world.url("training/assessments/new/")
    values = {"date": "2026-04-01", "kind": "baseline", "facilitator": world.user(Role.TRAINER).pk}
    for typed in ("REJEFPO", str(csos["ajcet"].pk), "segou"):
        response = client.post(url, {**values, "organisation": typed})
        assert response.status_code == 200 and 'role="alert"' in response.content.decode(), typed
    assert '<datalist id="organisation-suggestions">' in response.content.decode()  # "segou": the close ones
    assert not Assessment.objects.exists()
    assert client.post(url, {**values, "organisation": "fsp"}).status_code == 302
    assert Assessment.objects.get().organisation == csos["segou"]


def test_an_assessment_started_from_an_organisations_page_has_its_name_filled_in(world_a, csos):
    client = world_a.client_for(Role.TRAINER)
    html = client.get(world_a.url("training/assessments/new/"), {"organisation": csos["segou"].pk}).content.decode()
    assert 'value="FSP — Femmes de Ségou pour la paix"' in html
    for junk in (csos["foreign"].pk, "x", "9" * 30):  # another workspace's, not an id: nothing filled in
        html = client.get(world_a.url("training/assessments/new/"), {"organisation": junk}).content.decode()
        assert 'name="organisation" value=' not in html


def test_the_assessment_form_fits_the_budget_with_2000_organisations(world_a):
    organisations = _organisations(world_a.tenant, 2000)
    response = world_a.client_for(Role.MANAGER).get(world_a.url("training/assessments/new/"))
    check("assessment form with 2,000 organisations", response)
    assert organisations[5].name not in response.content.decode()
    assert Organisation.objects.filter(tenant=world_a.tenant).count() > 2000


# --- the linked award: typed by reference, never a <select> of every award --------------------------

def test_the_linked_award_is_named_by_its_reference_and_kept_on_edit(world_a):
    from tests.grants.factories import AwardFactory

    award = AwardFactory(tenant=world_a.tenant, reference="PDM-2026-014")
    client = world_a.client_for(Role.TRAINER)
    new_page = client.get(world_a.url("training/new/")).content.decode()
    assert '<select name="award"' not in new_page and 'name="award"' in new_page
    response = client.post(world_a.url("training/new/"), _new_session(world_a, award=" pdm-2026-014 "))
    assert response.status_code == 302
    session = TrainingSession.objects.get(tenant=world_a.tenant)
    assert session.award == award
    session.trainers.add(world_a.members[Role.TRAINER])
    edit = client.get(_edit_url(world_a, session)).content.decode()
    assert 'value="PDM-2026-014"' in edit
    assert client.post(_edit_url(world_a, session), form_data(edit)).status_code == 302
    session.refresh_from_db()
    assert session.award == award


def test_an_unknown_or_foreign_award_reference_is_refused_and_the_text_kept(worlds):
    from tests.grants.factories import AwardFactory

    world_a, world_b = worlds
    AwardFactory(tenant=world_b.tenant, reference="WAN-2026-001")
    client = world_a.client_for(Role.TRAINER)
    for typed in ("WAN-2026-001", "PDM-1999-999"):
        response = client.post(world_a.url("training/new/"), _new_session(world_a, award=typed))
        html = response.content.decode()
        assert response.status_code == 200
        assert f"Aucune subvention de cet espace n’a la référence « {typed} »." in html.replace("&#x27;", "'") \
            or f"No award of this workspace has the reference “{typed}”." in html
        assert f'value="{typed}"' in html
    assert not TrainingSession.objects.exists()


def test_the_session_page_names_every_invited_organisation_by_acronym_else_name_escaped(world_a):
    session = TrainingSessionFactory(tenant=world_a.tenant)
    session.trainers.add(world_a.actor(Role.TRAINER).membership)
    session.invited_organisations.add(
        OrganisationFactory(tenant=world_a.tenant, name="Femmes <b>de</b> Ségou", acronym=""),
        OrganisationFactory(tenant=world_a.tenant, name="Jeunes de Gao", acronym="AJG"),
        *OrganisationFactory.create_batch(30, tenant=world_a.tenant))
    page = world_a.client_for(Role.TRAINER).get(world_a.url(f"training/{session.pk}/")).content.decode()
    named = page.split("<dd>")[-1].split("</dd>")[0]  # the last property: the invited organisations
    assert "Femmes &lt;b&gt;de&lt;/b&gt; Ségou" in named and "AJG" in named and "Jeunes de Gao" not in named
    assert named.count(", ") == 31


def test_only_the_pages_that_need_them_read_a_sessions_invited_organisations(world_a):
    """A big session invites a hundred CSOs: the attendance and scores grids and the status change never
    read them (they were prefetched for every session page); the session page names them in one values
    query; an applicant's right to register is one EXISTS."""
    session = TrainingSessionFactory(tenant=world_a.tenant)
    session.trainers.add(world_a.actor(Role.TRAINER).membership)
    session.invited_organisations.add(world_a.organisation,
                                      *OrganisationFactory.create_batch(40, tenant=world_a.tenant))
    through = TrainingSession.invited_organisations.through._meta.db_table
    trainer = world_a.client_for(Role.TRAINER)
    for page in ("attendance/", "scores/"):
        with CaptureQueriesContext(connection) as queries:
            assert trainer.get(world_a.url(f"training/{session.pk}/{page}")).status_code == 200
        assert not [q for q in queries.captured_queries if through in q["sql"]], page
    with CaptureQueriesContext(connection) as queries:
        assert trainer.get(world_a.url(f"training/{session.pk}/")).status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if through in q["sql"]]
    assert len(reads) == 1 and '"orgs_organisation"."description"' not in reads[0]
    page = world_a.client_for(Role.APPLICANT).get(world_a.url(f"training/{session.pk}/"))
    assert world_a.url(f"training/{session.pk}/register/") in page.content.decode()  # the invited CSO registers
