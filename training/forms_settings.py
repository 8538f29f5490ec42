"""The workspace's training settings form (managers): typed input is kept on a refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TrainingSettings
from .models.settings import THRESHOLD_MAX, THRESHOLD_MIN


class TrainingSettingsForm(forms.Form):
    certificate_threshold = forms.IntegerField(
        label=_("Certificate threshold (percentage of the days)"), min_value=THRESHOLD_MIN, max_value=THRESHOLD_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("A participant present (or late) on at least this share of the session's days may get a "
                    "certificate of participation. From 50 to 100; usually 80."))
    protect_new_sessions = forms.BooleanField(
        label=_("New sessions are protected by default"), required=False,
        help_text=_("The “protected session” box is ticked on the form of every new session: names are replaced "
                    "by codes in exports and printed sheets, and certificates show initials only. The trainer can "
                    "still untick it; existing sessions do not change."))


def settings_initial(settings: TrainingSettings) -> dict[str, Any]:
    return {"certificate_threshold": settings.certificate_threshold,
            "protect_new_sessions": settings.protect_new_sessions}
