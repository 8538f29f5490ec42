"""relais.forms.AmountField: amount inputs follow the currency's minor unit (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from relais.forms import AmountField, use_amount_fields


def _form(currency: str, value: str) -> forms.Form:
    form = forms.Form(data={"amount": value})
    form.fields["amount"] = AmountField(currency=currency, required=False, min_value=0)
    return form


@pytest.mark.parametrize("value", ["12500.75", "0.5", "12500.001"])
def test_xof_refuses_centimes_with_a_clear_message(value):
    form = _form("XOF", value)
    assert not form.is_valid()
    assert "XOF" in form.errors["amount"][0] and "centime" in form.errors["amount"][0]


@pytest.mark.parametrize(("value", "expected"), [("12500", Decimal("12500")), ("12500.00", Decimal("12500"))])
def test_xof_takes_whole_francs(value, expected):
    form = _form("XOF", value)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == expected


def test_euro_takes_cents_but_not_thousandths():
    assert _form("EUR", "12500.75").is_valid()
    form = _form("EUR", "12.755")
    assert not form.is_valid() and form.errors["amount"]


@pytest.mark.parametrize(("currency", "step", "mode"), [("XOF", "1", "numeric"), ("EUR", "0.01", "decimal")])
def test_the_input_steps_by_the_minor_unit(currency, step, mode):
    html = str(_form(currency, "")["amount"])
    assert f'step="{step}"' in html and f'inputmode="{mode}"' in html


def test_changing_the_currency_changes_the_step_and_the_rule():
    form = _form("EUR", "10.50")
    form.fields["amount"].currency = "XOF"
    assert 'step="1"' in str(form["amount"])
    assert not form.is_valid()


def test_a_stored_amount_shows_in_the_currency_s_digits():
    field = AmountField(currency="XOF")
    assert field.prepare_value(Decimal("250000.00")) == Decimal("250000")
    assert str(AmountField(currency="EUR").prepare_value(Decimal("12.50"))) == "12.50"
    # Never rounded behind the person's back: a legacy amount with centimes shows as it is.
    assert field.prepare_value(Decimal("12500.75")) == Decimal("12500.75")


def test_use_amount_fields_keeps_label_bounds_and_requiredness():
    class Budget(forms.Form):
        envelope = forms.DecimalField(label="Enveloppe", min_value=0, max_digits=14, decimal_places=2)
        note = forms.CharField(required=False)

    form = Budget(data={"envelope": "-5"})
    use_amount_fields(form, "XOF", "envelope", "absent")
    field = form.fields["envelope"]
    assert isinstance(field, AmountField) and field.label == "Enveloppe" and field.required
    assert not form.is_valid() and form.errors["envelope"]  # min_value kept
