from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Capacity building")

    def ready(self) -> None:
        from . import (
            registry_assessments,  # noqa: F401  (capacity assessments: navigation, audit, workspace setup)
            workflow,  # noqa: F401  (registers the assessment table)
        )
