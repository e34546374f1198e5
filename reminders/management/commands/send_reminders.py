from django.core.management.base import CommandError

from core.management.daily import DailySendCommand
from reminders.choices import ReminderKind
from reminders.services import reminders_send
from reminders.tasks import send_reminders

SHORT_NAMES = {
    ReminderKind.DUE_SOON: "due soon",
    ReminderKind.OVERDUE: "overdue",
    ReminderKind.AWAITING_REVIEW: "awaiting review",
    ReminderKind.REVIEW_OUTCOME: "review outcomes",
    ReminderKind.SECTION_55: "section 55",
    ReminderKind.FACTUAL_ACCURACY: "factual-accuracy checks",
}


class Command(DailySendCommand):
    help = (
        "Email each person one digest of what needs their attention: items due within 30 "
        "days, overdue items, submissions awaiting review, review outcomes and section 55 "
        "responses due. Run it daily; a second run on the same day sends nothing again."
    )

    job = send_reminders
    what = "the reminders"
    dry_run_help = "Show who would get what; send and record nothing."

    def send(self, day, dry_run, options):
        report = reminders_send(day=day, dry_run=dry_run)
        verbosity = options["verbosity"]
        day = f"{report.day:%A} {report.day.day} {report.day:%B %Y}"
        if report.dry_run:
            self.stdout.write(f"Dry run for {day}: nothing was sent or recorded.")
        else:
            self.stdout.write(f"Email reminders for {day}.")
        if report.dry_run or verbosity >= 2:
            for digest in report.emailed:
                self.stdout.write(
                    f"  {digest.user.username} <{digest.user.email}>: {digest.subject}"
                )

        people = len(report.emailed)
        verb = "Would email" if report.dry_run else "Emailed"
        self.stdout.write(f"{verb} {people} {'person' if people == 1 else 'people'}.")
        counts = report.items_by_kind()
        self.stdout.write(
            "Items by kind: "
            + ", ".join(f"{SHORT_NAMES[kind]} {counts[kind]}" for kind in ReminderKind)
            + "."
        )
        if report.no_email:
            names = ", ".join(user.username for user in report.no_email)
            self.stdout.write(
                f"Skipped {len(report.no_email)} with no email address: {names}.",
            )
        if report.already_sent:
            self.stdout.write(
                f"Skipped {len(report.already_sent)} already sent their digest for this day."
            )
        if report.failed:
            for user, error in report.failed:
                self.stderr.write(f"  Not sent to {user.username}: {error}")
            raise CommandError(
                f"{len(report.failed)} digest(s) could not be sent; the next run tries again."
            )
