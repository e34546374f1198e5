"""send_reminders: one digest per person per day, sent through Django's mail framework."""

import re
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection

from recommendations.choices import Status
from recommendations.services import (
    item_close,
    item_submit_for_closure,
    section55_open_responses,
)
from reminders import services
from reminders.models import Digest, ReminderPreference
from tests.reminders.conftest import LOCMEM, ago


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("The mail server is down.")


class SilentBackend(BaseEmailBackend):
    """Accepts the call and sends nothing, as a backend that fails silently does."""

    def send_messages(self, messages):
        return 0


class FailsForKent(BaseEmailBackend):
    def send_messages(self, messages):
        if messages[0].to == ["kent@example.org"]:
            raise ConnectionRefusedError("Mailbox unavailable.")
        mail.outbox.extend(messages)
        return len(messages)


def run(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def met_items(make_item, met, with_emails, today):
    return {
        "soon_1": make_item(met, today + timedelta(days=3), reference="R1"),
        "soon_2": make_item(met, today + timedelta(days=20), reference="R2"),
        "soon_3": make_item(met, today + timedelta(days=30), reference="AFI3"),
        "late": make_item(met, today - timedelta(days=2), reference="R4"),
    }


def test_one_email_per_person_with_every_item(met_items, outbox, today):
    output = run()

    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["met@example.org"]
    assert message.subject == "Inspection tracker: 3 items due soon, 1 overdue"
    assert "Emailed 1 person." in output
    assert (
        "due soon 3, overdue 1, awaiting review 0, review outcomes 0, section 55 0, "
        "factual-accuracy checks 0" in output
    )


def test_the_email_gives_reference_organisation_due_date_and_an_absolute_link(
    met_items, outbox, today
):
    run()
    body = outbox[0].body
    late = met_items["late"]

    assert "Hello met," in body
    assert f"- R4, {late.finding.inspection.title}" in body
    assert "Organisation: Metropolitan Police Service" in body
    assert f"Due: {today - timedelta(days=2):%-d %B %Y} (2 days ago)" in body
    assert f"https://tracker.example.gov.uk/portal/items/{late.pk}/" in body
    assert "https://tracker.example.gov.uk/account/notifications/" in body
    # Overdue comes first.
    assert body.index("Overdue (1)") < body.index("Due in the next 30 days (3)")
    assert outbox[0].sent_using == "default"
    assert outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_running_twice_on_one_day_sends_nothing_twice(met_items, outbox):
    run()
    output = run()

    assert len(outbox) == 1
    assert "Emailed 0 people." in output
    assert "Skipped 1 already sent their digest for this day." in output
    assert Digest.objects.count() == 1


def test_the_digest_is_recorded_with_its_summary(met_items, met_user, today):
    run()

    digest = Digest.objects.get()
    assert digest.user == met_user
    assert digest.day == today
    assert digest.email == "met@example.org"
    assert digest.subject == "Inspection tracker: 3 items due soon, 1 overdue"
    assert digest.counts()["due_soon"] == 3
    assert digest.counts()["overdue"] == 1
    assert digest.covered_until <= digest.sent_at


def test_the_next_day_sends_again(met_items, outbox, today):
    run("--date", (today - timedelta(days=1)).isoformat())
    run()

    assert len(outbox) == 2
    assert set(Digest.objects.values_list("day", flat=True)) == {today, today - timedelta(days=1)}


def test_a_review_outcome_is_told_once_across_days(make_item, met, with_emails, outbox, today):
    first = item_submit_for_closure(item=make_item(met, None), note="Done.", at=ago(days=3))
    second = item_submit_for_closure(item=make_item(met, None), note="Done.", at=ago(days=3))
    # Told in yesterday's digest, which covers up to the end of yesterday.
    item_close(item=first, outcome=Status.CLOSED_COMPLETE, note="Verified.", at=ago(days=1))
    run("--date", (today - timedelta(days=1)).isoformat())
    item_close(item=second, outcome=Status.CLOSED_COMPLETE, note="Verified.")
    run()

    to_met = [m for m in outbox if m.to == ["met@example.org"]]
    assert [m.subject for m in to_met] == [
        "Inspection tracker: 1 review outcome",
        "Inspection tracker: 1 review outcome",
    ]
    assert f"- {first.finding.reference}," in to_met[0].body
    assert f"- {second.finding.reference}," in to_met[1].body
    assert f"- {first.finding.reference}," not in to_met[1].body


def test_dry_run_sends_and_records_nothing(met_items, outbox):
    output = run("--dry-run")

    assert outbox == []
    assert not Digest.objects.exists()
    assert "Dry run" in output
    assert "met <met@example.org>: Inspection tracker: 3 items due soon, 1 overdue" in output
    assert "Would email 1 person." in output
    # A real run afterwards still sends.
    run()
    assert len(outbox) == 1


def test_a_person_without_email_gets_nothing_and_the_summary_says_so(
    make_item, met, kent, met_user, kent_user, with_emails, outbox, today
):
    make_item(met, today)
    make_item(kent, today)
    kent_user.email = ""
    kent_user.save()

    output = run()

    assert [m.to for m in outbox] == [["met@example.org"]]
    assert "Skipped 1 with no email address: kent." in output
    assert not Digest.objects.filter(user=kent_user).exists()


def test_a_turned_off_kind_is_left_out_of_the_email(met_items, met_user, outbox):
    ReminderPreference.objects.create(user=met_user, due_soon=False)

    run()

    assert outbox[0].subject == "Inspection tracker: 1 overdue"
    assert "R1," not in outbox[0].body


def test_a_person_with_everything_off_gets_nothing(met_items, met_user, outbox):
    ReminderPreference.objects.create(
        user=met_user,
        due_soon=False,
        overdue=False,
        awaiting_review=False,
        review_outcome=False,
        section55=False,
    )

    output = run()

    assert outbox == []
    assert "Emailed 0 people." in output


def test_everyone_gets_their_own_digest(
    make_item, make_inspection, met, kent, mopac, with_emails, mopac_user, outbox, today
):
    make_item(met, today)
    make_item(kent, today - timedelta(days=1))
    item_submit_for_closure(item=make_item(met, None), note="Done.")
    section55_open_responses(inspection=make_inspection(met, published_on=today - timedelta(45)))

    output = run()

    subjects = {m.to[0]: m.subject for m in outbox}
    assert subjects == {
        "inspector@example.org": "Inspection tracker: 1 submission awaiting review",
        "kent@example.org": "Inspection tracker: 1 overdue",
        "met@example.org": "Inspection tracker: 1 item due soon",
        "mopac@example.org": "Inspection tracker: 1 section 55 response due",
    }
    assert "Emailed 4 people." in output


@pytest.mark.parametrize("backend", [FailingBackend, SilentBackend])
def test_a_failed_send_is_not_recorded_and_is_retried(backend, met_items, settings, outbox):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{backend.__name__}"}}

    with pytest.raises(CommandError, match="1 digest"):
        run()
    assert not Digest.objects.exists()

    settings.MAILERS = LOCMEM
    run()
    assert len(outbox) == 1
    assert Digest.objects.count() == 1


def test_one_failure_does_not_stop_the_others(
    make_item, met, kent, with_emails, settings, outbox, today
):
    make_item(met, today)
    make_item(kent, today)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailsForKent"}}

    with pytest.raises(CommandError, match="1 digest"):
        run()
    assert [m.to for m in outbox] == [["met@example.org"]]
    assert list(Digest.objects.values_list("user__username", flat=True)) == ["met"]

    settings.MAILERS = LOCMEM
    run()
    assert [m.to for m in outbox] == [["met@example.org"], ["kent@example.org"]]


def test_date_option_selects_relative_to_that_day(met_items, outbox, today):
    run("--date", (today + timedelta(days=5)).isoformat())

    # Five days on, R1 (due in 3 days) is overdue with R4; R2 and AFI3 are still due soon.
    assert outbox[0].subject == "Inspection tracker: 2 items due soon, 2 overdue"
    assert Digest.objects.get().day == today + timedelta(days=5)


def test_every_link_opens_a_page_the_person_may_see(
    make_item,
    make_inspection,
    met,
    with_emails,
    met_user,
    mopac_user,
    inspector,
    client,
    outbox,
    today,
):
    make_item(met, today)
    closed = item_submit_for_closure(item=make_item(met, None), note="Done.", at=ago(days=2))
    item_close(item=closed, outcome=Status.CLOSED_COMPLETE, note="Verified.")
    item_submit_for_closure(item=make_item(met, None), note="Done.")
    section55_open_responses(inspection=make_inspection(met, published_on=today - timedelta(50)))
    run()
    people = {"met@example.org": met_user, "mopac@example.org": mopac_user}
    people["inspector@example.org"] = inspector

    checked = 0
    for message in outbox:
        client.force_login(people[message.to[0]])
        for link in re.findall(r"https://tracker\.example\.gov\.uk(/\S+)", message.body):
            assert client.get(link).status_code == 200, (message.to, link)
            checked += 1
    assert checked >= 5


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="not a date"):
        run("--date", "2026-13-01")


def test_nothing_to_say_sends_nothing(with_emails, outbox):
    output = run()

    assert outbox == []
    assert "Emailed 0 people." in output


def test_a_run_that_another_got_ahead_of_sends_nothing(
    met_items, met_user, outbox, monkeypatch, today
):
    """Between this run's check and its send, another run records the digest: the unique
    constraint stops this one, which counts the person as already sent."""
    real = services.digest_message

    def another_run_got_there_first(digest):
        moment = ago(seconds=1)
        Digest.objects.create(
            user=digest.user, day=today, sent_at=moment, covered_until=moment, email="x@y.org"
        )
        return real(digest)

    monkeypatch.setattr(services, "digest_message", another_run_got_there_first)

    output = run()

    assert outbox == []
    assert "Skipped 1 already sent their digest for this day." in output
    assert Digest.objects.get().email == "x@y.org"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_one_digest(met_items, outbox, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL; SQLite locks the whole file.")
    both_selected = threading.Barrier(2, timeout=10)
    real = services.digest_message

    def wait_for_the_other(digest):
        both_selected.wait()
        return real(digest)

    monkeypatch.setattr(services, "digest_message", wait_for_the_other)
    reports = []

    def send():
        try:
            reports.append(services.reminders_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outbox) == 1
    assert Digest.objects.count() == 1
    assert sorted(len(r.emailed) for r in reports) == [0, 1]
    assert sorted(len(r.already_sent) for r in reports) == [0, 1]


def test_a_long_list_is_cut_with_a_link_to_the_rest(make_item, met, with_emails, outbox, today):
    for n in range(52):
        make_item(met, today - timedelta(days=n + 1))

    run()

    assert outbox[0].subject == "Inspection tracker: 52 overdue"
    body = outbox[0].body
    assert body.count("\n- ") == 50
    assert "...and 2 more, not listed here. See them all at\n" in body
    assert "https://tracker.example.gov.uk/portal/?due=overdue" in body
