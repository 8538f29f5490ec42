"""HUB2 mobile-money payments: the workspace's settings, sending a recorded payment, and its status
by signed webhook or by polling (the API itself is described in grants.hub2_rail).

Never twice for one payment:
- sending first writes a durable marker (a PaymentEvent ``request:<idempotency key>``, committed under
  the payment's row lock), then, still holding that lock, asks HUB2 to create the transfer and keeps
  its id in ``external_id``; a concurrent worker waits on the lock and then finds ``external_id``;
- a later try that finds the marker but no ``external_id`` (the call timed out, the worker died)
  first lists HUB2's transfers with the payment's reference and takes the one found; it creates only
  when HUB2 has none. The reference is the payment's idempotency key, unique per payment.
The outcome (paid / failed) goes through disbursement_provider_result, which applies it once whatever
the order or number of arrivals.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.permissions import require

from ..hub2_rail import (
    COUNTRY,
    CURRENCY,
    PROVIDER,
    REFERENCE,
    Hub2Client,
    Hub2Refused,
    Hub2Unavailable,
    amount_problems,
    hub2_provider,
    mali_number,
    signature_valid,
    transfer_outcome,
)
from ..models import Disbursement, DisbursementStatus, GrantSettings, Hub2Environment, PaymentEvent, Rail
from ..permissions import can_configure_hub2
from .awards import grant_settings_row
from .disbursements import disbursement_provider_result

D = DisbursementStatus
REQUEST_KIND = "relais.transfer_requested"
MAX_WEBHOOK_BYTES = 64 * 1024


# --- settings ---------------------------------------------------------------------------------------

def hub2_settings_update(*, actor: Actor, expected_version: int | None, enabled: bool, environment: str,
                         merchant_id: str, api_key: str = "", webhook_secret: str = "",
                         webhook_secret_previous: str = "", forget_previous_secret: bool = False) -> GrantSettings:
    """Managers and finance set up HUB2. Empty secret fields keep what is stored. A new webhook secret
    moves the current one to "previous", so webhooks signed before the rotation still pass. Secrets
    are never audited: the audit names the ones that changed."""
    require(can_configure_hub2(actor))
    if environment not in Hub2Environment.values:
        raise Refused(_("Choose the HUB2 environment: sandbox or live."))
    with transaction.atomic():
        row = grant_settings_row(actor.tenant)
        locked = GrantSettings.objects.select_for_update().get(pk=row.pk)
        claim_version(locked, expected=expected_version)
        plain_before = {"hub2_enabled": locked.hub2_enabled, "hub2_environment": locked.hub2_environment,
                        "hub2_merchant_id": locked.hub2_merchant_id}
        secrets_changed = []
        if api_key.strip() and api_key.strip() != locked.hub2_api_key:
            locked.hub2_api_key = api_key.strip()
            secrets_changed.append("api_key")
        new_secret = webhook_secret.strip()
        if new_secret and new_secret != locked.hub2_webhook_secret:
            if locked.hub2_webhook_secret and not webhook_secret_previous.strip():
                locked.hub2_webhook_secret_previous = locked.hub2_webhook_secret
                secrets_changed.append("webhook_secret_previous")
            locked.hub2_webhook_secret = new_secret
            secrets_changed.append("webhook_secret")
        if webhook_secret_previous.strip() and webhook_secret_previous.strip() != locked.hub2_webhook_secret_previous:
            locked.hub2_webhook_secret_previous = webhook_secret_previous.strip()
            secrets_changed.append("webhook_secret_previous")
        if forget_previous_secret and locked.hub2_webhook_secret_previous:
            locked.hub2_webhook_secret_previous = ""
            secrets_changed.append("webhook_secret_previous")
        locked.hub2_enabled = bool(enabled)
        locked.hub2_environment = environment
        locked.hub2_merchant_id = merchant_id.strip()
        if locked.hub2_enabled and not (locked.hub2_api_key and locked.hub2_merchant_id
                                        and locked.hub2_webhook_secret):
            raise Refused(_("To switch HUB2 on, enter the merchant ID, the API key and the webhook secret."))
        locked.full_clean(exclude=["tenant", "logo"])
        locked.save()
        plain_after = {"hub2_enabled": locked.hub2_enabled, "hub2_environment": locked.hub2_environment,
                       "hub2_merchant_id": locked.hub2_merchant_id}
        before = {k: v for k, v in plain_before.items() if plain_after[k] != v}
        after = {k: plain_after[k] for k in before}
        if secrets_changed:
            after["hub2_secrets_changed"] = sorted(set(secrets_changed))
        if after:
            audit_record(tenant=actor.tenant, actor=actor.user, action="hub2.settings_changed", target=locked,
                         before=before, after=after)
    return locked


def _settings_of(tenant_id: int) -> GrantSettings | None:
    row = GrantSettings.objects.filter(tenant_id=tenant_id).select_related("tenant").first()
    if row is None or not (row.hub2_enabled and row.hub2_api_key and row.hub2_merchant_id):
        return None
    return row


# --- sending ----------------------------------------------------------------------------------------

def _transfer_body(disbursement: Disbursement) -> dict[str, Any]:
    payee = disbursement.payee or {}
    description = f"{disbursement.award.reference} T{disbursement.tranche.number}"
    return {
        "reference": disbursement.idempotency_key,
        "amount": int(disbursement.amount),
        "currency": CURRENCY,
        "description": description,
        "destination": {
            "type": "mobile_money",
            "country": COUNTRY,
            "recipientName": payee.get("holder", ""),
            "msisdn": mali_number(payee.get("number", "")) or "",
            "provider": hub2_provider(disbursement.operator or payee.get("operator", "")) or "",
        },
    }


def _send_problems(disbursement: Disbursement) -> list[str]:
    """The documented limits once more before money leaves (the payment may wait days for approval)."""
    body = _transfer_body(disbursement)
    problems = amount_problems(disbursement.amount, disbursement.currency)
    if not body["destination"]["msisdn"]:
        problems.append(_("HUB2 pays Malian numbers only (+223 and 8 digits); the organisation's mobile money "
                          "number is not one."))
    if not body["destination"]["provider"]:
        problems.append(_("HUB2 pays Orange Money and Mobicash (Moov Africa Malitel) in Mali: choose one of them."))
    if not REFERENCE.fullmatch(disbursement.idempotency_key):
        problems.append(_("This payment's reference cannot be sent to HUB2."))
    return problems


def _request_marker(disbursement: Disbursement) -> bool:
    """Write (or count) the durable "creation asked" marker; True when this is the first try."""
    marker, first = PaymentEvent.objects.get_or_create(
        provider=PROVIDER, event_id=f"request:{disbursement.idempotency_key}",
        defaults={"tenant_id": disbursement.tenant_id, "kind": REQUEST_KIND, "disbursement": disbursement,
                  "payload": {"attempts": 1}})
    if not first:
        marker.payload = {**(marker.payload or {}), "attempts": int((marker.payload or {}).get("attempts", 1)) + 1}
        marker.save(update_fields=["payload"])
    return first


def _lock(disbursement_id: int) -> Disbursement:
    return Disbursement.objects.select_for_update().select_related("award", "tranche").get(pk=disbursement_id)


def hub2_send(*, disbursement_id: int, client: Hub2Client | None = None) -> str:
    """Send one recorded HUB2 payment (after commit, from a task, or again from polling). Returns what
    happened: "sent", "found" (a former try had created it), "failed", "retry" (HUB2 did not answer:
    the marker stays, the next try asks by reference), or why nothing was done."""
    row = Disbursement.objects.filter(pk=disbursement_id, rail=Rail.HUB2).values_list("tenant_id", flat=True).first()
    if row is None:
        return "unknown"
    hub2 = _settings_of(row)
    if hub2 is None:
        return "disabled"
    client = client or Hub2Client.for_settings(hub2)
    tenant = hub2.tenant
    with transaction.atomic():
        locked = _lock(disbursement_id)
        if locked.status != D.PROCESSING or locked.external_id:
            return "nothing to do"
        problems = _send_problems(locked)
        first = _request_marker(locked) if not problems else True
    if problems:
        disbursement_provider_result(disbursement=locked, tenant=tenant, outcome="failed", reason=" ".join(problems))
        return "failed"
    refused: Hub2Refused | None = None
    transfer: dict[str, Any] | None = None
    found = False
    with transaction.atomic():
        locked = _lock(disbursement_id)  # held during the call: a second worker waits, then sees external_id
        if locked.status != D.PROCESSING or locked.external_id:
            return "nothing to do"
        try:
            if not first:
                existing = client.transfers_by_reference(locked.idempotency_key)
                transfer, found = (existing[0], True) if existing else (None, False)
            if transfer is None:
                try:
                    transfer = client.create_transfer(_transfer_body(locked))
                except Hub2Refused as exc:
                    if exc.http_status != 409:  # 409: the reference exists at HUB2, so the transfer does
                        raise
                    existing = client.transfers_by_reference(locked.idempotency_key)
                    if not existing:
                        raise
                    transfer, found = existing[0], True
        except Hub2Unavailable:
            return "retry"
        except Hub2Refused as exc:
            refused = exc
        else:
            locked.external_id = str(transfer["id"])[:100]
            locked.save(update_fields=["external_id", "updated_at"])
            audit_record(tenant=tenant, actor=None, action="disbursement.hub2_sent", target=locked,
                         after={"hub2_transfer": locked.external_id, "hub2_status": str(transfer.get("status", ""))})
    if refused is not None:
        disbursement_provider_result(
            disbursement=locked, tenant=tenant, outcome="failed",
            reason=_("HUB2 refused the transfer: %(message)s") % {"message": refused})
        return "failed"
    assert transfer is not None
    outcome = transfer_outcome(transfer)
    if outcome:
        disbursement_provider_result(disbursement=locked, tenant=tenant, outcome=outcome,
                                     reason=_failure_reason(transfer) if outcome == "failed" else "")
    return "found" if found else "sent"


def _failure_reason(transfer: dict[str, Any]) -> str:
    detail = next((str(transfer[k]) for k in ("failureReason", "reason", "message") if transfer.get(k)), "")
    base = _("HUB2 reports that the transfer failed.")
    return f"{base} {detail[:300]}" if detail else base


# --- status: webhook --------------------------------------------------------------------------------

def hub2_webhook_receive(*, workspace_slug: str, body: bytes, signature: str) -> int:
    """A HUB2 webhook for a workspace: the HTTP status to answer. Nothing is read from the body, and
    nothing stored, before its signature is checked with the workspace's current or previous secret
    (400 otherwise, the same answer for an unknown workspace). A replayed event changes nothing."""
    hub2 = GrantSettings.objects.select_related("tenant").filter(
        tenant__slug=workspace_slug, tenant__is_active=True, hub2_enabled=True).first()
    if hub2 is None or not hub2.hub2_webhook_secret or len(body) > MAX_WEBHOOK_BYTES:
        return 400
    if not signature_valid(body, signature, (hub2.hub2_webhook_secret, hub2.hub2_webhook_secret_previous)):
        return 400
    try:
        payload = json.loads(body)
    except ValueError:
        return 400
    if not isinstance(payload, dict) or not payload.get("id"):
        return 400
    tenant = hub2.tenant
    event_type = str(payload.get("type") or payload.get("event") or "")[:100]
    data = payload.get("data")
    transfer = data.get("object") if isinstance(data, dict) and isinstance(data.get("object"), dict) else data
    transfer = transfer if isinstance(transfer, dict) else {}
    reference, transfer_id = str(transfer.get("reference") or ""), str(transfer.get("id") or "")
    disbursement = None
    if reference or transfer_id:
        match = Q(idempotency_key=reference) if reference else Q(external_id=transfer_id)
        disbursement = Disbursement.objects.filter(match, tenant=tenant, rail=Rail.HUB2).first()
    with transaction.atomic():
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(
                    tenant=tenant, provider=PROVIDER, event_id=f"t{tenant.pk}:{payload['id']}"[:200],
                    kind=event_type, disbursement=disbursement, payload=payload)
        except IntegrityError:
            return 200  # already received: applied then
        outcome = transfer_outcome(transfer, event_type)
        if disbursement is not None and outcome:
            disbursement_provider_result(disbursement=disbursement, tenant=tenant, outcome=outcome, event=event_type,
                                         reason=_failure_reason(transfer) if outcome == "failed" else "")
    return 200


# --- status: polling --------------------------------------------------------------------------------

def hub2_poll(*, limit: int = 500, client: Hub2Client | None = None) -> dict[str, int]:
    """Ask HUB2 about the payments it processes: sends again (by reference first) those without a HUB2
    id, and applies the status of the others. For the webhook's misses; run it every few minutes."""
    counts = {"asked": 0, "paid": 0, "failed": 0, "pending": 0, "unanswered": 0, "sent": 0}
    rows = list(Disbursement.objects.filter(rail=Rail.HUB2, status=D.PROCESSING).order_by("created_at", "id")[:limit])
    hub2_by_tenant = {t: _settings_of(t) for t in {row.tenant_id for row in rows}}
    for disbursement in rows:
        hub2 = hub2_by_tenant.get(disbursement.tenant_id)
        if hub2 is None:
            continue
        own = client or Hub2Client.for_settings(hub2)
        counts["asked"] += 1
        if not disbursement.external_id:
            result = hub2_send(disbursement_id=disbursement.pk, client=own)
            key = {"sent": "sent", "found": "sent", "failed": "failed", "retry": "unanswered"}.get(result)
            if key:
                counts[key] += 1
            continue
        try:
            transfer = own.get_transfer(disbursement.external_id)
        except (Hub2Unavailable, Hub2Refused):
            counts["unanswered"] += 1
            continue
        outcome = transfer_outcome(transfer)
        if outcome is None:
            counts["pending"] += 1
            continue
        done = disbursement_provider_result(
            disbursement=disbursement, tenant=hub2.tenant, outcome=outcome,
            event="poll", reason=_failure_reason(transfer) if outcome == "failed" else "")
        if done is not None:
            counts[outcome] += 1
    return counts
