"""The shape of the commands that send a day's emails (``send_reminders``, ``send_alerts``):
``--date``, ``--dry-run``, and ``--queue`` to leave the sending to a worker's job."""

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD.") from None


class DailySendCommand(BaseCommand):
    """Subclasses name ``job`` (the task that sends a day), ``what`` ("the reminders") and
    ``dry_run_help``, and implement ``send(day, dry_run, options)``, which sends and reports."""

    job = None
    what = ""
    dry_run_help = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=parse_day, help="The day to send for, YYYY-MM-DD (default today)."
        )
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
        parser.add_argument(
            "--queue",
            action="store_true",
            help=(
                "Queue the day's job for a worker (manage.py db_worker) rather than send from "
                "this process. Queuing it twice, from several servers, sends nothing twice."
            ),
        )

    def handle(self, *args, **options):
        if not options["queue"]:
            return self.send(options["date"], options["dry_run"], options)
        if options["dry_run"]:
            raise CommandError("--queue and --dry-run cannot be used together.")
        day = (options["date"] or timezone.localdate()).isoformat()
        job = self.job.enqueue(day)
        self.stdout.write(f"Queued {self.what} for {day}: job {job.id}.")
        return None

    def send(self, day, dry_run, options):
        raise NotImplementedError
