from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _reviewer_organisations(*, actor):
    """The CSOs a reviewer may see in the registry (the kernel's "reviewer_organisations" scope)."""
    from .selectors import organisations_under_review

    return organisations_under_review(tenant=actor.tenant, membership=actor.membership)


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self) -> None:
        from relais.scopes import REVIEWER_ORGANISATIONS, register_scope

        from . import dashboard  # noqa: F401  (registers panels and navigation)

        register_scope(REVIEWER_ORGANISATIONS, _reviewer_organisations)
