"""Asking for emails, confirming them (double opt-in) and the checks on what is asked."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from alerts.models import Subscription
from alerts.services import CONFIRM_SALT
from tests.alerts.conftest import link_in
from tests.conftest import EMBARGOED

URL = "/alerts/"


def ask(client, query, email="reader@example.org", frequency="weekly", **extra):
    return client.post(f"{URL}?{query}", {"email": email, "frequency": frequency}, **extra)


@pytest.mark.parametrize(
    "query,heading",
    [
        ("organisation=metropolitan-police-service", "Metropolitan Police Service"),
        ("inspection=met-custody-2025", "Metropolitan Police Service custody"),
        (
            "search=q%3Dcustody%26organisation%3Dmetropolitan-police-service",
            "Findings with words “custody”; Organisation: Metropolitan Police Service",
        ),
    ],
)
def test_the_page_names_what_the_emails_are_about(client, public_world, query, heading):
    response = client.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert heading in response.text
    assert 'name="email"' in response.text
    assert 'type="email"' in response.text


def test_an_embargoed_inspection_is_not_found_like_an_unknown_one(client, public_world):
    assert client.get(f"{URL}?inspection=embargoed-report").status_code == 404
    assert client.get(f"{URL}?inspection=no-such-report").status_code == 404


def test_asking_records_the_address_unconfirmed_and_sends_a_link(client, public_world, outbox):
    response = ask(client, "organisation=metropolitan-police-service")

    assert response.status_code == 302
    assert response["Location"] == "/alerts/check-your-email/"
    subscription = Subscription.objects.get()
    assert subscription.email == "reader@example.org"
    assert subscription.scope == "organisation"
    assert subscription.confirmed_at is None
    (message,) = outbox
    assert message.to == ["reader@example.org"]
    assert "Metropolitan Police Service" in message.body
    assert link_in(message, "/alerts/confirm/")
    assert message.alternatives[0][1] == "text/html"
    assert "Check your email" in client.get(response["Location"]).text


def test_the_link_shows_a_button_and_only_the_button_confirms(client, public_world, outbox):
    ask(client, "inspection=met-custody-2025", frequency="daily")
    path = link_in(outbox[0], "/alerts/confirm/")

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm" in page.text
    assert Subscription.objects.get().confirmed_at is None

    done = client.post(path)
    assert done.status_code == 200
    assert "You will get emails about this" in done.text
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is not None
    assert subscription.covered_until == subscription.confirmed_at
    assert subscription.frequency == "daily"


def test_asking_again_sends_a_new_link_and_keeps_one_subscription(client, public_world, outbox):
    ask(client, "organisation=metropolitan-police-service")
    ask(client, "organisation=metropolitan-police-service", frequency="daily")

    assert Subscription.objects.get().frequency == "daily"
    assert len(outbox) == 2


def test_asking_again_once_confirmed_says_so_with_the_way_out(client, public_world, outbox):
    ask(client, "organisation=metropolitan-police-service")
    client.post(link_in(outbox[0], "/alerts/confirm/"))

    ask(client, "organisation=metropolitan-police-service", frequency="daily")

    assert Subscription.objects.get().frequency == "weekly"
    assert outbox[1].subject == "You already get emails about this"
    assert link_in(outbox[1], "/alerts/unsubscribe/")


def test_a_search_is_stored_as_checked_in_order_without_page_or_sort(client, public_world):
    query = "search=sort%3Ddue%26status%3Dopen%26page%3D3%26q%3Dforce%26junk%3Dx"
    assert ask(client, query).status_code == 302

    assert Subscription.objects.get().query == "q=force&status=open"


# Hostile input ------------------------------------------------------------------------------


def test_a_bad_address_is_refused_and_what_was_typed_is_kept(client, public_world, outbox):
    response = ask(client, "organisation=metropolitan-police-service", email="not an address")

    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.text
    assert 'value="not an address"' in response.text
    assert not Subscription.objects.exists()
    assert not outbox


@pytest.mark.parametrize(
    "search,problem",
    [
        ("status%3Dbogus", "Status"),
        ("organisation%3Dno-such-body", "Organisation"),
        ("due_after%3Dtomorrow", "Due on or after"),
        ("inspection%3Dembargoed-report", "names no published inspection"),
        ("q%3D" + "x" * 1001, "too long"),
    ],
)
def test_a_search_the_browse_filters_refuse_cannot_be_followed(
    client, public_world, outbox, search, problem
):
    page = client.get(f"{URL}?search={search}")
    posted = ask(client, f"search={search}")

    for response in (page, posted):
        assert response.status_code == 400
        assert "We cannot send emails about this" in response.text
        assert problem in response.text
        assert EMBARGOED not in response.text
    assert not Subscription.objects.exists()
    assert not outbox


def test_a_page_that_names_nothing_to_follow_says_how_to_start(client, db):
    response = client.get(URL)

    assert response.status_code == 400
    assert "Get emails about this" in response.text


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps({"s": 1}, salt="another.salt"),
        signing.dumps([1], salt=CONFIRM_SALT),
    ],
    # Named, not shown: a signed token holds the time, and parallel runs must collect the same
    # test names in every worker.
    ids=["nonsense", "another salt", "not a subscription"],
)
def test_an_altered_link_is_refused(client, public_world, token):
    response = client.get(f"/alerts/confirm/{token}/")

    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert client.post(f"/alerts/confirm/{token}/").status_code == 400


class OldSigner(signing.TimestampSigner):
    """Signs as if four days ago: a real token, made before the link's limit."""

    def timestamp(self):
        return signing.b62_encode(
            int(timezone.now().timestamp() - timedelta(days=4).total_seconds())
        )


def test_an_expired_link_is_refused_and_confirms_nothing(client, public_world, outbox):
    ask(client, "organisation=metropolitan-police-service")
    subscription = Subscription.objects.get()
    token = OldSigner(salt=CONFIRM_SALT).sign_object({"s": subscription.pk})

    response = client.post(f"/alerts/confirm/{token}/")

    assert response.status_code == 400
    assert "expired" in response.text
    assert Subscription.objects.get().confirmed_at is None


def test_the_form_needs_its_csrf_token(public_world):
    client = Client(enforce_csrf_checks=True)

    assert ask(client, "organisation=metropolitan-police-service").status_code == 403


# Rate limits --------------------------------------------------------------------------------


def test_one_address_gets_three_links_a_day_at_most(client, public_world, outbox):
    for _n in range(3):
        assert ask(client, "organisation=metropolitan-police-service").status_code == 302

    response = ask(client, "organisation=metropolitan-police-service")

    assert response.status_code == 429
    assert "already sent several emails to this address" in response.text
    assert 'value="reader@example.org"' in response.text
    assert len(outbox) == 3


def test_one_network_address_is_limited_whatever_the_addresses(client, public_world, outbox):
    for n in range(20):
        response = ask(
            client, "organisation=metropolitan-police-service", email=f"p{n}@example.org"
        )
        assert response.status_code == 302

    response = ask(client, "organisation=metropolitan-police-service", email="p99@example.org")

    assert response.status_code == 429
    assert "Too many requests" in response.text
    assert len(outbox) == 20
    # Another network is not held back.
    other = ask(
        client,
        "organisation=metropolitan-police-service",
        email="x@example.org",
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 302
