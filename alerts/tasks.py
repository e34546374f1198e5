"""The public's alert digests as a background job, for ``manage.py db_worker`` to run.

Safe to queue more than once a day (from several servers) and to run on several workers at
once: each subscription gets one digest a period, because the ``AlertDigest`` row recording it
is unique per subscription and period and is written in the send's transaction (alerts_send).
"""

from datetime import date

from django.tasks import task

from alerts.services import alerts_send


class AlertsNotSent(Exception):
    """Some digests could not be sent; they are not recorded, so the next job tries again."""


@task
def send_alerts(day: str) -> dict:
    """Send the alert digests of ``day`` (YYYY-MM-DD) not yet sent. Returns what it did."""
    report = alerts_send(day=date.fromisoformat(day))
    if report.failed:
        numbers = ", ".join(str(subscription.pk) for subscription, _error in report.failed)
        raise AlertsNotSent(f"{len(report.failed)} digest(s) not sent, for: {numbers}.")
    return {
        "day": day,
        "emailed": len(report.emailed),
        "already_sent": report.already_sent,
        "nothing_new": report.nothing_new,
        "deleted_unconfirmed": report.deleted_unconfirmed,
    }
