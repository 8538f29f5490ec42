"""The kernel's workflow engine, walked for every registered table, every role and every pair of states."""

from __future__ import annotations

import pytest
from django.apps import apps

from relais.actor import SYSTEM, Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from relais.workflow import registered_machines, transition
from tests.harness import factories_by_model

apps.get_app_configs()  # the registries fill when the apps are ready


def _cases():
    for machine in registered_machines():
        states = machine.states.values
        for role in [*Role.values, SYSTEM]:
            for source in states:
                for target in states:
                    yield pytest.param(machine.name, role, source, target,
                                       id=f"{machine.name}-{role}-{source}-{target}")


def _machine(name):
    return next(m for m in registered_machines() if m.name == name)


def test_every_state_machine_is_registered():
    names = {machine.name for machine in registered_machines()}
    assert {"organisation", "join_request", "payment_details"} <= names


@pytest.mark.parametrize(("name", "role", "source", "target"), list(_cases()))
def test_engine_walks_every_table(world_a, name, role, source, target):
    machine = _machine(name)
    factory = factories_by_model()[machine.model]
    obj = factory(tenant=world_a.tenant, **{machine.state_field: source})
    actor = Actor.system(world_a.tenant) if role == SYSTEM else Actor.of(world_a.members[role])
    row = machine.find(source, target, actor.role)
    allowed = row is not None and machine.role_allows(row, actor, obj)
    try:
        transition(machine, obj=obj, target=target, actor=actor, reason="Motif vérifié")
    except Refused as exc:
        obj.refresh_from_db()
        assert getattr(obj, machine.state_field) == source
        assert not AuditEvent.objects.filter(target_id=str(obj.pk), action__startswith=f"{name}.").exists()
        if allowed:  # only a requirement of the row may refuse an allowed role
            assert row.requires and not exc.forbidden, exc.messages
        else:
            assert exc.messages
    else:
        assert allowed
        obj.refresh_from_db()
        assert getattr(obj, machine.state_field) == target
        event = AuditEvent.objects.get(target_id=str(obj.pk), action=f"{name}.{row.action}")
        assert event.before == {machine.state_field: source}
        assert event.after[machine.state_field] == target


def test_a_reason_is_required_where_the_table_says_so(world_a):
    machine = _machine("organisation")
    factory = factories_by_model()[machine.model]
    obj = factory(tenant=world_a.tenant, status="verified")
    with pytest.raises(Refused) as caught:
        transition(machine, obj=obj, target="suspended", actor=Actor.of(world_a.members[Role.MANAGER]), reason=" ")
    assert caught.value.messages
    obj.refresh_from_db()
    assert obj.status == "verified"


def test_an_actor_of_another_tenant_cannot_move_the_row(world_a, world_b):
    machine = _machine("organisation")
    obj = factories_by_model()[machine.model](tenant=world_a.tenant, status="pending")
    with pytest.raises(machine.model.DoesNotExist):
        transition(machine, obj=obj, target="verified", actor=Actor.of(world_b.members[Role.MANAGER]))
    obj.refresh_from_db()
    assert obj.status == "pending"
