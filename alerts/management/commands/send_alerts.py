from django.core.management.base import CommandError

from alerts.services import alerts_send
from alerts.tasks import send_alerts
from core.management.daily import DailySendCommand


class Command(DailySendCommand):
    help = (
        "Email the public's alert digests: for each confirmed subscription, what changed in "
        "public in what it follows (new reports, status and due date changes, progress "
        "updates), once a day or once a week. First deletes the addresses never confirmed. "
        "Run it daily; a second run on the same day sends nothing again."
    )

    job = send_alerts
    what = "the alerts"
    dry_run_help = "Show what would be sent; send, record and delete nothing."

    def send(self, day, dry_run, options):
        report = alerts_send(day=day, dry_run=dry_run)
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
