"""Reach statistics and exports of the training programme (issue 13, "Reach and reports")."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Zone
from relais.actor import Actor
from relais.demographics import AgeBand, Sex
from relais.models import AuditEvent, Role
from tests.factories import OrganisationFactory, RegionFactory
from tests.training.factories import (
    AttendanceFactory,
    ParticipantFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)
from training.selectors.reach import Reach, SessionFigures, participant_rows, reach, reach_sessions
from training.services.reach import reach_changed
from training.services.sessions import SESSION_FIELDS, session_update

pytestmark = pytest.mark.django_db

D1, D2, D3 = datetime.date(2026, 3, 9), datetime.date(2026, 3, 10), datetime.date(2026, 3, 11)


def _dataset(world):
    """Two sessions, 5 people: 2 women (one 15–24, one 36–50), 3 men (25–35, over 50, over 50); North and South."""
    north = OrganisationFactory(tenant=world.tenant, name="ONG Nord",
                                region=RegionFactory(tenant=world.tenant, name="Tombouctou", zone=Zone.NORTH))
    south = OrganisationFactory(tenant=world.tenant, name="ONG Sud",
                                region=RegionFactory(tenant=world.tenant, name="Sikasso", zone=Zone.SOUTH))
    s1 = TrainingSessionFactory(tenant=world.tenant, title="Session un", start_date=D1, end_date=D3)
    s2 = TrainingSessionFactory(tenant=world.tenant, title="Session deux", start_date=D1, end_date=D2, protected=True)
    s1.trainers.add(world.members[Role.TRAINER])
    people = {
        "fatou": ParticipantFactory(tenant=world.tenant, organisation=north, full_name="Fatou Diarra",
                                    sex=Sex.FEMALE, age_band=AgeBand.FROM_15_TO_24),
        "awa": ParticipantFactory(tenant=world.tenant, organisation=south, full_name="Awa Coulibaly",
                                  sex=Sex.FEMALE, age_band=AgeBand.FROM_36_TO_50),
        "moussa": ParticipantFactory(tenant=world.tenant, organisation=north, full_name="Moussa Keita",
                                     sex=Sex.MALE, age_band=AgeBand.FROM_25_TO_35),
        "issa": ParticipantFactory(tenant=world.tenant, organisation=south, full_name="Issa Traoré",
                                   sex=Sex.MALE, age_band=AgeBand.OVER_50),
        "bakary": ParticipantFactory(tenant=world.tenant, organisation=south, full_name="Bakary Sangaré",
                                     sex=Sex.MALE, age_band=AgeBand.OVER_50),
    }
    marks = {  # (session, person): statuses of the days
        (s1, "fatou"): ["present", "late", "absent"],
        (s1, "moussa"): ["present", "present", "present"],
        (s1, "issa"): ["excused", "absent", "late"],
        (s2, "fatou"): ["present", "present"],  # the same person in two sessions counts once as a participant
        (s2, "awa"): ["present", "absent"],
        (s2, "bakary"): [],
    }
    for (session, who), statuses in marks.items():
        registration = RegistrationFactory(tenant=world.tenant, session=session, participant=people[who])
        for day, status in zip(session.days, statuses, strict=False):
            AttendanceFactory(tenant=world.tenant, registration=registration, day=day, status=status)
    return s1, s2, people


def _table(data, key):
    return {row.key: (row.participants, row.person_days) for row in data.breakdowns[key]}


def test_aggregation_by_sex_age_zone_region_organisation_and_person_days(world_a):
    _dataset(world_a)
    data = reach(sessions=reach_sessions(actor=Actor.system(world_a.tenant)))
    # person-days: fatou 2+2, moussa 3, issa 1, awa 1, bakary 0 = 9
    assert (data.sessions, data.participants, data.person_days) == (2, 5, 9)
    assert _table(data, "sex") == {Sex.FEMALE: (2, 5), Sex.MALE: (3, 4)}
    assert _table(data, "age_band") == {AgeBand.FROM_15_TO_24: (1, 4), AgeBand.FROM_25_TO_35: (1, 3),
                                        AgeBand.FROM_36_TO_50: (1, 1), AgeBand.OVER_50: (2, 1)}
    assert _table(data, "zone") == {Zone.NORTH: (2, 7), Zone.SOUTH: (3, 2)}
    assert _table(data, "region") == {"Tombouctou": (2, 7), "Sikasso": (3, 2)}
    assert _table(data, "organisation") == {"ONG Nord": (2, 7), "ONG Sud": (3, 2)}
    assert [r.key for r in data.breakdowns["age_band"]] == ["15_24", "25_35", "36_50", "over_50"]
    assert data.women_share == Decimal("40.0") and not data.women_below
    assert data.youth_share == Decimal("40.0") and not data.youth_below


def test_shares_below_30_percent_are_flagged(world_a):
    s1, _s2, _people = _dataset(world_a)
    data = reach(sessions=reach_sessions(actor=Actor.system(world_a.tenant)).filter(pk=s1.pk))
    # session one: fatou (woman, youth), moussa (man, youth), issa (man, over 50)
    assert data.women_share == Decimal("33.3") and not data.women_below
    sessions = reach_sessions(actor=Actor.system(world_a.tenant)).filter(title="Session deux")
    data = reach(sessions=sessions)  # fatou, awa, bakary: 2/3 women, 1/3 youth
    assert not data.women_below and data.youth_share == Decimal("33.3")
    extra = [ParticipantFactory(tenant=world_a.tenant, sex=Sex.MALE, age_band=AgeBand.OVER_50) for _ in range(4)]
    for person in extra:
        RegistrationFactory(tenant=world_a.tenant, session=_s2, participant=person)
    data = reach(sessions=sessions)  # 7 people: 2 women (28.6 %), 1 youth (14.3 %)
    assert data.women_below and data.youth_below
    page = world_a.client_for(Role.MANAGER).get(world_a.url(f"training/reach/?topic={_s2.topic_id}"))
    html = page.content.decode()
    assert 'data-flag="women"' in html and 'data-flag="youth"' in html


def test_thirty_percent_flag_not_hidden_by_rounding():
    """599 of 2000 is 29.95 %: shown rounded as 30.0, but below the 30 % minimum all the same."""
    data = Reach(participants=2000, women=599, youth=599)
    assert data.women_share == Decimal("30.0") and data.women_below and data.youth_below
    assert not Reach(participants=2000, women=600, youth=600).women_below
    figures = SessionFigures(pk=1, title="t", start_date=D1, end_date=D1, participants=2000, women=599, youth=599)
    assert figures.women_below and figures.youth_below


def _shorten(world, session, end):
    """Through the edit form's service, as a manager would."""
    values = {k: getattr(session, k) for k in SESSION_FIELDS}
    values["end_date"] = end
    session_update(session=session, actor=world.actor(Role.MANAGER), values=values,
                   trainers=list(session.trainers.all()),
                   invited_organisations=list(session.invited_organisations.all()))


def test_person_days_ignore_marks_outside_the_session_days(world_a):
    """Present on three days, then the session is shortened to its first day: one person-day. The marks are
    kept, so extending the session again brings them back."""
    session = TrainingSessionFactory(tenant=world_a.tenant, start_date=D1, end_date=D3)
    registration = RegistrationFactory(tenant=world_a.tenant, session=session,
                                       participant=ParticipantFactory(tenant=world_a.tenant, sex=Sex.FEMALE))
    for day in (D1, D2, D3):
        AttendanceFactory(tenant=world_a.tenant, registration=registration, day=day, status="present")
    system = Actor.system(world_a.tenant)
    _shorten(world_a, session, D1)
    data = reach(sessions=reach_sessions(actor=system))
    assert data.person_days == 1 and _table(data, "sex") == {Sex.FEMALE: (1, 1)}
    assert [row[7] for row in participant_rows(sessions=reach_sessions(actor=system))] == [1]
    session.refresh_from_db()
    _shorten(world_a, session, D3)
    assert reach(sessions=reach_sessions(actor=system)).person_days == 3


def test_filters_by_period_and_topic(world_a):
    s1, s2, _people = _dataset(world_a)
    s2.start_date, s2.end_date = datetime.date(2025, 5, 1), datetime.date(2025, 5, 2)
    s2.save()
    system = Actor.system(world_a.tenant)
    assert reach(sessions=reach_sessions(actor=system, start=datetime.date(2026, 1, 1))).participants == 3
    assert reach(sessions=reach_sessions(actor=system, end=datetime.date(2025, 12, 31))).participants == 3
    assert reach(sessions=reach_sessions(actor=system, topic_id=s1.topic_id)).sessions == 1


def test_the_reach_page_is_for_managers_and_the_session_block_for_its_trainers(world_a):
    s1, _s2, _people = _dataset(world_a)
    statuses = {role: world_a.client_for(role).get(world_a.url("training/reach/")).status_code
                for role in Role.values}
    assert statuses[Role.MANAGER] == 200
    assert all(code in (403, 404) for role, code in statuses.items() if role != Role.MANAGER)
    # The session's figures are a page of their own, linked from the session page (whose participants
    # come a page at a time: the figures sum every registration, issue 10).
    reach_url = world_a.url(f"training/{s1.pk}/reach/")
    session_url = world_a.url(f"training/{s1.pk}/")
    assert f'href="{reach_url}"' in world_a.client_for(Role.TRAINER).get(session_url).content.decode()
    trainer = world_a.client_for(Role.TRAINER).get(reach_url).content.decode()
    assert 'data-breakdown="sex"' in trainer and 'name="reason"' not in trainer
    manager = world_a.client_for(Role.MANAGER).get(reach_url).content.decode()
    assert 'data-breakdown="sex"' in manager and 'name="reason"' in manager
    for role in (Role.APPLICANT, Role.REVIEWER, Role.FINANCE):
        assert world_a.client_for(role).get(reach_url).status_code in (403, 404)
        assert f'href="{reach_url}"' not in world_a.client_for(role).get(session_url).content.decode()


def _sessions(world, count):
    org = OrganisationFactory(tenant=world.tenant)
    for i in range(count):
        session = TrainingSessionFactory(tenant=world.tenant)
        for sex in (Sex.FEMALE, Sex.MALE):
            person = ParticipantFactory(tenant=world.tenant, organisation=org, sex=sex,
                                        age_band=AgeBand.OVER_50 if i % 2 else AgeBand.FROM_15_TO_24)
            registration = RegistrationFactory(tenant=world.tenant, session=session, participant=person)
            AttendanceFactory(tenant=world.tenant, registration=registration)


def _queries(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_constant_queries_with_3_and_30_sessions_and_light_page(world_a):
    """The page computing its figures (stale snapshot) and serving the stored ones each cost the same
    number of queries whatever the number of sessions."""
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url("training/reach/")
    export = world_a.url("training/reach/export/")
    _sessions(world_a, 3)
    client.get(url)  # the first request of a client reads its session and workspace caches
    reach_changed(tenant_id=world_a.tenant.pk)  # the factories write without the services
    few = [_queries(client, url)[0], _queries(client, url)[0]]  # computed and stored, then served
    few_export, _r = _queries(client, export, "post", {"kind": "individual", "reason": "Rapport au bailleur"})
    _sessions(world_a, 27)
    reach_changed(tenant_id=world_a.tenant.pk)
    many = [_queries(client, url)[0]]
    many_count, response = _queries(client, url)
    many.append(many_count)
    many_export, exported = _queries(client, export, "post", {"kind": "individual", "reason": "Rapport au bailleur"})
    assert few == many and few_export == many_export and few[1] < few[0]
    assert exported.content.decode("utf-8-sig").count("\n") == 61  # header + 60 lines
    assert len(gzip.compress(response.content)) <= 14 * 1024


def test_aggregated_export_for_trainers_and_managers_is_a_post_and_writes_nothing(world_a):
    s1, _s2, _people = _dataset(world_a)
    url = world_a.url(f"training/{s1.pk}/reach/export/")
    trainer = world_a.client_for(Role.TRAINER)
    assert trainer.get(url).status_code == 405
    response = trainer.post(url, {"kind": "aggregated"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Fatou" not in text and "Total,,3,6" in text.replace("\r", "")
    assert world_a.client_for(Role.MANAGER).post(world_a.url("training/reach/export/"),
                                                 {"kind": "aggregated"}).status_code == 200
    assert not AuditEvent.objects.filter(action="training_participants.exported").exists()


@pytest.mark.parametrize(("language", "names"), [
    ("fr", ["Sexe", "Tranche d’âge", "Zone", "Région", "Organisation", "Jeunes", "Total"]),
    ("en", ["Sex", "Age band", "Zone", "Region", "Organisation", "Youth", "Total"]),
])
def test_the_breakdown_names_of_the_aggregated_export_are_in_the_users_language(world_a, language, names):
    _dataset(world_a)
    client = world_a.client_for(Role.MANAGER)
    client.cookies["django_language"] = language
    response = client.post(world_a.url("training/reach/export/"), {"kind": "aggregated"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(dict.fromkeys(row[0] for row in rows[1:])) == names


def test_individual_list_only_for_managers_with_a_reason_that_is_audited(world_a):
    s1, _s2, _people = _dataset(world_a)
    url = world_a.url(f"training/{s1.pk}/reach/export/")
    refused = world_a.client_for(Role.TRAINER).post(url, {"kind": "individual", "reason": "Curiosité"})
    assert refused.status_code == 403 and b"Fatou" not in refused.content
    manager = world_a.client_for(Role.MANAGER)
    assert manager.post(url, {"kind": "individual", "reason": "  "}).status_code == 400
    assert not AuditEvent.objects.filter(action="training_participants.exported").exists()
    response = manager.post(url, {"kind": "individual", "reason": "Rapport semestriel au bailleur"})
    assert response.status_code == 200 and "Fatou Diarra" in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(action="training_participants.exported")
    assert event.after["reason"] == "Rapport semestriel au bailleur" and event.after["rows"] == 3
    assert event.target_id == str(s1.pk)


def test_protected_sessions_export_codes_not_names_and_cells_cannot_be_formulas(world_a):
    _s1, _s2, people = _dataset(world_a)
    people["moussa"].full_name = "=HYPERLINK(\"http://x\")"
    people["moussa"].save()
    response = world_a.client_for(Role.MANAGER).post(world_a.url("training/reach/export/"),
                                                     {"kind": "individual", "reason": "Audit"})
    text = response.content.decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line.startswith("Session deux")]
    assert len(lines) == 3
    assert "Awa Coulibaly" not in text and "Bakary" not in text  # only in the protected session
    assert people["awa"].code in text
    assert "Fatou Diarra" in text  # named in the unprotected session only
    assert all("Fatou Diarra" not in line for line in lines)
    assert "'=HYPERLINK" in text
