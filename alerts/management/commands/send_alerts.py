import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from alerts.services import alerts_send
from alerts.tasks import send_alerts


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Email the public's alert digests: for each confirmed subscription, what changed in "
        "public in what it follows (new reports, status and due date changes, progress "
        "updates), once a day or once a week. First deletes the addresses never confirmed. "
        "Run it daily; a second run on the same day sends nothing again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=_day, help="The day to send for, YYYY-MM-DD (default today)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be sent; send, record and delete nothing.",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help=(
                "Queue the day's job for a worker (manage.py db_worker) rather than send from "
                "this process. Queuing it twice, from several servers, sends nothing twice."
            ),
        )

    def handle(self, *args, **options):
        if options["queue"]:
            if options["dry_run"]:
                raise CommandError("--queue and --dry-run cannot be used together.")
            day = options["date"] or timezone.localdate()
            job = send_alerts.enqueue(day.isoformat())
            self.stdout.write(f"Queued the alerts for {day.isoformat()}: job {job.id}.")
            return
        report = alerts_send(day=options["date"], dry_run=options["dry_run"])
        day = f"{report.day:%A} {report.day.day} {report.day:%B %Y}"
        if report.dry_run:
            self.stdout.write(f"Dry run for {day}: nothing was sent, recorded or deleted.")
        else:
            self.stdout.write(f"Email alerts for {day}.")
            self.stdout.write(f"Deleted {report.deleted_unconfirmed} address(es) never confirmed.")
        if report.dry_run or options["verbosity"] >= 2:
            # Subscription numbers, not addresses: the output may end up in a log.
            for digest in report.emailed:
                self.stdout.write(f"  Subscription {digest.subscription.pk}: {digest.subject}")
        verb = "Would email" if report.dry_run else "Emailed"
        count = len(report.emailed)
        self.stdout.write(f"{verb} {count} digest{'' if count == 1 else 's'}.")
        self.stdout.write(f"Nothing new for {report.nothing_new}.")
        if report.already_sent:
            self.stdout.write(
                f"Skipped {report.already_sent} already sent their digest for this period."
            )
        if report.failed:
            for subscription, error in report.failed:
                self.stderr.write(f"  Not sent for subscription {subscription.pk}: {error}")
            raise CommandError(
                f"{len(report.failed)} digest(s) could not be sent; the next run tries again."
            )
