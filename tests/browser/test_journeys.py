"""The journeys of the workflow issue, in Chromium, through the real forms:

an organisation's lead signs in, adds an update with a PDF and submits for closure; an inspector
accepts it; the public page shows it closed as complete and verified. And a section 55 response
from entry to the public inspection page. axe-core checks every page on the way.
"""

import re

import pytest

from recommendations.choices import Status
from tests.browser.axe import assert_accessible
from tests.browser.helpers import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def sign_in(page, username, password):
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/$"))


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_update_submission_and_acceptance(
    page, public_world, met_lead, inspector, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    item = public_world["afi"].items.get()  # AFI1, open, addressed to the Met

    sign_in(page, "met-lead", "pw-met-lead-1")
    page.get_by_role("link", name="Our findings").first.click()
    assert page.locator("h1").inner_text() == "Our findings"
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^AFI1")).click()
    assert page.locator("h1").inner_text() == "Area for improvement AFI1"
    assert_accessible(page)

    page.get_by_role("link", name="Add a progress update").click()
    page.get_by_label("What has been done since the last update?").fill(
        "Risk assessments now record self-harm history."
    )
    page.get_by_label("On track").check()
    page.get_by_label("Everyone: publish it on the public timeline").check()
    page.get_by_label("Evidence (optional)").set_input_files(
        files=[{"name": "audit.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    assert_accessible(page)
    screenshot(page, "portal-update-form")
    page.get_by_role("button", name="Save update").click()
    assert (
        "Your progress update has been saved."
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert page.get_by_role("link", name=re.compile("audit.pdf")).is_visible()

    page.get_by_role("link", name="Submit for closure").click()
    page.get_by_label("What was done, and how does the evidence show it?").fill(
        "Every pre-release risk assessment is audited weekly."
    )
    page.get_by_label("Evidence", exact=True).set_input_files(
        files=[{"name": "weekly-audit.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    assert_accessible(page)
    page.get_by_role("button", name="Submit for closure").click()
    assert "Submitted for closure" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    screenshot(page, "portal-item-submitted")
    sign_out(page)

    sign_in(page, "inspector", "pw-inspector-1")
    page.get_by_role("link", name="Review queue").first.click()
    assert page.locator("h1").inner_text() == "Review queue"
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^AFI1")).click()
    page.get_by_label("Accept: closed as complete (verified)").check()
    page.get_by_label("Reason").fill("Authorised for closure on the basis of the weekly audits.")
    assert_accessible(page)
    screenshot(page, "workspace-decision")
    page.get_by_role("button", name="Record decision").click()
    assert "has been recorded" in page.locator(".govuk-notification-banner").inner_text()
    item.refresh_from_db()
    assert item.status == Status.CLOSED_COMPLETE
    sign_out(page)

    page.goto(f"/recommendations/{item.finding_id}/")
    made_to = page.locator("table").first.inner_text()
    assert "Closed: complete" in made_to and "Verified by the inspectorate" in made_to
    timeline = page.locator(".app-timeline").inner_text()
    assert "Authorised for closure on the basis of the weekly audits." in timeline
    assert "Risk assessments now record self-harm history." in timeline
    assert "audit.pdf" not in page.content()  # evidence is never public
    assert_accessible(page)
    screenshot(page, "public-finding-closed")


def test_section55_response_from_entry_to_public_page(page, public_world, mopac_lead):
    inspection = public_world["inspection"]
    sign_in(page, "mopac-lead", "pw-mopac-1")
    page.goto("/portal/section-55/")
    assert_accessible(page)
    page.get_by_role("link", name=inspection.title).click()
    page.get_by_label("Your response").fill("The Mayor's Office accepts the report in full.")
    page.get_by_label("Action will be taken").check()
    page.get_by_label("Statement on R1").fill("An oversight board reports every quarter.")
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()
    assert "Your draft has been saved" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("button", name="Publish response").click()
    assert "has been published" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    page.goto(f"/inspections/{inspection.slug}/#section-55")
    section = page.locator("main").inner_text()
    assert "The Mayor's Office accepts the report in full." in section
    assert "An oversight board reports every quarter." in section
    assert_accessible(page)
    screenshot(page, "public-inspection-section55")
