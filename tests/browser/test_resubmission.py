"""Back, then send again, in Chromium: a decision or an update is recorded once.

Pressing Back after a decision shows the page as it is now (it is never stored: no-store),
with no choice restored (autocomplete="off"). A browser may still show the page as it was
(some keep pages in a back-forward cache whatever the server says; Playwright's Chromium does
not, so the test serves the page it first received, as such a cache would): sending that old
form is refused by its one-time token, with what already happened. axe-core checks each page.
"""

import re

import pytest

from recommendations.choices import Status
from recommendations.models import EvidenceFile, ProgressUpdate
from recommendations.services import item_submit_for_closure
from tests.browser.axe import assert_accessible
from tests.browser.helpers import screenshot
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def serve_as_first_seen(page, url, html):
    """Answer the next GETs of ``url`` with the page as first received, as a back-forward
    cache would; everything else (the form's POST included) reaches the server."""

    def handler(route):
        if route.request.method == "GET":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        else:
            route.continue_()

    page.route(re.compile(re.escape(url) + "$"), handler)


def test_accept_back_and_send_again_is_refused(page, live_server, public_world, inspector):
    item = public_world["afi"].items.get()
    item = item_submit_for_closure(item=item, note="Audited weekly.")
    url = f"/workspace/items/{item.pk}/"

    sign_in(page, "inspector", "pw-inspector-1")
    first = page.goto(url)
    assert "no-store" in first.headers["cache-control"]
    as_first_seen = first.text()
    page.get_by_label("Accept: closed as complete (verified)").check()
    page.get_by_label("Reason").fill("Authorised on the basis of the weekly audits.")
    page.get_by_role("button", name="Record decision").click()
    assert "has been recorded" in page.locator(".govuk-notification-banner").inner_text()

    # Back: the page as it is now. Closed, nothing to choose, no reason restored.
    page.go_back()
    page.wait_for_load_state()
    assert "Closed: complete" in page.locator(".govuk-summary-list").inner_text()
    assert page.get_by_role("button", name="Record decision").count() == 0
    assert page.get_by_label("Accept: closed as complete (verified)").count() == 0
    assert page.get_by_role("button", name="Reopen this item").is_visible()
    assert_accessible(page)

    # The page as it was, from a back-forward cache: sending it again is refused.
    serve_as_first_seen(page, url, as_first_seen)
    page.goto(url)
    page.get_by_label("Accept: closed as complete (verified)").check()
    page.get_by_label("Reason").fill("Authorised on the basis of the weekly audits.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert re.search(r"You accepted this on \d+ \w+ \d{4} at \d\d:\d\d", summary), summary
    assert_accessible(page)
    screenshot(page, "workspace-decision-sent-again")

    item.refresh_from_db()
    assert item.status == Status.CLOSED_COMPLETE
    assert item.status_changes.filter(to_status=Status.CLOSED_COMPLETE).count() == 1
    assert not item.status_changes.filter(from_status=Status.CLOSED_COMPLETE).exists()

    # Reopening is its own page and button.
    page.unroute_all()
    page.goto(url)
    page.get_by_role("button", name="Reopen this item").click()
    assert page.locator("h1").inner_text() == "Reopen this item"
    assert page.get_by_label("Why is it being reopened?").input_value() == ""
    assert_accessible(page)


def test_update_back_and_save_again_publishes_one_update(
    page, live_server, public_world, met_lead, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    item = public_world["afi"].items.get()
    url = f"/portal/items/{item.pk}/update/"

    def fill_and_save():
        page.get_by_label("What has been done since the last update?").fill(
            "Risk assessments now record self-harm history."
        )
        page.get_by_label("On track").check()
        page.get_by_label("Everyone: publish it on the public timeline").check()
        page.get_by_label("Evidence (optional)").set_input_files(
            files=[{"name": "audit.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.get_by_role("button", name="Save update").click()
        page.wait_for_load_state()

    sign_in(page, "met-lead", "pw-met-lead-1")
    first = page.goto(url)
    assert "no-store" in first.headers["cache-control"]
    as_first_seen = first.text()
    fill_and_save()
    assert (
        "progress update has been saved" in page.locator(".govuk-notification-banner").inner_text()
    )

    # Back: a fresh form, nothing restored; saving it as it is publishes nothing.
    page.go_back()
    page.wait_for_load_state()
    assert page.get_by_label("What has been done since the last update?").input_value() == ""
    assert not page.get_by_label("On track").is_checked()
    page.get_by_role("button", name="Save update").click()
    assert "Describe the progress made" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    # The form as it was, from a back-forward cache, filled and saved again: refused.
    serve_as_first_seen(page, url, as_first_seen)
    page.goto(url)
    fill_and_save()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert re.search(r"You saved this update on \d+ \w+ \d{4} at \d\d:\d\d", summary), summary
    assert_accessible(page)
    screenshot(page, "portal-update-sent-again")

    assert ProgressUpdate.objects.filter(item=item).count() == 1
    assert EvidenceFile.objects.filter(update__item=item).count() == 1
    page.unroute_all()
    page.goto(f"/recommendations/{item.finding_id}/")
    timeline = page.locator(".app-timeline").inner_text()
    assert timeline.count("Risk assessments now record self-harm history.") == 1


def test_correct_then_withdraw_an_update(page, live_server, public_world, met_lead, inspector):
    from recommendations.services import progress_update_add

    item = public_world["afi"].items.get()
    original = progress_update_add(
        item=item,
        author=met_lead,
        narrative="Risk assessments record self-harm history in all suites.",
        self_assessment="on_track",
        publish=True,
    )

    # The organisation corrects it from the item page: a new update beside the original.
    sign_in(page, "met-lead", "pw-met-lead-1")
    page.goto(f"/portal/items/{item.pk}/")
    page.get_by_role("link", name="Correct this update").click()
    assert page.locator("h1").inner_text() == "Correct this update"
    assert_accessible(page)
    page.get_by_label("The corrected update").fill(
        "Risk assessments record self-harm history in four of six suites."
    )
    page.get_by_label("What does this correction put right?").fill("Not every suite yet.")
    page.get_by_role("button", name="Publish correction").click()
    page.wait_for_load_state()
    assert (
        "correction has been published" in page.locator(".govuk-notification-banner").inner_text()
    )
    correction = ProgressUpdate.objects.get(corrects=original)
    assert correction.is_published

    # The inspectorate withdraws the original from the workspace, for a legal reason.
    page.context.clear_cookies()
    sign_in(page, "inspector", "pw-inspector-1")
    page.goto(f"/workspace/items/{item.pk}/")
    page.locator(f"#update-{original.pk}").get_by_role("link", name="Withdraw this update").click()
    assert page.locator("h1").inner_text() == "Withdraw this update"
    assert_accessible(page)
    page.get_by_label("Why is this update being withdrawn?").fill("It named a suite under review.")
    page.get_by_role("button", name="Withdraw update").click()
    page.wait_for_load_state()
    history = page.locator(f"#update-{original.pk}").inner_text()
    assert "(the public sees only this note)" in history
    assert "Risk assessments record self-harm history in all suites." in history

    page.goto(f"/recommendations/{item.finding_id}/")
    timeline = page.locator("main").inner_text()
    assert "It named a suite under review." in timeline
    assert "in all suites." not in timeline and "in four of six suites." in timeline
