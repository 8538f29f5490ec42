"""Send the day's progress-report reminders and managers' weekly digests (run from cron once a day).

Running it twice the same day sends nothing new. ``--date`` runs it as if it were that (local) day;
``--schedule`` instead queues the self-rescheduling background task (one chain: the worker then runs it
every day at 07:00)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants.services.reminders import send_reminders_all


class Command(BaseCommand):
    help = "Send the day's progress-report reminders and the managers' weekly digests."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today, local time)")
        parser.add_argument("--schedule", action="store_true",
                            help="queue the background task that runs every day instead of running now")

    def handle(self, *args, **options):
        if options["schedule"]:
            from grants.tasks import send_reminders_task

            send_reminders_task.enqueue(reschedule=True)
            self.stdout.write("Reminders task queued.")
            return
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: expected YYYY-MM-DD, got {options['date']!r}.") from exc
        counts = send_reminders_all(today=today)
        self.stdout.write(f"{today.isoformat()}: {counts['reminders']} reminder(s), "
                          f"{counts['emails']} e-mail(s) queued.")
