"""Optimistic concurrency (relais.concurrency): compare-and-swap, the stamp, the three-way comparison."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import QueryDict

from relais.concurrency import Stale, Stamp, claim_version, save_versioned
from relais.forms import TenantSettingsForm
from relais.models import AuditEvent, Role, Tenant
from relais.services.tenancy import tenant_update_settings
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


def _posted(form: TenantSettingsForm, **changes: str) -> QueryDict:
    """What a browser sends back for an unbound form, with `changes` typed in."""
    from relais.concurrency import rendered

    data = QueryDict(mutable=True)
    for bound in form:
        data.setlist(bound.html_name, rendered(bound))
    for name, value in changes.items():
        data[name] = value
    return data


def test_second_save_of_the_same_version_is_refused_and_the_first_is_kept(world_a):
    first = Tenant.objects.get(pk=world_a.tenant.pk)
    second = Tenant.objects.get(pk=world_a.tenant.pk)
    with transaction.atomic():
        assert claim_version(first, expected=1) == 2
        first.name = "Premier onglet"
        first.save()
    with pytest.raises(Stale) as caught, transaction.atomic():
        claim_version(second, expected=second.version)
        second.name = "Second onglet"
        second.save()
    assert caught.value.current_version == 2
    tenant = Tenant.objects.get(pk=world_a.tenant.pk)
    assert tenant.name == "Premier onglet" and tenant.version == 2


def test_a_writer_without_a_page_bumps_the_version(world_a):
    tenant = Tenant.objects.get(pk=world_a.tenant.pk)
    with transaction.atomic():
        claim_version(tenant, expected=None)
    assert Tenant.objects.get(pk=tenant.pk).version == 2 == tenant.version


def _settings_save(world, stamp, data):
    actor = world.actor(Role.MANAGER)
    form = TenantSettingsForm(data, instance=Tenant.objects.get(pk=world.tenant.pk))
    assert form.is_valid(), form.errors

    def current():
        tenant = Tenant.objects.get(pk=world.tenant.pk)
        return tenant.version, [TenantSettingsForm(instance=tenant)]

    return save_versioned(
        stamp=stamp, data=data, posted=[form], current=current,
        save=lambda expected: tenant_update_settings(
            actor=actor, expected_version=expected, **{n: form.cleaned_data[n] for n in form.Meta.fields}))


def test_stale_save_lists_the_other_sides_change_and_merges_it_into_the_typed_values(world_a):
    loaded = TenantSettingsForm(instance=Tenant.objects.get(pk=world_a.tenant.pk))
    stamp = Stamp.of(1, [loaded])
    _settings_save(world_a, stamp, _posted(loaded, name="Nom du premier onglet"))
    with pytest.raises(Stale) as caught:
        _settings_save(world_a, stamp, _posted(loaded, reference_prefix="ZZ"))
    stale = caught.value
    assert [(c.label, c.old, c.new, c.yours) for c in stale.changes] == [
        ("Nom", "Bailleur A", "Nom du premier onglet", None)]
    # The typed value is kept, the other side's value replaces the one this tab had not touched.
    assert stale.data["reference_prefix"] == "ZZ" and stale.data["name"] == "Nom du premier onglet"
    assert stale.stamp.version == 2
    tenant = Tenant.objects.get(pk=world_a.tenant.pk)
    assert tenant.name == "Nom du premier onglet" and tenant.reference_prefix != "ZZ"
    # Saving again after checking succeeds and keeps both changes.
    _settings_save(world_a, stale.stamp, stale.data)
    tenant.refresh_from_db()
    assert (tenant.name, tenant.reference_prefix, tenant.version) == ("Nom du premier onglet", "ZZ", 3)


def test_both_sides_changing_the_same_field_keep_the_typed_text_and_show_theirs(world_a):
    loaded = TenantSettingsForm(instance=Tenant.objects.get(pk=world_a.tenant.pk))
    stamp = Stamp.of(1, [loaded])
    _settings_save(world_a, stamp, _posted(loaded, name="Leur nom"))
    with pytest.raises(Stale) as caught:
        _settings_save(world_a, stamp, _posted(loaded, name="Mon nom"))
    (change,) = caught.value.changes
    assert (change.new, change.yours, change.old) == ("Leur nom", "Mon nom", None)
    assert caught.value.data["name"] == "Mon nom"
    assert Tenant.objects.get(pk=world_a.tenant.pk).name == "Leur nom"


def test_a_save_goes_on_when_the_other_side_changed_nothing_this_page_shows(world_a):
    loaded = TenantSettingsForm(instance=Tenant.objects.get(pk=world_a.tenant.pk))
    stamp = Stamp.of(1, [loaded])
    with transaction.atomic():  # e.g. a field of another page of the same record
        claim_version(Tenant.objects.get(pk=world_a.tenant.pk), expected=1)
    _settings_save(world_a, stamp, _posted(loaded, name="Nouveau nom"))
    tenant = Tenant.objects.get(pk=world_a.tenant.pk)
    assert (tenant.name, tenant.version) == ("Nouveau nom", 3)


def test_stamp_round_trips_through_the_hidden_inputs():
    stamp = Stamp(7, {"s-title": "0123abcd", "lines-0-description": "89efabcd"})
    data = QueryDict(mutable=True)
    data["_version"], data["_loaded"] = str(stamp.version), stamp.encoded
    assert Stamp.posted(data) == stamp
    assert Stamp.posted(QueryDict("_version=abc")).version is None


def test_workspace_settings_opened_in_two_tabs(world_a):
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url("settings/")
    tab1 = form_data(client.get(url).content)
    tab2 = form_data(client.get(url).content)
    tab1["name"] = ["Nom enregistré dans le premier onglet"]
    assert client.post(url, tab1).status_code == 302
    tab2["reference_prefix"] = ["QQ"]
    response = client.post(url, tab2)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Quelqu’un d’autre a enregistré" in body or "Quelqu'un d'autre a enregistré" in body
    assert "Nom enregistré dans le premier onglet" in body and 'value="QQ"' in body
    tenant = Tenant.objects.get(pk=world_a.tenant.pk)
    assert tenant.name == "Nom enregistré dans le premier onglet" and tenant.reference_prefix != "QQ"
    # The page carries the new version: saving again succeeds with both changes.
    assert client.post(url, form_data(body)).status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.reference_prefix) == ("Nom enregistré dans le premier onglet", "QQ")
    assert AuditEvent.objects.filter(action="tenant.settings_changed").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_compare_and_swap_without_a_row_lock_lets_one_of_two_concurrent_saves_through(world_a):
    """No SELECT … FOR UPDATE before: the UPDATE … WHERE version = … alone decides."""
    import threading
    import time

    from django.db import connection

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(name):
        try:
            tenant = Tenant.objects.get(pk=world_a.tenant.pk)
            barrier.wait()
            with transaction.atomic():
                claim_version(tenant, expected=1)
                tenant.name = name
                tenant.save()
                time.sleep(0.5)  # the other save reaches its UPDATE while this one is not committed
            outcomes.append("saved")
        except Stale:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("Onglet 1", "Onglet 2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["saved", "stale"]
    assert Tenant.objects.get(pk=world_a.tenant.pk).version == 2
