"""Progress reports: the schedule of an award, the grantee's drafts, submission and the manager's review.

Approving report N satisfies the condition "previous report approved" on the tranche it gates
(grants.reporting.previous_report_approved): finance sees that tranche become ready.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.money import minor_unit_problem, quantize
from relais.workflow import transition

from ..models import (
    NARRATIVE_SECTIONS,
    Award,
    AwardBudgetLine,
    AwardStatus,
    Indicator,
    IndicatorValue,
    ProgressReport,
    ReportExpense,
    ReportStatus,
    ReportVersion,
    Tranche,
)
from ..reporting import plan_schedule
from ..workflow import REPORT
from .common import same_tenant

P = ReportStatus
SENSITIVE = "safety_incidents"


def report_schedule_rebuild(*, award: Award, actor: Actor) -> list[ProgressReport]:
    """(Re)plan the award's reports from its tranches and period. Reports already written on (submitted,
    approved, or a draft with text) are kept; untouched drafts are replanned. Called when the award is made
    and when its terms change before signature."""
    same_tenant(actor, award)
    today = timezone.localdate()
    tranches = list(Tranche.objects.filter(tenant_id=award.tenant_id, award=award, cancelled_at__isnull=True))
    with transaction.atomic():
        existing = list(ProgressReport.objects.select_for_update().filter(tenant_id=award.tenant_id, award=award))
        kept = [r for r in existing if r.status != P.DRAFT or any(getattr(r, f) for f in NARRATIVE_SECTIONS)
                or r.expenses.exists() or r.indicator_values.exists()]
        ProgressReport.objects.filter(pk__in=[r.pk for r in existing if r not in kept]).delete()
        taken = {r.number for r in kept}
        gated = {r.gates_tranche_id for r in kept}
        created = []
        for plan in plan_schedule(award, tranches, today=today):
            if plan.number in taken or (plan.gates_tranche is not None and plan.gates_tranche.pk in gated):
                continue
            created.append(ProgressReport.objects.create(
                tenant_id=award.tenant_id, award=award, number=plan.number, kind=plan.kind,
                gates_tranche=plan.gates_tranche, period_start=plan.period_start, period_end=plan.period_end,
                due_date=plan.due_date))
    return kept + created


def report_save(*, report: ProgressReport, actor: Actor, sections: dict[str, str] | None = None,
                values: dict[tuple[int, str, str], Decimal | None] | None = None,
                expenses: dict[int, tuple[Decimal | None, str]] | None = None,
                expected_version: int | None = None) -> ProgressReport:
    """Save what the grantee typed: narrative sections (and the sensitive one), indicator values keyed
    (indicator id, sex, age band) and expenses keyed by budget line id (amount, explanation). Only the
    grantee's applicants, only while the report is to write or changes were requested."""
    same_tenant(actor, report)
    from ..permissions import can_edit_report

    decision = can_edit_report(actor, report)
    if not decision:
        raise Refused(decision.reason, forbidden=True)
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().select_related("award").get(pk=report.pk,
                                                                                          tenant=actor.tenant)
        if not locked.is_editable:
            raise Refused(_("This report was submitted: it can no longer be changed."))
        if locked.award.status not in (AwardStatus.SIGNED, AwardStatus.ACTIVE):
            raise Refused(_("The award is “%(status)s”: reports are written once the agreement is signed.")
                          % {"status": locked.award.get_status_display()})
        claim_version(locked, expected=expected_version)
        changed: list[str] = []
        for name, text in (sections or {}).items():
            if name not in (*NARRATIVE_SECTIONS, SENSITIVE):
                raise ValueError(name)
            if getattr(locked, name) != text:
                setattr(locked, name, text)
                changed.append(name)
        if values is not None:
            _save_values(locked, values)
            changed.append("indicators")
        if expenses is not None:
            _save_expenses(locked, expenses)
            changed.append("expenses")
        locked.save()
        # The sensitive section's text never goes to the audit log: only that it changed.
        audit_record(tenant=actor.tenant, actor=actor.user, action="report.saved", target=locked,
                     after={"sections": changed})
    report.refresh_from_db()
    return locked


def _save_values(report: ProgressReport, values: dict[tuple[int, str, str], Decimal | None]) -> None:
    indicators = {i.pk: i for i in Indicator.objects.filter(tenant_id=report.tenant_id, is_active=True)}
    for (indicator_id, sex, age_band), value in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            raise Refused(_("This indicator does not exist in this workspace."))
        if value is not None and (not value.is_finite() or value < 0):
            raise Refused(_("Indicator values are numbers of zero or more."))
        if bool(sex or age_band) != indicator.by_sex_and_age:
            raise ValueError("sex/age band given for an indicator that does not take them (or the reverse)")
        rows = IndicatorValue.objects.filter(tenant_id=report.tenant_id, report=report, indicator=indicator, sex=sex,
                                             age_band=age_band)
        if value is None:
            rows.delete()
        elif not rows.update(value=value):
            IndicatorValue.objects.create(tenant_id=report.tenant_id, report=report, indicator=indicator, sex=sex,
                                          age_band=age_band, value=value)


def _save_expenses(report: ProgressReport, expenses: dict[int, tuple[Decimal | None, str]]) -> None:
    currency = report.award.currency
    lines = set(AwardBudgetLine.objects.filter(tenant_id=report.tenant_id, award_id=report.award_id)
                .values_list("pk", flat=True))
    for line_id, (amount, explanation) in expenses.items():
        if line_id not in lines:
            raise Refused(_("This budget line is not part of the award."))
        if amount is None:
            ReportExpense.objects.filter(tenant_id=report.tenant_id, report=report, budget_line_id=line_id).delete()
            continue
        problem = minor_unit_problem(amount, currency)
        if problem or amount < 0:
            raise Refused(problem or _("Amounts spent are zero or more."))
        ReportExpense.objects.update_or_create(
            tenant_id=report.tenant_id, report=report, budget_line_id=line_id,
            defaults={"amount": quantize(amount, currency), "explanation": (explanation or "").strip()})


def _snapshot(report: ProgressReport) -> dict[str, Any]:
    return {
        **{name: getattr(report, name) for name in (*NARRATIVE_SECTIONS, SENSITIVE)},
        "values": [[v.indicator_id, v.sex, v.age_band, str(v.value)] for v in report.indicator_values.all()],
        "expenses": [[e.budget_line_id, str(e.amount), e.explanation] for e in report.expenses.all()],
    }


def report_transition(*, report: ProgressReport, actor: Actor, target: str, reason: str = "",
                      comments: dict[str, str] | None = None) -> ProgressReport:
    """Submit / resubmit (a version is frozen), approve, or request changes with a message and comments per
    section. Each step's e-mail is queued by grants.services.emails_reports (managers on submission, the
    grantee on approval or a request for changes)."""
    same_tenant(actor, report)

    def apply(locked: ProgressReport, ctx: dict[str, Any]) -> dict[str, Any]:
        now = timezone.now()
        if target == P.SUBMITTED:
            locked.submitted_at, locked.submitted_by = now, actor.user
            number = locked.versions.count() + 1
            ReportVersion.objects.create(tenant_id=locked.tenant_id, report=locked, number=number,
                                         snapshot=_snapshot(locked), created_by=actor.user)
            locked.review_comments = {}
            return {"version": number}
        locked.decided_at, locked.decided_by = now, actor.user
        if target == P.CHANGES_REQUESTED:
            return {"sections": sorted(k for k, v in (locked.review_comments or {}).items() if v)}
        return {}

    from .emails_reports import EMAIL_ON_REPORT, report_email

    with transaction.atomic():
        if target == P.CHANGES_REQUESTED and comments is not None:
            locked = ProgressReport.objects.select_for_update().get(pk=report.pk, tenant=actor.tenant)
            if locked.status == P.SUBMITTED:
                locked.review_comments = {k: v.strip() for k, v in comments.items() if (v or "").strip()}
                locked.save(update_fields=["review_comments"])
                report.review_comments = locked.review_comments
        done = transition(REPORT, obj=report, target=target, actor=actor, reason=reason, apply=apply,
                          lock_related=("award",))
        # Stored in the outbox with the step; leaves after commit. Never the safety section.
        report_email(report=done, kind=EMAIL_ON_REPORT[target], actor=actor)
    report.refresh_from_db()
    return done
