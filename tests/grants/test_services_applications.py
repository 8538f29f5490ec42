"""grants.services.applications: creating an application, saving sections, the decision amounts."""

from __future__ import annotations

import pytest

from grants.models import ApplicationStatus
from relais.actor import Actor
from relais.errors import Refused
from relais.models import Role
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
    from tests.grants.factories import CallFactory

    world_a.organisation.status = "suspended"
    world_a.organisation.save()
    call = CallFactory(tenant=world_a.tenant)
    with pytest.raises(Refused, match="suspend"):
        application_create(call=call, actor=world_a.actor(Role.APPLICANT))
