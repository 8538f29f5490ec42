"""The grantee's two ways of signing the agreement: electronic acceptance, or the signed scan.

The forms only say what is missing in the reader's words; grants.services.agreements checks the same
rules again (a service never trusts a form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png"


class AgreementAcceptForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your full name"), max_length=200,
        error_messages={"required": _("Type your full name to sign.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    accepted = forms.BooleanField(
        label=_("I have read and accept the grant agreement"),
        error_messages={"required": _("Tick the box to say that you have read and accept the agreement.")},
    )

    def __init__(self, *args: Any, organisation: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation:
            self.fields["accepted"].label = _(
                "I have read and accept the grant agreement on behalf of %(organisation)s") % {
                "organisation": organisation}


class AgreementScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Signed agreement"), help_text=_("PDF, JPEG or PNG, every page signed."),
        error_messages={"required": _("Choose the file of the signed agreement.")},
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
    )
