"""The API's pages in Chromium: overview, reference and data dictionary from the About page, and
a token created and revoked from the account page. axe-core finds no WCAG 2.2 AA violation."""

import re

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.helpers import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_pages_from_the_about_page(page, public_world):
    page.goto("/about/")
    page.get_by_role("link", name="open data API").click()
    assert page.locator("h1").inner_text() == "Open data API"
    assert_accessible(page)
    screenshot(page, "api-overview-desktop")

    page.get_by_role("link", name="API reference").click()
    assert page.locator("h1").inner_text() == "API reference"
    assert page.locator("#items_list").is_visible()
    assert_accessible(page)
    screenshot(page, "api-reference-desktop")

    page.goto("/api/")
    page.get_by_role("link", name="Data dictionary").click()
    assert page.locator("h1").inner_text() == "Data dictionary"
    assert page.locator("#Item").is_visible()
    assert_accessible(page)
    screenshot(page, "api-data-dictionary-desktop")


def test_a_token_is_created_shown_once_and_revoked(page, public_world, met_lead):
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill("met-lead")
    page.get_by_label("Password", exact=True).fill("pw-met-lead-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/$"))

    page.get_by_role("link", name="API tokens").click()
    assert page.locator("h1").inner_text() == "API tokens"
    assert_accessible(page)
    page.get_by_label("Name of the token").fill("Our case system")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("irt_")
    assert_accessible(page)
    screenshot(page, "api-token-created-desktop")

    page.goto("/account/tokens/")
    assert token not in page.content()
    page.get_by_role("link", name="Revoke Our case system").click()
    # The confirmation page loaded (a check run while the link's page is left finds no document).
    page.get_by_role("button", name="Revoke token").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke token").click()
    assert "The token “Our case system” has been revoked." in page.content()
    assert_accessible(page)
