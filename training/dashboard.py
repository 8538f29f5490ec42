"""Navigation for training sessions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relais.dashboard import nav_entry
from relais.models import Role

nav_entry(roles=[Role.MANAGER, Role.TRAINER, Role.APPLICANT], label=_("Training"),
          url_name="training:session_list", order=60)
