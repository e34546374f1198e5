"""base.html in a browser: styles and scripts load, keyboard and small screens work, no WCAG
violations, and the page works without JavaScript."""

import re
from urllib.parse import urljoin

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.helpers import focus_next, screenshot

GOVUK_BLUE = "rgb(29, 112, 184)"


@pytest.fixture(autouse=True)
def _base_template_urls(settings):
    settings.ROOT_URLCONF = "tests.browser.urls_base"


def test_static_files_load_and_govuk_frontend_starts(page):
    responses = {}
    page.on("response", lambda response: responses.setdefault(response.url, response.status))
    page.goto("/")

    static = {
        url.split("/static/")[1]: status for url, status in responses.items() if "/static/" in url
    }
    assert set(static) >= {
        "govuk/govuk-frontend.min.css",
        "tracker/tracker.css",
        "tracker/init.js",
        "govuk/govuk-frontend.min.js",  # imported by init.js
    }
    assert set(static.values()) == {200}, static
    body_classes = page.evaluate("() => document.body.className")
    assert "govuk-frontend-supported" in body_classes
    # GOV.UK Frontend's styles apply, with Arial rather than GDS Transport (not a GOV.UK service).
    heading = page.locator("h1")
    assert heading.evaluate("el => getComputedStyle(el).fontFamily") == "arial, sans-serif"
    assert heading.evaluate("el => getComputedStyle(el).fontWeight") == "700"
    assert (
        page.locator(".govuk-width-container").first.evaluate("el => getComputedStyle(el).maxWidth")
        == "960px"
    )
    # ... and the app's own.
    assert page.locator(".app-chart__bar").evaluate("el => getComputedStyle(el).fill") == GOVUK_BLUE


def test_assets_the_stylesheet_refers_to_exist(page):
    page.goto("/")
    css_url = page.locator("link[rel=stylesheet]").first.evaluate("el => el.href")
    css = page.request.get(css_url).text()
    urls = set(re.findall(r'url\("?([^")]+)"?\)', css))
    assert urls, "expected the CSS to refer to images"
    for url in urls:
        assert page.request.get(urljoin(css_url, url)).status == 200, url


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/")
    first = focus_next(page)
    assert first["text"] == "Skip to main content"
    assert first["href"] == "#main-content"
    assert page.locator(".govuk-skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"


def test_navigation_marks_the_current_page(page):
    page.goto("/findings/")
    current = page.locator(".govuk-service-navigation__link[aria-current=page]")
    assert current.count() == 1
    assert current.inner_text() == "Find findings"
    assert page.title() == "Base template \N{EN DASH} Inspection Recommendations Tracker"
    assert (
        page.get_by_role("link", name="Inspection Recommendations Tracker").get_attribute("href")
        == "/"
    )


def test_desktop_page_is_accessible(page):
    page.goto("/")
    assert_accessible(page)
    screenshot(page, "base-template-desktop")


def test_mobile_navigation_opens_from_the_menu_button(mobile_page):
    mobile_page.goto("/")
    menu = mobile_page.get_by_role("button", name="Menu")
    overview = mobile_page.get_by_role("link", name="Overview")
    assert menu.is_visible()
    assert not overview.is_visible()
    assert_accessible(mobile_page)
    screenshot(mobile_page, "base-template-mobile")

    menu.click()
    assert overview.is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    assert_accessible(mobile_page)


def test_page_works_without_javascript(js_disabled_page):
    js_disabled_page.goto("/about/")
    assert js_disabled_page.get_by_role("heading", level=1).inner_text() == "Base template"
    assert "js-enabled" not in js_disabled_page.locator("body").get_attribute("class")
    # Without the script the navigation is a plain list of links, even on a small screen.
    js_disabled_page.set_viewport_size({"width": 375, "height": 812})
    assert js_disabled_page.get_by_role("link", name="About the data").first.is_visible()
    assert not js_disabled_page.get_by_role("button", name="Menu").is_visible()
    screenshot(js_disabled_page, "base-template-no-javascript")
