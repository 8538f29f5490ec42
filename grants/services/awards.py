"""Awards: made on approval, their terms set before signature, then the agreement's steps.

The agreement's document and signatures are grants.services.agreements; money is
grants.services.disbursements. Every step goes through the award table (grants.workflow.AWARD).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from relais.actor import Actor
from relais.audit import audit_record
from relais.models import Tenant
from relais.money import quantize
from relais.workflow import transition

from ..conditions import default_conditions
from ..models import Application, ApplicationStatus, Award, AwardBudgetLine, AwardStatus, GrantSettings, Tranche
from ..tranches import split_amount
from ..workflow import AWARD
from .common import same_tenant


def grant_settings(tenant: Tenant) -> GrantSettings:
    """The workspace's award and payment rules (made with the defaults on first use)."""
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
        award = Award.objects.create(
            tenant=actor.tenant, application=application, call_id=application.call_id,
            organisation_id=application.organisation_id,
            # An application approved without a reference (seeded or imported data) must not collide with
            # the next one on the award's unique (tenant, reference).
            reference=application.reference or f"AW-{application.pk}",
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
