"""send_alerts: one digest per subscription per period, of what changed in public, with a
one-click unsubscribe; never anything of an embargoed report; unconfirmed addresses deleted."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alerts.models import AlertDigest, Subscription
from alerts.services import period_start, unsubscribe_token
from recommendations.models import Item
from recommendations.services import item_set_due_date, item_submit_for_closure
from tests.alerts.conftest import html_of, link_in
from tests.conftest import EMBARGOED


def run(*args):
    out = StringIO()
    call_command("send_alerts", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def subscribe(*, since, **target):
    """A subscription confirmed at ``since``: what happened after it is news."""
    scope = "search" if "query" in target else next(iter(target))
    return Subscription.objects.create(
        email="reader@example.org",
        scope=scope,
        frequency="daily",
        created_at=since,
        confirmed_at=since,
        covered_until=since,
        **target,
    )


@pytest.fixture
def news(public_world, met):
    """After the world was made: the Met's R1 submitted for closure and its AFI1's due date
    moved. The world already holds a published update of R1, and of the embargoed report a
    status change, a published update and the report itself (published next week)."""
    r1 = public_world["recommendation"].items.get(organisation=met)
    item_submit_for_closure(item=r1, note="The board has met three times.")
    afi = public_world["afi"].items.get(organisation=met)
    item_set_due_date(
        item=afi,
        due_date=timezone.localdate() + timedelta(days=200),
        reason="Agreed after the force's restructure.",
    )
    return public_world


def test_the_digest_lists_what_changed_and_nothing_embargoed(news, met, outbox):
    subscription = subscribe(since=timezone.now() - timedelta(days=1), organisation=met)

    output = run()

    (message,) = outbox
    assert message.to == ["reader@example.org"]
    html = html_of(message)
    for text in (message.subject, message.body, html):
        assert EMBARGOED not in text
        assert "Kent update" not in text
    for text in (message.body, html):
        assert "In progress to Submitted for closure" in text
        assert "The board has met three times." in text
        assert "Agreed after the force" in text
        assert "A new use of force board met in March." in text
        assert "INTERNAL-ONLY" not in text
        assert "self-reported" in text
    assert "Emailed 1 digest." in output
    digest = AlertDigest.objects.get()
    assert digest.subscription == subscription
    # R1 started (by its update) and submitted, AFI1's due date, R1's update.
    assert digest.change_count == 4
    subscription.refresh_from_db()
    assert subscription.covered_until == digest.covered_until


def test_every_digest_has_a_one_click_unsubscribe(news, met, outbox):
    subscribe(since=timezone.now() - timedelta(days=1), organisation=met)
    run()
    (message,) = outbox

    path = link_in(message, "/alerts/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe"] == f"<https://tracker.example.gov.uk{path}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert path in html_of(message)


def test_a_newly_published_report_is_news_and_a_scheduled_one_is_not(news, met, outbox):
    subscribe(since=timezone.now() - timedelta(days=11), organisation=met)

    run()

    (message,) = outbox
    assert "Newly published reports (1)" in message.body
    assert "Metropolitan Police Service custody" in message.body
    assert EMBARGOED not in message.body


def test_a_second_run_the_same_day_sends_nothing(news, met, outbox):
    subscribe(since=timezone.now() - timedelta(days=1), organisation=met)
    run()

    output = run()

    assert len(outbox) == 1
    assert "Emailed 0 digests." in output
    assert "Skipped 1 already sent their digest for this period." in output
    assert AlertDigest.objects.count() == 1


def test_nothing_new_sends_nothing(public_world, met, outbox):
    subscribe(since=timezone.now(), organisation=met)

    output = run()

    assert not outbox
    assert "Nothing new for 1." in output


def test_a_weekly_digest_is_sent_once_a_week(news, met, outbox):
    subscription = subscribe(since=timezone.now() - timedelta(days=1), organisation=met)
    subscription.frequency = "weekly"
    subscription.save()
    today = timezone.localdate()
    monday = period_start("weekly", today)
    AlertDigest.objects.create(
        subscription=subscription,
        period_start=monday,
        sent_at=timezone.now(),
        covered_from=timezone.now() - timedelta(days=3),
        covered_until=timezone.now() - timedelta(days=2),
        change_count=1,
    )

    output = run()

    assert not outbox
    assert "Skipped 1 already sent" in output
    assert monday.weekday() == 0 and monday <= today


def test_an_inspection_subscription_hears_only_of_that_inspection(news, outbox):
    subscribe(since=timezone.now() - timedelta(days=1), inspection=news["embargoed"])
    subscribe_other = Subscription.objects.create(
        email="other@example.org",
        scope="inspection",
        inspection=news["inspection"],
        frequency="daily",
        created_at=timezone.now() - timedelta(days=1),
        confirmed_at=timezone.now() - timedelta(days=1),
        covered_until=timezone.now() - timedelta(days=1),
    )

    run()

    # The embargoed report's subscription (made before it was rescheduled) hears nothing.
    (message,) = outbox
    assert message.to == [subscribe_other.email]
    assert "The board has met three times." in message.body
    assert EMBARGOED not in message.body


def test_a_search_subscription_hears_of_the_items_the_search_finds(news, outbox):
    subscribe(since=timezone.now() - timedelta(days=1), query="kind=area_for_improvement")

    run()

    (message,) = outbox
    assert "AFI1 for Metropolitan Police Service" in message.body
    assert "Agreed after the force" in message.body
    assert "The board has met three times." not in message.body
    assert EMBARGOED not in message.body


def test_a_dry_run_sends_and_records_nothing(news, met, outbox):
    subscribe(since=timezone.now() - timedelta(days=1), organisation=met)

    output = run("--dry-run")

    assert not outbox
    assert not AlertDigest.objects.exists()
    assert "Would email 1 digest." in output
    assert "reader@example.org" not in output


# Unsubscribing ------------------------------------------------------------------------------


def test_the_unsubscribe_page_asks_before_deleting(public_world, met):
    subscription = subscribe(since=timezone.now(), organisation=met)
    path = f"/alerts/unsubscribe/{unsubscribe_token(subscription)}/"

    response = Client().get(path)

    assert response.status_code == 200
    assert "Unsubscribe" in response.text
    assert "Metropolitan Police Service" in response.text
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_one_click_unsubscribe_deletes_the_address_and_its_records(news, met, outbox):
    subscription = subscribe(since=timezone.now() - timedelta(days=1), organisation=met)
    run()
    path = link_in(outbox[0], "/alerts/unsubscribe/")
    # A mail client's one-click POST (RFC 8058): no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert "You have unsubscribed" in response.text
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert not AlertDigest.objects.exists()
    # Again: still fine, nothing to delete.
    assert client.post(path).status_code == 200
    assert "You have unsubscribed" in client.get(path).text


@pytest.mark.parametrize("token", ["nonsense", "eyJzIjoxfQ:1abcde:forged"])
def test_a_bad_unsubscribe_link_is_refused(public_world, met, token):
    subscription = subscribe(since=timezone.now(), organisation=met)

    response = Client().post(f"/alerts/unsubscribe/{token}/")

    assert response.status_code == 400
    assert Subscription.objects.filter(pk=subscription.pk).exists()


# Keeping no address longer than needed ------------------------------------------------------


def test_addresses_never_confirmed_are_deleted_after_three_days(public_world, met, outbox):
    now = timezone.now()
    stale = Subscription.objects.create(
        email="stale@example.org",
        scope="organisation",
        organisation=met,
        frequency="daily",
        created_at=now - timedelta(days=3, minutes=1),
    )
    fresh = Subscription.objects.create(
        email="fresh@example.org",
        scope="organisation",
        organisation=met,
        frequency="daily",
        created_at=now - timedelta(days=2),
    )
    confirmed = subscribe(since=now - timedelta(days=30), organisation=met)

    output = run()

    assert "Deleted 1 address(es) never confirmed." in output
    remaining = set(Subscription.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk, confirmed.pk}
    assert stale.pk not in remaining


def test_no_query_per_item_or_change(news, met, kent, django_assert_max_num_queries):
    for n in range(3):
        Subscription.objects.create(
            email=f"r{n}@example.org",
            scope="organisation",
            organisation=met if n % 2 else kent,
            frequency="daily",
            created_at=timezone.now() - timedelta(days=1),
            confirmed_at=timezone.now() - timedelta(days=1),
            covered_until=timezone.now() - timedelta(days=1),
        )
    assert Item.objects.count() >= 3
    # Per subscription: lineage, 4 kinds of change, digest row, covered_until; plus cleanup,
    # already sent, subscriptions and the transaction's savepoints.
    with django_assert_max_num_queries(40):
        run()
