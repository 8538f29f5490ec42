"""Manager exports of the registry: neutralised cells, masked payment numbers, audit."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from relais.models import AuditEvent, Role
from tests.factories import OrganisationFactory
from tests.orgs.factories import PaymentDetailsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dangerous(world_a):
    org = OrganisationFactory(tenant=world_a.tenant, name="=HYPERLINK(\"http://evil\")", acronym="+EVIL",
                              description="@SUM(1+1)")
    PaymentDetailsFactory(tenant=world_a.tenant, organisation=org, bank_account="ML13 0000 1111 2222 5678",
                          mobile_number="+223 70 00 43 21")
    return org


def test_csv_export_neutralises_formulas_and_masks_payment(world_a, dangerous):
    url = reverse("orgs:organisation_export_csv", kwargs={"tenant_slug": world_a.tenant.slug})
    response = world_a.client_for(Role.MANAGER).post(url)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+EVIL" in text and "'@SUM" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert "•••• 5678" in text and "1111" not in text and "•••• 4321" in text
    assert world_a.organisation.name in text
    event = AuditEvent.objects.get(action="organisation.exported")
    assert event.after["format"] == "csv" and event.after["count"] == 2


def test_xlsx_export_neutralises_formulas(world_a, world_b, dangerous):
    url = reverse("orgs:organisation_export_xlsx", kwargs={"tenant_slug": world_a.tenant.slug})
    response = world_a.client_for(Role.MANAGER).post(url)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "'=HYPERLINK(\"http://evil\")" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert world_b.organisation.name not in cells
    assert AuditEvent.objects.filter(action="organisation.exported", after__format="xlsx").exists()


def test_xlsx_export_survives_control_characters_pasted_from_word(world_a):
    """A vertical tab (Word's line break) in a description made openpyxl raise: the export was a 500."""
    OrganisationFactory(tenant=world_a.tenant, name="Association\x0bBenkadi", description="\x0b=1+1 paix\x0cdialogue")
    url = reverse("orgs:organisation_export_xlsx", kwargs={"tenant_slug": world_a.tenant.slug})
    response = world_a.client_for(Role.MANAGER).post(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Association Benkadi" in cells and "'=1+1 paix dialogue" in cells


def test_export_respects_filters(world_a, dangerous):
    url = reverse("orgs:organisation_export_csv", kwargs={"tenant_slug": world_a.tenant.slug}) + "?q=evil"
    text = world_a.client_for(Role.MANAGER).post(url).content.decode("utf-8-sig")
    assert "EVIL" in text and world_a.organisation.name not in text


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE, Role.TRAINER, Role.APPLICANT])
def test_only_managers_export(world_a, role):
    url = reverse("orgs:organisation_export_csv", kwargs={"tenant_slug": world_a.tenant.slug})
    assert world_a.client_for(role).post(url).status_code == 403
    assert not AuditEvent.objects.filter(action="organisation.exported").exists()


def test_export_is_never_a_get(world_a):
    url = reverse("orgs:organisation_export_csv", kwargs={"tenant_slug": world_a.tenant.slug})
    assert world_a.client_for(Role.MANAGER).get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="organisation.exported").exists()
