"""The daily reminders as a background job, for ``manage.py db_worker`` to run.

Several servers may each queue the day's job (each from its own cron), and several workers may
run those jobs at the same moment: each person still gets one digest a day, because the
``Digest`` row recording it is unique per person and day and is written in the send's
transaction (reminders_send). A worker takes a job under a row lock with SKIP LOCKED, so one
job is never run by two workers.
"""

from datetime import date

from django.tasks import task

from reminders.services import reminders_send


class RemindersNotSent(Exception):
    """Some digests could not be sent; they are not recorded, so the next job tries again."""


@task
def send_reminders(day: str) -> dict:
    """Send the digests of ``day`` (YYYY-MM-DD) not yet sent. Returns what it did."""
    report = reminders_send(day=date.fromisoformat(day))
    if report.failed:
        names = ", ".join(user.username for user, _error in report.failed)
        raise RemindersNotSent(f"{len(report.failed)} digest(s) not sent, to: {names}.")
    return {
        "day": day,
        "emailed": len(report.emailed),
        "already_sent": len(report.already_sent),
        "no_email": len(report.no_email),
    }
