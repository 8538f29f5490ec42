from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from relais.services.tenancy import register_members_changed, register_tenant_setup

        from . import audit, dashboard, workflow  # noqa: F401  (registers panels, navigation, state tables, audit)
        from .hooks import members_changed, set_up_workspace

        register_tenant_setup(set_up_workspace)
        register_members_changed(members_changed)
