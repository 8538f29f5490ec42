"""Disbursements: the only code that moves an award's money.

Rules that hold on every path:
- a payment is recorded by finance against a tranche of an active award whose conditions are met,
  to payment details a second finance member verified (manual rails) or an account the provider
  reaches (Stripe, HUB2), for at most what is left on the tranche and on the award;
- the award's row, then the tranche's row, are locked (`SELECT … FOR UPDATE`) before anything is
  read for the limit, in that order on every path, so concurrent payments queue instead of both
  passing; the tranche's and the award's `committed` / `paid` columns are rewritten in the same
  transaction and CHECK constraints refuse any value past the amount (the database re-checks);
- above the workspace's threshold a second finance member approves (grants.workflow.not_the_recorder);
- a paid payment writes a ledger entry, a reversal writes another; the ledger is never changed;
- every step is audited, and the grantee is told by e-mail (the outbox) when money is sent.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import PaymentDetails
from relais.actor import Actor
from relais.audit import audit_record
from relais.conflicts import conflict_of_interest
from relais.errors import Refused
from relais.money import format_money, minor_unit_problem, quantize
from relais.payability import PAYMENT_DETAILS, organisation_check
from relais.permissions import require
from relais.uploads import validate_upload
from relais.workflow import transition

from ..conditions import tranche_problems
from ..models import (
    AUTOMATED_RAILS,
    AWARD_PAYABLE_STATUSES,
    Award,
    Disbursement,
    DisbursementStatus,
    LedgerEntry,
    LedgerKind,
    Rail,
    Tranche,
)
from ..permissions import can_record_disbursement
from ..rails import provider_problems, rail_provider
from ..workflow import DISBURSEMENT
from .awards import grant_settings
from .common import same_tenant

D = DisbursementStatus


@dataclass(frozen=True)
class Conversion:
    """A payment sent in another currency than the award's: what was sent, the rate, its date and source.
    `rate` is units of the paid currency for one unit of the award's currency."""

    currency: str
    amount: Decimal
    rate: Decimal
    rate_date: date
    source: str


def approval_threshold(*, tenant: Any, currency: str) -> Decimal | None:
    """Above this amount a second finance member approves; None: every payment in that currency is approved."""
    raw = grant_settings(tenant).approval_thresholds.get(currency)
    if raw in (None, ""):
        return None
    return Decimal(str(raw))


def needs_second_approval(*, tenant: Any, currency: str, amount: Decimal) -> bool:
    threshold = approval_threshold(tenant=tenant, currency=currency)
    return threshold is None or amount > threshold


def _payee(award: Award, rail: str, operator: str) -> dict[str, Any]:
    """Where the money goes, as verified now: kept on the payment so later changes do not rewrite it."""
    provider = rail_provider(rail)
    if provider is not None:
        return provider.payee(award)
    if rail == Rail.CASH:
        return {"name": award.organisation.name}
    details = PaymentDetails.objects.filter(tenant_id=award.tenant_id, organisation_id=award.organisation_id).first()
    if details is None:
        return {}
    if rail == Rail.BANK:
        return {"bank": details.bank_name, "account": details.bank_account, "holder": details.bank_account_holder}
    return {"operator": operator or details.mobile_operator, "number": details.mobile_number,
            "holder": details.mobile_holder}


def _amount_problems(amount: Any, currency: str) -> list[str]:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return [_("Enter the amount as a number.")]
    if amount <= 0:
        return [_("The amount must be above zero.")]
    problem = minor_unit_problem(amount, currency)
    return [problem] if problem else []


# How far the amount sent may be from the award amount × the rate (the rate is rounded where it is quoted).
RATE_TOLERANCE = Decimal("0.01")


def _conversion_problems(conversion: Conversion | None, award: Award, amount: Any, today: date) -> list[str]:
    if conversion is None:
        return []
    problems = []
    if conversion.currency == award.currency:
        problems.append(_("The payment is in the award's currency: no exchange rate is needed."))
    rate_ok = isinstance(conversion.rate, Decimal) and conversion.rate.is_finite() and conversion.rate > 0
    if not rate_ok:
        problems.append(_("Enter the exchange rate used."))
    if not (conversion.source or "").strip():
        problems.append(_("Say where the exchange rate comes from (bank, BCEAO, provider…)."))
    if conversion.rate_date is None:
        problems.append(_("Enter the date of the exchange rate."))
    elif conversion.rate_date > today:
        problems.append(_("The date of the exchange rate is in the future."))
    amount_problems = _amount_problems(conversion.amount, conversion.currency)
    problems += amount_problems
    if rate_ok and not amount_problems and not _amount_problems(amount, award.currency):
        # Both amounts and the rate are kept: they must tell the same story.
        expected = quantize(amount * conversion.rate, conversion.currency)
        if abs(conversion.amount - expected) > expected * RATE_TOLERANCE:
            problems.append(_("At a rate of %(rate)s, %(amount)s makes %(expected)s, not %(paid)s: check the "
                              "amount sent or the rate.") % {
                "rate": conversion.rate.normalize(), "amount": format_money(amount, award.currency),
                "expected": format_money(expected, conversion.currency),
                "paid": format_money(conversion.amount, conversion.currency)})
    return problems


def _rail_details_problems(award: Award, rail: str) -> list[str]:
    """Verified details are not enough: they must hold the account of the chosen rail."""
    if rail not in (Rail.BANK, Rail.MOBILE_MONEY):
        return []
    details = PaymentDetails.objects.filter(tenant_id=award.tenant_id, organisation_id=award.organisation_id).first()
    if details is None:
        return []  # organisation_check(PAYMENT_DETAILS) says so
    if rail == Rail.BANK and not details.bank_account:
        return [_("The organisation's payment details have no bank account: choose another payment method.")]
    if rail == Rail.MOBILE_MONEY and not details.mobile_number:
        return [_("The organisation's payment details have no mobile money number: choose another payment "
                  "method.")]
    return []


def _lock(award_id: int, tranche_id: int, tenant: Any) -> tuple[Award, Tranche]:
    """The award's row, then the tranche's: the one lock order of every money path."""
    award = Award.objects.select_for_update().select_related("organisation").get(pk=award_id, tenant=tenant)
    tranche = Tranche.objects.select_for_update().get(pk=tranche_id, award_id=award.pk, tenant=tenant)
    tranche.award = award
    return award, tranche


def _add(award: Award, tranche: Tranche, *, committed: Decimal = Decimal(0), paid: Decimal = Decimal(0)) -> None:
    """Move the running totals of a locked award and tranche; the CHECK constraints refuse overflow."""
    for row in (award, tranche):
        row.committed += committed
        row.paid += paid
    try:
        with transaction.atomic():
            tranche.save(update_fields=["committed", "paid"])
            award.save(update_fields=["committed", "paid", "updated_at"])
    except IntegrityError as exc:  # only if a service check above were wrong: the database says no
        raise Refused(_("This payment would take the tranche or the award past its amount.")) from exc


def _ledger(disbursement: Disbursement, kind: str, actor: Actor, reason: str = "") -> LedgerEntry:
    return LedgerEntry.objects.create(
        tenant_id=disbursement.tenant_id, award_id=disbursement.award_id, tranche_id=disbursement.tranche_id,
        disbursement=disbursement, kind=kind, amount=disbursement.amount, currency=disbursement.currency,
        reason=reason, created_by=actor.user,
    )


def disbursement_record(
    *, tranche: Tranche, actor: Actor, rail: str, amount: Decimal, paid_on: date, reference: str = "",
    operator: str = "", conversion: Conversion | None = None, proof: IO[bytes] | None = None,
    proof_name: str = "", today: date | None = None, submission: str = "",
) -> Disbursement:
    """Record a payment of ``amount`` (in the award's currency) against ``tranche``, or refuse with every
    reason. Below the threshold a manual payment counts as paid at once and an automated one is sent
    after commit; above it, it waits for a second finance member.

    ``submission``: the form's one-time token. The same form posted twice (a double tap, a resent POST)
    returns the payment the first post recorded instead of paying twice."""
    require(can_record_disbursement(actor))
    same_tenant(actor, tranche)
    if rail not in Rail.values:
        raise Refused(_("Choose how the money is paid."))
    today = today or timezone.localdate()
    if proof is not None:
        validate_upload(proof)  # refused with the reason before anything is locked
    key = (f"relais-{actor.tenant.pk}-form-{submission}" if submission
           else f"relais-{actor.tenant.pk}-{secrets.token_hex(12)}")
    with transaction.atomic():
        award, tranche = _lock(tranche.award_id, tranche.pk, actor.tenant)
        require(conflict_of_interest(actor, award.organisation_id))
        if submission:  # read under the award's lock: a concurrent twin waits for the first and finds it
            already = Disbursement.objects.filter(tenant=actor.tenant, idempotency_key=key, award=award).first()
            if already is not None:
                return already
        problems = _amount_problems(amount, award.currency) + _conversion_problems(conversion, award, amount, today)
        if award.status not in AWARD_PAYABLE_STATUSES:
            problems.append(_("The award is “%(status)s”: payments start once the agreement is countersigned.")
                            % {"status": award.get_status_display()})
        if tranche.is_cancelled:
            problems.append(_("This tranche was cancelled."))
        if paid_on is None:
            problems.append(_("Enter the payment date."))
        elif paid_on > today:
            problems.append(_("The payment date is in the future."))
        if rail in AUTOMATED_RAILS:
            provider = rail_provider(rail)
            if provider is None or not provider.enabled(actor.tenant):
                problems.append(_("This payment method is not enabled for this workspace."))
            elif not problems:
                problems += provider_problems(rail, award=award, amount=amount, operator=operator)
        if rail != Rail.CASH and rail not in AUTOMATED_RAILS:
            usable = organisation_check(PAYMENT_DETAILS, actor=actor, organisation=award.organisation, today=today)
            if not usable:
                problems.append(str(usable.reason))
            else:
                problems += _rail_details_problems(award, rail)
        problems += tranche_problems(tranche, actor=actor, today=today)
        if not problems and amount > tranche.remaining:
            problems.append(_("Tranche %(number)s has %(left)s left to pay; %(amount)s is more.") % {
                "number": tranche.number, "left": format_money(tranche.remaining, award.currency),
                "amount": format_money(amount, award.currency)})
        if not problems and amount > award.remaining:
            problems.append(_("The award has %(left)s left to pay; %(amount)s is more.") % {
                "left": format_money(award.remaining, award.currency), "amount": format_money(amount, award.currency)})
        if problems:
            raise Refused(problems)
        amount = quantize(amount, award.currency)
        waits = needs_second_approval(tenant=actor.tenant, currency=award.currency, amount=amount)
        status = D.AWAITING_APPROVAL if waits else (D.PROCESSING if rail in AUTOMATED_RAILS else D.PAID)
        disbursement = Disbursement(
            tenant=actor.tenant, award=award, tranche=tranche, rail=rail, operator=operator, amount=amount,
            currency=award.currency, paid_currency=conversion.currency if conversion else award.currency,
            paid_amount=quantize(conversion.amount, conversion.currency) if conversion else amount,
            rate=conversion.rate if conversion else None, rate_date=conversion.rate_date if conversion else None,
            rate_source=(conversion.source.strip() if conversion else ""), paid_on=paid_on,
            reference=reference.strip(), payee=_payee(award, rail, operator), status=status, needs_approval=waits,
            recorded_by=actor.user, idempotency_key=key,
        )
        if proof is not None:
            proof.seek(0)
            disbursement.proof.save(proof_name or "proof", File(proof), save=False)
            disbursement.proof_name = proof_name
        disbursement.save()
        _add(award, tranche, committed=amount, paid=amount if status == D.PAID else Decimal(0))
        if status == D.PAID:
            _ledger(disbursement, LedgerKind.PAYMENT, actor)
        audit_record(tenant=actor.tenant, actor=actor.user, action="disbursement.record", target=disbursement,
                     after={"award": award.reference, "tranche": tranche.number, "amount": amount,
                            "currency": award.currency, "rail": rail, "status": status,
                            "paid_currency": disbursement.paid_currency, "paid_amount": disbursement.paid_amount,
                            "rate": disbursement.rate})
        _after_step(disbursement, actor)
    return disbursement


def _after_step(disbursement: Disbursement, actor: Actor) -> None:
    """What follows a payment's new state, after commit: the provider sends, the grantee hears of it."""
    if disbursement.status == D.PROCESSING:
        provider = rail_provider(disbursement.rail)
        if provider is not None:
            transaction.on_commit(lambda: provider.send(disbursement.pk))
    if disbursement.status == D.PAID:
        from .emails_awards import payment_sent_email  # the e-mails import this module's models only

        payment_sent_email(disbursement=disbursement, actor=actor)


def _step(disbursement: Disbursement, *, actor: Actor, target: str, reason: str = "",
          extra: dict[str, Any] | None = None) -> Disbursement:
    """One step of the payment table, with the award and tranche locked first and their totals moved."""
    same_tenant(actor, disbursement)
    with transaction.atomic():
        award, tranche = _lock(disbursement.award_id, disbursement.tranche_id, actor.tenant)

        def apply(locked: Disbursement, ctx: dict[str, Any]) -> dict[str, Any]:
            locked.award, locked.tranche = award, tranche
            after: dict[str, Any] = {"amount": locked.amount, "currency": locked.currency, **(extra or {})}
            if target in (D.PAID, D.PROCESSING) and locked.needs_approval and locked.approved_by_id is None:
                problems = _still_payable(locked, award, tranche, actor)
                if problems:
                    raise Refused(problems)
                locked.approved_by, locked.approved_at = actor.user, timezone.now()
            if target in (D.REJECTED, D.FAILED, D.REVERSED):
                locked.reason = ctx["reason"]
            if target == D.PAID:
                _add(award, tranche, paid=locked.amount)
                _ledger(locked, LedgerKind.PAYMENT, actor)
            elif target in (D.REJECTED, D.FAILED):
                _add(award, tranche, committed=-locked.amount)
            elif target == D.REVERSED:
                _add(award, tranche, committed=-locked.amount, paid=-locked.amount)
                _ledger(locked, LedgerKind.REVERSAL, actor, reason=ctx["reason"])
            return after

        done = transition(DISBURSEMENT, obj=disbursement, target=target, actor=actor, reason=reason, apply=apply)
        _after_step(done, actor)
    disbursement.refresh_from_db()
    return done


def _still_payable(disbursement: Disbursement, award: Award, tranche: Tranche, actor: Actor) -> list[str]:
    """What the approver must not let through although the recorder could: the award stopped, a condition
    lapsed (screening, due diligence), or the payee's details are no longer those the payment was
    recorded with (they changed, or are not verified any more)."""
    today = timezone.localdate()
    problems = []
    if award.status not in AWARD_PAYABLE_STATUSES:
        problems.append(_("The award is “%(status)s”: refuse this payment.") % {"status": award.get_status_display()})
    if tranche.is_cancelled:
        problems.append(_("This tranche was cancelled."))
    problems += tranche_problems(tranche, actor=actor, today=today)
    if disbursement.rail not in AUTOMATED_RAILS and disbursement.rail != Rail.CASH:
        usable = organisation_check(PAYMENT_DETAILS, actor=actor, organisation=award.organisation, today=today)
        if not usable:
            problems.append(str(usable.reason))
        elif _payee(award, disbursement.rail, disbursement.operator) != disbursement.payee:
            problems.append(_("The organisation's payment details changed after this payment was recorded: "
                              "refuse it and record it again with the new details."))
    return problems


def disbursement_approve(*, disbursement: Disbursement, actor: Actor) -> Disbursement:
    """A second finance member approves: a manual payment counts as paid, an automated one is sent."""
    target = D.PROCESSING if disbursement.rail in AUTOMATED_RAILS else D.PAID
    return _step(disbursement, actor=actor, target=target)


def disbursement_refuse(*, disbursement: Disbursement, actor: Actor, reason: str) -> Disbursement:
    """A second finance member refuses: the amount is free again on the tranche."""
    return _step(disbursement, actor=actor, target=D.REJECTED, reason=reason)


def disbursement_reverse(*, disbursement: Disbursement, actor: Actor, reason: str) -> Disbursement:
    """Correct a paid payment: a reversal entry with the reason; the ledger keeps both."""
    return _step(disbursement, actor=actor, target=D.REVERSED, reason=reason)


def disbursement_mark_not_sent(*, disbursement: Disbursement, actor: Actor, reason: str) -> Disbursement:
    """Finance marks failed a Stripe payment Relais could not send and stopped trying to (no transfer id,
    stalled), after checking Stripe's dashboard: the same failure path as the provider's, so the amount is
    free again on the tranche; the reason and who decided are audited (grants.workflow.stripe_send_stalled)."""
    return _step(disbursement, actor=actor, target=D.FAILED, reason=reason)


def disbursement_provider_result(*, disbursement: Disbursement, tenant: Any, outcome: str, reason: str = "",
                                 event: str = "") -> Disbursement | None:
    """What a provider says about a payment it processes (webhook or polling), applied once whatever the
    order of arrival: "paid" and "failed" only from processing, "reversed" only from paid; anything else
    (a replay, a late event) changes nothing and returns None."""
    actor = Actor.system(tenant)
    current = Disbursement.objects.filter(pk=disbursement.pk, tenant=tenant).values_list("status", flat=True).first()
    targets: dict[tuple[str, str | None], str] = {("paid", D.PROCESSING): D.PAID, ("failed", D.PROCESSING): D.FAILED,
               ("reversed", D.PAID): D.REVERSED}
    target = targets.get((outcome, current))
    if target is None:
        return None
    reason = reason or (_("Reported by the provider.") if target != D.PAID else "")
    try:
        return _step(disbursement, actor=actor, target=target, reason=reason, extra={"event": event} if event else None)
    except Refused:
        return None  # the state moved between the read and the lock (a concurrent event): nothing to do


