"""Whether money may go to an organisation: named checks that the registry answers, asked by payments.

Only orgs knows due diligence, sanctions screening and verified payment details; only grants moves
money. orgs registers its answers here from its `AppConfig.ready()` and grants asks
`organisation_check(DUE_DILIGENCE, actor=…, organisation=…, today=…)`; neither imports the other.
A check nobody registered refuses: money never goes on a question nobody answered.
"""

from __future__ import annotations

from collections.abc import Callable
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
