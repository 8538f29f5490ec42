from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self) -> None:
        from relais.scopes import REVIEWER_ORGANISATIONS, register_scope

        from . import (
            audit,  # noqa: F401  (tells the audit log how to name calls, applications and reviews)
            dashboard,  # noqa: F401  (registers panels, navigation and audit labels)
            workflow,  # noqa: F401  (registers the call, application and review tables)
        )
        from .selectors import organisations_under_review

        # The registry shows a reviewer only the CSOs of the applications they review (kernel scope).
        register_scope(REVIEWER_ORGANISATIONS, organisations_under_review)
