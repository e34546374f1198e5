"""Background jobs shared by every app: sending an email.

The site's emails are sent by a worker (``manage.py db_worker``), not by the request that asks
for them: a slow or unreachable mail server then delays no page, and the job is a row in the
database, written in the same transaction as whatever made the email necessary, so an email goes
out only for what was committed. Workers take each job under a row lock (``SELECT ... FOR UPDATE
SKIP LOCKED``) and mark it running before they let go, so no two workers send the same email.
"""

from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.tasks import TaskContext, task


class EmailNotSent(Exception):
    """The mail backend accepted nothing: the job is marked failed, with this reason."""


def message_data(message: EmailMessage) -> dict:
    """An email as JSON, for a job's arguments. Attachments are not carried."""
    if message.attachments:
        raise ValueError("An email sent later cannot carry attachments.")
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def message_from(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def forget_arguments(context: TaskContext) -> None:
    """Erase the job's arguments from the queue's record of it, once it has run.

    Email jobs carry an address (and a confirmation or reset link) in their arguments: the
    privacy notice promises an address is deleted when the person unsubscribes or never
    confirms, so the record of a job that sent to it must not keep it until the record is
    pruned. Only the database queue keeps such a record."""
    from django_tasks_db.models import DBTaskResult

    if hasattr(context.task_result, "db_result"):
        DBTaskResult.objects.filter(pk=context.task_result.id).update(
            args_kwargs={"args": [], "kwargs": {}}
        )


@task(takes_context=True)
def send_email(context: TaskContext, message: dict) -> int:
    """Send one email (``message_data``) through the default mailer."""
    try:
        with mailers.default as connection:
            if connection.send_messages([message_from(message)]) != 1:
                raise EmailNotSent("The mail backend did not accept the message.")
    finally:
        forget_arguments(context)
    return 1


def send_mail_later(message: EmailMessage):
    """Queue ``message`` for a worker to send; the job commits with the caller's transaction.

    Returns the job's result handle."""
    return send_email.enqueue(message_data(message))
