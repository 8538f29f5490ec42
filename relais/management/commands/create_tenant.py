from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from relais.services.tenancy import tenant_create


class Command(BaseCommand):
    help = "Create a tenant (workspace). Platform operators only."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--language", default="fr", choices=["fr", "en"])
        parser.add_argument("--currency", default="XOF")
        parser.add_argument("--require-mfa", action="store_true")
        parser.add_argument("--reference-prefix", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = tenant_create(
                name=options["name"], slug=options["slug"], default_language=options["language"],
                default_currency=options["currency"], require_mfa_for_staff=options["require_mfa"],
                reference_prefix=options["reference_prefix"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Tenant {tenant.slug} created: /{tenant.slug}/"))
