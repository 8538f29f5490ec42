from django.apps import AppConfig


class RelaisConfig(AppConfig):
    name = "relais"
    verbose_name = "Relais"

    def ready(self) -> None:
        from . import checks, panels  # noqa: F401  (registers the deployment checks, navigation and labels)
        from .services import outbox  # noqa: F401  (the outbox's state table and the invitation's e-mail)
