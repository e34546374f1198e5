"""The reminders as a background job: queued by `send_reminders --queue` (from any number of
servers), run by a worker from the database queue, each digest sent once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reminders.models import Digest
from reminders.tasks import send_reminders
from tests.reminders.test_command import FailingBackend


def queue(*args):
    out = StringIO()
    call_command("send_reminders", "--queue", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def due(make_item, met, kent, with_emails, today):
    make_item(met, today + timedelta(days=3), reference="R1")
    make_item(kent, today - timedelta(days=2), reference="R2")


def test_the_command_queues_the_days_job_and_a_worker_sends_it(job_queue, due, today, outbox):
    said = queue()

    [waiting] = job_queue.waiting()
    assert said == f"Queued the reminders for {today.isoformat()}: job {waiting.id}.\n"
    assert waiting.task_path == "reminders.tasks.send_reminders"
    assert waiting.args_kwargs == {"args": [today.isoformat()], "kwargs": {}}
    assert outbox == []

    [job] = job_queue.run()

    assert job.status == "SUCCESSFUL"
    assert job.return_value == {
        "day": today.isoformat(),
        "emailed": 2,
        "already_sent": 0,
        "no_email": 0,
    }
    assert sorted(message.to[0] for message in outbox) == ["kent@example.org", "met@example.org"]
    assert Digest.objects.filter(day=today).count() == 2


def test_the_job_queued_twice_sends_each_digest_once(job_queue, due, today, outbox):
    """As when two servers' crons both queue the day's job."""
    queue()
    queue("--date", today.isoformat())

    first, second = job_queue.run()

    assert (first.status, second.status) == ("SUCCESSFUL", "SUCCESSFUL")
    assert first.return_value["emailed"] == 2
    assert second.return_value["emailed"] == 0
    assert second.return_value["already_sent"] == 2
    assert len(outbox) == 2


def test_a_job_whose_sends_fail_is_marked_failed_and_the_next_one_sends(
    job_queue, due, today, outbox, settings
):
    settings.MAILERS = {"default": {"BACKEND": f"{FailingBackend.__module__}.FailingBackend"}}
    send_reminders.enqueue(today.isoformat())

    [failed] = job_queue.run()

    assert failed.status == "FAILED"
    assert failed.errors[0].exception_class_path == "reminders.tasks.RemindersNotSent"
    assert "2 digest(s) not sent" in failed.errors[0].traceback
    assert not Digest.objects.exists()

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    send_reminders.enqueue(today.isoformat())
    [retried] = job_queue.run()

    assert retried.status == "SUCCESSFUL"
    assert len(outbox) == 2


def test_queue_and_dry_run_do_not_go_together(job_queue, due):
    with pytest.raises(CommandError, match="--queue and --dry-run"):
        queue("--dry-run")
    assert job_queue.waiting() == []
