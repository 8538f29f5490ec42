"""Mobile money through HUB2's transfers (pay-out) API: Orange Money and Mobicash in Mali.

What HUB2 documents, and what this module follows (docs.hub2.io: integration guide "Transfers
(Pay-Outs)", API reference "Create Transfer" and "Retrieve a Transfer collection", the "Webhooks"
integration guide and the "Policies" page):

- ``POST {HUB2_API_URL}/transfers`` with the headers ``ApiKey``, ``MerchantId`` and ``Environment``
  (``sandbox`` or ``live``) and the body ``{reference, amount, currency, description, destination:
  {type: "mobile_money", country, recipientName, msisdn, provider}}``. ``amount`` is a positive
  integer in the currency's smallest unit (XOF has no decimals). The answer is the Transfer: its
  HUB2 ``id`` (kept in ``Disbursement.external_id``), ``reference`` and ``status``: ``created``,
  ``pending``, ``successful`` or ``failed``.
- ``reference`` takes letters, digits, hyphen, underscore, dot and space only (else 400): the
  disbursement's ``idempotency_key`` (``relais-<tenant>-<hex>``) is sent, one per payment.
- ``GET /transfers/{id}`` gives a transfer's details; ``GET /transfers?reference=…`` lists the
  transfers made with a reference (how a retry learns whether a timed-out creation went through).
- Pay-out limits (Policies): Mali, Orange and Mobicash, 500 to 1,500,000 XOF, in multiples of 5.
- Webhooks: the header ``Hub2-Signature: s1=<hex>,s0=<hex>`` carries the HMAC-SHA256 of the raw body
  with the webhook's secret (``s1``) and, for 24 hours after a rotation, with the old secret (``s0``).
  We accept a signature made with the workspace's current or previous secret.

Not spelt out in what we could read of the documentation: the exact webhook body. We read it as
``{"id": <event id>, "type": "transfer.…", "data": <Transfer>}`` (the Transfer may also sit under
``data.object``); the outcome comes from the Transfer's own ``status``, the event type only as a
fallback (``…succeeded`` / ``…successful`` / ``…failed``).

The HTTP client uses ``requests``; tests mount a local transport adapter on the session that
``session_factory`` returns, so the real library runs without the network.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from orgs.models import MobileOperator, PaymentDetails, PaymentDetailsStatus
from relais.money import format_money

from .models import GrantSettings, Rail
from .rails import RailProvider, register_rail

if TYPE_CHECKING:
    from relais.models import Tenant

    from .models import Award

PROVIDER = "hub2"
CURRENCY = "XOF"
COUNTRY = "ML"
MINIMUM = 500
MAXIMUM = 1_500_000
MULTIPLE = 5
# Our operator codes (orgs.MobileOperator and what finance may type) -> HUB2's provider names in Mali.
# Moov Africa Malitel's mobile money is Mobicash.
PROVIDERS = {
    MobileOperator.ORANGE.value: "orange", "orange": "orange",
    MobileOperator.MOOV.value: "mobicash", "moov": "mobicash", "mobicash": "mobicash",
}
MALI_NUMBER = re.compile(r"\+223[0-9]{8}")
REFERENCE = re.compile(r"[A-Za-z0-9\-_. ]{1,100}")

SUCCESSFUL, FAILED = "successful", "failed"


# --- limits and payee -----------------------------------------------------------------------------

def mali_number(raw: str) -> str | None:
    """'+223 76 12 34 56', '00223 76123456' or the 8 local digits -> '+22376123456'; None otherwise."""
    compact = re.sub(r"[\s.\-()]", "", raw or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"[0-9]{8}", compact):
        compact = "+223" + compact
    return compact if MALI_NUMBER.fullmatch(compact) else None


def hub2_provider(operator: str) -> str | None:
    return PROVIDERS.get((operator or "").strip().lower())


def amount_problems(amount: Decimal, currency: str) -> list[str]:
    """HUB2's documented pay-out limits for Orange and Mobicash in Mali, in the reader's language."""
    if currency != CURRENCY:
        return [_("HUB2 pays in francs CFA (XOF) only; this award is in %(currency)s.") % {"currency": currency}]
    if amount != amount.to_integral_value():
        return [_("HUB2 pays whole francs CFA: %(amount)s has decimals.") % {"amount": format_money(amount, currency)}]
    values = {"amount": format_money(amount, currency), "min": format_money(MINIMUM, currency),
              "max": format_money(MAXIMUM, currency)}
    if amount < MINIMUM:
        return [_("HUB2 pays at least %(min)s per transfer; %(amount)s is less.") % values]
    if amount > MAXIMUM:
        return [_("HUB2 pays at most %(max)s per transfer; %(amount)s is more: split the payment.") % values]
    if amount % MULTIPLE:
        lower = amount - amount % MULTIPLE
        return [_("HUB2 pays amounts in multiples of 5 francs CFA; %(amount)s is not (%(lower)s or %(upper)s "
                  "would be).") % {**values, "lower": format_money(lower, currency),
                                   "upper": format_money(lower + MULTIPLE, currency)}]
    return []


def _details(award: Award) -> PaymentDetails | None:
    return PaymentDetails.objects.filter(tenant_id=award.tenant_id, organisation_id=award.organisation_id).first()


def payee_problems(details: PaymentDetails | None, operator: str) -> list[str]:
    if details is None or not (details.mobile_number or "").strip():
        return [_("The organisation has no mobile money number in its payment details.")]
    problems = []
    if details.status != PaymentDetailsStatus.VERIFIED:
        problems.append(_("The organisation's payment details must be verified by finance before paying "
                          "through HUB2."))
    if hub2_provider(operator or details.mobile_operator) is None:
        problems.append(_("HUB2 pays Orange Money and Mobicash (Moov Africa Malitel) in Mali: choose one of them."))
    if mali_number(details.mobile_number) is None:
        problems.append(_("HUB2 pays Malian numbers only (+223 and 8 digits); the organisation's mobile money "
                          "number is not one."))
    if not (details.mobile_holder or "").strip():
        problems.append(_("Enter the name of the mobile money account holder in the organisation's payment "
                          "details."))
    return problems


def hub2_problems(*, award: Award, amount: Decimal, operator: str = "") -> list[str]:
    """What stops a HUB2 payment before anything is recorded, with every reason."""
    return amount_problems(amount, award.currency) + payee_problems(_details(award), operator)


def hub2_payee(award: Award) -> dict[str, Any]:
    """The verified number and holder, kept on the payment (sent as recorded, whatever changes later)."""
    details = _details(award)
    if details is None:
        return {}
    return {"operator": details.mobile_operator, "number": mali_number(details.mobile_number) or "",
            "holder": details.mobile_holder}


def hub2_enabled(tenant: Tenant) -> bool:
    row = GrantSettings.objects.filter(tenant=tenant).values_list(
        "hub2_enabled", "hub2_api_key", "hub2_merchant_id").first()
    return bool(row and row[0] and row[1] and row[2])


# --- signatures -------------------------------------------------------------------------------------

def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str, secrets: Iterable[str]) -> bool:
    """True when one signature of ``Hub2-Signature: s1=…,s0=…`` is the HMAC-SHA256 of the raw body
    with one of our secrets (current or previous). Compared in constant time."""
    given = []
    for part in (header or "").split(","):
        name, _sep, value = part.strip().partition("=")
        if name.strip() in ("s0", "s1") and value.strip():
            given.append(value.strip().lower())
    expected = [sign(body, secret) for secret in secrets if secret]
    return any(hmac.compare_digest(g, e) for g in given for e in expected)


# --- the HTTP client --------------------------------------------------------------------------------

class Hub2Error(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = status


class Hub2Unavailable(Hub2Error):
    """No answer, a timeout, 429 or a server error: whether HUB2 acted is unknown; ask again later."""


class Hub2Refused(Hub2Error):
    """HUB2 answered that it will not do it (4xx): nothing was created."""


# The session the client sends with; tests replace it with one whose transport answers locally.
session_factory: Callable[[], requests.Session] = requests.Session


@dataclass(frozen=True)
class Hub2Client:
    api_key: str
    merchant_id: str
    environment: str
    base_url: str = ""
    timeout: float = 30.0

    @classmethod
    def for_settings(cls, row: GrantSettings) -> Hub2Client:
        return cls(api_key=row.hub2_api_key, merchant_id=row.hub2_merchant_id, environment=row.hub2_environment,
                   base_url=settings.HUB2_API_URL, timeout=settings.HUB2_TIMEOUT_SECONDS)

    def _request(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                 params: dict[str, str] | None = None) -> Any:
        headers = {"ApiKey": self.api_key, "MerchantId": self.merchant_id, "Environment": self.environment,
                   "Accept": "application/json"}
        try:
            with session_factory() as session:
                response = session.request(method, f"{self.base_url}{path}", headers=headers, json=body,
                                           params=params, timeout=self.timeout)
        except requests.RequestException as exc:  # timeout, connection refused, reset...
            raise Hub2Unavailable(type(exc).__name__) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise Hub2Unavailable(f"HTTP {response.status_code}", status=response.status_code)
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            message = data.get("message") if isinstance(data, dict) else ""
            if isinstance(message, list):
                message = "; ".join(str(m) for m in message)
            raise Hub2Refused(str(message or f"HTTP {response.status_code}")[:300], status=response.status_code)
        return data

    def create_transfer(self, body: dict[str, Any]) -> dict[str, Any]:
        data = self._request("POST", "/transfers", body=body)
        if not isinstance(data, dict) or not data.get("id"):
            raise Hub2Unavailable("HUB2 answered without a transfer id")
        return data

    def get_transfer(self, transfer_id: str) -> dict[str, Any]:
        data = self._request("GET", f"/transfers/{requests.utils.quote(transfer_id, safe='')}")
        if not isinstance(data, dict):
            raise Hub2Unavailable("HUB2 answered without a transfer")
        return data

    def transfers_by_reference(self, reference: str) -> list[dict[str, Any]]:
        data = self._request("GET", "/transfers", params={"reference": reference})
        if isinstance(data, dict):  # a page: the list under its usual keys
            data = next((data[k] for k in ("data", "items", "transfers", "results") if isinstance(data.get(k), list)),
                        [])
        return [t for t in data or [] if isinstance(t, dict) and t.get("reference") == reference and t.get("id")]


def transfer_outcome(transfer: dict[str, Any], event_type: str = "") -> str | None:
    """'paid', 'failed' or None (still created / pending) from a Transfer or a webhook event."""
    status = str(transfer.get("status") or "").lower()
    if status == SUCCESSFUL:
        return "paid"
    if status == FAILED:
        return "failed"
    if not status:
        kind = event_type.lower()
        if kind.endswith((".succeeded", ".successful")):
            return "paid"
        if kind.endswith(".failed"):
            return "failed"
    return None


def _send(disbursement_id: int) -> None:
    from .hub2_tasks import hub2_send_task

    hub2_send_task.enqueue(disbursement_id)


register_rail(RailProvider(rail=Rail.HUB2, enabled=hub2_enabled, problems=hub2_problems, payee=hub2_payee,
                           send=_send))
