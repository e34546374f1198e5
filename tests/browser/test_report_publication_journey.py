"""The whole life of a report before it goes public, in Chromium with JavaScript off: the
inspector writes the 2025 Met custody report from its text (one cause of concern, R1 to the
Met and MOPAC, 20 areas for improvement in one paste), shares the draft for a factual-accuracy
check, the Met's lead comments on a finding, the inspector answers, schedules the publication
a few seconds ahead, and once that moment passes the public pages show the report.

The form actions (fields filled, boxes ticked, options chosen, buttons pressed) are counted
from the "New report" button to the scheduled report and printed. The inspector's are held to
15 or fewer; the Met lead's comment (two actions, by another person) is counted and printed
apart, and in the total."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inspections.models import Inspection
from recommendations.models import FactualAccuracyComment
from tests.browser.test_journeys import sign_in, sign_out
from tests.browser.test_report_editor_journey import Actions
from tests.imports.custody_text import labelled_paste

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Metropolitan Police Service custody"
# How far ahead the publication is scheduled: long enough for the test to see the report
# still embargoed after scheduling, short enough to wait for.
AHEAD = timedelta(seconds=8)


def test_write_check_schedule_and_publish_the_custody_report(
    js_disabled_page, live_server, inspector, met_lead, custody, met, mopac, capsys
):
    page = js_disabled_page
    sign_in(page, "inspector", "pw-inspector-1")
    page.goto("/workspace/reports/")
    page.get_by_role("button", name="New report").click()
    expect(page.locator("h1")).to_have_text("New report")

    # The report and its findings, from one page: the paste is previewed before it is saved.
    act = Actions(page)
    act.fill("#id_title", TITLE)
    act.select("#id_programme", "Police custody")
    act.fill("#id_organisations", "Metropolitan Police Service")
    act.fill("#id_report_url", "https://hmicfrs.justiceinspectorates.gov.uk/met-custody-2025/")
    act.fill("#id_summary", "Children are diverted from custody; use of force oversight is poor.")
    act.fill("#id_findings", labelled_paste())
    act.press("Create the report")
    expect(page.locator("h1")).to_have_text("Check the pasted findings")
    expect(page.locator("main")).to_contain_text("with no doubt")
    inspection = Inspection.objects.get()
    assert not inspection.findings.exists()  # nothing saved before the preview is accepted
    act.check("#id_deadline_2")  # "No deadline: the report sets none"
    act.press("Add these findings")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("21 findings added")
    expect(page.locator("#checklist ~ p").first).to_contain_text("The checklist is clean")

    # The factual-accuracy check: shared with the leads of the inspected organisations.
    page.get_by_role("link", name="share the draft for a factual-accuracy check").click()
    act.press("Share the draft")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The draft is shared")
    check_url = page.url
    inspector_actions = act.count
    sign_out(page)

    sign_in(page, "met-lead", "pw-met-lead-1")
    lead = Actions(page)
    page.goto("/portal/checks/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Your comment on AFI1", exact=True).fill("We reviewed 63 cases.")
    lead.count += 1
    lead.press("Send the comment on AFI1")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your comment is sent")
    sign_out(page)

    sign_in(page, "inspector", "pw-inspector-1")
    act.count = inspector_actions
    page.goto(check_url)
    comment = FactualAccuracyComment.objects.get()
    card = page.locator(f"#comment-{comment.pk}")
    expect(card).to_contain_text("We reviewed 63 cases.")
    card.get_by_label("Accepted", exact=True).check()
    act.count += 1
    # Accepted needs no reply (a refusal does: tests/browser/test_factual_accuracy.py); a
    # reply here would be one action more.
    card.get_by_role("button", name="Save the answer").click()
    act.count += 1
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is saved")

    # Scheduled a few seconds ahead (the time field takes seconds), the reason left to its
    # default the first time.
    page.goto(f"/workspace/reports/{inspection.pk}/")
    page.get_by_role("link", name="Schedule the publication").click()
    moment = timezone.localtime(timezone.now() + AHEAD)
    act.fill("#id_publish_on", moment.date().isoformat())
    act.fill("#id_publish_time", moment.strftime("%H:%M:%S"))
    act.press("Schedule the publication")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is scheduled")
    inspection.refresh_from_db()
    assert inspection.published_at == moment.replace(microsecond=0)
    assert not Inspection.objects.published().filter(pk=inspection.pk).exists()

    total = act.count + lead.count
    with capsys.disabled():
        print(
            f"\nform actions from New report to scheduled: {act.count} by the inspector, "
            f"{lead.count} by the Met lead's comment, {total} in all"
        )
    assert act.count <= 15

    comment.refresh_from_db()
    assert comment.response == "accepted"
    r1 = inspection.findings.get(reference="R1")
    assert {item.organisation for item in r1.items.all()} == {met, mopac}
    assert inspection.findings.filter(kind="area_for_improvement").count() == 20

    # Still embargoed for the public, then public once the moment passes.
    sign_out(page)
    page.goto(f"/inspections/{inspection.slug}/")
    expect(page.locator("h1")).not_to_have_text(TITLE)
    time.sleep(max(0.0, (inspection.published_at - timezone.now()).total_seconds()) + 0.5)
    assert Inspection.objects.published().filter(pk=inspection.pk).exists()
    page.goto(f"/inspections/{inspection.slug}/")
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("AFI20")
    expect(page.locator("main")).not_to_contain_text("We reviewed 63 cases.")
    page.get_by_role("link", name="R1", exact=False).first.click()
    expect(page.locator("main")).to_contain_text("Mayor's Office for Policing and Crime")
    expect(page.locator("main")).to_contain_text("Metropolitan Police Service")


def test_the_correction_pages_are_accessible(page, live_server, inspector, recommendation, draft):
    """A draft's details form (inspected bodies, partner inspectorates), then a published
    report in the editor, its finding's correction form (refused without a reason, then saved)
    and its details page: checked with axe-core."""
    from tests.browser.axe import assert_accessible

    inspection = recommendation.inspection
    sign_in(page, "inspector", "pw-inspector-1")
    page.goto(f"/workspace/reports/{draft.pk}/details/")
    expect(page.get_by_label("Inspected organisations")).to_have_value(
        "Metropolitan Police Service"
    )
    assert_accessible(page)
    page.goto(f"/workspace/reports/{inspection.pk}/")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Every change now is a correction")
    assert_accessible(page)
    page.get_by_role("link", name="Correct R1").click()
    page.get_by_label("Text", exact=True).fill(
        "The force and MOPAC should improve the governance of force."
    )
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason")
    assert_accessible(page)
    page.get_by_label("Reason for the correction").fill("A word was missing.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("R1 is saved")
    page.get_by_role("link", name="Correct the report's details").click()
    assert_accessible(page)
    sign_out(page)
    page.goto(f"/recommendations/{recommendation.pk}/")
    expect(page.locator("main")).to_contain_text("A word was missing.")
