"""Browser tests: real Chromium driven by Playwright against pytest-django's live server.

Chromium is Debian's (CHROMIUM_PATH, found or installed by scripts/ensure-chromium, which
`make test` runs) or, where CHROMIUM_PATH is empty, Playwright's own. Every test here is marked
`browser`, so `pytest -m "not browser"` leaves them out; CI runs them all.

Each page fixture fails its test at teardown when a static file failed to load, the page's
JavaScript threw, or the Content-Security-Policy refused something.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread, which makes Django refuse database
# access from it ("You cannot call this from an async context") while the tests set up data.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright():
    playwright = sync_playwright().start()
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=os.environ.get("CHROMIUM_PATH") or None, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class PageProblems:
    """What went wrong while a page was open: failed static files, uncaught script errors and
    what the Content-Security-Policy refused (Chromium reports it on the console)."""

    def __init__(self, page):
        self.static_failures = []
        self.script_errors = []
        self.csp_violations = []
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("console", self._on_console)

    def _on_console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def _on_response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.static_failures.append(f"{response.status} {response.url}")

    def _on_request_failed(self, request):
        # ERR_ABORTED: the page moved on (a click, a goto) before the file arrived; not a fault.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            self.static_failures.append(f"{request.failure} {request.url}")

    def check(self):
        assert not self.static_failures, f"Static files failed: {self.static_failures}"
        assert not self.script_errors, f"JavaScript errors: {self.script_errors}"
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"


def _wait_for_load_first(page):
    """Make `page.title()`, `page.content()` and `page.evaluate()` wait for the page to load.

    A click that submits a form returns once the new page's navigation has started, not once
    it has loaded: read straight after, the title is still "" and the document half parsed,
    which made tests fail now and then on a busy machine. Locator reads and `expect()` wait by
    themselves; these three do not.
    """
    for name in ("title", "content", "evaluate"):
        method = getattr(page, name)

        def after_load(*args, _method=method, **kwargs):
            page.wait_for_load_state()
            return _method(*args, **kwargs)

        setattr(page, name, after_load)


def _open_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    _wait_for_load_first(page)
    problems = PageProblems(page)
    return context, page, problems


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page; `page.goto("/path/")` is relative to the live server."""
    context, page, problems = _open_page(browser, live_server, viewport=DESKTOP)
    yield page
    context.close()
    problems.check()


@pytest.fixture
def mobile_page(browser, live_server):
    context, page, problems = _open_page(browser, live_server, viewport=MOBILE, has_touch=True)
    yield page
    context.close()
    problems.check()


@pytest.fixture
def js_disabled_page(browser, live_server):
    """Every page must work without JavaScript: a desktop page with it turned off."""
    context, page, problems = _open_page(
        browser, live_server, viewport=DESKTOP, java_script_enabled=False
    )
    yield page
    context.close()
    problems.check()
