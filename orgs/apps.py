from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Workspaces and organisations")

    def ready(self) -> None:
        from . import dashboard, workflow  # noqa: F401  (registers panels, navigation, state tables)
