"""Awards and the money that follows them: tranches, the agreement, disbursements and the ledger.

An approved application becomes an `Award` (grants.services.awards.award_create). Its amount is
split into `Tranche` rows that add up exactly to it, in the currency's minor unit. Money leaves
through `Disbursement` rows (one payment instruction each, with its own small state table), and
every payment or reversal that counts is a `LedgerEntry`, which is never changed or deleted
(database triggers refuse it). `committed` and `paid` on the tranche and the award are kept by
the services under row locks, and CHECK constraints refuse any write that would take them past
the amount: the limit holds in the database even if a service were wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation
from relais.concurrency import Versioned
from relais.models import TenantOwned
from relais.money import amount_field, currency_field
from relais.uploads import get_private_storage
from relais.validators import no_control_characters

from .applications import Application
from .calls import BudgetCategory, Call

DEFAULT_TRANCHE_PLAN = [40, 40, 20]


def default_tranche_plan() -> list[int]:
    return list(DEFAULT_TRANCHE_PLAN)


def default_approval_thresholds() -> dict[str, str]:
    """Above these amounts (in the award's currency) a second finance member approves a disbursement."""
    return {"XOF": "1000000", "EUR": "1500", "USD": "1500", "GBP": "1500"}


def default_reminder_days() -> list[int]:
    return [14, 3]


def logo_path(instance: GrantSettings, filename: str) -> str:
    return f"grants/{instance.tenant_id}/logo/{filename}"


class Hub2Environment(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (tests, no real money)")
    LIVE = "live", _("Live")


class GrantSettings(Versioned, TenantOwned):
    """A workspace's rules for awards and payments (one row per workspace, made on first use)."""

    tranche_plan = models.JSONField(_("default tranche plan (%)"), default=default_tranche_plan)
    approval_thresholds = models.JSONField(_("second approval above"), default=default_approval_thresholds)
    clauses_fr = models.TextField(_("agreement clauses (French)"), blank=True)
    clauses_en = models.TextField(_("agreement clauses (English)"), blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_path, storage=get_private_storage, max_length=300, blank=True)
    # Progress reports: reminders this many days before the due date; expenditure lines whose variance against
    # the budget passes this percentage need an explanation.
    reminder_days = models.JSONField(_("reminders before the due date (days)"), default=default_reminder_days)
    variance_threshold = models.DecimalField(_("variance needing an explanation (%)"), max_digits=5,
                                             decimal_places=2, default=Decimal("10"))
    # Stripe transfers (grants.stripe_rail). The keys are write-only: never rendered, logged or audited;
    # empty means the server's STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET.
    stripe_enabled = models.BooleanField(_("Stripe transfers enabled"), default=False)
    stripe_secret_key = models.CharField(_("Stripe secret key"), max_length=255, blank=True, editable=False)
    stripe_webhook_secret = models.CharField(_("Stripe webhook signing secret"), max_length=255, blank=True,
                                             editable=False)
    # Mobile money through HUB2 (grants.hub2_rail). The key and the webhook secrets are never shown
    # back, logged or audited: the settings page only says whether each is set.
    hub2_enabled = models.BooleanField(_("pay mobile money through HUB2"), default=False)
    hub2_environment = models.CharField(_("HUB2 environment"), max_length=10, choices=Hub2Environment.choices,
                                        default=Hub2Environment.SANDBOX)
    hub2_merchant_id = models.CharField(_("HUB2 merchant ID"), max_length=100, blank=True,
                                        validators=[no_control_characters])
    hub2_api_key = models.CharField(_("HUB2 API key"), max_length=255, blank=True, validators=[no_control_characters])
    hub2_webhook_secret = models.CharField(_("HUB2 webhook secret"), max_length=255, blank=True,
                                           validators=[no_control_characters])
    hub2_webhook_secret_previous = models.CharField(_("previous HUB2 webhook secret"), max_length=255, blank=True,
                                                    validators=[no_control_characters])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="grantsettings_one_per_tenant")]
        verbose_name = _("grant settings")
        verbose_name_plural = _("grant settings")

    def __str__(self) -> str:
        return f"{self.tenant_id}"


class AwardStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    ISSUED = "issued", _("Agreement issued")
    SIGNED = "signed", _("Signed by the grantee")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    TERMINATED = "terminated", _("Terminated")


# Before signature the award's terms (amount split, dates, budget, tranche plan) may still change.
AWARD_EDITABLE_STATUSES = frozenset({AwardStatus.DRAFTED})
AWARD_PAYABLE_STATUSES = frozenset({AwardStatus.ACTIVE})


class Award(Versioned, TenantOwned):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="awards")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    reference = models.CharField(_("reference"), max_length=30, db_index=True)
    title = models.CharField(_("project title"), max_length=200, validators=[no_control_characters])
    amount = amount_field(verbose_name=_("awarded amount"))
    currency = currency_field(verbose_name=_("currency"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AwardStatus.choices, default=AwardStatus.DRAFTED,
                              db_index=True)
    # Kept by the disbursement services under the award's row lock (CHECK constraints below):
    # committed = payments awaiting approval, processing or paid; paid = paid minus reversed.
    committed = amount_field(verbose_name=_("committed"), default=Decimal("0"), editable=False)
    paid = amount_field(verbose_name=_("paid"), default=Decimal("0"), editable=False)
    signed_at = models.DateTimeField(_("signed by the grantee on"), null=True, blank=True)
    countersigned_at = models.DateTimeField(_("countersigned on"), null=True, blank=True)
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+")
    end_reason = models.TextField(_("reason for closing or terminating"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-updated_at", "-id"], name="award_tenant_recent"),
            models.Index(fields=["tenant", "status", "-updated_at", "-id"], name="award_tenant_status"),
            models.Index(fields=["tenant", "organisation", "-updated_at"], name="award_tenant_organisation"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="award_unique_reference_per_tenant"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(condition=Q(committed__gte=0) & Q(committed__lte=F("amount")),
                                   name="award_committed_within_amount"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=F("committed")),
                                   name="award_paid_within_committed"),
        ]
        verbose_name = _("award")

    def __str__(self) -> str:
        return self.reference

    @property
    def remaining(self) -> Decimal:
        """What may still be committed to payments."""
        return self.amount - self.committed

    @property
    def is_editable(self) -> bool:
        return self.status in AWARD_EDITABLE_STATUSES


class AwardBudgetLine(TenantOwned):
    """The award's budget, copied from the application's lines and adjustable before signature."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.ForeignKey(BudgetCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("category"))
    description = models.CharField(_("description"), max_length=255, blank=True, validators=[no_control_characters])
    amount = amount_field(verbose_name=_("amount"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("budget line")

    def __str__(self) -> str:
        return self.description


class Tranche(TenantOwned):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("number"))
    amount = amount_field(verbose_name=_("amount"))
    due_date = models.DateField(_("planned date"), null=True, blank=True)
    # Codes of grants.conditions (agreement signed, due diligence, screening, previous report...).
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    committed = amount_field(verbose_name=_("committed"), default=Decimal("0"), editable=False)
    paid = amount_field(verbose_name=_("paid"), default=Decimal("0"), editable=False)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["award_id", "number"]
        # The finance page's "tranches to pay", soonest due first: read in index order, stopping at the page.
        indexes = [models.Index(fields=["tenant", "due_date", "award", "number"], name="tranche_to_pay",
                                condition=Q(cancelled_at__isnull=True, committed__lt=F("amount")))]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="tranche_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(condition=Q(committed__gte=0) & Q(committed__lte=F("amount")),
                                   name="tranche_committed_within_amount"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=F("committed")),
                                   name="tranche_paid_within_committed"),
        ]
        verbose_name = _("tranche")

    def __str__(self) -> str:
        return str(_("Tranche %(number)s") % {"number": self.number})

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


def agreement_path(instance: AgreementDocument, filename: str) -> str:
    return f"grants/{instance.tenant_id}/awards/{instance.award_id}/agreement/{filename}"


class AgreementDocumentKind(models.TextChoices):
    GENERATED = "generated", _("Generated agreement")
    SIGNED_SCAN = "signed_scan", _("Signed scan")


class AgreementDocument(TenantOwned):
    """Every generated agreement and every signed scan, kept with its SHA-256 (never replaced)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="documents")
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementDocumentKind.choices)
    language = models.CharField(_("language"), max_length=8, default="fr")
    file = models.FileField(_("file"), upload_to=agreement_path, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award_id", "number"]
        constraints = [models.UniqueConstraint(fields=["award", "number"], name="agreementdocument_unique_number")]
        verbose_name = _("agreement document")

    def __str__(self) -> str:
        return f"{self.award_id} v{self.number}"


class SignatureMethod(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic acceptance")
    SCAN = "scan", _("Signed scan")


class AgreementSignature(TenantOwned):
    """The grantee's signature of one agreement version: typed name and consent, or a signed scan."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="signatures")
    document = models.ForeignKey(AgreementDocument, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("agreement version"))
    method = models.CharField(_("method"), max_length=20, choices=SignatureMethod.choices)
    full_name = models.CharField(_("full name"), max_length=200, blank=True, validators=[no_control_characters])
    scan = models.ForeignKey(AgreementDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("signature")

    def __str__(self) -> str:
        return f"{self.award_id}: {self.method}"


class Rail(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    MOBILE_MONEY = "mobile_money", _("Mobile money (paid by hand)")
    CASH = "cash", _("Cash")
    STRIPE = "stripe", _("Stripe transfer")
    HUB2 = "hub2", _("Mobile money through HUB2")


# Rails whose payment is sent by Relais and confirmed later by the provider (webhook or polling).
AUTOMATED_RAILS = frozenset({Rail.STRIPE, Rail.HUB2})


class DisbursementStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting second approval")
    PROCESSING = "processing", _("Processing")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Refused by the second approver")
    REVERSED = "reversed", _("Reversed")


# Statuses whose amount counts against the tranche and the award.
COMMITTED_STATUSES = frozenset({DisbursementStatus.AWAITING_APPROVAL, DisbursementStatus.PROCESSING,
                                DisbursementStatus.PAID})


def proof_path(instance: Disbursement, filename: str) -> str:
    return f"grants/{instance.tenant_id}/awards/{instance.award_id}/payments/{filename}"


class Disbursement(TenantOwned):
    """One payment against a tranche. Its amounts never change once recorded: a mistake is a reversal."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="disbursements")
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="disbursements")
    rail = models.CharField(_("payment method"), max_length=20, choices=Rail.choices)
    operator = models.CharField(_("mobile money operator"), max_length=20, blank=True)
    # What the award's ledger counts, in the award's currency.
    amount = amount_field(verbose_name=_("amount"))
    currency = currency_field(verbose_name=_("currency"))
    # What was actually sent when it was another currency: both amounts, the rate, its date and source.
    paid_currency = currency_field(verbose_name=_("currency paid"))
    paid_amount = amount_field(verbose_name=_("amount paid"))
    rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8, null=True, blank=True)
    rate_date = models.DateField(_("rate date"), null=True, blank=True)
    rate_source = models.CharField(_("rate source"), max_length=200, blank=True, validators=[no_control_characters])
    paid_on = models.DateField(_("payment date"))
    reference = models.CharField(_("payment reference"), max_length=100, blank=True,
                                 validators=[no_control_characters])
    # Where the money went, as verified at the time (full numbers: finance and the grantee only).
    payee = models.JSONField(default=dict, blank=True)
    proof = models.FileField(_("proof of payment"), upload_to=proof_path, storage=get_private_storage,
                             max_length=300, blank=True)
    proof_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DisbursementStatus.choices, db_index=True)
    needs_approval = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)  # refusal, failure or reversal
    # Providers: the idempotency key sent with the request and the provider's id for the payment.
    idempotency_key = models.CharField(max_length=80, unique=True)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    # Sending to a provider that did not answer (Stripe): the attempts of the current round that failed
    # with an error worth retrying, and when Relais stopped trying (finance is told; a retry starts again).
    # A manual retry starts a new round: the send task carries its round, and a task of an older round
    # stops instead of scheduling more, so only the newest round can say it stalled.
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_stalled_at = models.DateTimeField(null=True, blank=True)
    send_round = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at", "-id"], name="disbursement_tenant_status"),
            models.Index(fields=["tenant", "-created_at", "-id"], name="disbursement_tenant_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            models.CheckConstraint(condition=Q(paid_amount__gt=0), name="disbursement_paid_amount_positive"),
        ]
        verbose_name = _("disbursement")

    def __str__(self) -> str:
        return f"{self.award_id}/{self.tranche_id}: {self.amount} {self.currency}"


class LedgerIsAppendOnly(Exception):
    """A programming error: code tried to change or delete a ledger entry."""


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Reversal")


class LedgerEntry(TenantOwned):
    """Append-only: a row is written when a payment counts as paid, and another when it is reversed.
    Triggers (migration grants_awards_ledger_append_only) refuse UPDATE and DELETE in the database."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="ledger")
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="+")
    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount = amount_field(verbose_name=_("amount"))  # positive, in the award's currency
    currency = currency_field(verbose_name=_("currency"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["award", "created_at", "id"], name="ledgerentry_award_time")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledgerentry_amount_positive"),
            models.UniqueConstraint(fields=["disbursement", "kind"], name="ledgerentry_once_per_disbursement_kind"),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly("A ledger entry is never changed: record a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerIsAppendOnly("A ledger entry is never deleted: record a reversal instead.")


class PaymentEvent(TenantOwned):
    """A provider's webhook event, stored once: a replayed event id changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=100, blank=True)
    disbursement = models.ForeignKey(Disbursement, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="events")
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="paymentevent_unique_event")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
