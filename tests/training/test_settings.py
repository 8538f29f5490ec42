"""The workspace's training settings (issue 13): the certificate threshold (default 80 %) and whether new
sessions start protected. Managers only, audited, two tabs never overwrite each other, and every place
that decides a certificate uses the workspace's threshold, never another workspace's."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.page_forms import form_data
from tests.training.factories import (
    AttendanceFactory,
    CertificateFactory,
    ParticipantFactory,
    RegistrationFactory,
    TopicFactory,
    TrainingSessionFactory,
    TrainingSettingsFactory,
)
from training.models import Certificate, TrainingSession, TrainingSettings
from training.selectors.settings import certificate_threshold, training_settings
from training.services import learning as learning_services
from training.services.settings import training_settings_save

pytestmark = pytest.mark.django_db

SETTINGS = "training/settings/"
FOUR_DAYS = {"start_date": dt.date(2026, 5, 4), "end_date": dt.date(2026, 5, 7),
             "status": "held"}  # certificates are issued once the session is held


def _session(world, **kwargs):
    session = TrainingSessionFactory(tenant=world.tenant, **{**FOUR_DAYS, **kwargs})
    session.trainers.add(world.members[Role.TRAINER])
    session.invited_organisations.add(world.organisation)
    return session


def _registered(world, session, n=1):
    return [RegistrationFactory(tenant=world.tenant, session=session,
                                participant=ParticipantFactory(tenant=world.tenant, organisation=world.organisation))
            for _ in range(n)]


def _attend(world, registration, present: int, absent: int = 0):
    for i, day in enumerate(registration.session.days[:present + absent]):
        AttendanceFactory(tenant=world.tenant, registration=registration, day=day,
                          status="present" if i < present else "absent")


def _three_of_four_days(world):
    """A participant present on 3 of the session's 4 days: 75 %."""
    session = _session(world)
    (registration,) = _registered(world, session)
    _attend(world, registration, 3, 1)
    return session, registration


def _page(client, world):
    response = client.get(world.url(SETTINGS))
    assert response.status_code == 200
    return form_data(response.content, having="certificate_threshold")


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


# --- the threshold decides the certificate -------------------------------------------------------

def test_a_threshold_of_70_lets_a_75_percent_attendee_get_the_certificate_that_80_refuses(world_a):
    actor = world_a.actor(Role.TRAINER)
    _session_, registration = _three_of_four_days(world_a)
    with pytest.raises(Refused) as refused:
        learning_services.certificate_issue(registration=registration, actor=actor)
    assert "80" in str(refused.value) and "75" in str(refused.value)
    assert not Certificate.objects.exists()
    TrainingSettingsFactory(tenant=world_a.tenant, certificate_threshold=70)
    certificate = learning_services.certificate_issue(registration=registration, actor=actor)
    assert certificate.registration_id == registration.pk
    assert AuditEvent.objects.filter(action="training_session.certificate_issued").count() == 1


def test_the_refusal_names_the_workspace_threshold(world_a):
    TrainingSettingsFactory(tenant=world_a.tenant, certificate_threshold=90)
    session = _session(world_a, start_date=dt.date(2026, 5, 4), end_date=dt.date(2026, 5, 13))  # 10 days
    (registration,) = _registered(world_a, session)
    _attend(world_a, registration, 8, 2)  # 80 %: enough by default, not here
    with pytest.raises(Refused) as refused:
        learning_services.certificate_issue(registration=registration, actor=world_a.actor(Role.MANAGER))
    assert "90" in str(refused.value)


def test_the_scores_grid_and_the_issue_button_follow_the_threshold(world_a):
    session, registration = _three_of_four_days(world_a)
    client = world_a.client_for(Role.TRAINER)
    scores, issue = world_a.url(f"training/{session.pk}/scores/"), world_a.url(
        f"training/{session.pk}/certificates/{registration.pk}/issue/")
    page = html.unescape(client.get(scores).content.decode())
    assert "au moins 80 %" in page and issue not in page  # 3 of 4 days: no button at 80 %
    response = client.post(issue)
    assert response.status_code == 302 and not Certificate.objects.exists()
    assert any("80" in str(m) for m in get_messages(response.wsgi_request))

    TrainingSettingsFactory(tenant=world_a.tenant, certificate_threshold=70)
    page = html.unescape(client.get(scores).content.decode())
    assert "au moins 70 %" in page and issue in page
    assert client.post(issue).status_code == 302
    assert Certificate.objects.get().registration_id == registration.pk


def test_the_scores_grid_reads_the_threshold_once_whatever_the_size(world_a):
    session = _session(world_a)
    client = world_a.client_for(Role.TRAINER)
    client.get(world_a.url())

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(world_a.url(f"training/{session.pk}/scores/")).status_code == 200
        reads = [q["sql"] for q in ctx.captured_queries if "training_trainingsettings" in q["sql"]]
        assert len(reads) == 1, reads
        return len(ctx.captured_queries)

    for registration in _registered(world_a, session, 10):
        _attend(world_a, registration, 3, 1)
        CertificateFactory(tenant=world_a.tenant, registration=registration)
    without_row = count()
    TrainingSettingsFactory(tenant=world_a.tenant, certificate_threshold=70)
    assert count() == without_row
    for registration in _registered(world_a, session, 90):
        _attend(world_a, registration, 3, 1)
    assert count() == without_row


def test_the_pure_rule_keeps_its_default_of_80():
    from training.learning import certificate_eligibility

    assert certificate_eligibility(["present"] * 3 + ["absent"], days=4).allowed is False
    assert certificate_eligibility(["present"] * 3 + ["absent"], days=4, threshold=70).allowed is True


# --- another workspace ---------------------------------------------------------------------------

def test_another_workspace_settings_are_never_used(worlds):
    world_a, world_b = worlds
    TrainingSettingsFactory(tenant=world_b.tenant, certificate_threshold=50, protect_new_sessions=True)
    assert certificate_threshold(world_a.tenant) == 80 and training_settings(world_a.tenant).pk is None
    _session_, registration = _three_of_four_days(world_a)
    with pytest.raises(Refused):
        learning_services.certificate_issue(registration=registration, actor=world_a.actor(Role.TRAINER))
    manager = world_a.client_for(Role.MANAGER)
    assert _page(manager, world_a)["certificate_threshold"] == ["80"]
    assert "protect_new_sessions" not in _page(manager, world_a)
    assert "protected" not in form_data(manager.get(world_a.url("training/new/")).content)
    # and B's own page shows B's values, while A's manager cannot reach it
    assert _page(world_b.client_for(Role.MANAGER), world_b)["certificate_threshold"] == ["50"]
    assert manager.get(world_b.url(SETTINGS)).status_code == 404


def test_saving_in_one_workspace_leaves_the_other_alone(worlds):
    world_a, world_b = worlds
    TrainingSettingsFactory(tenant=world_b.tenant, certificate_threshold=95)
    training_settings_save(actor=world_a.actor(Role.MANAGER), certificate_threshold=60, protect_new_sessions=True)
    assert certificate_threshold(world_a.tenant) == 60 and certificate_threshold(world_b.tenant) == 95
    assert not training_settings(world_b.tenant).protect_new_sessions


# --- the page ------------------------------------------------------------------------------------

def test_reading_the_page_writes_nothing_and_shows_the_defaults(world_a):
    client = world_a.client_for(Role.MANAGER)
    client.get(world_a.url())
    events = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        data = _page(client, world_a)
    assert _writes(ctx.captured_queries) == []
    assert data["certificate_threshold"] == ["80"] and "protect_new_sessions" not in data
    assert not TrainingSettings.objects.exists() and AuditEvent.objects.count() == events


def test_the_manager_saves_the_settings_and_the_change_is_audited_before_and_after(world_a):
    client = world_a.client_for(Role.MANAGER)
    data = _page(client, world_a)
    data.update({"certificate_threshold": ["70"], "protect_new_sessions": ["on"]})
    response = client.post(world_a.url(SETTINGS), data)
    assert response.status_code == 302
    saved = TrainingSettings.objects.get(tenant=world_a.tenant)
    assert saved.certificate_threshold == 70 and saved.protect_new_sessions is True
    event = AuditEvent.objects.get(action="training_settings.saved", tenant=world_a.tenant)
    assert event.before == {"certificate_threshold": 80, "protect_new_sessions": False}
    assert event.after == {"certificate_threshold": 70, "protect_new_sessions": True}
    assert event.target_id == str(saved.pk) and event.actor_id == world_a.user(Role.MANAGER).pk
    # the audit log reads it
    log = client.get(world_a.url("audit/")).content.decode()
    assert "les paramètres des formations" in html.unescape(log)


@pytest.mark.parametrize("value", ["49", "101", "80.5", "quatre-vingts"])
def test_an_invalid_threshold_is_refused_and_the_typed_value_kept(world_a, value):
    client = world_a.client_for(Role.MANAGER)
    data = _page(client, world_a)
    data["certificate_threshold"] = [value]
    response = client.post(world_a.url(SETTINGS), data)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert form_data(response.content, having="certificate_threshold")["certificate_threshold"] == [value]
    assert not TrainingSettings.objects.exists()


def test_the_service_and_the_database_refuse_a_threshold_out_of_range(world_a):
    actor = world_a.actor(Role.MANAGER)
    for value in (49, 101, True):
        with pytest.raises(Refused):
            training_settings_save(actor=actor, certificate_threshold=value, protect_new_sessions=False)
    assert not TrainingSettings.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSettings.objects.create(tenant=world_a.tenant, certificate_threshold=40)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSettings.objects.create(tenant=world_a.tenant, certificate_threshold=120)


@pytest.mark.parametrize("role", [Role.TRAINER, Role.APPLICANT, Role.REVIEWER, Role.FINANCE])
def test_only_managers_open_or_save_the_settings(world_a, role):
    client = world_a.client_for(role)
    assert client.get(world_a.url(SETTINGS)).status_code == 403
    assert client.post(world_a.url(SETTINGS), {"certificate_threshold": "50"}).status_code == 403
    with pytest.raises(Refused):
        training_settings_save(actor=world_a.actor(role), certificate_threshold=50, protect_new_sessions=True)
    assert not TrainingSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="training_settings.saved").exists()


def test_anonymous_visitors_and_other_workspaces_get_nothing(worlds):
    from django.test import Client

    world_a, world_b = worlds
    assert Client().get(world_a.url(SETTINGS)).status_code == 302  # to the login page
    assert world_b.client_for(Role.MANAGER).post(world_a.url(SETTINGS),
                                                 {"certificate_threshold": "50"}).status_code == 404
    assert not TrainingSettings.objects.exists()


def test_settings_edited_in_two_tabs_the_second_save_is_refused_with_both_sides(world_a):
    client = world_a.client_for(Role.MANAGER)
    tab1, tab2 = _page(client, world_a), _page(client, world_a)
    tab1["certificate_threshold"] = ["70"]
    assert client.post(world_a.url(SETTINGS), tab1).status_code == 302
    tab2["certificate_threshold"] = ["90"]
    response = client.post(world_a.url(SETTINGS), tab2)
    body = response.content.decode()
    assert response.status_code == 409 and "Quelqu'un d'autre a enregistré cette fiche" in html.unescape(body)
    assert "70" in body and 'value="90"' in body
    assert TrainingSettings.objects.get().certificate_threshold == 70
    assert AuditEvent.objects.filter(action="training_settings.saved").count() == 1
    again = form_data(body, having="certificate_threshold")
    assert again["certificate_threshold"] == ["90"]
    assert client.post(world_a.url(SETTINGS), again).status_code == 302
    assert TrainingSettings.objects.get().certificate_threshold == 90


def test_the_session_list_links_the_settings_for_managers_only(world_a):
    link = world_a.url(SETTINGS)
    assert link in world_a.client_for(Role.MANAGER).get(world_a.url("training/")).content.decode()
    assert link not in world_a.client_for(Role.TRAINER).get(world_a.url("training/")).content.decode()


# --- new sessions protected by default -----------------------------------------------------------

def test_protected_by_default_pre_ticks_a_new_sessions_form_and_says_so(world_a):
    topic = TopicFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.TRAINER)
    new = world_a.url("training/new/")
    assert "protected" not in form_data(client.get(new).content)
    TrainingSettingsFactory(tenant=world_a.tenant, protect_new_sessions=True)
    page = client.get(new)
    data = form_data(page.content)
    assert data["protected"] == ["on"]
    assert "protège les nouvelles sessions par défaut" in html.unescape(page.content.decode())
    data.update({"title": ["Médiation à Mopti"], "topic": [str(topic.pk)], "start_date": ["2026-06-01"],
                 "end_date": ["2026-06-02"], "venue": ["Mopti"]})
    assert client.post(new, data).status_code == 302
    assert TrainingSession.objects.get(title="Médiation à Mopti").protected is True


def test_protected_by_default_can_be_unticked_and_leaves_existing_sessions_alone(world_a):
    TrainingSettingsFactory(tenant=world_a.tenant, protect_new_sessions=True)
    topic = TopicFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.TRAINER)
    response = client.post(world_a.url("training/new/"), {
        "title": "Session ouverte", "topic": topic.pk, "start_date": "2026-06-01", "end_date": "2026-06-01",
        "venue": "Bamako", "capacity": "20"})
    assert response.status_code == 302
    assert TrainingSession.objects.get(title="Session ouverte").protected is False
    existing = _session(world_a, protected=False)
    edit = form_data(client.get(world_a.url(f"training/{existing.pk}/edit/")).content)
    assert "protected" not in edit
