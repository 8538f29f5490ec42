"""Awards: made on approval, their terms set before signature, then the agreement's steps.

The agreement's document and signatures are grants.services.agreements; money is
grants.services.disbursements. Every step goes through the award table (grants.workflow.AWARD).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused
from relais.models import Tenant
from relais.money import quantize
from relais.permissions import require
from relais.workflow import transition

from ..conditions import default_conditions
from ..models import Application, ApplicationStatus, Award, AwardBudgetLine, AwardStatus, GrantSettings, Tranche
from ..permissions import can_manage_award
from ..tranches import split_amount
from ..workflow import AWARD
from .common import same_tenant


def grant_settings(tenant: Tenant) -> GrantSettings:
    """The workspace's award and payment rules, to read: its row, or the defaults (unsaved) when it has none,
    so reading never writes (a GET stays safe)."""
    return GrantSettings.objects.filter(tenant=tenant).first() or GrantSettings(tenant=tenant)


def grant_settings_row(tenant: Tenant) -> GrantSettings:
    """The workspace's settings row, made with the defaults on first use: for writers only."""
    settings, _created = GrantSettings.objects.get_or_create(tenant=tenant)
    return settings


def award_create(*, application: Application, actor: Actor) -> Award:
    """The award of an approved application: its amount, the application's budget lines and dates, and
    tranches split by the workspace's default plan, each with the default conditions. Called by the
    approval in its transaction; a second call returns the existing award."""
    same_tenant(actor, application)
    existing = Award.objects.filter(tenant=actor.tenant, application=application).first()
    if existing is not None:
        return existing
    if application.status != ApplicationStatus.APPROVED or application.awarded_amount is None:
        raise ValueError("Only an approved application with an awarded amount gets an award.")
    currency = application.call.currency
    amount = quantize(application.awarded_amount, currency)
    with transaction.atomic():
        if not application.reference:  # approved without a submission (imports, tests): it gets one now
            from .applications import allocate_reference

            application.reference = allocate_reference(application)
            application.save(update_fields=["reference"])
        award = Award.objects.create(
            tenant=actor.tenant, application=application, call_id=application.call_id,
            organisation_id=application.organisation_id, reference=application.reference,
            title=application.title or application.reference, amount=amount, currency=currency,
            start_date=application.start_date, end_date=application.end_date, created_by=actor.user,
        )
        lines = [
            AwardBudgetLine(tenant=actor.tenant, award=award, category_id=line.category_id,
                            description=line.description, amount=line.total_in(currency))
            for line in application.budget_lines.all() if line.total_in(currency) > 0
        ]
        AwardBudgetLine.objects.bulk_create(lines)
        plan = grant_settings(actor.tenant).tranche_plan
        tranches_replace(award=award, amounts=split_amount(amount, plan, currency), tenant=actor.tenant)
        from .reports import report_schedule_rebuild  # reports follow the tranches

        report_schedule_rebuild(award=award, actor=actor)
        audit_record(tenant=actor.tenant, actor=actor.user, action="award.create", target=award,
                     after={"amount": amount, "currency": currency, "application": application.reference,
                            "tranches": [str(t.amount) for t in award.tranches.all()]})
    return award


def tranches_replace(*, award: Award, amounts: list[Decimal], tenant: Tenant,
                     due_dates: list[Any] | None = None, conditions: list[list[str]] | None = None) -> list[Tranche]:
    """Write the tranche plan of an award that has no payment yet (callers hold the award's lock and
    have checked that its terms may change)."""
    if award.tranches.exclude(committed=0).exists():
        raise ValueError("A tranche with payments is never replaced.")
    award.tranches.all().delete()
    rows = [
        Tranche(tenant=tenant, award=award, number=number, amount=amount,
                due_date=(due_dates[number - 1] if due_dates else None),
                conditions=(conditions[number - 1] if conditions else default_conditions(number)))
        for number, amount in enumerate(amounts, start=1)
    ]
    return Tranche.objects.bulk_create(rows)


def award_transition(*, award: Award, actor: Actor, target: str, reason: str = "",
                     context: dict[str, Any] | None = None, apply: Any = None, on_commit: Any = ()) -> Award:
    """Take a step of the award table (the engine checks role, conflict of interest and requirements)
    and write the fields that go with it: signature and countersignature times, the end reason."""

    def write(locked: Award, ctx: dict[str, Any]) -> dict[str, Any] | None:
        now = timezone.now()
        if target == AwardStatus.SIGNED:
            locked.signed_at = now
        elif target == AwardStatus.ACTIVE:
            locked.countersigned_at, locked.countersigned_by = now, actor.user
        elif target in (AwardStatus.CLOSED, AwardStatus.TERMINATED):
            locked.end_reason = ctx["reason"]
        return apply(locked, ctx) if apply is not None else None

    same_tenant(actor, award)
    return transition(AWARD, obj=award, target=target, actor=actor, reason=reason, context=context,
                      apply=write, on_commit=on_commit)


def tranche_cancel(*, tranche: Tranche, actor: Actor, reason: str) -> Tranche:
    """Cancel a tranche that will not be paid (the project ended early, an amount was saved): only while nothing
    is committed on it, with a reason, by a manager not linked to the grantee. Its amount stays awarded but no
    longer payable; the award can then close once its other tranches are paid."""
    require(can_manage_award(actor, tranche.award))
    same_tenant(actor, tranche)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give the reason for cancelling the tranche."))
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=tranche.award_id, tenant=actor.tenant)
        locked = Tranche.objects.select_for_update().get(pk=tranche.pk, award=award)
        if award.status not in (AwardStatus.ACTIVE, AwardStatus.SIGNED, AwardStatus.ISSUED):
            raise Refused(_("Only the tranches of an award under way can be cancelled; change the terms of a "
                            "drafted award instead."))
        if locked.cancelled_at is not None:
            raise Refused(_("This tranche is already cancelled."))
        if locked.committed:
            raise Refused(_("Payments were recorded on this tranche: reverse or refuse them first."))
        locked.cancelled_at, locked.cancel_reason = timezone.now(), reason
        locked.save(update_fields=["cancelled_at", "cancel_reason"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="award.tranche_cancelled", target=award,
                     before={"tranche": locked.number}, after={"tranche": locked.number, "reason": reason,
                                                              "amount": locked.amount})
    return locked
