from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import SanctionsSource, SanctionsSourceFormat, ScreeningDecision
from relais.validators import no_control_characters

MAX_LIST_BYTES = 50 * 1024 * 1024


class ScreeningDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ScreeningDecision.CLEAR, ScreeningDecision.CLEAR.label),
            (ScreeningDecision.FALSE_POSITIVE, ScreeningDecision.FALSE_POSITIVE.label),
            (ScreeningDecision.CONFIRMED, _("Confirmed match (suspends the organisation)")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: different date of birth and nationality than the listed person."),
    )


class SanctionsListUploadForm(forms.Form):
    name = forms.CharField(label=_("Name of the list"), max_length=200, validators=[no_control_characters],
                           help_text=_("For example: UN consolidated list, November 2026."))
    source = forms.ChoiceField(label=_("Source"), choices=SanctionsSource.choices,
                               help_text=_("Each screening uses the latest list of every source."))
    source_format = forms.ChoiceField(label=_("Format"), choices=SanctionsSourceFormat.choices)
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".xml,.csv"}))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_LIST_BYTES:
            raise forms.ValidationError(_("This file is too large for a sanctions list (50 MB at most)."))
        return file
