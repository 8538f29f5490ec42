"""Issue 9, phones: enough blank budget and timeline rows, "add a line" from the formset's empty form,
and amount inputs that follow the call's currency (XOF refuses centimes, EUR takes cents)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.forms import (
    SECTION_FORMS,
    BudgetFormSet,
    CallForm,
    DraftInlineFormSet,
    ReasonForm,
    TimelineFormSet,
)
from grants.models import Application, BudgetLine, Call
from grants.sections import MAX_ROWS
from orgs.models import FocusArea, Region
from relais.models import Role
from tests.grants.factories import ApplicationFactory, BudgetCategoryFactory, BudgetLineFactory, CallFactory

BLANK = DraftInlineFormSet.BLANK_WHEN_EMPTY
BELOW = DraftInlineFormSet.BLANK_BELOW


def _unsaved_application(currency: str = "XOF") -> Application:
    return Application(call=Call(currency=currency))


# --- Blank rows (no database: an unsaved application has no rows) ------------------------------------

@pytest.mark.parametrize("formset_class", [BudgetFormSet, TimelineFormSet])
def test_a_fresh_application_shows_enough_blank_rows_without_a_save(formset_class):
    formset = formset_class(instance=_unsaved_application(), prefix="rows")
    assert len(formset.forms) == BLANK >= 5
    assert formset.management_form["TOTAL_FORMS"].value() == BLANK


def test_the_empty_form_to_clone_follows_the_call_currency():
    formset = BudgetFormSet(instance=_unsaved_application("XOF"), prefix="lines", form_kwargs={"currency": "XOF"})
    html = str(formset.empty_form["unit_cost"])
    assert "lines-__prefix__-unit_cost" in html and 'step="1"' in html


@pytest.mark.django_db
def test_after_a_save_there_are_blank_rows_below_the_last_line(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    for _ in range(4):
        BudgetLineFactory(tenant=world_a.tenant, application=app)
    formset = BudgetFormSet(instance=app, prefix="lines")
    assert len(formset.forms) == 4 + BELOW
    assert [f.instance.pk is None for f in formset.forms] == [False] * 4 + [True] * BELOW


@pytest.mark.django_db
def test_blank_rows_stop_at_the_cap(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    BudgetLine.objects.bulk_create([BudgetLine(tenant=world_a.tenant, application=app, description=f"L{i}")
                                    for i in range(MAX_ROWS["lines"] - 1)])
    assert len(BudgetFormSet(instance=app, prefix="lines").forms) == MAX_ROWS["lines"]


@pytest.mark.django_db
def test_the_budget_editor_offers_add_a_line_from_a_template_and_cards_with_labels(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = reverse("grants:application_section", kwargs={"tenant_slug": world_a.tenant.slug,
                                                          "application_pk": app.pk}) + "?section=budget"
    body = world_a.client_for(Role.APPLICANT).get(url).content.decode()
    assert '<template id="lines-empty">' in body and "lines-__prefix__-category" in body
    assert 'data-add-row="lines" hidden' in body  # shown by grants/rows.js only: without JavaScript, no dead button
    assert "grants/rows.js" in body
    assert f'name="lines-TOTAL_FORMS" value="{BLANK}"' in body
    # Every input has its own label (visible on a phone, where the table header is hidden).
    for i in range(BLANK):
        for field in ("category", "description", "quantity", "unit_cost"):
            assert f'for="id_lines-{i}-{field}"' in body


# --- Amounts follow the call's currency -----------------------------------------------------------

@pytest.mark.parametrize(("currency", "value", "ok"), [
    ("XOF", "12500.75", False), ("XOF", "12500", True), ("EUR", "12500.75", True)])
def test_a_budget_line_unit_cost_follows_the_minor_unit(currency, value, ok):
    formset = BudgetFormSet({"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-description": "Repas",
                             "lines-0-quantity": "3", "lines-0-unit_cost": value},
                            instance=_unsaved_application(currency), prefix="lines",
                            form_kwargs={"currency": currency})
    form = formset.forms[0]
    assert form.is_valid() is ok
    if not ok:
        assert "centime" in form.errors["unit_cost"][0]
    step = "1" if currency == "XOF" else "0.01"
    assert f'step="{step}"' in str(form["unit_cost"])


def test_a_quantity_keeps_its_decimals_and_shows_as_typed():
    line = BudgetLine(quantity=Decimal("2.50"), unit_cost=Decimal("250000.00"))
    from grants.forms import BudgetLineForm

    form = BudgetLineForm(instance=line, currency="XOF")
    assert 'value="2.5"' in str(form["quantity"])  # 2,5 days is a quantity people budget
    assert 'value="250000"' in str(form["unit_cost"])  # XOF: no ".00"


@pytest.mark.parametrize(("currency", "ok"), [("XOF", False), ("EUR", True)])
def test_the_co_funding_amount_follows_the_call_currency(currency, ok):
    form = SECTION_FORMS["budget"]({"s-cofunding_amount": "1000.50", "s-cofunding_source": "Mairie"},
                                   instance=_unsaved_application(currency), prefix="s", regions=None)
    form.is_valid()
    assert ("cofunding_amount" in form.valid_data()) is ok


@pytest.mark.parametrize(("currency", "ok"), [("XOF", False), ("EUR", True)])
def test_the_awarded_amount_follows_the_call_currency(currency, ok):
    form = ReasonForm({"amount": "5000000.50"}, currency=currency)
    assert form.is_valid() is ok


@pytest.mark.django_db
@pytest.mark.parametrize(("currency", "ok"), [("XOF", False), ("EUR", True)])
def test_call_amounts_follow_the_currency_posted_with_them(world_a, currency, ok):
    call = CallFactory(tenant=world_a.tenant, currency="EUR" if currency == "XOF" else "XOF")
    data = {"title_fr": "Appel", "envelope": "60000000.50", "currency": currency, "min_grant": "1000.25",
            "max_grant": "5000000", "opens_at": "2026-01-01T08:00", "closes_at": "2026-02-01T08:00",
            "reviewers_per_application": "2"}
    form = CallForm(data, instance=call, regions=Region.objects.none(), focus_areas=FocusArea.objects.none())
    form.is_valid()
    assert ("envelope" not in form.errors and "min_grant" not in form.errors) is ok
    assert ('step="1"' in str(form["envelope"])) is (not ok)


@pytest.mark.django_db
def test_an_xof_line_with_centimes_is_not_saved_and_the_page_says_why(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                             call=CallFactory(tenant=world_a.tenant, currency="XOF"))
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    url = reverse("grants:application_section", kwargs={"tenant_slug": world_a.tenant.slug,
                                                          "application_pk": app.pk}) + "?section=budget"
    response = world_a.client_for(Role.APPLICANT).post(url, {
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-category": str(category.pk),
        "lines-0-description": "Repas", "lines-0-quantity": "3", "lines-0-unit_cost": "12500.75", "go": "budget"})
    assert response.status_code == 200
    assert "centime" in response.content.decode()
    assert not app.budget_lines.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("section_data", [
    {"lines": [{"id": None, "delete": False, "description": "Repas", "quantity": Decimal("3"),
                "unit_cost": Decimal("12500.75")}]},
    {"cofunding_amount": Decimal("1000.50")},
])
def test_the_service_refuses_xof_centimes_too(world_a, section_data):
    from grants.services.applications import application_section_save
    from relais.errors import Refused

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                             call=CallFactory(tenant=world_a.tenant, currency="XOF"))
    with pytest.raises(Refused, match="centime"):
        application_section_save(application=app, actor=world_a.actor(Role.APPLICANT), section="budget",
                                 data=section_data)
    assert not app.budget_lines.exists()
    app.refresh_from_db()
    assert app.cofunding_amount is None


@pytest.mark.django_db
def test_the_application_page_prints_quantities_french_style(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    BudgetLineFactory(tenant=world_a.tenant, application=app, quantity=Decimal("2.50"), unit_cost=Decimal("40000"))
    BudgetLineFactory(tenant=world_a.tenant, application=app, quantity=Decimal("12.00"), unit_cost=Decimal("1000"))
    url = reverse("grants:application_detail", kwargs={"tenant_slug": world_a.tenant.slug, "application_pk": app.pk})
    body = world_a.client_for(Role.APPLICANT).get(url).content.decode()
    assert '<td class="num">2,5</td>' in body and '<td class="num">12</td>' in body
