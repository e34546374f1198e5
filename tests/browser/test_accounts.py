"""Signing in and out in Chromium, with and without JavaScript, and axe-core on the pages."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, password):
    page.get_by_label("Username").fill("met")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def computed_style(locator):
    return locator.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.color, s.fontSize, s.fontFamily, s.backgroundColor]; }"
    )


def test_organisation_user_signs_in_and_out(page, met_user, live_server):
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Sign in"
    assert_accessible(page)
    screenshot(page, "sign-in")

    sign_in(page, "not-the-password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct username and password" in summary.inner_text()
    # GOV.UK Frontend moves focus to the summary, so that a screen reader reads it first.
    assert page.evaluate("() => document.activeElement.className").startswith("govuk-error-summary")
    assert page.get_by_label("Username").input_value() == "met"
    assert page.get_by_label("Password", exact=True).input_value() == ""
    assert_accessible(page)
    screenshot(page, "sign-in-error")

    summary.get_by_role("link").click()
    assert page.evaluate("() => document.activeElement.id") == "id_username"

    sign_in(page, "pw-met-1")
    page.wait_for_url(re.compile(r"/account/$"))
    assert page.locator("h1").inner_text() == "Your account"
    assert "User at Metropolitan Police Service" in page.locator(".govuk-summary-list").inner_text()
    account = page.locator(".govuk-service-navigation").get_by_role("link", name="Your account")
    assert account.get_attribute("aria-current") == "page"
    # The sign-out button looks like the links beside it.
    sign_out = page.get_by_role("button", name="Sign out")
    assert computed_style(sign_out)[:3] == computed_style(account)[:3]
    assert computed_style(sign_out)[3] == "rgba(0, 0, 0, 0)"
    assert_accessible(page)
    screenshot(page, "account")

    sign_out.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert page.get_by_role("button", name="Sign out").count() == 0


def test_sign_in_and_out_work_without_javascript(js_disabled_page, met_user, live_server):
    page = js_disabled_page
    page.goto("/account/sign-in/")
    assert page.get_by_role("button", name="Show password").is_hidden()

    sign_in(page, "not-the-password")
    assert (
        "Enter a correct username and password" in page.locator(".govuk-error-summary").inner_text()
    )

    sign_in(page, "pw-met-1")
    page.wait_for_url(re.compile(r"/account/$"))
    assert page.locator("h1").inner_text() == "Your account"
    screenshot(page, "account-no-javascript")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Sign in").is_visible()
