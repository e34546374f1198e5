"""Failed sign-ins are throttled per account and address and per address alone, on the site's
sign-in page and the admin's alike (django-axes, config/settings.py), by the real address."""

import pytest
from django.db.models import F

from tests.accounts.conftest import text

SIGN_IN = "/account/sign-in/"
ADMIN = "/admin/login/"
LIMIT = 5


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def fail(client, url, username="met", times=1, **extra):
    return [
        client.post(url, {"username": username, "password": "wrong"}, **extra).status_code
        for _ in range(times)
    ]


@pytest.mark.parametrize(
    ("url", "username", "password"),
    [
        (SIGN_IN, "met", "pw-met-1"),
        (ADMIN, "admin", "pw-admin-1"),
    ],
)
def test_a_right_password_still_works_one_failure_before_the_limit(
    client, met_user, admin_user, url, username, password
):
    assert fail(client, url, username, times=LIMIT - 1) == [200] * (LIMIT - 1)

    response = client.post(url, {"username": username, "password": password})

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("url", "username", "password"),
    [
        (SIGN_IN, "met", "pw-met-1"),
        (ADMIN, "admin", "pw-admin-1"),
    ],
)
def test_the_limit_of_failures_locks_the_account_out_from_that_address(
    client, met_user, admin_user, url, username, password
):
    answers = fail(client, url, username, times=LIMIT)

    assert answers == [200] * (LIMIT - 1) + [429]
    response = client.post(url, {"username": username, "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_what_happened_and_what_to_do(client, met_user):
    fail(client, SIGN_IN, times=LIMIT)

    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})

    page = text(response)
    assert "<title>Too many attempts to sign in" in response.content.decode()
    assert '<h1 class="govuk-heading-l">Too many attempts to sign in</h1>' in (
        response.content.decode()
    )
    assert f"There have been {LIMIT} attempts to sign in with a wrong username or password" in page
    assert "Try again in 15 minutes." in page
    assert "reset your password" in page


def test_failures_on_one_page_count_on_the_other(client, met_user):
    fail(client, SIGN_IN, times=LIMIT - 1)
    fail(client, ADMIN, times=1)

    assert client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"}).status_code == 429


def test_one_address_trying_many_accounts_is_locked_out(client, met_user):
    for number in range(LIMIT):
        fail(client, SIGN_IN, username=f"guess-{number}")

    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})

    assert response.status_code == 429


def test_the_account_still_signs_in_from_another_address(client, met_user):
    """Failures elsewhere must not let anyone lock a person out of their own account."""
    fail(client, SIGN_IN, times=LIMIT, REMOTE_ADDR="203.0.113.9")

    response = client.post(
        SIGN_IN, {"username": "met", "password": "pw-met-1"}, REMOTE_ADDR="198.51.100.4"
    )

    assert response.status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(client, met_user):
    for number in range(LIMIT):
        fail(client, SIGN_IN, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    response = client.post(
        SIGN_IN,
        {"username": "met", "password": "pw-met-1"},
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )

    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(client, settings, met_user):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it was reached from; the left part is the client's to forge.
    fail(client, SIGN_IN, times=LIMIT, HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9")

    locked = client.post(
        SIGN_IN,
        {"username": "met", "password": "pw-met-1"},
        HTTP_X_FORWARDED_FOR="10.0.0.2, 203.0.113.9",
    )
    other = client.post(
        SIGN_IN,
        {"username": "met", "password": "pw-met-1"},
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4",
    )

    assert locked.status_code == 429
    assert other.status_code == 302


def test_an_administrator_can_lift_a_lockout_early(client, met_user):
    from django.core.management import call_command

    fail(client, SIGN_IN, times=LIMIT)

    call_command("axes_reset_username", "met")

    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})
    assert response.status_code == 302


def test_the_lockout_ends_by_itself(client, met_user, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    fail(client, SIGN_IN, times=LIMIT)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))

    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})

    assert response.status_code == 302


@pytest.mark.parametrize("url", [SIGN_IN, ADMIN])
def test_a_very_long_username_is_a_failure_like_any_other(client, db, url):
    answers = fail(client, url, username="a" * 300, times=LIMIT)

    assert answers == [200] * (LIMIT - 1) + [429]
