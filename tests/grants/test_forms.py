"""grants.forms: row formsets have a cap and read their choices once, whatever the number of rows."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.forms import BudgetFormSet, by_pk
from grants.models import ApplicationStatus, BudgetLine
from grants.sections import MAX_ROWS
from grants.selectors import active_budget_categories
from relais.models import Role
from tests.grants.conftest import complete_application
from tests.grants.factories import ApplicationFactory, BudgetCategoryFactory, BudgetLineFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def section_url(world, app, section):
    return reverse("grants:application_section", kwargs={"tenant_slug": world.tenant.slug,
                                                  "application_pk": app.pk}) + f"?section={section}"


def _budget_rows(category, n, start=0):
    data = {}
    for i in range(start, start + n):
        data.update({f"lines-{i}-category": str(category.pk), f"lines-{i}-description": f"Ligne {i}",
                     f"lines-{i}-quantity": "1", f"lines-{i}-unit_cost": "1000"})
    return data


def test_a_post_claiming_100000_budget_rows_is_refused_quickly_with_a_message(
        world_a, django_assert_max_num_queries):
    app = complete_application(world_a)
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.APPLICANT)
    client.get(section_url(world_a, app, "budget"))  # session and caches warm
    data = {"lines-TOTAL_FORMS": "100000", "lines-INITIAL_FORMS": "0", "go": "budget",
            **_budget_rows(category, 3)}
    started = time.monotonic()
    with django_assert_max_num_queries(40):
        response = client.post(section_url(world_a, app, "budget"), data)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    body = response.content.decode()
    assert "Certains champs n" in body  # "Some fields were not saved..."
    assert f"{MAX_ROWS['lines']}" in body  # the formset says how many rows it takes
    assert not app.budget_lines.filter(description__startswith="Ligne").exists()


def test_a_budget_within_the_cap_is_saved(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    n = MAX_ROWS["lines"]
    data = {"lines-TOTAL_FORMS": str(n), "lines-INITIAL_FORMS": "0", "go": "budget", **_budget_rows(category, n)}
    response = world_a.client_for(Role.APPLICANT).post(section_url(world_a, app, "budget"), data)
    assert response.status_code == 302
    assert app.budget_lines.count() == n


@pytest.mark.parametrize("section", ["budget", "activities"])
def test_one_row_more_than_the_cap_is_refused(world_a, section):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    key = "lines" if section == "budget" else "timeline"
    n = MAX_ROWS[key] + 1
    data = {f"{key}-TOTAL_FORMS": str(n), f"{key}-INITIAL_FORMS": "0", "go": section}
    for i in range(n):
        if key == "lines":
            data.update(_budget_rows(category, 1, start=i))
        else:
            data.update({f"timeline-{i}-activity": f"Activité {i}", f"timeline-{i}-start_month": "1",
                         f"timeline-{i}-end_month": "2"})
    response = world_a.client_for(Role.APPLICANT).post(section_url(world_a, app, section), data)
    assert response.status_code == 200
    assert getattr(app, "budget_lines" if key == "lines" else "timeline").count() == 0


def _formset_queries(world, app, categories, rows):
    """Queries to build, validate and render a bound budget formset of `rows` new rows."""
    category = next(iter(categories.values()))
    data = {"lines-TOTAL_FORMS": str(rows), "lines-INITIAL_FORMS": "0", **_budget_rows(category, rows)}
    with CaptureQueriesContext(connection) as ctx:
        formset = BudgetFormSet(data, instance=app, prefix="lines", form_kwargs={"categories": categories})
        assert formset.is_valid(), formset.errors
        str(formset)
    return len(ctx.captured_queries)


def test_budget_category_choices_are_read_once_per_formset_not_per_row(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    for _ in range(5):
        BudgetCategoryFactory(tenant=world_a.tenant)
    with CaptureQueriesContext(connection) as read:
        categories = by_pk(active_budget_categories(actor=world_a.actor(Role.APPLICANT)))
    assert len(read.captured_queries) == 1
    assert _formset_queries(world_a, app, categories, 3) == _formset_queries(world_a, app, categories, 100)


def test_the_budget_page_costs_the_same_queries_with_3_or_100_lines(world_a):
    client = world_a.client_for(Role.APPLICANT)
    counts = []
    for n in (3, 100):
        app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
        category = BudgetCategoryFactory(tenant=world_a.tenant)
        BudgetLine.objects.bulk_create([BudgetLine(tenant=world_a.tenant, application=app, category=category,
                                                   description=f"L{i}") for i in range(n)])
        url = section_url(world_a, app, "budget")
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_row_of_another_application_cannot_be_edited_through_this_one(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    other = BudgetLineFactory(tenant=world_a.tenant, description="Ligne d'une autre demande")
    data = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-id": str(other.pk),
            "lines-0-description": "Détournée", "lines-0-quantity": "1", "lines-0-unit_cost": "1", "go": "budget"}
    response = world_a.client_for(Role.APPLICANT).post(section_url(world_a, app, "budget"), data)
    assert response.status_code == 200  # the row is refused, shown back with its error
    other.refresh_from_db()
    assert other.description == "Ligne d'une autre demande"
    assert not app.budget_lines.exists()
