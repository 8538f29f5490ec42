"""The training session table: planned → held → closed, or cancelled with a reason."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relais.models import Role
from relais.workflow import StateMachine, Transition, register

from .models import SessionStatus, TrainingSession
from .permissions import session_may_act

S = SessionStatus
STAFF = frozenset({Role.MANAGER, Role.TRAINER})

SESSION = register(StateMachine(
    name="training_session",
    model=TrainingSession,
    states=SessionStatus,
    may_act=session_may_act,
    transitions=(
        Transition(S.PLANNED, S.HELD, STAFF, "held", _("Mark as held")),
        Transition(S.HELD, S.CLOSED, STAFF, "closed", _("Close the session")),
        Transition(S.HELD, S.PLANNED, STAFF, "reopened", _("Back to planned")),
        Transition(S.PLANNED, S.CANCELLED, STAFF, "cancelled", _("Cancel the session"), reason_required=True),
    ),
))
