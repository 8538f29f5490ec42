from django.apps import AppConfig


class RelaisConfig(AppConfig):
    name = "relais"
    verbose_name = "Relais"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
