"""An inspector writes the 2025 Met custody report in the report editor, with JavaScript off:
new report, one paste of its findings (one cause of concern, R1 to the Met and MOPAC, 20 areas
for improvement), the doubts resolved, the checklist clean, the publication scheduled. The form
actions are counted and printed; the pages are then checked with axe-core (JavaScript on)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inspections.models import Inspection
from tests.browser.axe import assert_accessible
from tests.browser.helpers import screenshot
from tests.imports.custody_text import AFIS, labelled_paste

pytestmark = pytest.mark.django_db(transaction=True)

# The last area for improvement as the report words it without naming whom: a doubt to resolve.
NAMELESS = "Custody records are not always complete."


def pasted_text():
    return labelled_paste([*AFIS[:-1], NAMELESS])


class Actions:
    """Counts what the person does in forms: each field filled, box ticked, option chosen and
    button pressed. Following a link is not counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def fill(self, selector, value):
        self.page.fill(selector, value)
        self.count += 1

    def check(self, selector):
        self.page.check(selector)
        self.count += 1

    def select(self, selector, label):
        self.page.select_option(selector, label=label)
        self.count += 1

    def press(self, name):
        self.page.get_by_role("button", name=name, exact=True).click()
        self.count += 1


def sign_in_as_inspector(page):
    page.goto("/account/sign-in/?next=/workspace/reports/")
    page.get_by_label("Username").fill("inspector")
    page.get_by_label("Password", exact=True).fill("pw-inspector-1")
    page.get_by_role("button", name="Sign in").click()


def write_the_custody_report(page, capsys=None):
    """The journey, from the "New report" button to the scheduled report; returns the count."""
    sign_in_as_inspector(page)
    page.get_by_role("button", name="New report").click()
    expect(page.locator("h1")).to_have_text("New report")
    act = Actions(page)
    act.fill("#id_title", "Metropolitan Police Service custody")
    act.select("#id_programme", "Police custody")
    act.fill("#id_organisations", "Metropolitan Police Service")
    act.fill("#id_report_url", "https://hmicfrs.justiceinspectorates.gov.uk/met-custody-2025/")
    act.fill("#id_summary", "Children are diverted from custody; use of force oversight is poor.")
    act.press("Create the report")
    expect(page.locator("h1")).to_have_text("Metropolitan Police Service custody")

    act.fill("#id_text", pasted_text())
    act.press("Preview the findings")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "No addressee found in the wording"
    )
    assert not Inspection.objects.get().findings.exists()
    screenshot(page, "report-editor-paste-doubts")

    act.check("text=Metropolitan Police Service >> xpath=preceding-sibling::input")
    act.check("#id_deadline_2")  # "No deadline: the report sets none"
    act.press("Check again")
    expect(page.get_by_role("button", name="Add these findings")).to_be_visible()
    act.press("Add these findings")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("21 findings added")
    expect(page.locator("#checklist ~ p").first).to_contain_text("The checklist is clean")
    screenshot(page, "report-editor")

    page.get_by_role("link", name="Schedule the publication").click()
    tomorrow = timezone.localdate() + timedelta(days=1)
    act.fill("#id_publish_on", tomorrow.isoformat())
    act.fill("#id_reason", "The date agreed with the force and MOPAC.")
    act.press("Schedule the publication")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is scheduled")
    return act.count


def test_inspector_writes_and_schedules_the_custody_report_without_javascript(
    js_disabled_page, live_server, inspector, custody, met, mopac, capsys
):
    count = write_the_custody_report(js_disabled_page)
    with capsys.disabled():
        print(f"\nForm actions from “New report” to “scheduled”: {count}")
    assert count <= 15

    inspection = Inspection.objects.get()
    assert inspection.published_at is not None
    assert not Inspection.objects.published().exists()
    assert inspection.causes_of_concern.get().reference == "CoC1"
    r1 = inspection.findings.get(reference="R1")
    assert {i.organisation for i in r1.items.all()} == {met, mopac}
    assert r1.cause_of_concern.reference == "CoC1"
    assert inspection.findings.filter(kind="area_for_improvement").count() == 20
    assert inspection.findings.get(reference="AFI20").items.get().organisation == met
    # Not public until the moment comes.
    js_disabled_page.goto(f"/inspections/{inspection.slug}/")
    expect(js_disabled_page.locator("h1")).not_to_have_text(inspection.title)


def test_the_editor_pages_are_accessible(page, live_server, inspector, custody, met, mopac):
    sign_in_as_inspector(page)
    assert_accessible(page)  # the list
    page.get_by_role("button", name="New report").click()
    assert_accessible(page)
    page.fill("#id_title", "Metropolitan Police Service custody")
    page.select_option("#id_programme", label="Police custody")
    page.fill("#id_organisations", "Metropolitan Police Service")
    page.get_by_role("button", name="Create the report").click()
    assert_accessible(page)  # the editor, with the checklist's problems
    page.fill("#id_text", pasted_text())
    page.get_by_role("button", name="Preview the findings").click()
    assert_accessible(page)  # the preview with its doubts
    page.get_by_role("link", name="Back to the report").click()
    page.get_by_role("button", name="Add an area for improvement").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    assert_accessible(page)  # the finding form with its errors
    page.get_by_role("link", name="Back to the report").click()
    page.get_by_role("link", name="Schedule the publication").click()
    assert_accessible(page)
    page.get_by_role("button", name="Schedule the publication").click()
    assert_accessible(page)  # refused: the checklist's problems
    page.get_by_role("link", name="Back to the report").click()
    page.get_by_role("link", name="Preview as the public will see it").click()
    expect(page.locator("#preview-banner-title")).to_have_text("Not published")
    assert_accessible(page)
    screenshot(page, "report-preview")
