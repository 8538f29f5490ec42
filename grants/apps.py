from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self) -> None:
        from orgs.selectors.organisations import register_reviewer_organisations

        from . import (
            dashboard,  # noqa: F401  (registers panels, navigation and audit labels)
            workflow,  # noqa: F401  (registers the call, application and review tables)
        )
        from .selectors import organisations_under_review

        register_reviewer_organisations(organisations_under_review)
