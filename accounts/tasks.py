"""Password reset emails, sent by a background job (``manage.py db_worker``)."""

from django.tasks import TaskContext, task
from django.utils import translation

from accounts.forms import PasswordResetForm
from core.tasks import forget_arguments


@task(takes_context=True)
def send_password_reset(
    context: TaskContext, *, email: str, domain: str, options: dict, language: str = "en-gb"
) -> None:
    """Look ``email`` up and send each of its accounts a reset link; nothing when none has it.

    ``options`` are the reset view's (templates, ``use_https``, the email's extra context), as
    Django's ``PasswordResetForm.save`` takes them."""
    try:
        form = PasswordResetForm({"email": email})
        if form.is_valid():
            with translation.override(language):
                form.send_now(domain=domain, options=options)
    finally:
        # The address typed, whether or not it has an account, is not kept.
        forget_arguments(context)
