"""The kernel's workflow engine, walked for every registered table, every role and every pair of states."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction

from relais.actor import SYSTEM, Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from relais.workflow import registered_machines, transition
from tests.harness import factories_by_model

apps.get_app_configs()  # the registries fill when the apps are ready


def _cases():
    for machine in registered_machines():
        for role in [*Role.values, SYSTEM]:
            yield pytest.param(machine.name, role, id=f"{machine.name}-{role}")


def _machine(name):
    return next(m for m in registered_machines() if m.name == name)


def test_every_state_machine_is_registered():
    names = {machine.name for machine in registered_machines()}
    assert {"organisation", "join_request", "payment_details"} <= names


def _walk_one(machine, actor, factory, tenant, source, target) -> str | None:
    """Try source -> target as `actor`; the problem found, or None. Runs inside a savepoint."""
    obj = factory(tenant=tenant, **{machine.state_field: source})
    row = machine.find(source, target, actor.role)
    allowed = row is not None and machine.role_allows(row, actor, obj)
    try:
        transition(machine, obj=obj, target=target, actor=actor, reason="Motif vérifié")
    except Refused as exc:
        obj.refresh_from_db()
        if getattr(obj, machine.state_field) != source:
            return "refused, but the state changed"
        if AuditEvent.objects.filter(target_id=str(obj.pk), action__startswith=f"{machine.name}.").exists():
            return "refused, but audited"
        if allowed and (not row.requires or exc.forbidden):  # only a requirement may refuse an allowed role
            return f"refused for an allowed role: {exc.messages}"
        if not exc.messages:
            return "refused without a reason"
        return None
    if not allowed:
        return "taken although the table does not allow it"
    obj.refresh_from_db()
    if getattr(obj, machine.state_field) != target:
        return "taken, but the state did not change"
    event = AuditEvent.objects.filter(target_id=str(obj.pk), action=f"{machine.name}.{row.action}").first()
    if event is None or event.before != {machine.state_field: source} or event.after[machine.state_field] != target:
        return "taken, but not audited with before and after"
    return None


@pytest.mark.parametrize(("name", "role"), list(_cases()))
def test_engine_walks_every_table(world_a, name, role):
    """Every pair of states of every registered table, for this role: the engine takes exactly the
    steps the table allows (or refuses them for a requirement, with a reason), and audits them."""
    machine = _machine(name)
    factory = factories_by_model()[machine.model]
    actor = Actor.system(world_a.tenant) if role == SYSTEM else Actor.of(world_a.members[role])
    problems = []
    for source in machine.states.values:
        for target in machine.states.values:
            with transaction.atomic():  # each pair starts from the same database
                problem = _walk_one(machine, actor, factory, world_a.tenant, source, target)
                transaction.set_rollback(True)
            if problem:
                problems.append(f"{source} -> {target}: {problem}")
    assert problems == []


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
