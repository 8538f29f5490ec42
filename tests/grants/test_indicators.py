"""Indicators (issue 12): the workspace's list (defaults for every new workspace, two tabs), an award's
targets (managers not in conflict, until closing, audited after signature), the award's progress and the
call's totals by sex, age band and zone, summed in SQL with a constant number of queries."""

from __future__ import annotations

import gzip
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import AwardStatus, Indicator, IndicatorTarget, ReportStatus
from grants.selectors.indicators import award_progress, call_indicators
from grants.services.indicators import (
    DEFAULT_INDICATORS,
    indicator_targets_save,
    indicators_ensure_defaults,
    indicators_save,
)
from orgs.models import Zone
from relais.errors import Refused
from relais.models import AuditEvent, Role
from relais.services.tenancy import tenant_create
from tests.factories import OrganisationFactory, RegionFactory
from tests.grants.factories import (
    AwardFactory,
    CallFactory,
    IndicatorFactory,
    IndicatorTargetFactory,
    IndicatorValueFactory,
    ProgressReportFactory,
)
from tests.grants.test_policy_conflict import link
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db

F, M = "female", "male"


# --- the workspace's indicators --------------------------------------------------------------------

def test_a_new_workspace_gets_the_default_indicators_once():
    tenant = tenant_create(name="Bailleur C", slug="tenant-c")
    names = list(Indicator.objects.filter(tenant=tenant).values_list("name_fr", "by_sex_and_age"))
    assert names == [(fr, by_sex) for fr, _en, _unit, by_sex in DEFAULT_INDICATORS]
    from relais.actor import Actor

    assert indicators_ensure_defaults(actor=Actor(tenant=tenant, user=None)) == 0
    assert Indicator.objects.filter(tenant=tenant).count() == len(DEFAULT_INDICATORS)


def test_the_manager_adds_and_changes_indicators_on_the_page(world_a):
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url("reports/indicators/")
    data = form_data(client.get(url).content, having="form-TOTAL_FORMS")
    data.update({"form-0-name_fr": ["Séances tenues"], "form-0-name_en": ["Sessions held"],
                 "form-0-unit": ["séances"], "form-0-order": ["1"], "form-0-is_active": ["on"]})
    assert client.post(url, data).status_code == 302
    indicator = Indicator.objects.get(tenant=world_a.tenant)
    assert (indicator.name_en, indicator.is_active, indicator.by_sex_and_age) == ("Sessions held", True, False)
    data = form_data(client.get(url).content, having="form-TOTAL_FORMS")
    data["form-0-by_sex_and_age"] = ["on"]
    client.post(url, data)
    indicator.refresh_from_db()
    assert indicator.by_sex_and_age
    assert AuditEvent.objects.filter(tenant=world_a.tenant, action="indicators.updated").count() == 2
    assert world_a.client_for(Role.APPLICANT).get(url).status_code == 403
    assert world_a.client_for(Role.FINANCE).post(url, data).status_code == 403


def test_a_stale_tab_does_not_overwrite_the_other_tabs_change(world_a):
    IndicatorFactory(tenant=world_a.tenant, name_fr="Personnes touchées", unit="personnes")
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url("reports/indicators/")
    first = form_data(client.get(url).content, having="form-TOTAL_FORMS")
    second = form_data(client.get(url).content, having="form-TOTAL_FORMS")
    first["form-0-unit"] = ["participants"]
    client.post(url, first)
    second["form-0-name_en"] = ["People reached (all)"]
    response = client.post(url, second, follow=True)
    indicator = Indicator.objects.get(tenant=world_a.tenant)
    assert indicator.unit == "participants" and indicator.name_en != "People reached (all)"
    assert "another tab" in response.content.decode() or "autre onglet" in response.content.decode()


def test_two_indicators_cannot_share_a_french_name(world_a):
    IndicatorFactory(tenant=world_a.tenant, name_fr="Personnes touchées")
    with pytest.raises(Refused):
        indicators_save(actor=world_a.actor(Role.MANAGER), rows=[
            {"id": None, "name_fr": "personnes touchées", "name_en": "", "unit": "", "by_sex_and_age": False,
             "is_active": True, "order": 2}])
    assert Indicator.objects.filter(tenant=world_a.tenant).count() == 1


def test_a_row_of_another_workspace_is_refused(world_a, world_b):
    theirs = IndicatorFactory(tenant=world_b.tenant)
    with pytest.raises(Refused):
        indicators_save(actor=world_a.actor(Role.MANAGER), rows=[{"id": theirs.pk, "name_fr": "Pris"}])
    theirs.refresh_from_db()
    assert theirs.name_fr != "Pris"


# --- targets on an award -------------------------------------------------------------------------

def _award(world, **kwargs):
    return AwardFactory(tenant=world.tenant, application__organisation=world.organisation, **kwargs)


def test_the_manager_sets_targets_on_the_page(world_a):
    award = _award(world_a, status=AwardStatus.ACTIVE)
    people = IndicatorFactory(tenant=world_a.tenant, by_sex_and_age=True)
    sessions = IndicatorFactory(tenant=world_a.tenant)
    IndicatorFactory(tenant=world_a.tenant, is_active=False)
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"awards/{award.pk}/indicators/")
    data = form_data(client.get(url).content, having="stamp")
    assert set(data) == {"stamp", f"t{people.pk}", f"t{sessions.pk}"}  # not the inactive one
    data.update({f"t{people.pk}": ["400"], f"t{sessions.pk}": ["12"]})
    assert client.post(url, data).status_code == 302
    assert dict(IndicatorTarget.objects.filter(award=award).values_list("indicator_id", "target")) == {
        people.pk: Decimal("400"), sessions.pk: Decimal("12")}
    # After signature the change is allowed and recorded as such.
    event = AuditEvent.objects.get(action="award.targets_changed")
    assert event.after["after_signature"] is True and event.before == {"targets": {}}
    # A stale tab (the targets changed meanwhile) is refused.
    data[f"t{sessions.pk}"] = ["15"]
    indicator_targets_save(award=award, actor=world_a.actor(Role.MANAGER), targets={people.pk: Decimal(500)})
    client.post(url, data)
    assert IndicatorTarget.objects.get(award=award, indicator=sessions).target == Decimal("12")
    # Blank removes the target.
    data = form_data(client.get(url).content, having="stamp")
    data[f"t{sessions.pk}"] = [""]
    client.post(url, data)
    assert not IndicatorTarget.objects.filter(award=award, indicator=sessions).exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FINANCE, Role.REVIEWER])
def test_only_managers_set_targets(world_a, role):
    award = _award(world_a, status=AwardStatus.ACTIVE)
    indicator = IndicatorFactory(tenant=world_a.tenant)
    url = world_a.url(f"awards/{award.pk}/indicators/")
    assert world_a.client_for(role).post(url, {f"t{indicator.pk}": "5"}).status_code in (403, 404)
    assert not IndicatorTarget.objects.exists()


def test_a_manager_in_conflict_or_a_closed_award_cannot_change_targets(world_a):
    award = _award(world_a, status=AwardStatus.CLOSED)
    indicator = IndicatorFactory(tenant=world_a.tenant)
    with pytest.raises(Refused):
        indicator_targets_save(award=award, actor=world_a.actor(Role.MANAGER), targets={indicator.pk: Decimal(5)})
    open_award = _award(world_a, status=AwardStatus.DRAFTED)
    link(world_a, "contact-person")
    assert world_a.client_for(Role.MANAGER).get(world_a.url(f"awards/{open_award.pk}/indicators/")).status_code == 403
    with pytest.raises(Refused):
        indicator_targets_save(award=open_award, actor=world_a.actor(Role.MANAGER),
                               targets={indicator.pk: Decimal(5)})
    assert not IndicatorTarget.objects.exists()


# --- progress ------------------------------------------------------------------------------------

def _value(report, indicator, value, sex="", band=""):
    IndicatorValueFactory(tenant=report.tenant, report=report, indicator=indicator, value=Decimal(value), sex=sex,
                          age_band=band)


def test_the_award_page_shows_approved_progress_and_marks_submitted_values(world_a):
    award = _award(world_a, status=AwardStatus.ACTIVE)
    people = IndicatorFactory(tenant=world_a.tenant, name_fr="Personnes touchées", by_sex_and_age=True)
    IndicatorTargetFactory(tenant=world_a.tenant, award=award, indicator=people, target=Decimal(200))
    first = ProgressReportFactory(tenant=world_a.tenant, award=award, number=1, status=ReportStatus.APPROVED)
    second = ProgressReportFactory(tenant=world_a.tenant, award=award, number=2, status=ReportStatus.SUBMITTED)
    draft = ProgressReportFactory(tenant=world_a.tenant, award=award, number=3)
    _value(first, people, 30, F, "15_24")
    _value(first, people, 20, M, "36_50")
    _value(second, people, 40, F, "25_35")
    _value(draft, people, 1000, M, "over_50")
    (row,) = award_progress(award=award)
    assert (row.approved, row.submitted, row.progress, row.progress_with_submitted) == (50, 40, 25, 45)
    assert row.breakdown.by_sex == {F: 30, M: 20} and row.breakdown.youth_share == 60
    page = world_a.client_for(Role.MANAGER).get(world_a.url(f"awards/{award.pk}/")).content.decode()
    assert "Personnes touchées" in page and "25 %" in page and "+40" in page


def _call_world(world, awards: int):
    """A call with `awards` awards over three zones: each approved report counts 10 women 15–24, 5 men 36–50;
    every third award also has a submitted report (7 women under 15) that must not count as approved, and
    the next one a draft that never counts."""
    call = CallFactory(tenant=world.tenant)
    people = IndicatorFactory(tenant=world.tenant, by_sex_and_age=True, order=1)
    sessions = IndicatorFactory(tenant=world.tenant, order=2)
    zones = [Zone.NORTH, Zone.SOUTH, Zone.CENTRE]
    for index in range(awards):
        organisation = OrganisationFactory(tenant=world.tenant,
                                           region=RegionFactory(tenant=world.tenant, zone=zones[index % 3]))
        award = AwardFactory(tenant=world.tenant, application__call=call, application__organisation=organisation,
                             status=AwardStatus.ACTIVE)
        IndicatorTargetFactory(tenant=world.tenant, award=award, indicator=people, target=Decimal(100))
        IndicatorTargetFactory(tenant=world.tenant, award=award, indicator=sessions, target=Decimal(4))
        report = ProgressReportFactory(tenant=world.tenant, award=award, number=1, status=ReportStatus.APPROVED)
        _value(report, people, 10, F, "15_24")
        _value(report, people, 5, M, "36_50")
        _value(report, sessions, index + 1)
        if index % 3 == 0:
            later = ProgressReportFactory(tenant=world.tenant, award=award, number=2, status=ReportStatus.SUBMITTED)
            _value(later, people, 7, F, "under_15")
        elif index % 3 == 1:  # a draft is never counted
            draft = ProgressReportFactory(tenant=world.tenant, award=award, number=2)
            _value(draft, people, 1000, M, "over_50")
    return call, people, sessions


def test_the_call_totals_by_sex_age_band_and_zone_are_right(world_a, world_b):
    call, people, sessions = _call_world(world_a, 3)
    _call_world(world_b, 3)  # another workspace's call: never counted
    other_call, *_ = _call_world(world_a, 1)  # another call of the same workspace: not counted either
    rows = {row.indicator.pk: row for row in call_indicators(call=call)}
    assert set(rows) == {people.pk, sessions.pk}
    p = rows[people.pk]
    assert (p.target, p.awards, p.approved, p.submitted, p.progress) == (300, 3, 45, 7, 15)
    assert p.breakdown.by_sex == {F: 30, M: 15}
    assert p.breakdown.by_band == {"15_24": 30, "36_50": 15}
    assert p.breakdown.youth_share == 67  # 30 of 45
    assert p.by_zone == {Zone.NORTH: 15, Zone.SOUTH: 15, Zone.CENTRE: 15}
    s = rows[sessions.pk]
    assert (s.target, s.approved, s.breakdown.by_sex, s.breakdown.youth_share) == (12, 6, {}, None)
    assert s.by_zone == {Zone.NORTH: 1, Zone.SOUTH: 2, Zone.CENTRE: 3}


def test_the_call_page_costs_the_same_queries_with_3_or_30_awards(world_a):
    client = world_a.client_for(Role.MANAGER)
    client.get(world_a.url("calls/"))  # the session's first reads out of the count
    counts = []
    for awards in (3, 30):
        call, *_ = _call_world(world_a, awards)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(world_a.url(f"calls/{call.pk}/indicators/"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    print("queries", counts, "gzip", len(gzip.compress(response.content)))
    assert len(gzip.compress(response.content)) <= 14 * 1024
    assert b"Femmes" in response.content or b"Women" in response.content
    assert world_a.client_for(Role.APPLICANT).get(world_a.url(f"calls/{call.pk}/indicators/")).status_code == 403
