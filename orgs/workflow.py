"""State tables for orgs, registered with the kernel's workflow engine. Data, so tests walk every row."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relais.actor import SYSTEM
from relais.models import Role
from relais.workflow import StateMachine, Transition, register

from .models import Organisation, OrganisationStatus

S = OrganisationStatus
M = frozenset({Role.MANAGER})

ORGANISATION = register(StateMachine(
    name="organisation",
    model=Organisation,
    states=OrganisationStatus,
    transitions=(
        Transition(S.PENDING, S.VERIFIED, M, "verify", _("Verify")),
        Transition(S.PENDING, S.SUSPENDED, M, "suspend", _("Suspend"), reason_required=True),
        Transition(S.VERIFIED, S.SUSPENDED, M, "suspend", _("Suspend"), reason_required=True),
        # Reinstating a suspended CSO is a decision too: say why.
        Transition(S.SUSPENDED, S.VERIFIED, M, "reinstate", _("Reinstate"), reason_required=True),
        # A confirmed sanctions match suspends the CSO, whatever its state (the screening decision is audited too).
        Transition(S.PENDING, S.SUSPENDED, frozenset({SYSTEM}), "suspend_sanctions_match", _("Suspend"),
                   reason_required=True),
        Transition(S.VERIFIED, S.SUSPENDED, frozenset({SYSTEM}), "suspend_sanctions_match", _("Suspend"),
                   reason_required=True),
    ),
    wrong_step_message=_("An organisation cannot go from « %(source)s » to « %(target)s »."),
    role_message=_("Only a programme manager can change an organisation's status."),
))
