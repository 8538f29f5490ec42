"""Learning gains, satisfaction and certificates on the reach pages and in their exports (issue 13,
"Reach and reports": "learning gain averages; certificates issued")."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.actor import Actor
from relais.demographics import AgeBand, Sex
from relais.models import Role
from tests.factories import OrganisationFactory
from tests.training.factories import (
    AttendanceFactory,
    CertificateFactory,
    ParticipantFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)
from training.learning import mean, mean_of, summarise
from training.models import Registration
from training.selectors.reach import SESSIONS_PER_PAGE, reach, reach_sessions, session_figures, session_rows
from training.services.reach import reach_changed

pytestmark = pytest.mark.django_db

D1, D3 = datetime.date(2026, 3, 9), datetime.date(2026, 3, 11)


def _register(world, session, *, name, sex, band, pre=None, post=None, satisfaction=None, certified=False):
    person = ParticipantFactory(tenant=world.tenant, organisation=world.organisation, full_name=name, sex=sex,
                                age_band=band)
    registration = RegistrationFactory(tenant=world.tenant, session=session, participant=person, pre_score=pre,
                                       post_score=post, satisfaction=satisfaction)
    if certified:
        CertificateFactory(tenant=world.tenant, registration=registration)
    return registration


def _dataset(world):
    """Session one (the trainer's): gains 10 (woman, 15–24), 20 (woman, 36–50) and none (man, 25–35);
    2 certificates of 3. Session two (protected, another trainer's): a man over 50 gains 30, certified."""
    s1 = TrainingSessionFactory(tenant=world.tenant, title="Session un", start_date=D1, end_date=D3)
    s2 = TrainingSessionFactory(tenant=world.tenant, title="Session deux", start_date=D1, end_date=D1,
                                protected=True)
    s1.trainers.add(world.members[Role.TRAINER])
    regs = {
        "fatou": _register(world, s1, name="Fatou Diarra", sex=Sex.FEMALE, band=AgeBand.FROM_15_TO_24,
                           pre=50, post=60, satisfaction=4, certified=True),
        "awa": _register(world, s1, name="Awa Coulibaly", sex=Sex.FEMALE, band=AgeBand.FROM_36_TO_50,
                         pre=40, post=60, satisfaction=5, certified=True),
        "moussa": _register(world, s1, name="Moussa Keita", sex=Sex.MALE, band=AgeBand.FROM_25_TO_35, pre=70),
        "bakary": _register(world, s2, name="Bakary Sangaré", sex=Sex.MALE, band=AgeBand.OVER_50,
                            pre=30, post=60, satisfaction=3, certified=True),
    }
    return s1, s2, regs


def _by_key(rows):
    return {row.key: row.totals for row in rows}


def test_mean_of_a_sum_and_a_count_follows_the_rule_of_mean():
    assert mean_of(30, 2) == mean([10, 20, None]) == Decimal("15.0")
    assert mean_of(2, 3) == mean([1, 1, 0]) == Decimal("0.7")  # half up, one decimal
    assert mean_of(None, 0) is None and mean([None]) is None


def test_session_figures_exact_and_the_same_as_the_scores_grid_summary(world_a):
    s1, _s2, _regs = _dataset(world_a)
    data = reach(sessions=reach_sessions(actor=Actor.system(world_a.tenant)).filter(pk=s1.pk)).learning
    total = data.total
    assert total.gain == Decimal("15.0") and total.scored == 2
    assert (total.certificates, total.registrations, total.certificate_share) == (2, 3, Decimal("66.7"))
    summary = total.summary
    assert (summary.pre, summary.post, summary.satisfaction, summary.evaluations) == (
        Decimal("53.3"), Decimal("60.0"), Decimal("4.5"), 2)
    # the database's sums give what learning.summarise gives from the rows (the scores grid's figures)
    assert summary == summarise(Registration.objects.filter(session=s1))


def test_programme_split_by_sex_and_by_youth(world_a):
    _dataset(world_a)
    data = reach(sessions=reach_sessions(actor=Actor.system(world_a.tenant))).learning
    assert data.total.gain == Decimal("20.0") and data.total.scored == 3  # gains 10, 20, 30
    assert data.total.certificate_share == Decimal("75.0")
    sexes = _by_key(data.by_sex)
    assert list(sexes) == [Sex.FEMALE, Sex.MALE]
    women, men = sexes[Sex.FEMALE], sexes[Sex.MALE]
    assert (women.registrations, women.scored, women.gain, women.certificates) == (2, 2, Decimal("15.0"), 2)
    assert (men.registrations, men.scored, men.gain, men.certificates) == (2, 1, Decimal("30.0"), 1)
    assert women.certificate_share == Decimal("100.0") and men.certificate_share == Decimal("50.0")
    ages = _by_key(data.by_youth)
    assert list(ages) == ["youth", "other"]
    youth, other = ages["youth"], ages["other"]  # youth: fatou (10) and moussa (no gain)
    assert (youth.registrations, youth.scored, youth.gain, youth.certificates) == (2, 1, Decimal("10.0"), 1)
    assert (other.registrations, other.scored, other.gain, other.certificates) == (2, 2, Decimal("25.0"), 2)


def test_other_workspaces_sessions_are_never_counted(worlds):
    world_a, world_b = worlds
    _dataset(world_a)
    foreign = TrainingSessionFactory(tenant=world_b.tenant, title="Session de B")
    for _ in range(3):
        _register(world_b, foreign, name="Personne de B", sex=Sex.MALE, band=AgeBand.OVER_50, pre=0, post=100,
                  satisfaction=1, certified=True)
    data = reach(sessions=reach_sessions(actor=world_a.actor(Role.MANAGER))).learning
    assert (data.total.registrations, data.total.gain, data.total.certificates) == (4, Decimal("20.0"), 3)
    page = world_a.client_for(Role.MANAGER).get(world_a.url("training/reach/")).content.decode()
    assert "Session de B" not in page and "Session un" in page
    export = world_a.client_for(Role.MANAGER).post(world_a.url("training/reach/export/"), {"kind": "aggregated"})
    total = _csv(export)[-1]
    assert total[:4] == ["Total", "", "4", "0"] and total[7] == "20.0" and total[10] == "3"


def test_a_trainer_sees_only_the_figures_of_own_sessions(world_a):
    s1, s2, _regs = _dataset(world_a)
    trainer = world_a.actor(Role.TRAINER)
    data = reach(sessions=reach_sessions(actor=trainer)).learning
    assert (data.total.registrations, data.total.gain, data.total.certificates) == (3, Decimal("15.0"), 2)
    client = world_a.client_for(Role.TRAINER)
    page = client.get(world_a.url(f"training/{s1.pk}/reach/")).content.decode()
    assert 'data-breakdown="learning"' in page and "15,0" in page and "66,7" in page
    assert client.get(world_a.url(f"training/{s2.pk}/")).status_code == 404
    assert client.get(world_a.url(f"training/{s2.pk}/reach/")).status_code == 404
    assert client.get(world_a.url("training/reach/")).status_code in (403, 404)
    exported = client.post(world_a.url(f"training/{s1.pk}/reach/export/"), {"kind": "aggregated"})
    assert _csv(exported)[-1][7] == "15.0"


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_aggregated_export_has_learning_and_certificates_by_sex_age_and_total(world_a):
    _dataset(world_a)
    rows = _csv(world_a.client_for(Role.MANAGER).post(world_a.url("training/reach/export/"),
                                                      {"kind": "aggregated"}))
    assert len(rows[0]) == 12
    sex = [row for row in rows if row[0] == "Sexe"]
    # women: 2 with both tests, pre 45.0, post 60.0, gain 15.0, satisfaction 4.5 (2), 2 certificates (100 %)
    assert sex[0][4:] == ["2", "45.0", "60.0", "15.0", "4.5", "2", "2", "100.0"]
    assert sex[1][4:] == ["1", "50.0", "60.0", "30.0", "3.0", "1", "1", "50.0"]
    youth = [row for row in rows if row[0] == "Jeunes"]
    assert [row[2] for row in youth] == ["2", "2"] and [row[7] for row in youth] == ["10.0", "25.0"]
    assert [row for row in rows if row[0] == "Zone"][0][4:] == [""] * 8  # no learning split by zone
    assert rows[-1] == ["Total", "", "4", "0", "3", "47.5", "60.0", "20.0", "4.0", "3", "3", "75.0"]


def test_individual_list_has_scores_gain_and_certificate_and_protected_sessions_give_codes(world_a):
    _s1, _s2, regs = _dataset(world_a)
    response = world_a.client_for(Role.MANAGER).post(world_a.url("training/reach/export/"),
                                                     {"kind": "individual", "reason": "Rapport au bailleur"})
    rows = _csv(response)
    assert len(rows[0]) == 12
    by_code = {row[3]: row for row in rows[1:]}
    fatou, moussa, bakary = (by_code[regs[k].participant.code] for k in ("fatou", "moussa", "bakary"))
    assert fatou[2] == "Fatou Diarra" and fatou[8:] == ["50", "60", "10", "oui"]
    assert moussa[8:] == ["70", "", "", "non"]
    assert bakary[0] == "Session deux" and bakary[2] == regs["bakary"].participant.code
    assert bakary[8:] == ["30", "60", "30", "oui"]
    assert "Bakary" not in response.content.decode("utf-8-sig")


def _sessions(world, count, *, title_length=40):
    org = OrganisationFactory(tenant=world.tenant)
    for i in range(count):
        title = (f"{i:03d} Atelier de gestion financière et de plaidoyer pour les OSC de Mopti, Ségou et Gao "
                 * 3)[:title_length]
        session = TrainingSessionFactory(tenant=world.tenant, title=title)
        for sex in (Sex.FEMALE, Sex.MALE):
            person = ParticipantFactory(tenant=world.tenant, organisation=org, sex=sex,
                                        age_band=AgeBand.OVER_50 if i % 2 else AgeBand.FROM_15_TO_24)
            registration = RegistrationFactory(tenant=world.tenant, session=session, participant=person,
                                               pre_score=40 + i % 30, post_score=70, satisfaction=4)
            AttendanceFactory(tenant=world.tenant, registration=registration)
            if sex == Sex.FEMALE:
                CertificateFactory(tenant=world.tenant, registration=registration)


def _queries(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_constant_queries_with_5_and_50_sessions(world_a):
    client = world_a.client_for(Role.MANAGER)
    url, export = world_a.url("training/reach/"), world_a.url("training/reach/export/")
    individual = {"kind": "individual", "reason": "Rapport au bailleur"}
    _sessions(world_a, 5)
    client.get(url)  # the first request of a client reads its session and workspace caches
    reach_changed(tenant_id=world_a.tenant.pk)  # the factories write without the services
    # computed and stored, served, served with another page of sessions
    few = [_queries(client, url)[0], _queries(client, url)[0], _queries(client, url + "?page=1")[0],
           _queries(client, export, "post", {"kind": "aggregated"})[0],
           _queries(client, export, "post", individual)[0]]
    _sessions(world_a, 45)
    reach_changed(tenant_id=world_a.tenant.pk)
    many = [_queries(client, url)[0], _queries(client, url)[0], _queries(client, url + "?page=2")[0],
            _queries(client, export, "post", {"kind": "aggregated"})[0],
            _queries(client, export, "post", individual)[0]]
    assert few == many and few[1] < few[0]


def test_session_table_is_paginated_and_the_page_stays_light_with_200_sessions(world_a):
    _sessions(world_a, 200, title_length=200)
    client = world_a.client_for(Role.MANAGER)
    response = client.get(world_a.url("training/reach/"))
    html = response.content.decode()
    assert html.count('<tr><th scope="row"><a href=') == SESSIONS_PER_PAGE
    assert 'rel="next"' in html
    assert len(gzip.compress(response.content)) <= 14 * 1024
    second = client.get(world_a.url("training/reach/?page=2")).content.decode()
    assert 'rel="prev"' in second and second.count('<tr><th scope="row"><a href=') == SESSIONS_PER_PAGE
    last = client.get(world_a.url("training/reach/?page=8")).content.decode()
    assert last.count('<tr><th scope="row"><a href=') == 200 - 7 * SESSIONS_PER_PAGE and 'rel="next"' not in last


def test_session_table_figures_and_flags(world_a):
    s1, s2, _regs = _dataset(world_a)
    empty = TrainingSessionFactory(tenant=world_a.tenant, title="Session vide", start_date=D3, end_date=D3)
    rows = session_figures(list(session_rows(sessions=reach_sessions(actor=Actor.system(world_a.tenant)))))
    by_pk = {row.pk: row for row in rows}
    assert [row.pk for row in rows] == [empty.pk, s2.pk, s1.pk]  # latest first
    one = by_pk[s1.pk]
    assert (one.participants, one.women_share, one.youth_share, one.gain, one.certificates) == (
        3, Decimal("66.7"), Decimal("66.7"), Decimal("15.0"), 2)
    two = by_pk[s2.pk]
    assert two.women_below and two.youth_below and two.gain == Decimal("30.0")
    nobody = by_pk[empty.pk]
    assert (nobody.participants, nobody.women_share, nobody.gain, nobody.women_below) == (0, None, None, False)
    html = world_a.client_for(Role.MANAGER).get(world_a.url("training/reach/")).content.decode()
    assert html.count('data-below="women"') == 1 and html.count('data-below="youth"') == 1
    assert f'href="/{world_a.tenant.slug}/training/{s1.pk}/"' in html
