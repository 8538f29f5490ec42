"""The HUB2 settings form: secrets are typed, never shown back (an empty field keeps what is stored)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Hub2Environment


class Hub2SettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    enabled = forms.BooleanField(label=_("Pay mobile money through HUB2"), required=False)
    environment = forms.ChoiceField(label=_("Environment"), choices=Hub2Environment.choices)
    merchant_id = forms.CharField(label=_("Merchant ID"), max_length=100, required=False)
    api_key = forms.CharField(
        label=_("API key"), max_length=255, required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    webhook_secret = forms.CharField(
        label=_("Webhook secret"), max_length=255, required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("A new secret keeps the current one as the previous secret, so webhooks signed before "
                    "the change are still accepted."))
    forget_previous_secret = forms.BooleanField(label=_("Forget the previous webhook secret"), required=False)
