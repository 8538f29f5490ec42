from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self) -> None:
        from relais.conflicts import register_interest
        from relais.scopes import REVIEWER_ORGANISATIONS, register_scope

        from . import (
            audit,  # noqa: F401  (tells the audit log how to name calls, applications and reviews)
            dashboard,  # noqa: F401  (registers panels, navigation and audit labels)
            hub2_rail,  # noqa: F401  (registers the HUB2 mobile-money rail)
            reporting,  # noqa: F401  (registers the tranche condition "previous report approved")
            stripe_rail,  # noqa: F401  (registers the Stripe payment rail)
            workflow,  # noqa: F401  (registers the call, application, review, award, payment and report tables)
        )
        from .selectors import organisations_under_review, organisations_written_for

        # The registry shows a reviewer only the CSOs of the applications they review (kernel scope).
        register_scope(REVIEWER_ORGANISATIONS, organisations_under_review)
        # Conflict of interest: who wrote a CSO's application stays linked to that CSO.
        register_interest(organisations_written_for)
        # Every new workspace starts with the default indicators (people reached, dialogue sessions...).
        from relais.services.tenancy import register_tenant_setup

        from .hooks import set_up_indicators

        register_tenant_setup(set_up_indicators)
