"""Dashboard panels about awards and money (imported by grants.dashboard): finance's payments to approve,
tranches ready to pay and payments in progress; a manager's agreements to issue or countersign; the
grantee's awards. Each panel reads a few rows whatever the number of awards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from relais.dashboard import dashboard_panel
from relais.models import Role

from .models import AwardStatus
from .selectors import finance as finance_selectors

if TYPE_CHECKING:  # pragma: no cover - typing only
    from relais.http import TenantRequest

PANEL_ROWS = 5
TRANCHES_EVALUATED = 10  # the soonest-due tranches whose conditions the panel evaluates


def _first(rows: Any, n: int = PANEL_ROWS) -> tuple[list[Any], bool]:
    chunk = list(rows[:n + 1])
    return chunk[:n], len(chunk) > n


@dashboard_panel(roles=[Role.FINANCE], template="grants/panels/finance.html", order=20)
def finance_panel(request: TenantRequest) -> dict[str, Any]:
    actor = request.actor
    awaiting, more_awaiting = _first(finance_selectors.awaiting_approval(actor=actor, exclude_mine=True))
    processing, more_processing = _first(finance_selectors.processing_payments(actor=actor))
    candidates = finance_selectors.first_tranches_to_pay(actor=actor, n=TRANCHES_EVALUATED)
    evaluated = finance_selectors.with_conditions(candidates, actor=actor, today=timezone.localdate())
    ready = [row for row in evaluated if row.ready]
    return {
        "awaiting": awaiting, "more_awaiting": more_awaiting,
        "processing": processing, "more_processing": more_processing,
        "ready": ready[:PANEL_ROWS], "blocked": len(evaluated) - len(ready),
    }


@dashboard_panel(roles=[Role.MANAGER], template="grants/panels/agreements.html", order=25)
def agreements_panel(request: TenantRequest) -> dict[str, Any] | None:
    awards, more = _first(finance_selectors.agreements_to_handle(actor=request.actor), 8)
    if not awards:
        return None
    return {"to_issue": [a for a in awards if a.status == AwardStatus.DRAFTED],
            "to_countersign": [a for a in awards if a.status == AwardStatus.SIGNED], "more": more}


def next_step_for_grantee(award: Any) -> str:
    return str({
        AwardStatus.DRAFTED: _("The team is preparing your agreement."),
        AwardStatus.ISSUED: _("Your agreement is ready: read it and sign it."),
        AwardStatus.SIGNED: _("Signed: the programme will countersign it."),
        AwardStatus.ACTIVE: _("Active: each tranche is paid once its conditions are met."),
        AwardStatus.CLOSED: _("Closed."),
        AwardStatus.TERMINATED: _("Terminated: the reason is on the award's page."),
    }.get(award.status, ""))


@dashboard_panel(roles=[Role.APPLICANT], template="grants/panels/grantee.html", order=15)
def grantee_panel(request: TenantRequest) -> dict[str, Any] | None:
    awards, more = _first(finance_selectors.applicant_awards(actor=request.actor))
    if not awards:
        return None
    payments = finance_selectors.last_payments(awards)
    return {"awards": [(award, next_step_for_grantee(award), payments.get(award.pk)) for award in awards],
            "more": more}
