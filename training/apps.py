from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Capacity building")

    def ready(self) -> None:
        from relais.services.tenancy import register_tenant_setup

        from . import (
            audit,  # noqa: F401  (audit labels, sentences and names of sessions and participants)
            dashboard,  # noqa: F401  (navigation)
            workflow,  # noqa: F401  (registers the training session table)
        )
        from .services.sessions import topics_seed

        register_tenant_setup(topics_seed)  # every workspace starts with the usual topics
        from . import (
            registry_assessments,  # noqa: F401  (capacity assessments: navigation, audit, workspace setup)
            registry_settings,  # noqa: F401  (training settings: audit)
            )
