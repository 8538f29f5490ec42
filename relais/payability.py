"""Whether money may go to an organisation: named checks that the registry answers, asked by payments.

Only orgs knows due diligence, sanctions screening and verified payment details; only grants moves
money. orgs registers its answers here from its `AppConfig.ready()` and grants asks
`organisation_check(DUE_DILIGENCE, actor=…, organisation=…, today=…)`; neither imports the other.
A check nobody registered refuses: money never goes on a question nobody answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
