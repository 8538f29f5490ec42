"""No input to an application section gives a 500 (hypothesis)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.sections import SECTION_SLUGS
from relais.models import Role
from tests.grants.conftest import complete_application

FIELDS = {
    "project": ["s-title", "s-summary"], "context": ["s-context"], "objectives": ["s-objectives"],
    "activities": ["s-activities", "timeline-TOTAL_FORMS", "timeline-INITIAL_FORMS", "timeline-0-activity",
                   "timeline-0-start_month", "timeline-0-end_month", "timeline-0-id"],
    "location": ["s-regions", "s-communes", "s-start_date", "s-end_date"],
    "beneficiaries": ["s-women", "s-men", "s-youth"], "risks": ["s-risks", "s-do_no_harm"],
    "budget": ["lines-TOTAL_FORMS", "lines-INITIAL_FORMS", "lines-0-category", "lines-0-description",
               "lines-0-quantity", "lines-0-unit_cost", "s-cofunding_amount"],
    "eligibility": ["s-q1", "s-q2"], "attachments": ["s-a1"],
}
values = st.one_of(
    st.text(max_size=60), st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "0", "-1", "1e99", "٣", "2026-02-30"]),
)


@pytest.mark.django_db
@pytest.mark.parametrize("section", SECTION_SLUGS)
def test_random_input_to_each_section_never_gives_500(section, world_a):
    app = complete_application(world_a)
    client = world_a.client_for(Role.APPLICANT)
    url = reverse("grants:application_section", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "application_pk": app.pk}) + f"?section={section}"
    names = FIELDS[section] + ["go"]

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(st.sampled_from(names), values, max_size=len(names)))
    def run(data):
        response = client.post(url, data)
        assert response.status_code < 500, (data, response.status_code)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999999", "-1", "١٢", "abc"])
def test_absurd_row_ids_and_choices_are_refused_not_500(world_a, value):
    app = complete_application(world_a)
    client = world_a.client_for(Role.APPLICANT)
    base = reverse("grants:application_section", kwargs={"tenant_slug": world_a.tenant.slug, "application_pk": app.pk})
    row = app.timeline.get()
    data = {"timeline-TOTAL_FORMS": "1", "timeline-INITIAL_FORMS": "1", "timeline-0-id": value,
            "timeline-0-activity": "x"}
    assert client.post(base + "?section=activities", data).status_code < 500
    line = app.budget_lines.get()
    data = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-id": line.pk, "lines-0-category": value}
    assert client.post(base + "?section=budget", data).status_code < 500
    assert client.post(base + "?section=location", {"s-regions": [value]}).status_code < 500
    row.refresh_from_db()
    assert row.activity == "Atelier de dialogue"
