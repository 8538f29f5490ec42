"""The reach page's filters (period and topic) and the export form (kind, format, reason)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.validators import no_control_characters


class ReachFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, topics: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic = cast(forms.TypedChoiceField, self.fields["topic"])
        topic.choices = [("", _("All topics")), *((t.pk, t.name) for t in topics)]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"start": data.get("start"), "end": data.get("end"), "topic_id": data.get("topic")}


class ExportForm(forms.Form):
    AGGREGATED, INDIVIDUAL = "aggregated", "individual"
    kind = forms.ChoiceField(label=_("Content"), choices=[
        (AGGREGATED, _("Aggregated tables")), (INDIVIDUAL, _("List of participants (managers only)"))],
        initial=AGGREGATED)
    reason = forms.CharField(label=_("Reason for the list of participants"), required=False, max_length=300,
                             validators=[no_control_characters],
                             help_text=_("Required for the list of participants; recorded in the audit log."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == self.INDIVIDUAL and not (data.get("reason") or "").strip():
            self.add_error("reason", _("State why you need the list of participants."))
        return data
