"""What a tranche needs before money may go: a small, extensible list of conditions.

Each condition has a code (stored on the tranche), a label for people, and a check that returns
the reason it is not met (in the reader's language) or None. Features register their own:
the progress reports add "previous report approved". Unknown codes (a condition whose feature
was removed) block, with a reason, rather than letting money go.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.actor import Actor
from relais.payability import DUE_DILIGENCE, SCREENING, organisation_check, organisation_checks_of

if TYPE_CHECKING:
    from .models import Tranche

Check = Callable[["Tranche", Actor, date], str | None]
# The same check for several tranches at once: {tranche pk: problem or None}, in a few queries.
ManyCheck = Callable[[Sequence["Tranche"], Actor, date], dict[int, str | None]]


@dataclass(frozen=True)
class Condition:
    code: str
    label: Any
    check: Check
    default: bool = True  # part of every new tranche's conditions
    check_many: ManyCheck | None = None  # lists evaluate many tranches: without it, one by one
    # The relais.payability check of the award's organisation it is: in a list, such conditions are asked
    # together (the registry reads due diligence and screening of the same CSOs in one statement).
    organisation_check: str | None = None


_CONDITIONS: dict[str, Condition] = {}


def register_condition(condition: Condition) -> Condition:
    _CONDITIONS[condition.code] = condition
    return condition


def registered_conditions() -> list[Condition]:
    return list(_CONDITIONS.values())


def default_conditions(number: int) -> list[str]:
    """The conditions a new tranche starts with (the first tranche has no previous report)."""
    codes = [c.code for c in _CONDITIONS.values() if c.default]
    if number == 1:
        codes = [code for code in codes if code != "previous_report"]
    return codes


def condition_label(code: str) -> str:
    condition = _CONDITIONS.get(code)
    return str(condition.label) if condition else code


@dataclass(frozen=True)
class ConditionState:
    code: str
    label: str
    problem: str | None

    @property
    def met(self) -> bool:
        return self.problem is None


def _unknown_condition() -> str:
    return _("This condition is no longer known: remove it from the tranche or ask an administrator.")


def tranche_conditions(tranche: Tranche, *, actor: Actor, today: date) -> list[ConditionState]:
    """Every condition of the tranche with the reason it is not met (None when met)."""
    states = []
    for code in tranche.conditions or []:
        condition = _CONDITIONS.get(code)
        if condition is None:
            states.append(ConditionState(code, code, _unknown_condition()))
            continue
        states.append(ConditionState(code, str(condition.label), condition.check(tranche, actor, today)))
    return states


def tranche_conditions_many(tranches: Sequence[Tranche], *, actor: Actor,
                            today: date) -> dict[int, list[ConditionState]]:
    """tranche_conditions for the rows of a list (each tranche with its ``award`` and the award's
    ``organisation`` loaded): the conditions that can be asked in bulk cost the same queries for
    3 or 30 rows, the organisation checks (due diligence, screening) asked together."""
    answers: dict[str, dict[int, str | None]] = {}
    codes = {code for tranche in tranches for code in tranche.conditions or []}
    asked = {code: condition.organisation_check for code in codes
             if (condition := _CONDITIONS.get(code)) is not None and condition.organisation_check is not None}
    if asked:
        decisions = organisation_checks_of(asked.values(), actor=actor, today=today, organisations=[
            t.award.organisation for t in tranches if any(code in asked for code in t.conditions or [])])
        for code, name in asked.items():
            by_organisation = decisions[name]
            answers[code] = {t.pk: None if by_organisation[t.award.organisation_id]
                             else str(by_organisation[t.award.organisation_id].reason)
                             for t in tranches if code in (t.conditions or [])}
    for code in codes - asked.keys():
        condition = _CONDITIONS.get(code)
        if condition is not None and condition.check_many is not None:
            answers[code] = condition.check_many([t for t in tranches if code in (t.conditions or [])], actor, today)
    labels = {code: str(_CONDITIONS[code].label) for code in codes if code in _CONDITIONS}  # translated once
    result = {}
    for tranche in tranches:
        states = []
        for code in tranche.conditions or []:
            condition = _CONDITIONS.get(code)
            if condition is None:
                states.append(ConditionState(code, code, _unknown_condition()))
            elif code in answers:
                states.append(ConditionState(code, labels[code], answers[code].get(tranche.pk)))
            else:
                states.append(ConditionState(code, labels[code], condition.check(tranche, actor, today)))
        result[tranche.pk] = states
    return result


def tranche_problems(tranche: Tranche, *, actor: Actor, today: date) -> list[str]:
    return [f"{state.label} : {state.problem}" for state in tranche_conditions(tranche, actor=actor, today=today)
            if state.problem]


# --- the conditions grants knows ---------------------------------------------------

def _agreement_signed(tranche: Tranche, actor: Actor, today: date) -> str | None:
    from .models import AwardStatus

    if tranche.award.status in (AwardStatus.ACTIVE, AwardStatus.CLOSED):
        return None
    return _("The agreement is not signed by both parties yet.")


def _organisation_check(name: str) -> Check:
    def check(tranche: Tranche, actor: Actor, today: date) -> str | None:
        decision = organisation_check(name, actor=actor, organisation=tranche.award.organisation, today=today)
        return None if decision else str(decision.reason)

    return check


register_condition(Condition("agreement_signed", gettext_lazy("Agreement signed and countersigned"),
                             _agreement_signed))
register_condition(Condition("due_diligence", gettext_lazy("Due diligence complete"),
                             _organisation_check(DUE_DILIGENCE), organisation_check=DUE_DILIGENCE))
register_condition(Condition("screening", gettext_lazy("Sanctions screening clear and recent"),
                             _organisation_check(SCREENING), organisation_check=SCREENING))
