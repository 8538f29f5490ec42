"""The one workflow engine. Every state machine is a table of transitions registered here.

A row says: from which state, to which state, which roles may take it, what it
requires (functions returning readable problems), and which action name the
audit trail records. `transition(...)` is the only code that assigns `status`:
it locks the row, checks the table, the role and the requirements, sets the
state, lets the caller's `apply` write the fields that go with it, audits
`"<machine>.<action>"` with before and after, and schedules effects on commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from .actor import Actor
from .audit import audit_record
from .errors import Refused

M = TypeVar("M", bound=models.Model)
Requirement = Callable[[Any, dict[str, Any]], list[str]]


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[str]
    action: str
    label: Any = ""
    requires: tuple[Requirement, ...] = field(default=())
    reason_required: bool = False


@dataclass(frozen=True)
class StateMachine(Generic[M]):
    """A registered table. `may_act(actor, obj)` adds the object-level rule (e.g. own organisation)."""

    name: str  # audit prefix: "application" gives "application.submit"
    model: type[M]
    states: Any  # the TextChoices of the status field
    transitions: tuple[Transition, ...]
    may_act: Callable[[Actor, M], Any] | None = None  # a bool, or a Decision whose reason the refusal shows
    state_field: str = "status"
    # Readable refusals, with %(source)s / %(target)s and %(step)s; defaults below.
    wrong_step_message: Any = None
    role_message: Any = None

    def find(self, source: str, target: str, role: str | None = None) -> Transition | None:
        """The row from `source` to `target`; where several exist, the one open to `role`."""
        rows = [row for row in self.transitions if row.source == source and row.target == target]
        for row in rows:
            if role in row.roles:
                return row
        return rows[0] if rows else None

    def from_state(self, source: str) -> list[Transition]:
        return [row for row in self.transitions if row.source == source]

    def role_allows(self, row: Transition, actor: Actor, obj: M) -> bool:
        if actor.tenant.pk != getattr(obj, "tenant_id", actor.tenant.pk):
            return False
        if actor.role not in row.roles:
            return False
        return actor.is_system or self.may_act is None or self.may_act(actor, obj)

    def refusal(self, row: Transition, actor: Actor, obj: M) -> str:
        """Why `role_allows` said no: the reason of `may_act` when it gives one (a Decision, e.g. a
        conflict of interest), otherwise the table's role message."""
        if actor.role in row.roles and not actor.is_system and self.may_act is not None:
            verdict: Any = self.may_act(actor, obj)
            reason = getattr(verdict, "reason", None)
            if not verdict and reason:
                return str(reason)
        message = self.role_message or _("Your role does not allow this step (%(step)s).")
        return str(message) % {"step": row.label or row.action}

    def available(self, actor: Actor, obj: M) -> list[Transition]:
        """The steps this actor may try from the object's state (requirements are checked on the attempt)."""
        source = getattr(obj, self.state_field)
        return [row for row in self.from_state(source) if self.role_allows(row, actor, obj)]

    def state_label(self, value: str) -> str:
        try:
            return str(self.states(value).label)
        except ValueError:
            return value


_MACHINES: dict[str, StateMachine] = {}


def register(machine: StateMachine[M]) -> StateMachine[M]:
    if machine.name in _MACHINES and _MACHINES[machine.name] is not machine:
        raise ValueError(f"A state machine named {machine.name!r} is already registered.")
    for row in machine.transitions:
        for state in (row.source, row.target):
            if state not in machine.states.values:
                raise ValueError(f"{machine.name}: {state!r} is not a state of {machine.states.__name__}.")
    _MACHINES[machine.name] = machine
    return machine


def registered_machines() -> list[StateMachine]:
    return list(_MACHINES.values())


def reason_given(obj: Any, ctx: dict[str, Any]) -> list[str]:
    return [] if (ctx.get("reason") or "").strip() else [_("Please give the reason for this change of status.")]


def transition(
    machine: StateMachine[M],
    *,
    obj: M,
    target: str,
    actor: Actor,
    reason: str = "",
    context: dict[str, Any] | None = None,
    apply: Callable[[M, dict[str, Any]], dict[str, Any] | None] | None = None,
    on_commit: Iterable[Callable[[M], None]] = (),
    lock_related: Iterable[str] = (),
) -> M:
    """Take one step of `machine` on `obj`, or raise `Refused` with every reason.

    `apply(locked_obj, ctx)` writes the fields that go with the step (never the
    state) and returns extra audit `after` values. `on_commit` callbacks get the
    saved object once the transaction commits.
    """
    state_field = machine.state_field
    with transaction.atomic():
        query = machine.model._default_manager.select_for_update(of=("self",))
        if lock_related:
            query = query.select_related(*lock_related)
        locked = query.get(pk=obj.pk, tenant_id=actor.tenant.pk)
        source = getattr(locked, state_field)
        row = machine.find(source, target, actor.role)
        if row is None:
            message = machine.wrong_step_message or _("“%(source)s” cannot become “%(target)s”.")
            raise Refused(str(message) % {"source": machine.state_label(source),
                                          "target": machine.state_label(target)})
        if not machine.role_allows(row, actor, locked):
            raise Refused(machine.refusal(row, actor, locked), forbidden=True)
        reason = (reason or "").strip()
        ctx: dict[str, Any] = {"reason": reason, "actor": actor, "system": actor.is_system, **(context or {})}
        requirements = ((reason_given,) if row.reason_required else ()) + row.requires
        problems = [problem for requirement in requirements for problem in requirement(locked, ctx)]
        if problems:
            raise Refused(problems)
        before = {state_field: source}
        setattr(locked, state_field, target)
        extra = apply(locked, ctx) if apply is not None else None
        locked.save()
        after: dict[str, Any] = {state_field: target}
        if reason:
            after["reason"] = reason
        after.update(extra or {})
        audit_record(tenant=actor.tenant, actor=actor.user, action=f"{machine.name}.{row.action}", target=locked,
                     before=before, after=after)
        for callback in on_commit:
            transaction.on_commit(partial(callback, locked))
    setattr(obj, state_field, target)
    return locked

