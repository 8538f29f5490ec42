"""Seed the demo tenants. Idempotent; refuses to run with DEBUG off."""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orgs.demo import DEMO_PASSWORD, DEMO_ROLES, TENANTS, demo_email


class Command(BaseCommand):
    help = "Create the demo tenants, organisations and accounts (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the demo accounts.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: demo accounts have a public password.")
        context: dict = {}
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.count(".") == 0 and importlib.util.find_spec(module_name) is not None:
                module = importlib.import_module(module_name)
                if hasattr(module, "seed"):
                    module.seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if not options["quiet_accounts"]:
            self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
            for spec in TENANTS:
                for local, _role in DEMO_ROLES:
                    self.stdout.write(f"  {demo_email(local, spec['slug'])}")
