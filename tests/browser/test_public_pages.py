"""What a reader does on the public pages, in Chromium: every page type loads, its filters and
links work, with and without JavaScript, and axe-core finds no WCAG 2.2 AA violation."""

import re

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.helpers import screenshot
from tests.browser.reflow import assert_reflows
from tests.conftest import EMBARGOED

pytestmark = pytest.mark.django_db(transaction=True)


def test_overview_filters_sorts_and_leads_to_an_organisation(page, public_world):
    page.goto("/")
    assert page.locator("h1").inner_text() == "What inspections found, and what has been done"
    assert_accessible(page)
    screenshot(page, "overview-desktop")

    page.get_by_label("Type of organisation").select_option("police_force")
    page.get_by_role("button", name="Show organisations").click()
    page.wait_for_url(re.compile(r"kind=police_force"))
    kinds = page.locator(".app-organisation-table tbody tr td:nth-child(2)").all_inner_texts()
    assert kinds and set(kinds) == {"Police force"}

    page.get_by_role("link", name="Not yet closed").click()
    page.wait_for_url(re.compile(r"sort=open"))
    header = page.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "descending"
    first = page.locator(".app-organisation-table tbody tr").first
    assert first.locator("th").inner_text() == "Metropolitan Police Service"

    first.get_by_role("link").click()
    assert page.locator("h1").inner_text() == "Metropolitan Police Service"
    assert_accessible(page)
    screenshot(page, "organisation-desktop")


def test_finding_search_filters_and_finding_page(page, public_world):
    page.goto("/recommendations/")
    assert page.locator("#results-heading").inner_text() == "3 results"
    assert_accessible(page)

    page.get_by_label("Words").fill("self-harm")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"q=self-harm"))
    assert page.locator("#results-heading").inner_text() == "1 result"
    screenshot(page, "finding-list-desktop")

    page.get_by_label("Words").fill("")
    page.get_by_label(re.compile(r"^In progress \(\d+\)$")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=in_progress"))
    assert page.locator("#results-heading").inner_text() == "1 result"
    assert page.get_by_label(re.compile(r"^In progress")).is_checked()

    page.locator(".app-results__item a").first.click()
    assert page.locator("h1").inner_text() == "Recommendation R1"
    assert "Self-reported by the organisation" in page.content()
    assert "A new use of force board met in March." in page.content()
    assert "INTERNAL-ONLY" not in page.content()
    assert_accessible(page)
    screenshot(page, "finding-desktop")


def test_inspection_page_and_its_links(page, public_world):
    inspection = public_world["inspection"]
    page.goto(f"/inspections/{inspection.slug}/")
    assert page.locator("h1").inner_text() == inspection.title
    assert page.get_by_text("CCTV cases reviewed").is_visible()
    assert_accessible(page)
    screenshot(page, "inspection-desktop")

    page.get_by_role("link", name="Search and download them").click()
    page.wait_for_url(re.compile(rf"inspection={inspection.slug}"))
    assert page.locator("#results-heading").inner_text() == "3 results"

    page.goto(f"/inspections/{inspection.slug}/")
    page.get_by_role("link", name=re.compile(r"^AFI1")).click()
    assert page.locator("h1").inner_text() == "Area for improvement AFI1"


def test_about_and_not_found_pages(page, db):
    page.goto("/about/")
    assert page.locator("h1").inner_text() == "About the data"
    assert_accessible(page)
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert_accessible(page)


def test_embargoed_report_is_not_in_any_page(page, public_world):
    for path in [
        "/",
        "/recommendations/",
        "/recommendations/?q=referrals",
        "/organisations/kent-police/",
        "/organisations/metropolitan-police-service/",
    ]:
        page.goto(path)
        assert EMBARGOED not in page.content(), path
    response = page.goto(f"/inspections/{public_world['embargoed'].slug}/")
    assert response.status == 404


def test_filters_work_without_javascript(js_disabled_page, public_world):
    page = js_disabled_page
    page.goto("/recommendations/")
    # Folded behind "Filter" (a details element) until opened: no script opens it.
    assert not page.get_by_label("Words").is_visible()
    page.locator("summary", has_text="Filter").click()
    page.get_by_label(re.compile(r"^Area for improvement \(\d+\)$")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"kind=area_for_improvement"))
    assert page.locator("#results-heading").inner_text() == "1 result"

    page.goto("/")
    page.get_by_label("Region").select_option("London")
    page.get_by_role("button", name="Show organisations").click()
    # The new page loaded, not the old one being left (all_inner_texts does not wait).
    page.wait_for_url(re.compile(r"region=London"))
    rows = page.locator(".app-organisation-table tbody tr th").all_inner_texts()
    assert rows == ["Mayor's Office for Policing and Crime", "Metropolitan Police Service"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/recommendations/?status=in_progress",
        "/organisations/metropolitan-police-service/",
        "/inspections/met-custody-2025/",
    ],
)
def test_pages_at_phone_width(mobile_page, public_world, path):
    page = mobile_page
    page.goto(path)
    # Nothing wider than the screen: no sideways scrolling of the whole page.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    screenshot(page, "mobile" + path.replace("/", "-").replace("?", "-"))


PUBLIC_PATHS = [
    "/",
    "/?kind=police_force&sort=open&order=desc",
    "/recommendations/",
    "/recommendations/?q=force&status=in_progress",
    "/organisations/metropolitan-police-service/",
    "/organisations/kent-police/",
    "/inspections/met-custody-2025/",
    "/about/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/feedback/",
    "/alerts/?organisation=metropolitan-police-service",
    "/alerts/?inspection=met-custody-2025",
    "/alerts/check-your-email/",
    # The Welsh pages (issue 12): the same checks, with lang="cy" and the language toggle.
    "/cy/",
    "/cy/recommendations/?q=force&status=in_progress",
    "/cy/organisations/metropolitan-police-service/",
    "/cy/inspections/met-custody-2025/",
    "/cy/about/",
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_without_javascript(js_disabled_page, public_world, path):
    """Every public page works and reflows at 320px with JavaScript off. (axe needs the page's
    JavaScript, so test_public_pages_pass_axe checks the same pages with it on.)"""
    page = js_disabled_page
    response = page.goto(path)
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.locator("header.govuk-template__header .govuk-phase-banner").is_visible()
    assert_reflows(page)


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_pass_axe(page, public_world, path):
    page.goto(path)
    assert_accessible(page)


def test_the_finding_page_without_javascript(js_disabled_page, public_world):
    page = js_disabled_page
    page.goto(f"/recommendations/{public_world['recommendation'].pk}/")
    assert page.locator("h1").inner_text() == "Recommendation R1"
    assert_reflows(page)


def test_on_a_phone_the_filters_fold_and_skip_to_results_comes_first(mobile_page, public_world):
    page = mobile_page
    page.goto("/recommendations/")
    main = page.locator("main")
    first_link = main.locator("a").first
    assert first_link.inner_text() == "Skip to results"
    assert not page.get_by_label("Words").is_visible()
    # The results start within the first screen.
    top = page.locator("#results-heading").bounding_box()["y"]
    assert top < 812, top
    first_link.click()
    assert page.evaluate("() => document.activeElement.id") == "results-heading"

    page.locator("summary", has_text="Filter").click()
    page.get_by_label("Words").fill("self-harm")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"q=self-harm"))
    assert page.locator("#results-heading").inner_text() == "1 result"
    assert "(filters applied)" in page.locator("summary").inner_text()
    assert_accessible(page)
    screenshot(page, "finding-list-phone-filtered")
