"""Ask HUB2 the status of the mobile-money payments it processes (run from cron every few minutes)."""

from django.core.management.base import BaseCommand

from grants.services.hub2 import hub2_poll


class Command(BaseCommand):
    help = "Ask HUB2 the status of processing HUB2 payments; send again (by reference first) those without a HUB2 id."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many payments per run.")

    def handle(self, *args, **options):
        counts = hub2_poll(limit=options["limit"])
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
