"""The public's alerts as background jobs: the digests (`send_alerts --queue`) and the emails
asking to confirm an address, which a worker sends from the database queue."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.models import AlertDigest, Subscription
from tests.alerts.conftest import link_in
from tests.alerts.test_digest import news, subscribe  # noqa: F401 (a fixture)


def queue(*args):
    out = StringIO()
    call_command("send_alerts", "--queue", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.usefixtures("news")
def test_the_days_digests_are_a_job_sent_once_however_often_queued(job_queue, met, outbox):
    subscription = subscribe(since=timezone.now() - timedelta(hours=1), organisation=met)
    today = timezone.localdate()

    said = queue()
    queue()

    assert said.startswith(f"Queued the alerts for {today.isoformat()}: job ")
    assert outbox == []
    first, second = job_queue.run()
    assert (first.status, second.status) == ("SUCCESSFUL", "SUCCESSFUL")
    assert first.return_value["emailed"] == 1
    assert second.return_value["emailed"] == 0
    assert second.return_value["already_sent"] == 1
    [message] = outbox
    assert message.to == ["reader@example.org"]
    assert AlertDigest.objects.get().subscription == subscription


def test_the_confirmation_email_is_a_job_committed_with_the_address(
    client, job_queue, public_world, outbox
):
    response = client.post(
        "/alerts/?organisation=metropolitan-police-service",
        {"email": "reader@example.org", "frequency": "daily"},
    )

    assert response.status_code == 302
    assert Subscription.objects.get().confirmed_at is None
    [waiting] = job_queue.waiting()
    assert waiting.task_path == "core.tasks.send_email"
    assert outbox == []

    [job] = job_queue.run()

    assert job.status == "SUCCESSFUL"
    [message] = outbox
    assert message.to == ["reader@example.org"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.alternatives[0][1] == "text/html"
    client.post(link_in(message, "/alerts/confirm/"))
    assert Subscription.objects.get().confirmed_at is not None


@pytest.mark.usefixtures("news")
def test_a_digest_job_whose_send_fails_is_marked_failed_and_records_nothing(
    job_queue, met, settings
):
    subscription = subscribe(since=timezone.now() - timedelta(hours=1), organisation=met)
    settings.MAILERS = {"default": {"BACKEND": "tests.core.test_tasks.SilentBackend"}}
    queue()

    [job] = job_queue.run()

    assert job.status == "FAILED"
    assert job.errors[0].exception_class_path == "alerts.tasks.AlertsNotSent"
    assert f"1 digest(s) not sent, for: {subscription.pk}." in job.errors[0].traceback
    assert not AlertDigest.objects.exists()
