"""Training sessions: roles, registration, attendance grid, printed sheet, CSV import (issue 13)."""

from __future__ import annotations

import gzip
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.factories import OrganisationFactory
from tests.page_forms import form_data
from tests.training.factories import (
    AttendanceFactory,
    ParticipantFactory,
    RegistrationFactory,
    TopicFactory,
    TrainingSessionFactory,
)
from training.models import Attendance, Participant, Registration, SessionStatus, Topic
from training.services import sessions as services

pytestmark = pytest.mark.django_db


def _session(world, *, trainer=True, invited=True, **kwargs):
    session = TrainingSessionFactory(tenant=world.tenant, **kwargs)
    if trainer:
        session.trainers.add(world.members[Role.TRAINER])
    if invited:
        session.invited_organisations.add(world.organisation)
    return session


def _registered(world, session, n, **kwargs):
    return [RegistrationFactory(tenant=world.tenant, session=session,
                                participant=ParticipantFactory(tenant=world.tenant, organisation=world.organisation,
                                                               **kwargs))
            for _ in range(n)]


def _url(world, session, rest=""):
    return world.url(f"training/{session.pk}/{rest}")


# --- roles ---------------------------------------------------------------------------------------

def test_list_shows_trainers_their_own_sessions_managers_all_and_applicants_the_invited(world_a):
    own = _session(world_a, title="Session du formateur", invited=False)
    other = _session(world_a, trainer=False, invited=False, title="Session du collègue")
    invited = _session(world_a, trainer=False, invited=True, title="Session ouverte à la CSO")
    pages = {role: world_a.client_for(role).get(world_a.url("training/")) for role in Role.values}
    manager = pages[Role.MANAGER].content.decode()
    assert all(s.title in manager for s in (own, other, invited))
    trainer = pages[Role.TRAINER].content.decode()
    assert own.title in trainer and other.title not in trainer and invited.title not in trainer
    applicant = pages[Role.APPLICANT].content.decode()
    assert invited.title in applicant and own.title not in applicant
    assert pages[Role.REVIEWER].status_code == 403 and pages[Role.FINANCE].status_code == 403


@pytest.mark.parametrize(("role", "detail", "grid"), [
    (Role.MANAGER, 200, 200), (Role.TRAINER, 404, 404), (Role.APPLICANT, 404, 403),
    (Role.REVIEWER, 403, 403), (Role.FINANCE, 403, 403),
])
def test_someone_elses_session_is_hidden_from_trainers_and_uninvited_applicants(world_a, role, detail, grid):
    session = _session(world_a, trainer=False, invited=False)
    client = world_a.client_for(role)
    assert client.get(_url(world_a, session)).status_code == detail
    assert client.get(_url(world_a, session, "attendance/")).status_code in {grid, 404}
    assert client.get(_url(world_a, session, "attendance/sheet.pdf")).status_code in {403, 404} or role == Role.MANAGER


def test_an_invited_applicant_reads_the_session_but_not_the_grid_sheet_or_import(world_a):
    session = _session(world_a, trainer=False)
    client = world_a.client_for(Role.APPLICANT)
    assert client.get(_url(world_a, session)).status_code == 200
    for rest in ("attendance/", "attendance/sheet.pdf", "attendance/import/", "edit/"):
        assert client.get(_url(world_a, session, rest)).status_code == 403, rest


def test_a_trainer_of_another_workspace_sees_nothing(world_a, world_b):
    session = _session(world_a)
    _registered(world_a, session, 2)
    for role in (Role.TRAINER, Role.MANAGER):
        client = world_b.client_for(role)
        for rest in ("", "attendance/", "attendance/sheet.pdf", "register/"):
            assert client.get(f"/{world_a.tenant.slug}/training/{session.pk}/{rest}").status_code == 404
            assert client.get(world_b.url(f"training/{session.pk}/{rest}")).status_code == 404


# --- workflow and creation ------------------------------------------------------------------------

def test_a_trainer_creates_a_session_and_runs_it(world_a):
    topic = TopicFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.TRAINER)
    response = client.post(world_a.url("training/new/"), {
        "title": "Médiation communautaire", "topic": topic.pk, "start_date": "2026-04-01", "end_date": "2026-04-02",
        "venue": "Mopti", "capacity": "20", "add_organisations": world_a.organisation.acronym})
    assert response.status_code == 302
    session = world_a.members[Role.TRAINER].training_sessions.get()
    assert session.title == "Médiation communautaire" and len(session.days) == 2
    assert list(session.invited_organisations.all()) == [world_a.organisation]
    assert AuditEvent.objects.filter(action="training_session.created", target_id=str(session.pk)).exists()


def test_another_trainer_cannot_move_the_session_and_cancelling_needs_a_reason(world_a):
    session = _session(world_a, trainer=False)
    with pytest.raises(Refused):
        services.session_transition(session=session, actor=world_a.actor(Role.TRAINER), target=SessionStatus.HELD)
    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(Refused):
        services.session_transition(session=session, actor=manager, target=SessionStatus.CANCELLED, reason=" ")
    services.session_transition(session=session, actor=manager, target=SessionStatus.CANCELLED, reason="Crue")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.cancel_reason == "Crue"
    assert AuditEvent.objects.get(action="training_session.cancelled").after["reason"] == "Crue"


def test_a_new_workspace_starts_with_the_seven_topics():
    from relais.services.tenancy import tenant_create

    tenant = tenant_create(name="Fonds Sahel", slug="fonds-sahel")
    names = list(Topic.objects.filter(tenant=tenant).values_list("name", flat=True))
    assert len(names) == 7 and "Prévention de l’extrémisme violent" in names


def test_editing_a_session_in_two_tabs_refuses_the_stale_save(world_a):
    session = _session(world_a)
    client = world_a.client_for(Role.TRAINER)
    first = form_data(client.get(_url(world_a, session, "edit/")).content)
    second = form_data(client.get(_url(world_a, session, "edit/")).content)
    first["title"] = ["Titre du premier onglet"]
    second["title"] = ["Titre du second onglet"]
    assert client.post(_url(world_a, session, "edit/"), first).status_code == 302
    assert client.post(_url(world_a, session, "edit/"), second).status_code == 409
    session.refresh_from_db()
    assert session.title == "Titre du premier onglet"


# --- registration -------------------------------------------------------------------------------

def test_the_search_ignores_accents_and_case_and_offers_only_invited_organisations(world_a):
    session = _session(world_a)
    known = ParticipantFactory(tenant=world_a.tenant, organisation=world_a.organisation, full_name="Aïssata Koné")
    outsider = ParticipantFactory(tenant=world_a.tenant, full_name="Aïssata Diallo")  # CSO not invited
    page = world_a.client_for(Role.TRAINER).get(_url(world_a, session, "register/"), {"q": "AISSATA kone"})
    html = page.content.decode()
    assert known.full_name in html and outsider.full_name not in html
    response = world_a.client_for(Role.TRAINER).post(_url(world_a, session, "register/"),
                                                      {"participant": known.pk, "q": "aissata"})
    assert response.status_code == 302
    assert Registration.objects.filter(session=session, participant=known).exists()


def test_an_applicant_registers_its_own_staff_only(world_a):
    session = _session(world_a, trainer=False)
    other_cso = OrganisationFactory(tenant=world_a.tenant)
    session.invited_organisations.add(other_cso)
    client = world_a.client_for(Role.APPLICANT)
    response = client.post(_url(world_a, session, "register/"), {
        "new": "1", "organisation": world_a.organisation.acronym, "full_name": "Mariam  Sangaré", "sex": "female",
        "age_band": "15_24", "role_title": "Animatrice"})
    assert response.status_code == 302
    person = Participant.objects.get(full_name="Mariam Sangaré")
    assert person.name_folded == "mariam sangare" and person.registrations.get().session == session
    stranger = ParticipantFactory(tenant=world_a.tenant, organisation=other_cso, full_name="Oumar Cissé")
    client.post(_url(world_a, session, "register/"), {"participant": stranger.pk, "q": "oumar"})
    assert not Registration.objects.filter(participant=stranger).exists()
    with pytest.raises(Refused):
        services.participant_register(session=session, actor=world_a.actor(Role.APPLICANT), participant=stranger)


def test_a_full_session_refuses_one_more(world_a):
    session = _session(world_a, capacity=1)
    _registered(world_a, session, 1)
    extra = ParticipantFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    with pytest.raises(Refused):
        services.participant_register(session=session, actor=world_a.actor(Role.TRAINER), participant=extra)


# --- the attendance grid ------------------------------------------------------------------------

def _grid_post(client, world, session):
    data = form_data(client.get(_url(world, session, "attendance/")).content, having="version")
    return data


def test_the_grid_saves_every_mark_in_one_submit(world_a):
    session = _session(world_a)
    registrations = _registered(world_a, session, 3)
    client = world_a.client_for(Role.TRAINER)
    data = _grid_post(client, world_a, session)
    for reg in registrations:
        for day in range(3):
            data[f"m-{reg.pk}-{day}"] = ["late" if day == 1 else "present"]
    response = client.post(_url(world_a, session, "attendance/"), data)
    assert response.status_code == 302
    marks = set(Attendance.objects.filter(registration__session=session).values_list("registration_id", "day",
                                                                                      "status"))
    assert len(marks) == 9 and {m[2] for m in marks} == {"present", "late"}
    events = AuditEvent.objects.filter(action="training_session.attendance_saved", target_id=str(session.pk))
    assert [e.after for e in events] == [{"cells": 9}]


def test_the_grid_opened_in_two_tabs_refuses_the_older_one(world_a):
    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1)
    client = world_a.client_for(Role.TRAINER)
    first, second = _grid_post(client, world_a, session), _grid_post(client, world_a, session)
    first[f"m-{reg.pk}-0"] = ["present"]
    second[f"m-{reg.pk}-0"] = ["absent"]
    assert client.post(_url(world_a, session, "attendance/"), first).status_code == 302
    refused = client.post(_url(world_a, session, "attendance/"), second)
    assert refused.status_code == 409
    assert Attendance.objects.get(registration=reg).status == "present"
    assert 'value="absent" checked' in refused.content.decode()  # the typed marks are kept on the page


def test_a_stale_attendance_page_can_be_saved_again_after_checking(world_a):
    """The 409 page carries the version it shows, not the one it was loaded from (refused forever)."""
    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1)
    tab1, tab2 = world_a.client_for(Role.TRAINER), world_a.client_for(Role.MANAGER)
    first, second = _grid_post(tab1, world_a, session), _grid_post(tab2, world_a, session)
    first[f"m-{reg.pk}-0"] = ["present"]
    second[f"m-{reg.pk}-1"] = ["absent"]
    assert tab1.post(_url(world_a, session, "attendance/"), first).status_code == 302
    stale = tab2.post(_url(world_a, session, "attendance/"), second)
    assert stale.status_code == 409
    again = form_data(stale.content, having="version")  # the other tab's mark and this one's, as shown
    assert again[f"m-{reg.pk}-0"] == ["present"] and again[f"m-{reg.pk}-1"] == ["absent"]
    assert tab2.post(_url(world_a, session, "attendance/"), again).status_code == 302
    assert dict(Attendance.objects.filter(registration=reg).values_list("day", "status")) == {
        session.days[0]: "present", session.days[1]: "absent"}


@pytest.mark.parametrize("version", [None, "", "²", "1x"])
def test_an_attendance_post_without_a_valid_version_is_refused_as_stale(world_a, version):
    """A lost or garbled version is not a licence to write without the check."""
    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1)
    client = world_a.client_for(Role.TRAINER)
    data = _grid_post(client, world_a, session)
    data[f"m-{reg.pk}-0"] = ["present"]
    assert client.post(_url(world_a, session, "attendance/"), data).status_code == 302
    garbled = {f"m-{reg.pk}-0": "absent"} | ({} if version is None else {"version": version})
    refused = world_a.client_for(Role.MANAGER).post(_url(world_a, session, "attendance/"), garbled)
    assert refused.status_code == 409
    assert Attendance.objects.get(registration=reg).status == "present"
    assert 'value="absent" checked' in refused.content.decode()  # the typed mark is kept


def test_a_superscript_digit_in_a_mark_name_is_ignored_not_a_500(world_a):
    """"²".isdigit() is True but int("²") raises: the grid reads ASCII digits only."""
    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1)
    client = world_a.client_for(Role.TRAINER)
    client.raise_request_exception = False
    data = _grid_post(client, world_a, session)
    data.update({"m-²-0": ["present"], f"m-{reg.pk}-²": ["present"], f"m-{reg.pk}-1": ["late"]})
    assert client.post(_url(world_a, session, "attendance/"), data).status_code == 302
    assert list(Attendance.objects.values_list("day", "status")) == [(session.days[1], "late")]


def test_a_superscript_version_on_the_session_form_is_not_a_500(world_a):
    session = _session(world_a)
    client = world_a.client_for(Role.TRAINER)
    client.raise_request_exception = False
    data = form_data(client.get(_url(world_a, session, "edit/")).content)
    data.update({"_version": ["²"], "title": ["Titre corrigé"]})
    assert client.post(_url(world_a, session, "edit/"), data).status_code == 302
    session.refresh_from_db()
    assert session.title == "Titre corrigé"


def test_the_grid_costs_the_same_queries_for_10_or_200_participants(world_a):
    session = _session(world_a)
    client = world_a.client_for(Role.TRAINER)
    client.get(world_a.url())

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(world_a, session, "attendance/")).status_code == 200
        return len(ctx.captured_queries)

    for reg in _registered(world_a, session, 10):
        AttendanceFactory(tenant=world_a.tenant, registration=reg)
    few = count()
    for reg in _registered(world_a, session, 190):
        AttendanceFactory(tenant=world_a.tenant, registration=reg)
    assert count() == few


def test_the_grid_fits_a_phone_budget_with_30_participants(world_a):
    session = _session(world_a)
    _registered(world_a, session, 30)
    html = world_a.client_for(Role.TRAINER).get(_url(world_a, session, "attendance/")).content
    from django.contrib.staticfiles import finders
    css = open(finders.find("training/training.css"), "rb").read()  # noqa: SIM115
    size = len(gzip.compress(html, 6)) + len(gzip.compress(css, 6))
    assert size <= 14 * 1024, size
    assert b'name="viewport"' in html and b"min-height:2.75rem" in css  # 44 px targets for a thumb


def test_the_session_list_costs_the_same_queries_for_3_or_30_sessions(world_a):
    client = world_a.client_for(Role.TRAINER)
    client.get(world_a.url())
    for _ in range(3):
        _session(world_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(world_a.url("training/")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(27):
        _session(world_a)
    assert count() == few


SESSION_LOOP = """{% for s in page %}
<li class="card"><h2><a href="{% url 'training:session_detail' tenant_slug=current_tenant.slug training_session_pk=s.pk %}">{{ s.title }}</a></h2>
<p><span class="badge">{{ s.get_status_display }}</span> {{ s.topic.name }}{% if s.protected %} <span class="badge warn">{% translate "Protected" %}</span>{% endif %}</p>
<p class="muted">{% if s.start_date == s.end_date %}{{ s.start_date|date:"DATE_FORMAT" }}{% else %}{{ s.start_date|date:"DATE_FORMAT" }} – {{ s.end_date|date:"DATE_FORMAT" }}{% endif %} · {% if s.remote %}{% translate "Remote" %}{% else %}{{ s.venue|default:"" }}{% if s.region %} {{ s.region.name }}{% endif %}{% endif %}</p>
<p class="muted">{% for t in s.trainers.all %}{{ t.user.full_name|default:t.user.email }}{% if not forloop.last %}, {% endif %}{% empty %}{% translate "No trainer yet" %}{% endfor %}</p>
</li>
{% empty %}<li>{% translate "No training session yet." %}</li>
{% endfor %}"""  # noqa: E501 - the loop as templates/training/session_list.html held it


@pytest.mark.parametrize("language", ["fr", "en"])
def test_session_cards_are_the_cards_of_the_template_loop(world_a, world_b, language):
    """training.tables.session_cards_html writes the session list's cards in one pass (throughput, issue 10): the
    markup of the loop it replaced, for one-day and remote sessions, protected ones, a region, no trainer, a
    trainer without a name, and values that need escaping."""
    import datetime

    from django.template import engines
    from django.utils import translation

    from tests.factories import MembershipFactory, RegionFactory, UserFactory

    _session(world_a, title="Médiation <communautaire> & paix", protected=True,
             region=RegionFactory(tenant=world_a.tenant, name="Ségou & <Mopti>"), venue="Salle \"A\"")
    _session(world_a, trainer=False, remote=True, start_date=datetime.date(2026, 4, 2),
             end_date=datetime.date(2026, 4, 2), status=SessionStatus.HELD)
    nameless = _session(world_a, venue="")
    nameless.trainers.add(MembershipFactory(tenant=world_a.tenant, role=Role.TRAINER,
                                            user=UserFactory(full_name="", email="formateur@example.org")))
    with translation.override(language):
        response = world_a.client_for(Role.MANAGER).get(world_a.url("training/"), HTTP_ACCEPT_LANGUAGE=language)
        page = response.context["page"]
        expected = engines["django"].from_string("{% load i18n %}" + SESSION_LOOP).render(
            {"page": page, "current_tenant": world_a.tenant})
    html = response.content.decode()
    assert len(page) == 3
    assert f'<ul class="cards">\n{expected}\n</ul>' in html
    assert "Ségou &amp; &lt;Mopti&gt;" in html and "formateur@example.org" in html
    nobody = world_b.client_for(Role.TRAINER).get(world_b.url("training/")).content.decode()  # the empty line
    assert '<ul class="cards">\n<li>' in nobody and "</li>\n\n</ul>" in nobody


# --- the session page: participants a page at a time ---------------------------------------------

def test_the_session_page_lists_participants_a_page_at_a_time_and_counts_them_all(world_a):
    session = _session(world_a, capacity=40)
    names = sorted(p.participant.full_name for p in _registered(world_a, session, 30))
    client = world_a.client_for(Role.TRAINER)
    first = client.get(_url(world_a, session)).content.decode()
    assert "30 / 40" in first  # the capacity line counts everyone, not the page
    assert all(name in first for name in names[:25]) and not any(name in first for name in names[25:])
    assert 'rel="next"' in first
    second = client.get(_url(world_a, session), {"page": 2}).content.decode()
    assert all(name in second for name in names[25:]) and not any(name in second for name in names[:25])
    assert '<ol start="26">' in second and 'rel="prev"' in second
    # everything the trainer does from the page is still linked from it
    for rest in ("register/", "attendance/", "scores/", "attendance/sheet.pdf", "attendance/import/"):
        assert f'href="{_url(world_a, session, rest)}"' in first, rest


def test_the_register_page_lists_the_registered_a_page_at_a_time_and_counts_them_all(world_a):
    """It listed every registration of the session on one page (300 on a big session, issue 10)."""
    session = _session(world_a, capacity=40)
    names = sorted(p.participant.full_name for p in _registered(world_a, session, 30))
    client = world_a.client_for(Role.TRAINER)
    first = client.get(_url(world_a, session, "register/")).content.decode()
    assert "(30 / 40)" in first
    assert all(name in first for name in names[:25]) and not any(name in first for name in names[25:])
    second = client.get(_url(world_a, session, "register/"), {"page": 2}).content.decode()
    assert all(name in second for name in names[25:]) and not any(name in second for name in names[:25])
    assert '<ol start="26">' in second and 'rel="prev"' in second


PARTICIPANT_LOOP = """{% for r in participants %}<li>{% if session.protected %}{{ r.participant__code }} · {% endif %}{{ r.participant__full_name }} <span class="muted">({{ r.participant__organisation__acronym|default:r.participant__organisation__name }})</span></li>{% empty %}<li>{% if query and registered %}{% translate "Nobody registered has this name." %}{% else %}{% translate "Nobody is registered yet." %}{% endif %}</li>{% endfor %}"""  # noqa: E501 - the loop as templates/training/session_detail.html held it


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("protected", [False, True])
def test_the_participant_rows_are_the_rows_of_the_template_loop(world_a, language, protected):
    """training.tables.participant_rows_html writes the session page's participants in one pass (issue 10): the
    markup of the loop it replaced, with codes when protected, an organisation without acronym, values that need
    escaping, and both empty lines (nobody yet; nobody of that name)."""
    from django.template import engines
    from django.utils import translation

    from tests.factories import OrganisationFactory

    session = _session(world_a, protected=protected)
    empty_session = _session(world_a)
    _registered(world_a, session, 2, full_name="Awa <b>Traoré</b> & fils")
    RegistrationFactory(tenant=world_a.tenant, session=session, participant=ParticipantFactory(
        tenant=world_a.tenant, full_name="Moussa Dembélé",
        organisation=OrganisationFactory(tenant=world_a.tenant, acronym="", name="Jeunes \"Espoir\" <Gao>")))
    loop = engines["django"].from_string("{% load i18n %}" + PARTICIPANT_LOOP)
    client = world_a.client_for(Role.TRAINER)
    cases = [(session, {}), (empty_session, {}), (session, {"q": "personne"}), (session, {"q": "moussa"})]
    with translation.override(language):
        for shown, query in cases:
            response = client.get(_url(world_a, shown), query, HTTP_ACCEPT_LANGUAGE=language)
            context = response.context
            expected = loop.render({"participants": context["participants"], "session": shown,
                                    "query": context["query"], "registered": context["registered"]})
            assert f"<ol>{expected}</ol>" in response.content.decode(), (shown.pk, query)
    code = "<li>" + session.registrations.first().participant.code
    assert (code in client.get(_url(world_a, session)).content.decode()) is protected


def test_the_session_page_finds_a_participant_by_name_ignoring_accents_and_case(world_a):
    session = _session(world_a)
    _registered(world_a, session, 3)
    wanted = RegistrationFactory(tenant=world_a.tenant, session=session, participant=ParticipantFactory(
        tenant=world_a.tenant, organisation=world_a.organisation, full_name="Fatoumata Dembélé"))
    client = world_a.client_for(Role.TRAINER)
    html = client.get(_url(world_a, session), {"q": "  DEMBELE"}).content.decode()
    assert wanted.participant.full_name in html and "Aïssata Traoré" not in html
    assert "4 / " in html  # the capacity line still counts every registration
    nobody = client.get(_url(world_a, session), {"q": "Keïta"}).content.decode()
    assert "Aïssata Traoré" not in nobody and "Aucun inscrit ne porte ce nom." in nobody


def test_the_session_page_costs_the_same_queries_for_10_or_300_registrations_and_fits_14_kb(world_a):
    session = _session(world_a, protected=True, capacity=400)
    client = world_a.client_for(Role.MANAGER)  # the manager's page carries the reach block too
    client.get(world_a.url())

    def get():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(_url(world_a, session))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content

    for reg in _registered(world_a, session, 10):
        AttendanceFactory(tenant=world_a.tenant, registration=reg)
    few, _html = get()
    for reg in _registered(world_a, session, 290):
        AttendanceFactory(tenant=world_a.tenant, registration=reg)
    many, html = get()
    assert many == few
    assert html.count(b"<li>") < 60  # one page of participants, not 300
    assert len(gzip.compress(html, 6)) < 14 * 1024, len(gzip.compress(html, 6))


# --- the printed sheet --------------------------------------------------------------------------

def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_sheet_prints_names_with_accents_one_page_per_day(world_a):
    session = _session(world_a)
    _registered(world_a, session, 1, full_name="Fatoumata Dembélé")
    text = _pdf_text(world_a.client_for(Role.TRAINER).get(_url(world_a, session, "attendance/sheet.pdf")))
    assert text.count("Fatoumata Dembélé") == 3 and "Signature" in text and session.title in text


def test_a_protected_sessions_sheet_prints_codes_never_names(world_a):
    session = _session(world_a, protected=True)
    (reg,) = _registered(world_a, session, 1, full_name="Fatoumata Dembélé")
    text = _pdf_text(world_a.client_for(Role.MANAGER).get(_url(world_a, session, "attendance/sheet.pdf")))
    assert reg.participant.code in text and "Dembélé" not in text and "Fatoumata" not in text


# --- CSV import ----------------------------------------------------------------------------------

def _import(client, world, session, content: bytes):
    upload = io.BytesIO(content)
    upload.name = "kobo.csv"
    return client.post(_url(world, session, "attendance/import/"), {"file": upload})


def test_a_csv_with_errors_is_explained_and_writes_nothing(world_a):
    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1, full_name="Adama Keïta")
    csv = ("code;date;statut\n"
           f"{reg.participant.code};2026-03-09;présent\n"
           "P-XXXXXX;2026-03-09;absent\n"
           f"{reg.participant.code};2026-04-01;absent\n"
           f"{reg.participant.code};10/03/2026;peut-être\n").encode()
    page = _import(world_a.client_for(Role.TRAINER), world_a, session, csv).content.decode()
    assert "« P-XXXXXX » n’est pas inscrit" in page or "P-XXXXXX" in page
    assert "2026-04-01" in page and "peut-être" in page
    assert 'name="confirm"' not in page
    assert not Attendance.objects.exists()


def test_a_valid_csv_is_previewed_then_written_only_when_confirmed(world_a):
    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1, full_name="Adama Keïta")
    csv = ("group_a/name,group_a/date,status\n"
           "adama keita,2026-03-09T08:30:00.000+00:00,present\n"
           "Adama Keïta,10/03/2026,retard\n").encode()
    client = world_a.client_for(Role.TRAINER)
    preview = _import(client, world_a, session, csv)
    assert preview.status_code == 200 and not Attendance.objects.exists()
    data = form_data(preview.content, having="confirm")
    assert client.post(_url(world_a, session, "attendance/import/"), data).status_code == 302
    assert dict(Attendance.objects.values_list("day__day", "status")) == {9: "present", 10: "late"}
    assert AuditEvent.objects.filter(action="training_session.attendance_imported").count() == 1


@pytest.mark.parametrize("version", [None, "²"])
def test_an_import_confirmed_without_a_valid_version_writes_nothing(world_a, version):
    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1, full_name="Adama Keïta")
    client = world_a.client_for(Role.TRAINER)
    csv = f"code;date;statut\n{reg.participant.code};09/03/2026;présent\n".encode()
    preview = _import(client, world_a, session, csv)
    data = form_data(preview.content, having="confirm")
    del data["version"]
    if version is not None:
        data["version"] = [version]
    assert client.post(_url(world_a, session, "attendance/import/"), data).status_code == 409
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8-sig"])  # Excel / KoboToolbox on Windows; Excel's UTF-8
def test_a_latin1_or_bom_csv_is_confirmed_as_it_was_previewed(world_a, encoding):
    """The confirm parses the text the preview decoded: “présent” does not come back as “pr\ufffdsent”."""
    session = _session(world_a)
    _registered(world_a, session, 1, full_name="Adama Keïta")
    csv = "nom;date;statut\nAdama Keïta;09/03/2026;présent\nAdama Keïta;10/03/2026;excusé\n".encode(encoding)
    client = world_a.client_for(Role.TRAINER)
    data = form_data(_import(client, world_a, session, csv).content, having="confirm")
    assert data["content"][0].startswith("nom;date;statut")
    assert client.post(_url(world_a, session, "attendance/import/"), data).status_code == 302
    assert dict(Attendance.objects.values_list("day__day", "status")) == {9: "present", 10: "excused"}


def test_the_confirm_refuses_a_text_larger_than_a_file_may_be(world_a):
    from training.attendance_import import MAX_BYTES

    session = _session(world_a)
    (reg,) = _registered(world_a, session, 1)
    valid_but_padded = f"code;date;statut\n{reg.participant.code};09/03/2026;present" + "\n" * MAX_BYTES
    with pytest.raises(Refused):
        services.attendance_import_confirm(session=session, actor=world_a.actor(Role.TRAINER),
                                           content=valid_but_padded)
    assert not Attendance.objects.exists()


def test_the_trainers_dashboard_lists_their_next_sessions_only(world_a):
    mine = _session(world_a, title="Atelier de Kayes")
    theirs = _session(world_a, trainer=False, title="Atelier de Gao")
    html = world_a.client_for(Role.TRAINER).get(world_a.url()).content.decode()
    assert mine.title in html and theirs.title not in html


def test_a_material_is_uploaded_checked_and_downloaded_by_the_sessions_staff_only(world_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = _session(world_a)
    client = world_a.client_for(Role.TRAINER)
    fake = SimpleUploadedFile("module.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    client.post(_url(world_a, session, "materials/"), {"title": "Module 1", "file": fake})
    assert not session.materials.exists()  # relais.uploads refuses what is not what it claims
    pdf = SimpleUploadedFile("module.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(_url(world_a, session, "materials/"), {"title": "Module 1", "file": pdf}).status_code == 302
    material = session.materials.get()
    url = _url(world_a, session, f"materials/{material.pk}/")
    assert b"".join(client.get(url).streaming_content).startswith(b"%PDF")
    assert world_a.client_for(Role.APPLICANT).get(url).status_code == 403


def test_a_manager_adds_the_usual_topics_and_renames_one_others_cannot(world_a):
    client = world_a.client_for(Role.MANAGER)
    assert client.post(world_a.url("training/topics/"), {"defaults": "1"}).status_code == 302
    assert Topic.objects.filter(tenant=world_a.tenant).count() == 7
    data = form_data(client.get(world_a.url("training/topics/")).content, having="form-TOTAL_FORMS")
    data["form-0-name"] = ["Médiation et dialogue"]
    assert client.post(world_a.url("training/topics/"), data).status_code == 302
    assert Topic.objects.filter(tenant=world_a.tenant, name="Médiation et dialogue").exists()
    assert AuditEvent.objects.filter(action="training_topics.updated").count() == 2
    assert world_a.client_for(Role.TRAINER).get(world_a.url("training/topics/")).status_code == 403


def test_a_session_whose_topic_was_retired_can_still_be_edited(world_a):
    session = _session(world_a, region=None, venue="Salle")
    client = world_a.client_for(Role.MANAGER)
    data = form_data(client.get(_url(world_a, session, "edit/")).content)
    session.topic.active = False  # retired on the topics page meanwhile
    session.topic.save()
    data["title"] = ["Nouveau titre"]
    response = client.post(_url(world_a, session, "edit/"), data)
    assert response.status_code == 302, response.context["form"].errors
    session.refresh_from_db()
    assert session.title == "Nouveau titre" and not session.topic.active


def test_a_retired_topic_is_offered_only_to_the_sessions_that_have_it(world_a):
    retired = TopicFactory(tenant=world_a.tenant, active=False)
    own, other = _session(world_a, topic=retired), _session(world_a)
    client = world_a.client_for(Role.MANAGER)

    def offered(session):
        page = client.get(_url(world_a, session, "edit/")).content.decode()
        topic_select = page.split('name="topic"')[1].split("</select>")[0]
        return {int(pk) for pk in re.findall(r'<option value="(\d+)"', topic_select)}

    assert retired.pk in offered(own)
    assert retired.pk not in offered(other) and other.topic_id in offered(other)
    new = client.post(world_a.url("training/new/"), {
        "title": "Médiation", "topic": retired.pk, "start_date": "2026-04-01", "end_date": "2026-04-02",
        "venue": "Mopti", "capacity": "20", "add_organisations": world_a.organisation.acronym})
    assert new.status_code == 200 and "topic" in new.context["form"].errors
