"""Close open calls whose closing time has passed (run from cron every few minutes)."""

from django.core.management.base import BaseCommand

from grants.services.calls import close_due_calls


class Command(BaseCommand):
    help = "Close calls for proposals whose closing time has passed."

    def handle(self, *args, **options):
        count = close_due_calls()
        self.stdout.write(f"{count} call(s) closed.")
