"""Stripe transfers to a CSO's connected account: the Stripe rail of grants.rails.

A workspace enables Stripe in its grant settings; the secret key and the webhook's signing secret are
the workspace's own when it set them, the server's (`STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`)
otherwise. They are read here and handed to the `stripe` library only: never rendered, logged or audited
(`StripeConfig` keeps them out of its repr).

A payment by Stripe is recorded like any other (grants.services.disbursements.disbursement_record), to
the connected account (`acct_…`) finance set on the CSO's payment details, once a second finance member
verified them. After commit `stripe_transfer_send` creates the Transfer (grants.services.stripe) with the
payment's idempotency key, so a retry, by the library or by the task, never pays twice; the payment stays
"processing" until Stripe's signed webhook confirms it (grants.views.stripe.stripe_webhook).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django_tasks import task

from orgs.models import PaymentDetails
from relais.actor import Actor
from relais.payability import PAYMENT_DETAILS, organisation_check

from .models import GrantSettings, Rail
from .rails import RailProvider, register_rail

if TYPE_CHECKING:
    from relais.models import Tenant

    from .models import Award

PROVIDER = "stripe"

# How many decimals Stripe's integer amounts carry per currency (its "smallest currency unit"): XOF is
# one of Stripe's zero-decimal currencies (5 000 000 FCFA → 5000000), EUR, USD and GBP count cents
# (12,50 € → 1250). Only the currencies Relais budgets in; any other is refused before recording.
STRIPE_DECIMALS = {"XOF": 0, "EUR": 2, "USD": 2, "GBP": 2}

SECRET_KEY_RE = re.compile(r"(sk|rk)_(test|live)_[A-Za-z0-9]{8,}")
WEBHOOK_SECRET_RE = re.compile(r"whsec_[A-Za-z0-9+/=]{8,}")


@dataclass(frozen=True)
class StripeConfig:
    """A workspace's Stripe switch and the keys in force (its own, else the server's)."""

    enabled: bool
    secret_key: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)
    own_secret_key: bool = False
    own_webhook_secret: bool = False

    @property
    def ready(self) -> bool:
        return self.enabled and bool(self.secret_key)

    def shown(self) -> dict[str, Any]:
        """What a page may say about the keys: where each comes from ("own", "server" or ""), never a key."""
        def source(own: bool, value: str) -> str:
            return "own" if own else ("server" if value else "")

        return {"enabled": self.enabled, "secret_key": source(self.own_secret_key, self.secret_key),
                "webhook_secret": source(self.own_webhook_secret, self.webhook_secret)}


def stripe_config(tenant: Tenant) -> StripeConfig:
    """Read only (the webhook asks before the signature is checked: nothing may be written then)."""
    row = (GrantSettings.objects.filter(tenant=tenant)
           .values("stripe_enabled", "stripe_secret_key", "stripe_webhook_secret").first()) or {}
    own_key, own_secret = row.get("stripe_secret_key") or "", row.get("stripe_webhook_secret") or ""
    return StripeConfig(
        enabled=bool(row.get("stripe_enabled")),
        secret_key=own_key or settings.STRIPE_SECRET_KEY,
        webhook_secret=own_secret or settings.STRIPE_WEBHOOK_SECRET,
        own_secret_key=bool(own_key), own_webhook_secret=bool(own_secret),
    )


def stripe_settings_version(tenant: Tenant) -> int:
    """The version of the workspace's grant settings (0: none saved yet), for the settings page."""
    return GrantSettings.objects.filter(tenant=tenant).values_list("version", flat=True).first() or 0


def stripe_enabled(tenant: Tenant) -> bool:
    return stripe_config(tenant).ready


def stripe_amount(amount: Decimal, currency: str) -> int:
    """``amount`` in Stripe's integer unit for ``currency``; ValueError for a currency Stripe is not used
    for here or an amount finer than the unit (never rounded: money is exact)."""
    decimals = STRIPE_DECIMALS.get(currency.upper())
    if decimals is None:
        raise ValueError(f"Stripe transfers are not set up for {currency}.")
    scaled = Decimal(amount).scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of Stripe units.")
    return int(scaled)


@sensitive_variables("secret_key")
def stripe_client(secret_key: str) -> stripe.StripeClient:
    """The real library. Its HTTP transport is `stripe.default_http_client` when one is set (the tests'
    local transport), else the library's own; it retries network errors with the same idempotency key."""
    return stripe.StripeClient(secret_key, http_client=stripe.default_http_client,
                               max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES)


def connected_account(award: Award) -> str:
    return (PaymentDetails.objects.filter(tenant_id=award.tenant_id, organisation_id=award.organisation_id)
            .values_list("stripe_account", flat=True).first()) or ""


def stripe_problems(*, award: Award, amount: Decimal, operator: str = "", today: date | None = None) -> list[str]:
    """What blocks a Stripe payment before anything is recorded, in the reader's language."""
    problems = []
    if award.currency not in STRIPE_DECIMALS:
        problems.append(_("Stripe transfers are not available in %(currency)s.") % {"currency": award.currency})
    if not connected_account(award):
        problems.append(_("This organisation has no Stripe connected account: finance adds it to its payment "
                          "details."))
    else:  # the account is part of the payment details: changed means verified again by a second person
        usable = organisation_check(PAYMENT_DETAILS, actor=Actor.system(award.tenant), organisation=award.organisation,
                                    today=today or timezone.localdate())
        if not usable:
            problems.append(str(usable.reason))
    return problems


def stripe_payee(award: Award) -> dict[str, Any]:
    """Kept on the payment: the account verified now is the one the transfer goes to."""
    return {"stripe_account": connected_account(award), "name": award.organisation.name}


@task()
def stripe_transfer_send(disbursement_id: int, attempt: int = 1, send_round: int = 0) -> str:
    """Create the Transfer of a processing Stripe payment (idempotent: safe to run again). ``send_round``:
    the payment's round of attempts this task belongs to (a manual retry starts a new one)."""
    from .services.stripe import stripe_transfer_create

    return stripe_transfer_create(disbursement_id=disbursement_id, attempt=attempt, send_round=send_round)


def _send(disbursement_id: int) -> None:
    stripe_transfer_send.enqueue(disbursement_id)


STRIPE_RAIL = register_rail(RailProvider(
    rail=Rail.STRIPE, enabled=stripe_enabled, problems=stripe_problems, payee=stripe_payee, send=_send,
))
