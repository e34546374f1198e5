"""Signing in and out: the GOV.UK form, its errors, CSRF, safe `next` and POST-only sign-out."""

import re

import pytest
from django.test import Client

from tests.accounts.conftest import text

SIGN_IN = "/account/sign-in/"


def test_sign_in_page_is_a_govuk_form(client, db):
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Sign in \N{EN DASH} Inspection Recommendations Tracker</title>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label class="govuk-label govuk-label--s" for="id_username">Username</label>' in html
    assert 'autocomplete="username"' in html
    assert 'type="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "govuk-error-summary" not in html
    assert 'href="/account/password-reset/"' in html


def test_right_password_signs_in_and_opens_the_account_page(client, met_user):
    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.get("/account/").context["user"] == met_user


def test_wrong_password_shows_the_error_and_keeps_the_username(client, met_user):
    response = client.post(SIGN_IN, {"username": "met", "password": "not-the-password"})

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    html = response.content.decode()
    assert "<title>Error: Sign in" in html
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.DOTALL).group(0)
    assert '<a href="#id_username">Enter a correct username and password</a>' in summary
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert 'id="username-error"' in html
    assert 'aria-describedby=" username-error"' in html
    assert 'value="met"' in html
    assert "not-the-password" not in html


def test_empty_form_asks_for_the_username_and_the_password(client, db):
    response = client.post(SIGN_IN, {"username": "", "password": ""})

    page = text(response)
    assert "There is a problem Enter your username Enter your password" in page
    assert "Enter a correct username and password" not in page


def test_inactive_account_cannot_sign_in(client, met_user):
    met_user.is_active = False
    met_user.save()

    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})

    assert response.status_code == 200
    assert "Enter a correct username and password" in text(response)


def test_sign_in_needs_the_csrf_token(met_user):
    client = Client(enforce_csrf_checks=True)

    refused = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})
    assert refused.status_code == 403

    token = client.get(SIGN_IN).context["csrf_token"]
    response = client.post(
        SIGN_IN, {"username": "met", "password": "pw-met-1", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_next_on_this_site_is_followed(client, met_user):
    page = client.get(SIGN_IN, {"next": "/findings/?q=custody"})
    assert '<input type="hidden" name="next" value="/findings/?q=custody">' in text_html(page)

    response = client.post(
        SIGN_IN, {"username": "met", "password": "pw-met-1", "next": "/findings/?q=custody"}
    )

    assert response["Location"] == "/findings/?q=custody"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example/"],
)
def test_next_to_another_site_is_refused(client, met_user, next_url):
    page = client.get(SIGN_IN, {"next": next_url})
    assert "evil.example" not in text_html(page)

    response = client.post(
        f"{SIGN_IN}?next={next_url}", {"username": "met", "password": "pw-met-1"}
    )
    assert response["Location"] == "/account/"

    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1", "next": next_url})
    assert response["Location"] == "/account/"


def test_session_cookie_is_not_readable_by_scripts(client, met_user):
    response = client.post(SIGN_IN, {"username": "met", "password": "pw-met-1"})

    assert response.cookies["sessionid"]["httponly"] is True


def test_sign_out_by_post_signs_out_and_goes_to_the_overview(client, met_user):
    client.force_login(met_user)

    response = client.post("/account/sign-out/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/account/")["Location"] == "/account/sign-in/?next=/account/"


def test_sign_out_by_get_is_refused_and_signs_no_one_out(client, met_user):
    client.force_login(met_user)

    response = client.get("/account/sign-out/")

    assert response.status_code == 405
    assert client.get("/account/").status_code == 200


def test_sign_out_needs_the_csrf_token(met_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(met_user)

    assert client.post("/account/sign-out/").status_code == 403
    assert client.get("/account/").status_code == 200


def text_html(response) -> str:
    return response.content.decode()
