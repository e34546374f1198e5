"""A reader finds a report and follows it (issue 13), in Chromium: the search box, the list of
reports with its filters and progress, a report's progress summary, and a report series' timeline
with its feed, with JavaScript on and off, axe finding no WCAG 2.2 AA violation."""

import re

import pytest
from django.db import connection

from tests.browser.axe import assert_accessible
from tests.browser.reflow import assert_reflows
from tests.conftest import EMBARGOED
from tests.public.test_series import build_series

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


def follow_a_report_series(page, reports, *, axe=True):
    """From the 2016-style report to its last update through the series list, the timeline
    showing R4 closed and reopened, and the report's feed named for feed readers."""
    first, last = reports[0], reports[-1]
    page.goto(f"/inspections/{first.slug}/")
    timeline = page.get_by_role("region", name=re.compile(r"^Series timeline"))
    assert timeline.is_visible()
    assert "Closed: complete, 20 Jul 2017" in timeline.inner_text()
    assert "Reopened: in progress, 10 Jul 2018" in timeline.inner_text()
    if axe:  # axe runs in the page: not with JavaScript off; the reflow check does either way
        assert_accessible(page)
    else:
        assert_reflows(page)

    page.locator("#series ~ ol").get_by_role("link", name=last.title).click()
    assert page.locator("h1").inner_text() == last.title
    assert "(this report)" in page.locator("#series ~ ol").inner_text()
    assert page.get_by_role("region", name=re.compile(r"^Series timeline")).is_visible()
    if axe:
        assert_accessible(page)

    # Feed autodiscovery: the report's own feed, which a feed reader can fetch.
    feeds = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert feeds.count() == 1
    href = feeds.get_attribute("href")
    assert href == f"/inspections/{last.slug}/updates.atom"
    assert (
        page.get_by_role("link", name="Atom feed of changes to them").get_attribute("href") == href
    )
    feed = page.request.get(href)
    assert feed.ok
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert f"<title>{last.title}: status changes and updates</title>" in feed.text()


def test_follow_a_report_series_and_its_feed(page, custody, hmicfrs, met):
    follow_a_report_series(page, build_series(custody, hmicfrs, met))


def test_follow_a_report_series_and_its_feed_without_javascript(
    js_disabled_page, custody, hmicfrs, met
):
    follow_a_report_series(js_disabled_page, build_series(custody, hmicfrs, met), axe=False)
