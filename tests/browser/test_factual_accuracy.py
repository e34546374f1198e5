"""The factual-accuracy check in Chromium: the inspector shares the draft, the Met's lead
comments on a finding in the portal, the inspector answers beside the finding; each page is
checked with axe-core, and the portal page works with JavaScript off."""

import pytest

from recommendations.models import FactualAccuracyCheck, FactualAccuracyComment
from tests.browser.axe import assert_accessible
from tests.browser.helpers import screenshot
from tests.browser.test_journeys import sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)


def test_share_comment_and_answer(page, live_server, draft, inspector, met_lead):
    sign_in(page, "inspector", "pw-inspector-1")
    page.goto("/workspace/checks/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Open a factual-accuracy check of {draft.title}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Share the draft").click()
    assert "The draft is shared" in page.locator(".govuk-notification-banner").inner_text()
    check = FactualAccuracyCheck.objects.get(inspection=draft)
    sign_out(page)

    sign_in(page, "met-lead", "pw-met-lead-1")
    page.goto("/portal/checks/")
    assert_accessible(page)
    page.get_by_role("link", name=draft.title).click()
    assert "This draft is confidential" in page.content()
    assert_accessible(page)
    page.get_by_label("Your comment on AFI1").fill("We reviewed 63 cases, not 64.")
    page.get_by_role("button", name="Send the comment on AFI1").click()
    assert "Your comment is sent" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    screenshot(page, "factual-accuracy-portal")
    sign_out(page)

    sign_in(page, "inspector", "pw-inspector-1")
    page.goto(f"/workspace/checks/{check.pk}/")
    assert (
        "We reviewed 63 cases, not 64."
        in page.locator("#finding-" + str(draft.findings.get().pk)).inner_text()
    )
    assert_accessible(page)
    comment = FactualAccuracyComment.objects.get()
    card = page.locator(f"#comment-{comment.pk}")
    card.get_by_label("Not accepted").check()
    card.get_by_role("button", name="Save the answer").click()
    # A refusal without a reason keeps the choice and says what is missing.
    assert (
        "Say why the comment is not accepted" in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)
    card = page.locator(f"#comment-{comment.pk}")
    card.get_by_label("Reply to the organisation").fill("The custody records show 64.")
    card.get_by_role("button", name="Save the answer").click()
    assert "is saved" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    screenshot(page, "factual-accuracy-workspace")
    comment.refresh_from_db()
    assert comment.response == "not_accepted" and comment.reply == "The custody records show 64."


def test_the_portal_page_works_without_javascript(js_disabled_page, live_server, check, met_lead):
    page = js_disabled_page
    sign_in(page, "met-lead", "pw-met-lead-1")
    page.goto(f"/portal/checks/{check.pk}/")
    page.get_by_label("Your comment on the report as a whole").fill("The title is wrong.")
    page.get_by_role("button", name="Send the comment on the report").click()

    assert "Your comment is sent" in page.content()
    assert FactualAccuracyComment.objects.get().finding is None
