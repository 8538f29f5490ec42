"""Payments of an award: finance records one against a tranche, a second finance member approves or
refuses it, finance reverses a paid one; everyone who sees the award sees its payments and ledger, and
downloads the proof and the remittance advice of a paid payment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import MobileOperator
from orgs.models.organisations import mask_number
from relais.actor import Actor
from relais.confirm import REASON_REQUIRED, Confirmation, confirmation_response, confirmed_reason
from relais.downloads import private_bytes_response, private_file_response
from relais.errors import Refused, refused_message
from relais.money import format_money

from ..disbursement_forms import DisbursementForm
from ..models import AWARD_PAYABLE_STATUSES, Award, Disbursement, DisbursementStatus, LedgerEntry, LedgerKind
from ..permissions import can_pay_award, can_see_payee_numbers
from ..remittance import remittance_filename, remittance_pdf
from ..selectors import awards as award_selectors
from ..services import disbursements as payment_services
from ..services import stripe as stripe_services

D = DisbursementStatus
OPERATORS = dict(MobileOperator.choices)
# Payments the grantee does not see: waiting for the second finance member, or refused by them.
FINANCE_ONLY_STATUSES = frozenset({D.AWAITING_APPROVAL, D.REJECTED})


# --- what the award page shows ---------------------------------------------------------------------

def payee_text(payee: dict[str, Any], *, full: bool) -> str:
    """Where the money went, as recorded: full numbers for finance and the grantee, the last four otherwise."""
    number = payee.get("account") or payee.get("number") or ""
    shown = number if full else mask_number(number)
    where = payee.get("bank") or OPERATORS.get(payee.get("operator") or "", payee.get("operator") or "")
    holder = payee.get("holder") or payee.get("name") or ""
    return " — ".join(part for part in (holder, " ".join(p for p in (where, shown) if p)) if part)


@dataclass(frozen=True)
class PaymentRow:
    d: Disbursement
    payee: str
    can_approve: bool
    approve_blocked: str  # why this actor may not approve (the recorder), shown instead of the buttons
    can_reverse: bool
    has_remittance: bool


@dataclass(frozen=True)
class LedgerRow:
    entry: LedgerEntry
    signed: Decimal  # − for a payment, + for a reversal: what it does to the balance
    balance: Decimal


def payment_rows(*, actor: Actor, award: Award, disbursements: list[Disbursement]) -> list[PaymentRow]:
    """Each payment with what this actor may do with it, decided in memory (no query per row)."""
    may_pay = bool(can_pay_award(actor, award))
    full = can_see_payee_numbers(actor, award)
    staff = actor.has_role(*award_selectors.AWARD_STAFF)
    rows = []
    for d in disbursements:
        if not staff and d.status in FINANCE_ONLY_STATUSES:
            continue  # the four-eyes steps are finance's business; the grantee sees money that moved
        waiting = d.status == D.AWAITING_APPROVAL
        own = waiting and d.recorded_by_id == actor.user_id
        rows.append(PaymentRow(
            d=d, payee=payee_text(d.payee or {}, full=full),
            can_approve=may_pay and waiting and not own,
            approve_blocked=_("You recorded this payment: another finance member must approve it.")
            if may_pay and own else "",
            can_reverse=may_pay and d.status == D.PAID, has_remittance=d.status == D.PAID))
    return rows


def ledger_rows(*, award: Award, ledger: list[LedgerEntry]) -> list[LedgerRow]:
    """The ledger in order with the running balance: awarded − paid + reversed."""
    balance = award.amount
    rows = []
    for entry in ledger:
        signed = -entry.amount if entry.kind == LedgerKind.PAYMENT else entry.amount
        balance += signed
        rows.append(LedgerRow(entry=entry, signed=signed, balance=balance))
    return rows


def payments_context(*, actor: Actor, award: Award, disbursements: list[Disbursement],
                     ledger: list[LedgerEntry]) -> dict[str, Any]:
    return {
        "payment_rows": payment_rows(actor=actor, award=award, disbursements=disbursements),
        "ledger_rows": ledger_rows(award=award, ledger=ledger),
        "can_record_payment": bool(can_pay_award(actor, award)) and award.status in AWARD_PAYABLE_STATUSES,
    }


# --- recording --------------------------------------------------------------------------------------

def _award_url(actor: Actor, award_id: int) -> str:
    return reverse("grants:award_detail", kwargs={"tenant_slug": actor.tenant.slug, "award_pk": award_id}) + \
        "#payments"


def disbursement_create(request: HttpRequest, award_pk: int) -> HttpResponse:
    """Finance records a payment against a tranche; a refusal keeps everything typed (but the file)."""
    actor = request.actor
    award = award_selectors.access_award(actor=actor, pk=award_pk)
    can_pay_award(actor, award).raise_if_denied()
    tranches = award_selectors.award_tranches(award=award)
    data = request.POST if request.method == "POST" else None
    form = DisbursementForm(data, request.FILES or None, tranches=tranches, currency=award.currency,
                            tenant=actor.tenant)
    if data is not None and form.is_valid():
        try:
            disbursement = payment_services.disbursement_record(actor=actor, **form.service_kwargs())
        except Refused as exc:
            form.add_error(None, exc)
        else:
            if disbursement.status == D.AWAITING_APPROVAL:
                messages.success(request, _("Payment of %(amount)s recorded: another finance member must approve "
                                            "it.") % {"amount": format_money(disbursement.amount, award.currency)})
            else:
                messages.success(request, _("Payment of %(amount)s recorded (%(status)s).") % {
                    "amount": format_money(disbursement.amount, award.currency),
                    "status": disbursement.get_status_display()})
            return redirect(_award_url(actor, award.pk))
    conversion = ["converted", *DisbursementForm.CONVERSION_FIELDS]
    return render(request, "grants/disbursement_form.html", {
        "award": award, "form": form, "payable": award.status in AWARD_PAYABLE_STATUSES,
        "main_fields": [form[name] for name in form.fields if name not in conversion and not form[name].is_hidden],
        "conversion_fields": [form[name] for name in conversion],
        "conversion_errors": any(form[name].errors for name in conversion),
        "proof_lost": data is not None and bool(request.FILES.get("proof")),
    })


# --- steps ------------------------------------------------------------------------------------------

@require_POST
def disbursement_approve(request: HttpRequest, disbursement_pk: int) -> HttpResponse:
    actor = request.actor
    disbursement = award_selectors.access_disbursement(actor=actor, pk=disbursement_pk)
    try:
        done = payment_services.disbursement_approve(disbursement=disbursement, actor=actor)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Payment approved: it is now “%(status)s”.") % {
            "status": done.get_status_display()})
    return redirect(_award_url(actor, disbursement.award_id))


def _subject(d: Disbursement) -> str:
    return _("%(award)s — tranche %(number)s — %(amount)s of %(date)s") % {
        "award": d.award.reference, "number": d.tranche.number, "amount": format_money(d.amount, d.currency),
        "date": d.paid_on.strftime("%d/%m/%Y")}


def _confirmed_step(request: HttpRequest, disbursement_pk: int, *, confirmation: Any, service: Any,
                    done_message: str) -> HttpResponse:
    actor = request.actor
    disbursement = award_selectors.access_disbursement(actor=actor, pk=disbursement_pk)
    can_pay_award(actor, disbursement.award).raise_if_denied()
    page = confirmation_response(request, confirmation(disbursement, _award_url(actor, disbursement.award_id)))
    if page is not None:
        return page
    try:
        service(disbursement=disbursement, actor=actor, reason=confirmed_reason(request))
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, done_message)
    return redirect(_award_url(actor, disbursement.award_id))


def disbursement_refuse(request: HttpRequest, disbursement_pk: int) -> HttpResponse:
    """GET (or POST without confirmation): the confirmation page; its POST with a reason refuses."""
    def confirmation(d: Disbursement, cancel: str) -> Confirmation:
        return Confirmation(
            title=_("Refuse this payment?"), subject=_subject(d),
            consequence=_("It will not be paid; its amount is free again on the tranche. The finance member who "
                          "recorded it will read the reason."),
            button=_("Refuse the payment"), cancel_url=cancel, reason=REASON_REQUIRED, reason_label=_("Reason"))

    return _confirmed_step(request, disbursement_pk, confirmation=confirmation,
                           service=payment_services.disbursement_refuse,
                           done_message=_("Payment refused: its amount is free again on the tranche."))


def disbursement_reverse(request: HttpRequest, disbursement_pk: int) -> HttpResponse:
    def confirmation(d: Disbursement, cancel: str) -> Confirmation:
        return Confirmation(
            title=_("Reverse this payment?"), subject=_subject(d),
            consequence=_("A reversal entry is written to the ledger with your reason and the amount is free "
                          "again on the tranche. The payment and its reversal both stay in the ledger."),
            button=_("Reverse the payment"), cancel_url=cancel, reason=REASON_REQUIRED, reason_label=_("Reason"),
            reason_help=_("For example: the bank returned the transfer."))

    return _confirmed_step(request, disbursement_pk, confirmation=confirmation,
                           service=payment_services.disbursement_reverse,
                           done_message=_("Payment reversed: the ledger has a reversal entry."))


# --- Stripe payments that could not be sent: finance tries again, or marks them failed -----------------

def _finance_url(actor: Actor) -> str:
    return reverse("grants:finance", kwargs={"tenant_slug": actor.tenant.slug}) + "#processing"


@require_POST
def disbursement_send_again(request: HttpRequest, disbursement_pk: int) -> HttpResponse:
    """Send again a Stripe payment that was not sent (idempotent: no confirmation page needed)."""
    actor = request.actor
    disbursement = award_selectors.access_disbursement(actor=actor, pk=disbursement_pk)
    can_pay_award(actor, disbursement.award).raise_if_denied()
    try:
        stripe_services.stripe_transfer_retry(disbursement=disbursement, actor=actor)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("The payment is being sent to Stripe again; the same transfer is never made "
                                    "twice."))
    return redirect(_finance_url(actor))


def disbursement_mark_not_sent(request: HttpRequest, disbursement_pk: int) -> HttpResponse:
    """GET (or POST without confirmation): the confirmation page; its POST, with the reason and the box
    ticked to say Stripe's dashboard was checked, marks the payment failed."""
    actor = request.actor
    disbursement = award_selectors.access_disbursement(actor=actor, pk=disbursement_pk)
    can_pay_award(actor, disbursement.award).raise_if_denied()
    page = confirmation_response(request, Confirmation(
        title=_("Mark this payment failed?"), subject=_subject(disbursement),
        consequence=_("Relais could not send this payment to Stripe. Marked failed, it will not be sent again and "
                      "its amount is free again on the tranche, to be paid another way. If Stripe did create the "
                      "transfer, the money would then be counted as not paid: check first."),
        button=_("Mark the payment failed"), cancel_url=_finance_url(actor), reason=REASON_REQUIRED,
        reason_label=_("Reason"), reason_help=_("For example: no transfer for this payment in the Stripe dashboard."),
        check=_("I checked the Stripe dashboard: no transfer exists for this payment.")))
    if page is not None:
        return page
    try:
        payment_services.disbursement_mark_not_sent(disbursement=disbursement, actor=actor,
                                                    reason=confirmed_reason(request))
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Payment marked failed: its amount is free again on the tranche."))
    return redirect(_finance_url(actor))


# --- files ------------------------------------------------------------------------------------------

def disbursement_proof(request: HttpRequest, disbursement_pk: int) -> HttpResponse:
    disbursement = award_selectors.access_disbursement(actor=request.actor, pk=disbursement_pk)
    if not disbursement.proof:
        raise Http404
    return private_file_response(disbursement.proof.open("rb"),
                                 filename=disbursement.proof_name or disbursement.proof.name.rsplit("/", 1)[-1])


def disbursement_remittance(request: HttpRequest, disbursement_pk: int) -> HttpResponse:
    """The remittance advice of a paid payment: finance, managers and the grantee (access_disbursement)."""
    disbursement = award_selectors.access_disbursement(actor=request.actor, pk=disbursement_pk)
    if disbursement.status != D.PAID:
        messages.info(request, _("A remittance advice exists for paid payments only."))
        return redirect(_award_url(request.actor, disbursement.award_id))
    return private_bytes_response(remittance_pdf(disbursement, tenant=request.actor.tenant),
                                  filename=remittance_filename(disbursement), content_type="application/pdf",
                                  as_attachment=False)
