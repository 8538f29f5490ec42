"""The people-counting categories funders report on: sex and age band (youth = 15–35).

Shared by progress-report indicators and training participants, so "people reached" add up the
same way everywhere.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Women and girls")
    MALE = "male", _("Men and boys")


class AgeBand(models.TextChoices):
    UNDER_15 = "under_15", _("Under 15")
    FROM_15_TO_24 = "15_24", _("15–24")
    FROM_25_TO_35 = "25_35", _("25–35")
    FROM_36_TO_50 = "36_50", _("36–50")
    OVER_50 = "over_50", _("Over 50")


YOUTH_BANDS = frozenset({AgeBand.FROM_15_TO_24, AgeBand.FROM_25_TO_35})
