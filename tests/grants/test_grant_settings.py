"""The workspace's grant settings page (issue 11): default tranche plan, second-approval thresholds per
currency, agreement clauses and logo; managers only, audited, two tabs never overwrite each other."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.models import GrantSettings
from grants.services.awards import grant_settings
from grants.services.disbursements import needs_second_approval
from grants.services.grant_settings import grant_settings_save
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.dd_samples import jpeg_bytes, pdf_bytes, png_bytes, upload
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


def _url(world, path=""):
    return world.url(f"awards/settings/{path}")


def _page(client, world):
    response = client.get(_url(world))
    assert response.status_code == 200
    return form_data(response.content)


def test_reading_the_page_writes_nothing_and_shows_the_defaults(world_a):
    client = world_a.client_for(Role.MANAGER)
    data = _page(client, world_a)
    assert data["tranche_plan"] == ["40 / 40 / 20"] and data["threshold_XOF"] == ["1000000"]
    assert "remove_logo" not in client.get(_url(world_a)).content.decode()  # no logo to remove yet
    assert not GrantSettings.objects.filter(tenant=world_a.tenant).exists()
    body = client.get(_url(world_a)).content.decode()
    assert "{amount_words}" in body and "{organisation}" in body
    assert "chaque paiement en XOF demande une seconde approbation" in body


def test_manager_saves_the_settings_and_they_are_audited_and_used(world_a):
    client = world_a.client_for(Role.MANAGER)
    data = _page(client, world_a)
    data.update({"tranche_plan": ["30 / 30 / 40"], "threshold_XOF": ["500000"], "threshold_EUR": [""],
                 "clauses_fr": ["La subvention de {amount} ({amount_words}) est versée à {organisation}."]})
    response = client.post(_url(world_a), {**data, "logo": upload("logo.png", png_bytes())})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = GrantSettings.objects.get(tenant=world_a.tenant)
    assert saved.tranche_plan == [30, 30, 40]
    assert saved.approval_thresholds["XOF"] == "500000" and "EUR" not in saved.approval_thresholds
    assert saved.logo.name.endswith(".png")
    event = AuditEvent.objects.get(action="grant_settings.saved", tenant=world_a.tenant)
    assert event.before["tranche_plan"] == [40, 40, 20] and event.after["tranche_plan"] == [30, 30, 40]
    assert event.after["approval_thresholds"]["XOF"] == "500000"
    # The thresholds are those the payments read: above 500 000 FCFA, and every payment in euros.
    tenant = world_a.tenant
    assert needs_second_approval(tenant=tenant, currency="XOF", amount=Decimal("500001"))
    assert not needs_second_approval(tenant=tenant, currency="XOF", amount=Decimal("500000"))
    assert needs_second_approval(tenant=tenant, currency="EUR", amount=Decimal("1"))
    assert grant_settings(tenant).tranche_plan == [30, 30, 40]
    # The logo is shown back through a private download.
    logo = client.get(_url(world_a, "logo/"))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo["Cache-Control"] == "private, no-store"
    assert b"".join(logo.streaming_content) == png_bytes()
    page = client.get(_url(world_a)).content.decode()
    assert "remove_logo" in page and "awards/settings/logo/" in page


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("statuts.pdf", pdf_bytes(), "Le logo doit être une image PNG ou JPEG ; ce fichier est PDF."),
    ("logo.png", b"<html><script>alert(1)</script></html>", "Ce fichier est un document HTML"),
    ("logo.png", jpeg_bytes(), "son nom se termine par"),
])
def test_a_logo_of_the_wrong_type_is_refused_with_the_reason(world_a, name, data, reason):
    client = world_a.client_for(Role.MANAGER)
    form = _page(client, world_a)
    response = client.post(_url(world_a), {**form, "logo": upload(name, data)})
    assert response.status_code == 200
    assert reason in response.content.decode().replace("&#x27;", "'")
    assert not GrantSettings.objects.filter(tenant=world_a.tenant).exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"tranche_plan": ["40 / 40"]}, "tranche_plan", "80"),
    ({"tranche_plan": ["quarante"]}, "tranche_plan", "pourcentage"),
    ({"threshold_XOF": ["1000.5"]}, "threshold_XOF", "pas de décimales"),
    ({"clauses_fr": ["Versé à {organisme}."]}, "clauses_fr", "{organisme}"),
])
def test_invalid_settings_are_refused_by_field_and_the_text_is_kept(world_a, changes, field, message):
    client = world_a.client_for(Role.MANAGER)
    data = {**_page(client, world_a), "clauses_en": ["Kept as typed"], **changes}
    response = client.post(_url(world_a), data)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert form_data(body)["clauses_en"] == ["Kept as typed"]
    assert not GrantSettings.objects.filter(tenant=world_a.tenant).exists()


def test_the_service_refuses_a_plan_that_does_not_add_up(world_a):
    with pytest.raises(Refused) as caught:
        grant_settings_save(actor=world_a.actor(Role.MANAGER), tranche_plan=[50, 40], approval_thresholds={},
                            clauses_fr="", clauses_en="")
    assert "tranche_plan" in caught.value.message_dict


def test_settings_edited_in_two_tabs_the_second_save_is_refused_with_both_sides(world_a):
    client = world_a.client_for(Role.MANAGER)
    tab1, tab2 = _page(client, world_a), _page(client, world_a)
    tab1["clauses_fr"] = ["Clauses du premier onglet"]
    assert client.post(_url(world_a), tab1).status_code == 302
    tab2["clauses_fr"] = ["Clauses du second onglet"]
    tab2["tranche_plan"] = ["50 / 50"]
    response = client.post(_url(world_a), tab2)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Clauses du premier onglet" in body and "Clauses du second onglet" in body
    saved = GrantSettings.objects.get(tenant=world_a.tenant)
    assert saved.clauses_fr == "Clauses du premier onglet" and saved.tranche_plan == [40, 40, 20]
    again = form_data(body)
    assert again["tranche_plan"] == ["50 / 50"]
    assert client.post(_url(world_a), again).status_code == 302
    saved.refresh_from_db()
    assert saved.clauses_fr == "Clauses du second onglet" and saved.tranche_plan == [50, 50]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FINANCE, Role.REVIEWER, Role.TRAINER])
def test_only_managers_open_the_settings_and_the_logo(world_a, role):
    client = world_a.client_for(role)
    assert client.get(_url(world_a)).status_code == 403
    assert client.post(_url(world_a), {"tranche_plan": "100"}).status_code == 403
    assert client.get(_url(world_a, "logo/")).status_code == 403
    assert not GrantSettings.objects.filter(tenant=world_a.tenant).exists()
    with pytest.raises(Refused):
        grant_settings_save(actor=world_a.actor(role), tranche_plan=[100], approval_thresholds={},
                            clauses_fr="", clauses_en="")


def test_the_logo_of_another_workspace_is_never_shown(worlds):
    world_a, world_b = worlds
    grant_settings_save(actor=world_a.actor(Role.MANAGER), tranche_plan=[100], approval_thresholds={},
                        clauses_fr="", clauses_en="", logo=upload("logo.png", png_bytes()))
    assert world_b.client_for(Role.MANAGER).get(_url(world_b, "logo/")).status_code == 404
    assert world_a.client_for(Role.MANAGER).get(_url(world_a, "logo/")).status_code == 200


def test_removing_the_logo(world_a):
    actor = world_a.actor(Role.MANAGER)
    saved = grant_settings_save(actor=actor, tranche_plan=[100], approval_thresholds={}, clauses_fr="",
                                clauses_en="", logo=upload("logo.jpg", jpeg_bytes()))
    assert saved.logo.name.endswith(".jpg")
    saved = grant_settings_save(actor=actor, tranche_plan=[100], approval_thresholds={}, clauses_fr="",
                                clauses_en="", remove_logo=True)
    assert not saved.logo
    assert AuditEvent.objects.filter(action="grant_settings.saved").order_by("id").last().after == {"logo": ""}
