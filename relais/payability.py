"""Whether money may go to an organisation: named checks that the registry answers, asked by payments.

Only orgs knows due diligence, sanctions screening and verified payment details; only grants moves
money. orgs registers its answers here from its `AppConfig.ready()` and grants asks
`organisation_check(DUE_DILIGENCE, actor=…, organisation=…, today=…)`; neither imports the other.
A check nobody registered refuses: money never goes on a question nobody answered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .actor import Actor
from .permissions import Decision, deny

DUE_DILIGENCE = "due_diligence"  # fn(*, actor, organisation, today) -> Decision: file complete, nothing expired
SCREENING = "screening"  # sanctions screening clear, recent, of the names it holds now
PAYMENT_DETAILS = "payment_details"  # details exist and were verified by a second finance member

Check = Callable[..., Decision]
_CHECKS: dict[str, Check] = {}


def register_organisation_check(name: str, check: Check) -> None:
    _CHECKS[name] = check


def organisation_check(name: str, *, actor: Actor, organisation: Any, today: date) -> Decision:
    check = _CHECKS.get(name)
    if check is None:
        return deny(_("This check is not available in this installation; nothing can be paid on it."))
    return check(actor=actor, organisation=organisation, today=today)


# --- several organisations at once (lists: the finance page, the dashboard) -----------------------
# fn(*, actor, organisations, today) -> {organisation pk: Decision}, in a few queries whatever their
# number. A check registered without one is asked organisation by organisation.
ManyCheck = Callable[..., dict[int, Decision]]
_MANY_CHECKS: dict[str, ManyCheck] = {}


def register_organisation_checks_many(name: str, check: ManyCheck) -> None:
    _MANY_CHECKS[name] = check


def organisation_checks(name: str, *, actor: Actor, organisations: Iterable[Any], today: date) -> dict[int, Decision]:
    """The answers of ``organisation_check`` for several organisations, keyed by their pk."""
    unique = list({organisation.pk: organisation for organisation in organisations}.values())
    if not unique:
        return {}
    many = _MANY_CHECKS.get(name)
    if many is not None and name in _CHECKS:
        return many(actor=actor, organisations=unique, today=today)
    return {o.pk: organisation_check(name, actor=actor, organisation=o, today=today) for o in unique}


# --- several checks at once ------------------------------------------------------------------------
# fn(*, names, actor, organisations, today) -> {name: {organisation pk: Decision}} for the checks in ``names``
# (two or more of those it was registered for): an app whose checks read the same rows answers them together
# (orgs: due diligence and screening, one statement for a page of CSOs).
JointCheck = Callable[..., dict[str, dict[int, Decision]]]
_JOINT_CHECKS: dict[frozenset[str], JointCheck] = {}


def register_organisation_checks_joint(names: Collection[str], check: JointCheck) -> None:
    _JOINT_CHECKS[frozenset(names)] = check


def organisation_checks_of(names: Iterable[str], *, actor: Actor, organisations: Iterable[Any],
                           today: date) -> dict[str, dict[int, Decision]]:
    """``organisation_checks`` of each name, keyed by name: the checks a joint answer was registered for are
    asked together (one call for two or more of them), the others one name at a time."""
    unique = list({organisation.pk: organisation for organisation in organisations}.values())
    wanted = list(dict.fromkeys(names))
    answers: dict[str, dict[int, Decision]] = {}
    if unique:
        for joint, check in _JOINT_CHECKS.items():
            together = [name for name in wanted if name in joint and name in _CHECKS and name not in answers]
            if len(together) > 1:
                answers.update(check(names=together, actor=actor, organisations=unique, today=today))
    for name in wanted:
        if name not in answers:
            answers[name] = organisation_checks(name, actor=actor, organisations=unique, today=today)
    return answers
