"""The job that sends an email: what it carries, and a send the mail server refuses."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks_db.models import DBTaskResult

from core.tasks import message_data, message_from, send_mail_later


class SilentBackend(BaseEmailBackend):
    def send_messages(self, messages):
        return 0


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox.clear()


def test_an_email_goes_through_the_queue_as_it_was_written(job_queue):
    message = EmailMultiAlternatives(
        subject="Confirm",
        body="Plain words.",
        from_email="tracker@example.gov.uk",
        to=["reader@example.org"],
        bcc=["records@example.gov.uk"],
        reply_to=["help@example.gov.uk"],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative("<p>Plain words.</p>", "text/html")

    send_mail_later(message)
    assert mail.outbox == []
    [job] = job_queue.run()

    assert job.status == "SUCCESSFUL"
    [sent] = mail.outbox
    assert message_data(sent) == message_data(message)
    assert sent.recipients() == ["reader@example.org", "records@example.gov.uk"]
    # The queue's record of the job keeps no address once it has run.
    assert DBTaskResult.objects.get(pk=job.id).args_kwargs == {"args": [], "kwargs": {}}


def test_a_plain_email_round_trips():
    message = EmailMessage(subject="S", body="B", to=["a@example.org"])
    again = message_from(message_data(message))
    assert (again.subject, again.body, again.to, again.alternatives) == ("S", "B", message.to, [])


def test_an_attachment_cannot_be_sent_later(job_queue):
    message = EmailMessage(subject="S", body="B", to=["a@example.org"])
    message.attach("evidence.csv", "a,b\n", "text/csv")

    with pytest.raises(ValueError, match="attachments"):
        send_mail_later(message)
    assert job_queue.waiting() == []


def test_a_send_the_mail_backend_refuses_fails_the_job(job_queue, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.SilentBackend"}}
    send_mail_later(EmailMessage(subject="S", body="B", to=["a@example.org"]))

    [job] = job_queue.run()

    assert job.status == "FAILED"
    assert job.errors[0].exception_class_path == "core.tasks.EmailNotSent"
    assert DBTaskResult.objects.get(pk=job.id).args_kwargs == {"args": [], "kwargs": {}}


def test_an_email_sent_at_once_is_sent_too(settings):
    """With TASKS_BACKEND=immediate (the quick start) there is no record to erase."""
    send_mail_later(EmailMessage(subject="S", body="B", to=["a@example.org"]))
    assert [message.to for message in mail.outbox] == [["a@example.org"]]
