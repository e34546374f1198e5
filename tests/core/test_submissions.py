"""One-time form tokens: a form is sent once; sent again, it is refused with what happened."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from core.errors import SubmissionRefused
from core.models import FormSubmission
from core.services import (
    describe_time,
    submission_check,
    submission_issue,
    submission_record_outcome,
    submission_redeem,
    submissions_clear,
)


def redeem(**kwargs):
    with transaction.atomic():
        return submission_redeem(**kwargs)


@pytest.mark.django_db
def test_a_token_is_used_once_and_the_second_use_says_what_happened(inspector, item):
    issued = submission_issue(user=inspector, purpose="workspace.decide", obj=item)
    with transaction.atomic():
        used = submission_redeem(
            token=issued.token, user=inspector, purpose="workspace.decide", obj=item
        )
        submission_record_outcome(submission=used, outcome="accepted this", result=item)
    FormSubmission.objects.filter(pk=used.pk).update(
        used_at=datetime(2026, 11, 30, 10, 2, tzinfo=UTC)
    )
    with pytest.raises(SubmissionRefused) as refused:
        redeem(token=issued.token, user=inspector, purpose="workspace.decide", obj=item)
    assert refused.value.reason == SubmissionRefused.USED
    assert str(refused.value).startswith("You accepted this on 30 November 2026 at 10:02.")
    row = FormSubmission.objects.get(pk=used.pk)
    assert (row.result_type, row.result_id) == ("recommendations.item", str(item.pk))


@pytest.mark.django_db
def test_someone_elses_token_is_refused_without_saying_what_it_did(inspector, admin_user, item):
    issued = submission_issue(user=admin_user, purpose="workspace.decide", obj=item)
    with transaction.atomic():
        used = submission_redeem(
            token=issued.token, user=admin_user, purpose="workspace.decide", obj=item
        )
        submission_record_outcome(submission=used, outcome="accepted this")
    with pytest.raises(SubmissionRefused) as refused:
        redeem(token=issued.token, user=inspector, purpose="workspace.decide", obj=item)
    assert refused.value.reason == SubmissionRefused.UNKNOWN
    assert "accepted" not in str(refused.value)
    assert "no longer valid" in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize("other", ["purpose", "object", "no object"])
def test_a_token_for_another_form_or_object_is_refused(inspector, item, kent_item, other):
    issued = submission_issue(user=inspector, purpose="workspace.decide", obj=item)
    attempt = {"token": issued.token, "user": inspector, "purpose": "workspace.decide"}
    attempt["obj"] = item
    if other == "purpose":
        attempt["purpose"] = "workspace.reopen"
    elif other == "object":
        attempt["obj"] = kent_item
    else:
        attempt["obj"] = None
    with pytest.raises(SubmissionRefused) as refused:
        redeem(**attempt)
    assert refused.value.reason == SubmissionRefused.UNKNOWN
    assert FormSubmission.objects.get().used_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 500, "abc\x00" * 8, None])
def test_an_unknown_or_missing_token_is_refused(inspector, item, token):
    submission_issue(user=inspector, purpose="workspace.decide", obj=item)
    with pytest.raises(SubmissionRefused) as refused:
        submission_check(token=token, user=inspector, purpose="workspace.decide", obj=item)
    assert refused.value.reason == SubmissionRefused.UNKNOWN


@pytest.mark.django_db
def test_a_token_expires_after_a_day_with_a_clear_message(inspector, item):
    issued = submission_issue(user=inspector, purpose="portal.update", obj=item)
    FormSubmission.objects.filter(pk=issued.pk).update(
        issued_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    with pytest.raises(SubmissionRefused) as refused:
        redeem(token=issued.token, user=inspector, purpose="portal.update", obj=item)
    assert refused.value.reason == SubmissionRefused.EXPIRED
    assert "more than 24 hours ago and has expired, so nothing was saved" in str(refused.value)


@pytest.mark.django_db
def test_the_lifetime_is_a_setting(inspector, item, settings):
    settings.FORM_TOKEN_HOURS = 1
    issued = submission_issue(user=inspector, purpose="portal.update", obj=item)
    FormSubmission.objects.filter(pk=issued.pk).update(
        issued_at=timezone.now() - timedelta(minutes=61)
    )
    with pytest.raises(SubmissionRefused, match="more than 1 hours ago"):
        submission_check(token=issued.token, user=inspector, purpose="portal.update", obj=item)


@pytest.mark.django_db
def test_work_that_fails_leaves_the_token_usable(inspector, item):
    issued = submission_issue(user=inspector, purpose="portal.update", obj=item)
    with pytest.raises(ValueError), transaction.atomic():
        submission_redeem(token=issued.token, user=inspector, purpose="portal.update", obj=item)
        raise ValueError("the service refused")
    assert redeem(token=issued.token, user=inspector, purpose="portal.update", obj=item)


@pytest.mark.django_db
def test_redeem_must_run_inside_the_callers_transaction(inspector, item):
    issued = submission_issue(user=inspector, purpose="portal.update", obj=item)
    connection.in_atomic_block, was = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            submission_redeem(token=issued.token, user=inspector, purpose="portal.update", obj=item)
    finally:
        connection.in_atomic_block = was


@pytest.mark.django_db
def test_old_rows_are_cleared_on_issue_and_by_the_command(inspector, admin_user, item):
    old = timezone.now() - timedelta(days=8)
    mine = submission_issue(user=inspector, purpose="portal.update", obj=item)
    theirs = submission_issue(user=admin_user, purpose="portal.update", obj=item)
    FormSubmission.objects.filter(pk__in=[mine.pk, theirs.pk]).update(issued_at=old)
    fresh = submission_issue(user=inspector, purpose="portal.update", obj=item)
    # Issuing clears the person's own old rows, not other people's.
    assert set(FormSubmission.objects.values_list("pk", flat=True)) == {theirs.pk, fresh.pk}
    call_command("clear_form_submissions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(FormSubmission.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert submissions_clear() == 0


def test_times_are_told_in_the_sites_time_zone():
    assert describe_time(datetime(2026, 7, 1, 9, 2, tzinfo=UTC)) == "1 July 2026 at 10:02"
    assert describe_time(datetime(2026, 11, 30, 10, 2, tzinfo=UTC)) == "30 November 2026 at 10:02"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite locks the whole table, not the row"
)
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_wait_for_each_other_and_the_second_is_refused(inspector, item):
    """A double click: both requests carry the same token; the row lock orders them."""
    issued = submission_issue(user=inspector, purpose="portal.update", obj=item)
    first_has_lock, first_may_commit = threading.Event(), threading.Event()
    results = {}

    def send(name, hold):
        try:
            with transaction.atomic():
                used = submission_redeem(
                    token=issued.token, user=inspector, purpose="portal.update", obj=item
                )
                if hold:
                    first_has_lock.set()
                    first_may_commit.wait(10)
                submission_record_outcome(submission=used, outcome="saved this update")
            results[name] = "saved"
        except SubmissionRefused as refused:
            results[name] = str(refused)
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first", True))
    first.start()
    assert first_has_lock.wait(10)
    second = threading.Thread(target=send, args=("second", False))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting on the first one's lock
    first_may_commit.set()
    first.join(10)
    second.join(10)
    assert results["first"] == "saved"
    assert results["second"].startswith("You saved this update on ")
