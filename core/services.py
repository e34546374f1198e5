"""One-time form submissions: issue a token with each form, redeem it once when it is sent.

A form that writes is rendered with a fresh token (``submission_issue``). When it comes back,
the view calls ``submission_redeem`` inside the transaction that does the work, then
``submission_record_outcome`` with what was done. A token already used, issued to someone
else, for another form or object, unknown or older than ``FORM_TOKEN_HOURS`` is refused with
``SubmissionRefused``, whose message says what already happened ("You accepted this on
30 November 2026 at 10:02"). Callers turn it into a form error and a 409.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import SubmissionRefused
from core.models import FormSubmission

DEFAULT_TOKEN_HOURS = 24
# Used tokens are kept a while longer than they are valid, so that a late replay is still
# answered with what happened rather than "not valid".
DEFAULT_KEEP_DAYS = 7


def token_lifetime() -> timedelta:
    return timedelta(hours=getattr(settings, "FORM_TOKEN_HOURS", DEFAULT_TOKEN_HOURS))


def keep_for() -> timedelta:
    return timedelta(days=getattr(settings, "FORM_TOKEN_KEEP_DAYS", DEFAULT_KEEP_DAYS))


def describe_time(moment) -> str:
    """30 November 2026 at 10:02, in the site's time zone."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _reference(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def submission_issue(*, user, purpose: str, obj=None) -> FormSubmission:
    """A new token for one form shown to ``user`` about ``obj`` (None for a form about nothing
    yet, such as moving an organisation into Engage). Clears the person's old rows."""
    now = timezone.now()
    FormSubmission.objects.filter(user=user, issued_at__lt=now - keep_for()).delete()
    object_type, object_id = _reference(obj)
    return FormSubmission.objects.create(
        token=secrets.token_urlsafe(32),
        user=user,
        purpose=purpose,
        object_type=object_type,
        object_id=object_id,
        issued_at=now,
    )


# What secrets.token_urlsafe makes: anything else (a NUL byte, a long string) is not looked up.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _usable(*, token, user, purpose, obj, lock: bool) -> FormSubmission:
    submission = None
    if isinstance(token, str) and TOKEN_PATTERN.fullmatch(token):
        rows = FormSubmission.objects.filter(token=token)
        if lock:
            rows = rows.select_for_update()
        submission = rows.first()
    if (
        submission is None
        or submission.user_id != user.pk
        or submission.purpose != purpose
        or (submission.object_type, submission.object_id) != _reference(obj)
    ):
        # Someone else's token, or one for another form, is not described: it says nothing.
        raise SubmissionRefused(
            "This form is no longer valid, so nothing was saved. Check the page as it is now, "
            "then send the form again.",
            reason=SubmissionRefused.UNKNOWN,
        )
    if submission.used_at is not None:
        outcome = submission.outcome or "sent this form"
        raise SubmissionRefused(
            f"You {outcome} on {describe_time(submission.used_at)}. This form had already been "
            "sent, so nothing more was saved.",
            reason=SubmissionRefused.USED,
            submission=submission,
        )
    if submission.issued_at < timezone.now() - token_lifetime():
        hours = int(token_lifetime().total_seconds() // 3600)
        raise SubmissionRefused(
            f"This form was opened more than {hours} hours ago and has expired, so nothing was "
            "saved. Check the page as it is now, then send the form again.",
            reason=SubmissionRefused.EXPIRED,
            submission=submission,
        )
    return submission


def submission_check(*, token, user, purpose: str, obj=None) -> FormSubmission:
    """Refuse early, before the form is validated, a token that cannot be used. Writes nothing;
    ``submission_redeem`` checks again under a lock."""
    return _usable(token=token, user=user, purpose=purpose, obj=obj, lock=False)


def submission_redeem(*, token, user, purpose: str, obj=None) -> FormSubmission:
    """Use the token, in the caller's transaction: if the work that follows fails, the token
    is unused again. Two sends of one form wait for each other on the row lock, and the second
    is refused with what the first did."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("submission_redeem must run inside the transaction that does the work.")
    submission = _usable(token=token, user=user, purpose=purpose, obj=obj, lock=True)
    submission.used_at = timezone.now()
    submission.save(update_fields=["used_at"])
    return submission


def submission_record_outcome(
    *, submission: FormSubmission, outcome: str, result=None
) -> FormSubmission:
    """Say what the submission did, in words that follow "You": "accepted this",
    "saved this update". ``result`` is what it made or changed, if anything."""
    if submission.used_at is None:
        raise RuntimeError("Redeem the token before recording what it did.")
    submission.outcome = outcome[:200]
    submission.result_type, submission.result_id = _reference(result)
    submission.save(update_fields=["outcome", "result_type", "result_id"])
    return submission


def submissions_clear(*, before=None) -> int:
    """Delete the rows issued before ``before`` (by default, older than they are kept)."""
    before = before or timezone.now() - keep_for()
    deleted, _ = FormSubmission.objects.filter(issued_at__lt=before).delete()
    return deleted
