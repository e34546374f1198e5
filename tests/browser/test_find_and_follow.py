"""A reader finds a report and follows it (issue 13), in Chromium: the search box, the list of
reports with its filters and progress, and a report's progress summary, with JavaScript on and
off, axe finding no WCAG 2.2 AA violation."""

import re

import pytest
from django.db import connection

from tests.browser.axe import assert_accessible
from tests.conftest import EMBARGOED

pytestmark = pytest.mark.django_db(transaction=True)


# The word is misspelt on PostgreSQL, whose search forgives it (pg_trgm); SQLite, the quick
# start, matches words as typed.
MISSPELT = connection.vendor == "postgresql"


def search_from_the_home_page(page, *, axe=True):
    page.goto("/")
    if axe:  # axe runs in the page: not with JavaScript off
        assert_accessible(page)
    word = "custdy" if MISSPELT else "custody"
    page.get_by_label("Search findings and reports").fill(word)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(rf"/recommendations/\?q={word}"))
    # The Met custody report's title names all three of its items.
    assert page.locator("#results-heading").inner_text() == "3 results"
    assert ("close matches" in page.content()) is MISSPELT
    if axe:  # axe runs in the page: not with JavaScript off
        assert_accessible(page)


def list_and_open_a_report(page, inspection, *, axe=True):
    page.get_by_role("link", name="Inspection reports").first.click()
    page.wait_for_url(re.compile(r"/inspections/$"))
    assert page.locator("h1").inner_text() == "Inspection reports"
    assert EMBARGOED not in page.content()
    if axe:  # axe runs in the page: not with JavaScript off
        assert_accessible(page)
    page.get_by_label("Inspection programme").select_option("police-custody")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"programme=police-custody"))
    assert page.locator("#results-heading").inner_text() == "1 report"
    assert "Of 3 items: 2 open, 1 in progress." in page.content()
    page.get_by_role("link", name=inspection.title).click()
    assert page.locator("h1").inner_text() == inspection.title
    assert page.locator("#progress").is_visible()
    if axe:  # axe runs in the page: not with JavaScript off
        assert_accessible(page)
    # The header's search box, on every public page but the home and browse pages.
    page.get_by_label("Search findings and reports").fill("Tāmaki")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/recommendations/\?q="))
    assert page.locator("#results-heading").inner_text() == "0 results"


def test_find_a_report_and_its_progress(page, public_world):
    search_from_the_home_page(page)
    list_and_open_a_report(page, public_world["inspection"])


def test_find_a_report_and_its_progress_without_javascript(js_disabled_page, public_world):
    search_from_the_home_page(js_disabled_page, axe=False)
    list_and_open_a_report(js_disabled_page, public_world["inspection"], axe=False)
