"""The form finance fills to record a payment against a tranche. It parses and checks shapes; the
limits, conditions and four eyes are the service's (grants.services.disbursements)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import MobileOperator
from relais.forms import AmountField
from relais.money import Currency, format_money, minor_unit_problem
from relais.uploads import ACCEPT_ATTRIBUTE, validate_upload

from .models import Rail, Tranche
from .rails import rail_provider
from .services.disbursements import Conversion

MANUAL_RAILS = (Rail.BANK, Rail.MOBILE_MONEY, Rail.CASH)
DATE_WIDGET = {"type": "date"}


def rail_choices(tenant: Any) -> list[tuple[str, str]]:
    """The rails paid by hand, and the automated ones whose provider is enabled for the workspace."""
    choices = [(rail.value, str(rail.label)) for rail in MANUAL_RAILS]
    for rail in (Rail.STRIPE, Rail.HUB2):
        provider = rail_provider(rail)
        if provider is not None and provider.enabled(tenant):
            choices.append((rail.value, str(rail.label)))
    return choices


class DisbursementForm(forms.Form):
    # One token per form shown: posting it twice records one payment (grants.services.disbursements).
    submission = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,40}$", widget=forms.HiddenInput)
    tranche = forms.TypedChoiceField(label=_("Tranche"), coerce=int)
    rail = forms.ChoiceField(label=_("Payment method"))
    operator = forms.ChoiceField(label=_("Mobile money operator"), required=False,
                                 choices=[("", "—"), *MobileOperator.choices],
                                 help_text=_("For mobile money only; by default the operator of the payment details."))
    amount = AmountField(label=_("Amount"))
    paid_on = forms.DateField(label=_("Payment date"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False,
                                help_text=_("Transfer number, receipt number or transaction id."))
    proof = forms.FileField(label=_("Proof of payment"), required=False,
                            help_text=_("PDF, JPEG, PNG, DOCX or XLSX, 10 MB at most."),
                            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
    converted = forms.BooleanField(label=_("Paid in another currency"), required=False)
    paid_currency = forms.ChoiceField(label=_("Currency paid"), required=False,
                                      choices=[("", "—"), *Currency.choices])
    paid_amount = forms.DecimalField(label=_("Amount paid in that currency"), required=False, max_digits=16,
                                     decimal_places=4)
    rate = forms.DecimalField(label=_("Exchange rate"), required=False, max_digits=18, decimal_places=8,
                              help_text=_("Units of the currency paid for one unit of the award's currency."))
    rate_date = forms.DateField(label=_("Rate date"), required=False,
                                widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    rate_source = forms.CharField(label=_("Rate source"), max_length=200, required=False,
                                  help_text=_("Bank, BCEAO, provider…"))

    CONVERSION_FIELDS = ("paid_currency", "paid_amount", "rate", "rate_date", "rate_source")

    def __init__(self, *args: Any, tranches: Sequence[Tranche], currency: str, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["submission"].initial = secrets.token_urlsafe(18)
        self.tranches = {t.pk: t for t in tranches}
        self.fields["tranche"].choices = [
            (t.pk, _("Tranche %(number)s — %(left)s left") % {"number": t.number,
                                                              "left": format_money(t.remaining, currency)})
            for t in tranches if not t.is_cancelled and t.remaining > 0]
        self.fields["rail"].choices = rail_choices(tenant)
        amount = self.fields["amount"]
        assert isinstance(amount, AmountField)
        amount.currency = currency
        amount.label = _("Amount (%(currency)s)") % {"currency": currency}
        amount.help_text = _("In the award's currency, whatever currency was sent.")
        for name in ("amount", "paid_amount", "rate"):
            self.fields[name].widget.attrs.setdefault("inputmode", "decimal")
        self.fields["paid_amount"].widget.attrs["step"] = "any"
        self.fields["rate"].widget.attrs["step"] = "any"

    def clean_proof(self) -> Any:
        proof = self.cleaned_data.get("proof")
        if proof:
            validate_upload(proof)  # the reason, with the accepted types
        return proof

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("rail") == Rail.MOBILE_MONEY and not data.get("operator"):
            data["operator"] = ""  # the service takes the operator of the verified details
        if data.get("converted"):
            for name in self.CONVERSION_FIELDS:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("Required when the payment was sent in another currency."))
            currency, paid = data.get("paid_currency"), data.get("paid_amount")
            if currency and paid is not None:
                problem = minor_unit_problem(paid, currency)
                if problem:
                    self.add_error("paid_amount", problem)
        return data

    def tranche_obj(self) -> Tranche:
        return self.tranches[self.cleaned_data["tranche"]]

    def conversion(self) -> Conversion | None:
        data = self.cleaned_data
        if not data.get("converted"):
            return None
        return Conversion(currency=data["paid_currency"], amount=data["paid_amount"], rate=data["rate"],
                          rate_date=data["rate_date"], source=data["rate_source"])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        proof = data.get("proof")
        return {"tranche": self.tranche_obj(), "rail": data["rail"], "amount": data["amount"],
                "paid_on": data["paid_on"], "reference": data.get("reference", ""),
                "operator": data.get("operator", "") if data["rail"] == Rail.MOBILE_MONEY else "",
                "conversion": self.conversion(), "proof": proof, "proof_name": proof.name if proof else "",
                "submission": data["submission"]}
