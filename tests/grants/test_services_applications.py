"""grants.services.applications: creating an application, saving sections, the decision amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.models import ApplicationStatus
from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.grants.conftest import complete_application

S = ApplicationStatus


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity", "abc"])
def test_award_service_refuses_non_finite_amounts_with_a_message(world_a, amount):
    from grants.services.applications import application_transition

    app = complete_application(world_a, status=S.DECISION_PENDING)
    manager = world_a.members[Role.MANAGER]
    with pytest.raises(Refused):
        application_transition(application=app, target=S.APPROVED, actor=Actor.of(manager),
                               amount=amount, reason="Montant revu")
    app.refresh_from_db()
    assert app.status == S.DECISION_PENDING and app.awarded_amount is None


@pytest.mark.django_db
def test_a_suspended_organisation_cannot_start_an_application(world_a):
    from grants.services.applications import application_create
    from orgs.services.organisations import organisation_change_status
    from tests.grants.factories import CallFactory

    organisation_change_status(organisation=world_a.organisation, actor=world_a.actor(Role.MANAGER),
                               status="suspended", reason="Statuts non renouvelés")
    call = CallFactory(tenant=world_a.tenant)
    with pytest.raises(Refused, match="suspend"):
        application_create(call=call, actor=world_a.actor(Role.APPLICANT))


def _line(category, description="Animateurs", quantity="2", unit_cost="1000", pk=None, delete=False):
    return {"id": pk, "delete": delete, "category": category, "description": description,
            "quantity": Decimal(quantity), "unit_cost": Decimal(unit_cost)}


@pytest.mark.django_db
def test_a_section_is_saved_from_plain_cleaned_data(world_a):
    from grants.services.applications import application_section_save
    from tests.grants.factories import ApplicationFactory, BudgetCategoryFactory

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="Titre")
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    applicant = world_a.actor(Role.APPLICANT)
    application_section_save(application=app, actor=applicant, section="budget", data={
        "cofunding_source": "Fonds propres", "title": "pas dans cette section", "lines": [_line(category)]})
    app.refresh_from_db()
    assert (app.title, app.cofunding_source, app.requested_amount) == ("Titre", "Fonds propres", Decimal("2000"))
    line = app.budget_lines.get()
    application_section_save(application=app, actor=applicant, section="budget", data={
        "lines": [_line(category, quantity="3", pk=line.pk), _line(category, "Transport", "1", "500")]})
    app.refresh_from_db()
    assert app.requested_amount == Decimal("3500")
    application_section_save(application=app, actor=applicant, section="budget",
                             data={"lines": [{"id": line.pk, "delete": True}]})
    assert list(app.budget_lines.values_list("description", flat=True)) == ["Transport"]
    assert AuditEvent.objects.filter(action="application.section_saved", target_id=str(app.pk)).count() == 3


@pytest.mark.django_db
def test_section_data_cannot_reach_other_rows_or_workspaces(world_a, world_b):
    from grants.services.applications import application_section_save
    from tests.factories import RegionFactory
    from tests.grants.factories import ApplicationFactory, BudgetCategoryFactory, BudgetLineFactory

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    applicant = world_a.actor(Role.APPLICANT)
    other_line = BudgetLineFactory(tenant=world_a.tenant)
    cases = [
        ("budget", {"lines": [_line(BudgetCategoryFactory(tenant=world_a.tenant), pk=other_line.pk)]}),
        ("budget", {"lines": [_line(BudgetCategoryFactory(tenant=world_b.tenant))]}),
        ("location", {"regions": [RegionFactory(tenant=world_b.tenant)]}),
    ]
    for section, data in cases:
        with pytest.raises(Refused) as excinfo:
            application_section_save(application=app, actor=applicant, section=section, data=data)
        assert excinfo.value.forbidden
    assert not app.budget_lines.exists() and not app.regions.exists()
    other_line.refresh_from_db()
    assert other_line.application_id != app.pk


@pytest.mark.django_db
def test_more_rows_than_the_cap_are_refused_by_the_service(world_a):
    from grants.sections import MAX_ROWS
    from grants.services.applications import application_section_save
    from tests.grants.factories import ApplicationFactory

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    rows = [{"id": None, "delete": False, "activity": f"A{i}", "start_month": 1, "end_month": 2}
            for i in range(MAX_ROWS["timeline"] + 1)]
    with pytest.raises(Refused):
        application_section_save(application=app, actor=world_a.actor(Role.APPLICANT), section="activities",
                                 data={"timeline": rows})
    assert not app.timeline.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER, Role.FINANCE, Role.TRAINER])
def test_only_the_applicant_organisation_saves_sections(world_a, role):
    from grants.services.applications import application_section_save
    from tests.grants.factories import ApplicationFactory

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="Titre")
    with pytest.raises(Refused) as excinfo:
        application_section_save(application=app, actor=world_a.actor(role), section="project",
                                 data={"title": "Changé"})
    assert excinfo.value.forbidden
    app.refresh_from_db()
    assert app.title == "Titre"


@pytest.mark.django_db
def test_a_section_saved_from_a_stale_version_is_refused_and_writes_nothing(world_a):
    from grants.models import Application
    from grants.services.applications import application_section_save
    from relais.concurrency import Stale
    from tests.grants.factories import ApplicationFactory

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="", summary="")
    applicant = world_a.actor(Role.APPLICANT)
    first, second = Application.objects.get(pk=app.pk), Application.objects.get(pk=app.pk)
    application_section_save(application=first, actor=applicant, section="project",
                             data={"summary": "Résumé"}, expected_version=1)
    with pytest.raises(Stale):
        application_section_save(application=second, actor=applicant, section="project",
                                 data={"title": "Titre", "summary": ""}, expected_version=1)
    app.refresh_from_db()
    assert (app.title, app.summary, app.version) == ("", "Résumé", 2)
    assert AuditEvent.objects.filter(action="application.section_saved").count() == 1
