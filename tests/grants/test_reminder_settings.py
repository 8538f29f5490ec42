"""The grant settings page's report settings (issue 12): reminders before the due date and the variance
needing an explanation, validated with clear messages, saved and audited, other settings kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.models import GrantSettings
from grants.services.grant_settings import grant_settings_save
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


def _url(world):
    return world.url("awards/settings/")


def _page(client, world):
    response = client.get(_url(world))
    assert response.status_code == 200
    return form_data(response.content)


def test_the_page_shows_the_defaults_and_saves_both_settings(world_a):
    client = world_a.client_for(Role.MANAGER)
    data = _page(client, world_a)
    assert data["reminder_days"] == ["14, 3"] and data["variance_threshold"] == ["10"]
    response = client.post(_url(world_a), {**data, "reminder_days": ["3, 21 ,7"], "variance_threshold": ["12.5"]})
    assert response.status_code == 302
    saved = GrantSettings.objects.get(tenant=world_a.tenant)
    assert saved.reminder_days == [21, 7, 3] and saved.variance_threshold == Decimal("12.5")
    assert saved.tranche_plan == [40, 40, 20]  # the rest of the page unchanged
    event = AuditEvent.objects.get(action="grant_settings.saved")
    assert event.after["reminder_days"] == [21, 7, 3] and event.after["variance_threshold"] == "12.5"
    again = _page(client, world_a)
    assert again["reminder_days"] == ["21, 7, 3"] and again["variance_threshold"] == ["12.5"]


def test_no_reminder_before_the_due_date_when_empty(world_a):
    client = world_a.client_for(Role.MANAGER)
    response = client.post(_url(world_a), {**_page(client, world_a), "reminder_days": [""]})
    assert response.status_code == 302
    assert GrantSettings.objects.get(tenant=world_a.tenant).reminder_days == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"reminder_days": ["14, trois"]}, "Écrivez des nombres entiers de jours séparés par des virgules"),
    ({"reminder_days": ["14, -3"]}, "Écrivez des nombres entiers de jours séparés par des virgules"),
    ({"reminder_days": ["14, 0"]}, "entre 1 et 365"),
    ({"reminder_days": ["400"]}, "entre 1 et 365"),
    ({"reminder_days": ["7, 7"]}, "une seule fois"),
    ({"reminder_days": [", ".join(str(n) for n in range(1, 12))]}, "Au plus 10 rappels"),
    ({"variance_threshold": ["150"]}, "entre 0 et 100"),
    ({"variance_threshold": ["-1"]}, "entre 0 et 100"),
    ({"variance_threshold": ["10.125"]}, "au plus deux décimales"),
    ({"variance_threshold": ["dix"]}, "nombre"),
])
def test_invalid_report_settings_are_refused_with_a_clear_message(world_a, changes, message):
    client = world_a.client_for(Role.MANAGER)
    response = client.post(_url(world_a), {**_page(client, world_a), **changes})
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not GrantSettings.objects.filter(tenant=world_a.tenant).exists()


def test_the_service_refuses_by_field_and_leaves_them_unchanged_when_not_given(world_a):
    actor = world_a.actor(Role.MANAGER)
    with pytest.raises(Refused) as refused:
        grant_settings_save(actor=actor, tranche_plan=[100], approval_thresholds={}, clauses_fr="", clauses_en="",
                            reminder_days=[0, 3], variance_threshold=Decimal("101"))
    assert set(refused.value.message_dict) == {"reminder_days", "variance_threshold"}
    saved = grant_settings_save(actor=actor, tranche_plan=[100], approval_thresholds={}, clauses_fr="",
                                clauses_en="", reminder_days=[5], variance_threshold=Decimal("0"))
    assert saved.reminder_days == [5] and saved.variance_threshold == Decimal("0")
    saved = grant_settings_save(actor=actor, tranche_plan=[100], approval_thresholds={}, clauses_fr="",
                                clauses_en="", expected_version=saved.version)
    assert saved.reminder_days == [5] and saved.variance_threshold == Decimal("0")
