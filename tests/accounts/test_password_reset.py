"""Resetting a forgotten password by email, without telling anyone which addresses have accounts."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.conftest import text

# The email is looked up, rendered and sent by a background job, which a worker runs on its own
# database connection in production: these tests commit their rows, as it sees only those.
pytestmark = pytest.mark.django_db(transaction=True)

RESET = "/account/password-reset/"
LINK = re.compile(r"(https?)://([^/\s]+)(/account/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def met_user_with_email(met_user):
    met_user.email = "Met.User@example.gov.uk"
    met_user.first_name, met_user.last_name = "Alex", "Morgan"
    met_user.save()
    return met_user


def test_reset_page_is_a_govuk_form(client, db):
    response = client.get(RESET)

    html = response.content.decode()
    assert "<title>Reset your password \N{EN DASH}" in html
    assert '<label class="govuk-label govuk-label--s" for="id_email">Email address</label>' in html
    assert 'type="email"' in html
    assert 'autocomplete="email"' in html


def test_emailed_link_sets_a_new_password_to_sign_in_with(
    client, ask_for_reset, met_user_with_email
):
    response = ask_for_reset("met.user@example.gov.uk")

    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["Met.User@example.gov.uk"]
    assert email.subject == "Reset your password for the Inspection Recommendations Tracker"
    assert email.body.startswith("Hello Alex Morgan,\n")
    assert "Your username is met." in email.body
    assert "The link works once and expires after 3 days." in email.body
    assert "<" not in email.body and "&" not in email.body
    scheme, host, path = LINK.search(email.body).groups()
    assert (scheme, host) == ("http", "testserver")

    # Django moves the token from the address into the session before showing the form.
    response = client.get(path, follow=True)
    assert response.redirect_chain[-1][0].endswith("/set-password/")
    assert "Choose a new password" in text(response)
    set_password = response.redirect_chain[-1][0]
    response = client.post(
        set_password,
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response["Location"] == "/account/reset/done/"
    assert "Your password has been changed" in text(client.get(response["Location"]))

    old = client.post("/account/sign-in/", {"username": "met", "password": "pw-met-1"})
    assert old.status_code == 200
    new = client.post("/account/sign-in/", {"username": "met", "password": "a-new-long-passphrase"})
    assert new["Location"] == "/account/"

    # The link works once.
    client.post("/account/sign-out/")
    reused = client.get(path, follow=True)
    assert "This link does not work" in text(reused)
    assert "Ask for a new link" in text(reused)


def test_link_is_built_from_the_host_of_the_request(ask_for_reset, settings, met_user_with_email):
    settings.ALLOWED_HOSTS = ["tracker.example.gov.uk"]

    ask_for_reset(
        "met.user@example.gov.uk", headers={"host": "tracker.example.gov.uk"}, secure=True
    )

    scheme, host, _ = LINK.search(mail.outbox[0].body).groups()
    assert (scheme, host) == ("https", "tracker.example.gov.uk")


def test_unknown_address_gives_the_same_page_and_sends_nothing(ask_for_reset, met_user_with_email):
    known = ask_for_reset("met.user@example.gov.uk", follow=True)
    assert len(mail.outbox) == 1
    mail.outbox.clear()

    unknown = ask_for_reset("nobody@example.gov.uk", follow=True)

    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert text(unknown) == text(known)
    assert "If an account has the email address you entered" in text(unknown)


def test_inactive_account_gets_no_email(ask_for_reset, met_user_with_email):
    met_user_with_email.is_active = False
    met_user_with_email.save()

    response = ask_for_reset("met.user@example.gov.uk")

    assert response["Location"] == "/account/password-reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("not-an-address", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_missing_or_malformed_address_is_explained(client, db, email, message):
    response = client.post(RESET, {"email": email})

    assert response.status_code == 200
    assert f'<a href="#id_email">{message}</a>' in response.content.decode()
    assert mail.outbox == []


def test_new_passwords_that_differ_or_are_weak_are_refused(
    client, ask_for_reset, met_user_with_email
):
    ask_for_reset("met.user@example.gov.uk")
    _, _, path = LINK.search(mail.outbox[0].body).groups()
    set_password = client.get(path)["Location"]

    differ = client.post(
        set_password,
        {"new_password1": "a-new-long-passphrase", "new_password2": "another-passphrase"},
    )
    weak = client.post(set_password, {"new_password1": "12345678", "new_password2": "12345678"})

    assert "The passwords do not match" in text(differ)
    assert "This password is entirely numeric." in text(weak)
    assert "12345678" not in weak.content.decode()
    met_user_with_email.refresh_from_db()
    assert met_user_with_email.check_password("pw-met-1")


def test_a_made_up_link_does_not_work(client, met_user_with_email):
    response = client.get("/account/reset/MQ/not-a-token/", follow=True)

    assert "This link does not work" in text(response)
    assert 'name="new_password1"' not in response.content.decode()


def test_the_email_is_looked_up_and_sent_by_a_background_job(
    client, job_queue, met_user_with_email
):
    response = client.post(RESET, {"email": "met.user@example.gov.uk"})

    assert response["Location"] == "/account/password-reset/sent/"
    assert mail.outbox == []
    [waiting] = job_queue.waiting()
    assert waiting.task_path == "accounts.tasks.send_password_reset"
    assert waiting.args_kwargs["kwargs"]["email"] == "met.user@example.gov.uk"

    [job] = job_queue.run()

    assert job.status == "SUCCESSFUL"
    assert [message.to for message in mail.outbox] == [["Met.User@example.gov.uk"]]
    # The queue's record of the job forgets the address typed.
    waiting.refresh_from_db()
    assert waiting.args_kwargs == {"args": [], "kwargs": {}}


def test_known_and_unknown_addresses_get_identical_answers_from_identical_work(
    client, job_queue, met_user_with_email
):
    """The request path does the same for any address: it queues a job with the address, which
    looks it up. Looking up, making the token or sending in the request would make the answer
    for a known address slower."""
    answers = {}
    for email in ("met.user@example.gov.uk", "nobody@example.gov.uk"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(RESET, {"email": email})
        answers[email] = (
            response.status_code,
            response["Location"],
            response.content,
            # The same statements, whatever the address: only the job's row differs.
            [re.sub(r"'[^']*'", "?", query["sql"]) for query in queries],
        )
        assert mail.outbox == []

    known, unknown = answers.values()
    assert known == unknown
    assert len(job_queue.waiting()) == 2


def test_a_reset_sent_later_refuses_another_token_generator(db):
    from django.contrib.auth.tokens import PasswordResetTokenGenerator

    from accounts.forms import PasswordResetForm

    form = PasswordResetForm({"email": "met.user@example.gov.uk"})
    assert form.is_valid()
    with pytest.raises(ValueError, match="default token generator"):
        form.save(domain_override="tracker.example", token_generator=PasswordResetTokenGenerator())
