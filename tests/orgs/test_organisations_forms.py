"""Profile form properties (hypothesis) and the geography pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgs.forms.organisations import OrganisationProfileForm
from orgs.models import Region
from orgs.services import organisations as services
from relais.models import AuditEvent, Role
from relais.validators import first_control_character
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(min_size=0, max_size=300),
    year=st.one_of(st.none(), st.integers(min_value=-5, max_value=3000)),
    staff=st.integers(min_value=-10, max_value=10_000),
    languages=st.lists(st.sampled_from(["fr", "bm", "tmh", "xx", "en"]), max_size=4, unique=True),
)
def test_profile_form_accepts_only_sane_values(world_a, name, year, staff, languages):
    data = {"name": name, "staff_women": staff, "staff_men": 0, "volunteers_women": 0, "volunteers_men": 0,
            "languages": languages}
    if year is not None:
        data["founding_year"] = year
    form = OrganisationProfileForm(data, actor=world_a.actor(Role.MANAGER))
    valid = form.is_valid()
    expected = (
        bool(name.strip()) and len(name) <= 255 and first_control_character(name.strip()) is None
        and (year is None or 1900 <= year <= timezone.localdate().year)
        and staff >= 0 and "xx" not in languages
    )
    assert valid == expected, form.errors
    if valid:
        organisation = services.organisation_update(
            organisation=world_a.organisation, actor=world_a.actor(Role.MANAGER), data=form.service_data())
        assert organisation.staff_women == staff
        assert organisation.search_name == organisation.search_name.lower()


def test_geography_pages_add_and_rename_region_refreshes_search(world_a):
    client = world_a.client_for(Role.MANAGER)
    url = reverse("orgs:geography", kwargs={"tenant_slug": world_a.tenant.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "region", "region-name": "Taoudénit", "region-zone": "north"})
    assert response.status_code == 302
    region = Region.objects.get(tenant=world_a.tenant, name="Taoudénit")
    org = services.organisation_create(actor=world_a.actor(Role.MANAGER),
                                       data={"name": "Nomades unis", "regions_of_work": [region]})
    assert "taoudenit" in org.search_name
    edit = reverse("orgs:region_edit", kwargs={"tenant_slug": world_a.tenant.slug, "region_pk": region.pk})
    assert client.post(edit, {"name": "Tombouctou-Nord", "zone": "north"}).status_code == 302
    org.refresh_from_db()
    assert "tombouctou-nord" in org.search_name and "taoudenit" not in org.search_name
    assert AuditEvent.objects.filter(action="region.updated").exists()
    # duplicates are refused with a message, not a 500
    response = client.post(url, {"kind": "region", "region-name": "tombouctou-nord", "region-zone": "north"})
    assert response.status_code == 200
    assert Region.objects.filter(tenant=world_a.tenant, name__iexact="tombouctou-nord").count() == 1


def test_geography_communes_and_focus_areas(world_a):
    client = world_a.client_for(Role.MANAGER)
    url = reverse("orgs:geography", kwargs={"tenant_slug": world_a.tenant.slug})
    region = RegionFactory(tenant=world_a.tenant, name="Kayes")
    assert client.post(url, {"kind": "commune", "commune-name": "Yélimané",
                             "commune-region": region.pk}).status_code == 302
    assert client.post(url, {"kind": "focus", "focus-name": "Cohésion sociale",
                             "focus-name_en": "Social cohesion"}).status_code == 302
    html = client.get(url).content.decode()
    assert "Yélimané" in html and "Cohésion sociale" in html
    assert world_a.client_for(Role.REVIEWER).get(url).status_code == 403


def test_commune_region_of_other_tenant_is_refused(worlds):
    world_a, world_b = worlds
    foreign = RegionFactory(tenant=world_b.tenant)
    client = world_a.client_for(Role.MANAGER)
    url = reverse("orgs:geography", kwargs={"tenant_slug": world_a.tenant.slug})
    response = client.post(url, {"kind": "commune", "commune-name": "X", "commune-region": foreign.pk})
    assert response.status_code == 200
    from orgs.models import Commune

    assert not Commune.objects.exists()


# --- one-line fields refuse line breaks (they reach e-mail subjects and file names) ---------------------------------


@pytest.mark.parametrize("form_class", ["OrganisationProfileForm", "SelfRegistrationForm"])
def test_profile_forms_refuse_a_line_break_in_the_acronym(world_a, form_class):
    from orgs.forms import organisations as forms

    data = {"name": "Réseau des jeunes", "acronym": "REJ\r\nBcc: victim@example.org", "staff_women": 0,
            "staff_men": 0, "volunteers_women": 0, "volunteers_men": 0}
    form = getattr(forms, form_class)(data, actor=world_a.actor(Role.MANAGER))
    assert not form.is_valid()
    assert list(form.errors) == ["acronym"]


@pytest.mark.parametrize(("kind", "data"), [
    ("region", {"region-name": "Kidal\r\nX: 1", "region-zone": "north"}),
    ("focus", {"focus-name": "Cohésion\u2028sociale", "focus-name_en": ""}),
    ("commune", {"commune-name": "Yélimané\tKayes"}),
])
def test_geography_forms_refuse_a_line_break(world_a, kind, data):
    from orgs.models import Commune, FocusArea

    region = RegionFactory(tenant=world_a.tenant, name="Kayes")
    if kind == "commune":
        data = {**data, "commune-region": region.pk}
    url = reverse("orgs:geography", kwargs={"tenant_slug": world_a.tenant.slug})
    response = world_a.client_for(Role.MANAGER).post(url, {"kind": kind, **data})
    assert response.status_code == 200
    assert not Region.objects.filter(tenant=world_a.tenant, name__startswith="Kidal").exists()
    assert not FocusArea.objects.filter(tenant=world_a.tenant).exists()
    assert not Commune.objects.filter(tenant=world_a.tenant).exists()
