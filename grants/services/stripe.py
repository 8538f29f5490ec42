"""Stripe: the workspace's switch and keys, sending a payment's Transfer, and Stripe's webhook events.

Rules:
- the keys are write-only: a blank field keeps the key in force, a checkbox removes it; the audit log
  records only whether the workspace has its own key, never a key; nothing logs one;
- a Transfer is created once per payment: the request carries the payment's idempotency key, the
  library retries network errors with it and the task runs again with it later, so Stripe answers every
  retry with the same transfer; its id is kept on the payment, which stays "processing";
- a send that keeps meeting errors worth retrying is never failed automatically (the transfer may exist,
  its answer lost): after MAX_SEND_ATTEMPTS it is marked stalled, audited and finance is e-mailed, once per
  stall; finance tries again (a new round, same idempotency key; older rounds' tasks stop; the round first
  looks the payment's transfer up, since Stripe forgets a key after 24 hours) or, after
  checking Stripe's dashboard, marks it failed (grants.services.disbursements.disbursement_mark_not_sent);
- a webhook event changes something only after its signature checked out (nothing is stored before),
  only for a payment of the workspace of its URL that the event's transfer really is (ids, amount,
  currency, account), and only once (its id is stored in the same transaction as the change, unique);
- events are applied whatever their order (grants.services.disbursements.disbursement_provider_result):
  a reversal that arrives before the creation first counts the payment as paid, then reverses it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.models import Tenant
from relais.permissions import require

from ..models import Disbursement, DisbursementStatus, GrantSettings, PaymentEvent, Rail
from ..permissions import can_configure_stripe, can_pay_award
from ..stripe_rail import (
    PROVIDER,
    SECRET_KEY_RE,
    WEBHOOK_SECRET_RE,
    stripe_amount,
    stripe_client,
    stripe_config,
    stripe_transfer_send,
)
from .common import same_tenant
from .disbursements import disbursement_provider_result

logger = logging.getLogger(__name__)

D = DisbursementStatus
MAX_SEND_ATTEMPTS = 5
MAX_WEBHOOK_BYTES = 256 * 1024


# --- settings -------------------------------------------------------------------------------------------


@sensitive_variables("secret_key", "webhook_secret")  # never in an error report's local variables
def stripe_settings_update(*, actor: Actor, enabled: bool, secret_key: str = "", webhook_secret: str = "",
                           clear_secret_key: bool = False, clear_webhook_secret: bool = False,
                           expected_version: int | None = None) -> GrantSettings:
    """Switch Stripe on or off and set or remove the workspace's own keys (finance or a manager).

    A blank key keeps the one in force; Stripe can be switched on only with a secret key (the
    workspace's or the server's). Audited without the keys."""
    require(can_configure_stripe(actor))
    secret_key, webhook_secret = (secret_key or "").strip(), (webhook_secret or "").strip()
    problems = []
    if secret_key and not SECRET_KEY_RE.fullmatch(secret_key):
        problems.append(_("A Stripe secret key starts with “sk_live_”, “sk_test_” (or “rk_” for a restricted key)."))
    if webhook_secret and not WEBHOOK_SECRET_RE.fullmatch(webhook_secret):
        problems.append(_("A Stripe webhook signing secret starts with “whsec_”."))
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        row, created = GrantSettings.objects.select_for_update().get_or_create(tenant=actor.tenant)
        if not created or expected_version not in (None, 0):
            claim_version(row, expected=expected_version)
        before = _audited(row)
        if clear_secret_key:
            row.stripe_secret_key = ""
        if secret_key:
            row.stripe_secret_key = secret_key
        if clear_webhook_secret:
            row.stripe_webhook_secret = ""
        if webhook_secret:
            row.stripe_webhook_secret = webhook_secret
        row.stripe_enabled = bool(enabled)
        if row.stripe_enabled and not (row.stripe_secret_key or settings.STRIPE_SECRET_KEY):
            raise Refused(_("Give a Stripe secret key before switching Stripe transfers on."))
        row.save(update_fields=["stripe_enabled", "stripe_secret_key", "stripe_webhook_secret", "updated_at"])
        after = _audited(row)
        if after != before or secret_key or webhook_secret:  # a new key replacing another is a change too
            audit_record(tenant=actor.tenant, actor=actor.user, action="grant_settings.stripe_changed", target=row,
                         before=before, after={**after, "stripe_keys_replaced": bool(secret_key or webhook_secret)})
    return row


def _audited(row: GrantSettings) -> dict[str, bool]:
    """What the audit log may say: the switch and whether the workspace keeps its own keys."""
    return {"stripe_enabled": row.stripe_enabled, "stripe_own_secret_key": bool(row.stripe_secret_key),
            "stripe_own_webhook_secret": bool(row.stripe_webhook_secret)}


# --- sending ----------------------------------------------------------------------------------------------


def _fail(disbursement: Disbursement, reason: str) -> str:
    disbursement_provider_result(disbursement=disbursement, tenant=disbursement.tenant, outcome="failed",
                                 reason=reason)
    return "failed"


def _refusal(exc: stripe.StripeError) -> str:
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        return _("Stripe refused the workspace's secret key; nothing was sent.")
    if isinstance(exc, stripe.IdempotencyError):
        return _("Stripe refused the transfer: its idempotency key was already used for another request.")
    detail = getattr(exc, "code", None) or ""
    message = (getattr(exc, "user_message", None) or "").strip()[:300]
    return _("Stripe refused the transfer: %(reason)s") % {"reason": " — ".join(p for p in (detail, message) if p)
                                                            or type(exc).__name__}


def _retryable(exc: stripe.StripeError) -> bool:
    """Errors after which the same request may succeed (Stripe replays it by its idempotency key)."""
    if isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)):
        return True
    return isinstance(exc, stripe.APIError) and (exc.http_status is None or exc.http_status >= 500)


def _not_sent(disbursement: Disbursement, send_round: int) -> QuerySet[Disbursement]:
    """The payment's row while it is still this round's to send: processing, no transfer id kept."""
    return Disbursement.objects.filter(pk=disbursement.pk, tenant_id=disbursement.tenant_id, status=D.PROCESSING,
                                       external_id="", send_round=send_round)


def _try_again_later(disbursement: Disbursement, attempt: int, send_round: int) -> str:
    """Count the failed attempt; schedule the next with the same payment (so the same idempotency key), or,
    once the attempts are used up (at once when the task backend cannot defer), say the send stalled: the
    payment stays processing (the transfer may exist at Stripe, its answer lost) and finance is told."""
    if not _not_sent(disbursement, send_round).update(send_attempts=attempt):
        return "superseded"  # a manual retry started a newer round, or the payment moved on meanwhile
    backend = stripe_transfer_send.get_backend()
    if attempt >= MAX_SEND_ATTEMPTS or not backend.supports_defer:
        logger.error("Stripe transfer of payment %s not sent after %s attempts; it stays processing and finance "
                     "is told.", disbursement.pk, attempt)
        stripe_send_stalled(disbursement=disbursement, attempts=attempt, send_round=send_round)
        return "stalled"
    later = timezone.now() + timedelta(minutes=2 ** attempt)
    stripe_transfer_send.using(run_after=later).enqueue(disbursement.pk, attempt + 1, send_round=send_round)
    return "retry"


def stripe_send_stalled(*, disbursement: Disbursement, attempts: int, send_round: int) -> bool:
    """Relais stopped trying to send the payment: mark it stalled, audit it and e-mail finance, once per
    stall (a task run twice finds it marked; a manual retry clears the mark, so a new stall tells again).
    The payment is not failed: only finance may do that, after checking Stripe's dashboard."""
    from .emails_awards import payment_send_stalled_email  # the e-mails import this module's models only

    with transaction.atomic():
        if not _not_sent(disbursement, send_round).filter(send_stalled_at__isnull=True).update(
                send_stalled_at=timezone.now()):
            return False
        audit_record(tenant=disbursement.tenant, actor=None, action="disbursement.send_stalled", target=disbursement,
                     after={"attempts": attempts})
        payment_send_stalled_email(disbursement=disbursement, actor=Actor.system(disbursement.tenant),
                                   attempts=attempts)
    return True


def stripe_transfer_retry(*, disbursement: Disbursement, actor: Actor) -> Disbursement:
    """Finance sends again a Stripe payment that was not sent (processing, no transfer id): a new round of
    attempts with attempt 1 and the payment's own idempotency key, after commit; audited. Two clicks, or a
    retry while a scheduled attempt runs, make one transfer: Stripe answers a repeated key with the same
    transfer, its id is kept once, and a task of an older round stops. Refused, with the reason, for a
    payment of another rail or state, one already sent, or when Stripe is switched off."""
    same_tenant(actor, disbursement)
    require(can_pay_award(actor, disbursement.award))
    with transaction.atomic():
        locked = Disbursement.objects.select_for_update().get(pk=disbursement.pk, tenant=actor.tenant)
        if locked.rail != Rail.STRIPE:
            raise Refused(_("Only a Stripe payment can be sent again from here."))
        if locked.status != D.PROCESSING:
            raise Refused(_("This payment is “%(status)s”: there is nothing to send again.") % {
                "status": locked.get_status_display()})
        if locked.external_id:
            raise Refused(_("Stripe already created the transfer of this payment: it waits for Stripe's "
                            "confirmation and is not sent again."))
        if not stripe_config(actor.tenant).ready:
            raise Refused(_("Stripe is switched off for this workspace: switch it on before sending again."))
        before = {"attempts": locked.send_attempts, "stalled": locked.send_stalled_at is not None}
        locked.send_round += 1
        locked.send_attempts, locked.send_stalled_at = 0, None
        locked.save(update_fields=["send_round", "send_attempts", "send_stalled_at", "updated_at"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="disbursement.send_retried", target=locked,
                     before=before, after={"attempts": 0, "stalled": False})
        pk, send_round = locked.pk, locked.send_round
        transaction.on_commit(lambda: stripe_transfer_send.enqueue(pk, 1, send_round=send_round))
    return locked


def stripe_transfer_create(*, disbursement_id: int, attempt: int = 1, send_round: int = 0) -> str:
    """Create the Transfer of a processing Stripe payment and keep its id. Safe to run any number of
    times: a payment already sent, or no longer processing, is left alone, and every request carries the
    payment's idempotency key. Stripe refusing the transfer marks the payment failed with the reason; an
    error worth retrying is tried again later, and after MAX_SEND_ATTEMPTS finance is told."""
    disbursement = (Disbursement.objects.select_related("tenant", "award", "tranche")
                    .filter(pk=disbursement_id, rail=Rail.STRIPE).first())
    if disbursement is None or disbursement.status != D.PROCESSING:
        return "skipped"
    if disbursement.external_id:
        return "already sent"
    if send_round < disbursement.send_round:
        return "superseded"  # a manual retry started a newer round, which sends
    config = stripe_config(disbursement.tenant)
    if not config.ready:
        return _fail(disbursement, _("Stripe is not enabled for this workspace; nothing was sent."))
    destination = (disbursement.payee or {}).get("stripe_account", "")
    if not destination:
        return _fail(disbursement, _("The payment names no Stripe connected account; nothing was sent."))
    try:
        amount = stripe_amount(disbursement.paid_amount, disbursement.paid_currency)
    except ValueError:
        return _fail(disbursement, _("Stripe transfers are not available in %(currency)s.") % {
            "currency": disbursement.paid_currency})
    award = disbursement.award
    params: dict[str, Any] = {
        "amount": amount,
        "currency": disbursement.paid_currency.lower(),
        "destination": destination,
        "description": f"{award.reference} — {disbursement.tranche.number}"[:200],
        "transfer_group": f"relais-{disbursement.tenant_id}-award-{award.pk}",
        "metadata": {"relais_tenant": str(disbursement.tenant_id), "relais_tenant_slug": disbursement.tenant.slug,
                     "relais_award": str(award.pk), "relais_award_reference": award.reference,
                     "relais_disbursement": str(disbursement.pk)},
    }
    client = stripe_client(config.secret_key)
    if send_round > 0:  # a manual retry, perhaps days later: Stripe forgets an idempotency key after 24 hours
        try:
            made = _transfer_already_made(client, disbursement, group=params["transfer_group"])
        except stripe.StripeError as exc:  # not knowing is no reason to fail the payment: try again later
            logger.warning("Could not look up Stripe transfers of payment %s (%s, attempt %s).", disbursement.pk,
                           type(exc).__name__, attempt)
            return _try_again_later(disbursement, attempt, send_round)
        if made:
            stripe_transfer_sent(disbursement=disbursement, transfer_id=made, amount=amount)
            return "found"
    try:
        transfer = client.v1.transfers.create(
            params,  # type: ignore[arg-type]
            options={"idempotency_key": disbursement.idempotency_key})
    except stripe.StripeError as exc:
        if _retryable(exc):
            logger.warning("Stripe transfer of payment %s not sent yet (%s, attempt %s); it will be tried again "
                           "with the same idempotency key.", disbursement.pk, type(exc).__name__, attempt)
            return _try_again_later(disbursement, attempt, send_round)
        logger.warning("Stripe refused the transfer of payment %s (%s).", disbursement.pk, type(exc).__name__)
        return _fail(disbursement, _refusal(exc))
    stripe_transfer_sent(disbursement=disbursement, transfer_id=transfer.id, amount=amount)
    return "sent"


def _transfer_already_made(client: stripe.StripeClient, disbursement: Disbursement, *, group: str) -> str:
    """The id of a transfer Stripe already made for this payment (its metadata names the workspace and the
    payment), or "": a lost answer more than 24 hours old is no longer found by the idempotency key."""
    transfers = client.v1.transfers.list({"transfer_group": group, "limit": 100})
    for transfer in transfers.auto_paging_iter():
        metadata: dict[str, Any] = transfer.to_dict().get("metadata") or {}
        if (metadata.get("relais_tenant") == str(disbursement.tenant_id)
                and metadata.get("relais_disbursement") == str(disbursement.pk)):
            return str(transfer.id)
    return ""


def stripe_transfer_sent(*, disbursement: Disbursement, transfer_id: str, amount: int) -> None:
    """Keep the transfer's id on the payment (once) and audit it; the payment stays processing."""
    with transaction.atomic():
        kept = Disbursement.objects.filter(pk=disbursement.pk, tenant_id=disbursement.tenant_id,
                                           external_id="").update(external_id=transfer_id[:100])
        if kept:
            audit_record(tenant=disbursement.tenant, actor=None, action="disbursement.stripe_sent",
                         target=disbursement, after={"transfer": transfer_id, "amount": disbursement.paid_amount,
                                                     "currency": disbursement.paid_currency})
    disbursement.external_id = disbursement.external_id or transfer_id


# --- webhook ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    detail: str


REFUSED = WebhookAnswer(400, "refused")


def _outcome(kind: str, transfer: dict[str, Any]) -> str | None:
    """What an event says about the payment. A Transfer moves money between Stripe balances at once, so
    `transfer.created` means paid (`transfer.paid` / `transfer.failed` are sent only to accounts on API
    versions before 2017-04-06, when payouts were split from transfers); a reversal counts only when the
    whole transfer was reversed (a partial one is kept as an event for finance to correct by hand)."""
    if kind in ("transfer.created", "transfer.paid"):
        return "paid"
    if kind == "transfer.failed":
        return "failed"
    if kind in ("transfer.reversed", "transfer.updated") and transfer.get("reversed") is True:
        return "reversed"
    return None


def _payment_of(tenant: Tenant, transfer: dict[str, Any]) -> Disbursement | None:
    """The workspace's Stripe payment this transfer is, or None (another workspace's, or not ours)."""
    metadata = transfer.get("metadata") or {}
    if str(metadata.get("relais_tenant", "")) != str(tenant.pk):
        return None
    try:
        pk = int(str(metadata.get("relais_disbursement", "")))
    except ValueError:
        return None
    disbursement = (Disbursement.objects.select_related("tenant")
                    .filter(pk=pk, tenant=tenant, rail=Rail.STRIPE).first())
    if disbursement is None:
        return None
    if disbursement.external_id and disbursement.external_id != transfer.get("id"):
        return None  # another transfer claims this payment
    try:
        amount = stripe_amount(disbursement.paid_amount, disbursement.paid_currency)
    except ValueError:
        return None
    same = (transfer.get("amount") == amount
            and str(transfer.get("currency", "")).lower() == disbursement.paid_currency.lower()
            and transfer.get("destination") == (disbursement.payee or {}).get("stripe_account"))
    if not same:
        logger.warning("Stripe transfer %s does not match payment %s (amount, currency or account); ignored.",
                       transfer.get("id"), disbursement.pk)
        return None
    return disbursement


def stripe_webhook_receive(*, tenant_slug: str, payload: bytes, signature: str) -> WebhookAnswer:
    """One delivery of Stripe's webhook for the workspace ``tenant_slug``: 400 and nothing stored unless
    the signature is valid and recent; then the event is applied once (see the module's rules)."""
    if len(payload) > MAX_WEBHOOK_BYTES or not signature:
        return REFUSED
    tenant = Tenant.objects.filter(slug=tenant_slug, is_active=True).first()
    if tenant is None:
        return REFUSED
    config = stripe_config(tenant)
    if not (config.enabled and config.webhook_secret):
        return REFUSED
    try:
        stripe.Webhook.construct_event(payload, signature, config.webhook_secret,
                                       tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError):
        return REFUSED
    # From here the event is Stripe's own.
    event_id, kind = str(event.get("id", "")), str(event.get("type", ""))
    transfer = (event.get("data") or {}).get("object") or {}
    if not event_id or not kind.startswith("transfer.") or transfer.get("object") != "transfer":
        return WebhookAnswer(200, "ignored")
    disbursement = _payment_of(tenant, transfer)
    if disbursement is None:
        return WebhookAnswer(200, "ignored")
    outcome = _outcome(kind, transfer)
    with transaction.atomic():
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(
                    tenant=tenant, provider=PROVIDER, event_id=event_id[:200], kind=kind[:100],
                    disbursement=disbursement,
                    payload={"transfer": transfer.get("id"), "amount": transfer.get("amount"),
                             "currency": transfer.get("currency"), "destination": transfer.get("destination"),
                             "reversed": transfer.get("reversed"), "amount_reversed": transfer.get("amount_reversed"),
                             "created": event.get("created")})
        except IntegrityError:
            return WebhookAnswer(200, "duplicate")
        if not disbursement.external_id:
            Disbursement.objects.filter(pk=disbursement.pk, tenant=tenant, external_id="").update(
                external_id=str(transfer.get("id", ""))[:100])
        if outcome == "reversed":
            # Out of order: the transfer existed before it was reversed, so it was paid first.
            disbursement_provider_result(disbursement=disbursement, tenant=tenant, outcome="paid", event=event_id)
            disbursement_provider_result(disbursement=disbursement, tenant=tenant, outcome="reversed",
                                         reason=_("Reversed in Stripe."), event=event_id)
        elif outcome is not None:
            disbursement_provider_result(disbursement=disbursement, tenant=tenant, outcome=outcome,
                                         reason=_("Stripe reported the transfer as failed.")
                                         if outcome == "failed" else "", event=event_id)
    return WebhookAnswer(200, "ok")
