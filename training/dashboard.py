"""Navigation for training sessions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from relais.dashboard import dashboard_panel, nav_entry
from relais.models import Role

from . import selectors
from .models import SessionStatus

nav_entry(roles=[Role.MANAGER, Role.TRAINER, Role.APPLICANT], label=_("Training"),
          url_name="training:session_list", order=60)


@dashboard_panel(roles=[Role.TRAINER], template="training/panels/trainer.html", order=20)
def trainer_panel(request: Any) -> dict[str, Any]:
    """The trainer's next sessions (planned or held), soonest first."""
    sessions = selectors.session_list(actor=request.actor).filter(
        status__in=[SessionStatus.PLANNED, SessionStatus.HELD]).order_by("start_date", "id")
    return {"sessions": list(sessions[:8])}

nav_entry(roles=[Role.MANAGER], label=_("Training reach"), url_name="training:reach", order=61)
