"""Decisions are made against what the person saw: a decision form sent again (Back then send,
a double click, a replay) is refused with what already happened, and reopening is its own
action, never a choice left on the accept form."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from core.models import FormSubmission
from core.services import submission_issue
from inspections.models import EngagePeriod
from inspections.services import engage_enter
from recommendations.choices import Status
from recommendations.services import (
    due_date_propose,
    item_close,
    item_submit_for_closure,
)
from tests.conftest import date_fields
from tests.core.tokens import shown
from workspace.views import DECIDE


@pytest.fixture
def submitted(item):
    return item_submit_for_closure(item=item, note="All done, see evidence.")


@pytest.fixture
def proposal(item, met_user):
    return due_date_propose(
        item=item,
        user=met_user,
        proposed_due_date=timezone.localdate() + timedelta(days=120),
        reason="Waiting for new CCTV.",
    )


def item_url(item):
    return reverse("workspace:item", args=[item.pk])


def decide_url(item):
    return reverse("workspace:decide", args=[item.pk])


@pytest.mark.django_db
def test_accept_sent_again_is_refused_and_the_item_stays_closed(client, inspector, submitted):
    client.force_login(inspector)
    sent = {**shown(client, item_url(submitted)), "decision": "accept", "note": "Verified."}
    assert client.post(decide_url(submitted), sent).status_code == 302

    again = client.post(decide_url(submitted), sent)  # Back, then "Record decision" again
    assert again.status_code == 409
    html = again.content.decode()
    assert "You accepted this on " in html and "nothing more was saved" in html
    submitted.refresh_from_db()
    assert submitted.status == Status.CLOSED_COMPLETE
    assert submitted.status_changes.filter(to_status=Status.CLOSED_COMPLETE).count() == 1
    assert submitted.status_changes.count() == 2  # submitted, accepted: nothing reopened
    # The page shown is the item as it is now: closed, with no decision form to send again.
    assert again.context["offers_decisions"] is False
    assert 'name="decision"' not in html


@pytest.mark.django_db
def test_return_sent_again_is_refused_and_keeps_the_reason_without_the_choice(
    client, inspector, submitted
):
    client.force_login(inspector)
    sent = {**shown(client, item_url(submitted)), "decision": "return", "note": "Thin evidence."}
    client.post(decide_url(submitted), sent)
    again = client.post(decide_url(submitted), sent)
    assert again.status_code == 409
    assert "You returned this to the organisation on " in again.content.decode()
    form = again.context["form"]
    assert form["note"].value() == "Thin evidence."
    assert form["decision"].value() in (None, "")  # no choice carried over
    assert form["version"].value() == submitted.status_changes.count() + 1  # rebased, fresh
    assert submitted.status_changes.filter(to_status=Status.IN_PROGRESS).count() == 1


@pytest.mark.django_db
def test_a_closed_item_offers_no_decision_and_reopen_is_not_a_choice(client, inspector, submitted):
    client.force_login(inspector)
    item_close(item=submitted, user=inspector, outcome=Status.CLOSED_COMPLETE, note="Verified.")
    page = client.get(item_url(submitted))
    assert page.context["form"] is None
    assert reverse("workspace:reopen", args=[submitted.pk]) in page.content.decode()
    # The old "reopen" choice sent to the decision form, even with a good token, does nothing.
    token = submission_issue(user=inspector, purpose=DECIDE, obj=submitted).token
    submitted.refresh_from_db()
    response = client.post(
        decide_url(submitted),
        {
            "token": token,
            "version": submitted.version,
            "status": submitted.status,
            "decision": "reopen",
            "note": "Restored by the browser.",
        },
    )
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == Status.CLOSED_COMPLETE


@pytest.mark.django_db
def test_a_submitted_item_offers_only_the_decisions_on_a_submission(client, inspector, submitted):
    client.force_login(inspector)
    form = client.get(item_url(submitted)).context["form"]
    assert [value for value, _ in form.fields["decision"].choices] == [
        "accept",
        "return",
        "not_implemented",
        "superseded",
        "no_longer_relevant",
    ]


@pytest.mark.django_db
def test_reopen_is_its_own_action_and_is_recorded_once(client, inspector, submitted):
    item_close(item=submitted, user=inspector, outcome=Status.CLOSED_COMPLETE, note="Verified.")
    client.force_login(inspector)
    url = reverse("workspace:reopen", args=[submitted.pk])
    sent = {**shown(client, url), "note": "The problem came back."}
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 409
    assert "You reopened this on " in again.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_PROGRESS
    reopened = submitted.status_changes.filter(from_status=Status.CLOSED_COMPLETE)
    assert reopened.count() == 1 and reopened.get().note == "The problem came back."


@pytest.mark.django_db
def test_reopen_page_of_an_item_that_is_not_closed_has_no_form(client, inspector, submitted):
    client.force_login(inspector)
    page = client.get(reverse("workspace:reopen", args=[submitted.pk]))
    assert page.status_code == 200
    assert "Only a closed item can be reopened" in page.content.decode()
    assert "Reopen item</button>" not in page.content.decode()


@pytest.mark.django_db
def test_reopen_needs_the_right_to_decide(client, other_inspector, submitted, inspector):
    item_close(item=submitted, user=inspector, outcome=Status.CLOSED_COMPLETE, note="Verified.")
    client.force_login(other_inspector)
    url = reverse("workspace:reopen", args=[submitted.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"note": "Mine now."}).status_code == 403


@pytest.mark.django_db
def test_a_status_other_than_the_one_shown_is_refused(client, inspector, submitted):
    client.force_login(inspector)
    sent = {**shown(client, item_url(submitted)), "decision": "accept", "note": "Verified."}
    sent["status"] = Status.IN_PROGRESS  # the form says it was shown for another status
    response = client.post(decide_url(submitted), sent)
    assert response.status_code == 409
    assert "Someone else changed this item" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.django_db
def test_an_expired_form_is_refused_and_keeps_the_reason(client, inspector, submitted):
    client.force_login(inspector)
    sent = {**shown(client, item_url(submitted)), "decision": "accept", "note": "My reasons."}
    FormSubmission.objects.update(issued_at=timezone.now() - timedelta(days=2))
    response = client.post(decide_url(submitted), sent)
    assert response.status_code == 409
    html = response.content.decode()
    assert "has expired, so nothing was saved" in html and "My reasons." in html
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    # The form shown again carries a new token, so sending it now is a deliberate choice.
    assert response.context["form"]["token"].value() != sent["token"]


@pytest.mark.django_db
def test_another_persons_form_is_refused(client, inspector, admin_user, submitted):
    client.force_login(admin_user)
    theirs = shown(client, item_url(submitted))
    client.force_login(inspector)
    response = client.post(
        decide_url(submitted), {**theirs, "decision": "accept", "note": "Verified."}
    )
    assert response.status_code == 409
    assert "This form is no longer valid" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.django_db
def test_a_form_for_another_item_is_refused(client, inspector, submitted, kent_item):
    client.force_login(inspector)
    other = item_submit_for_closure(item=kent_item, note="Done.")
    token = shown(client, item_url(other))["token"]
    sent = {**shown(client, item_url(submitted)), "token": token}
    response = client.post(decide_url(submitted), {**sent, "decision": "accept", "note": "OK."})
    assert response.status_code == 409
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.django_db
def test_due_date_decision_sent_again_is_refused(client, inspector, proposal):
    client.force_login(inspector)
    url = reverse("workspace:proposal", args=[proposal.pk])
    sent = {**shown(client, url), "decision": "agree"}
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 409
    assert "You agreed this new due date on " in again.content.decode()
    assert ActionLog.objects.filter(action="recommendations.due_date.agreed").count() == 1


@pytest.mark.django_db
def test_due_date_decided_by_a_colleague_meanwhile_is_explained(
    client, inspector, admin_user, proposal
):
    from recommendations.services import due_date_decide

    client.force_login(inspector)
    url = reverse("workspace:proposal", args=[proposal.pk])
    sent = {**shown(client, url), "decision": "agree"}
    due_date_decide(proposal=proposal, user=admin_user, agree=False, note="No.")
    response = client.post(url, sent)
    assert response.status_code == 409
    assert "This new due date was refused by admin on " in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "refused"


@pytest.mark.django_db
def test_engage_entry_sent_again_is_refused(client, inspector, kent):
    client.force_login(inspector)
    url = reverse("workspace:engage-enter")
    today = timezone.localdate()
    sent = {
        **shown(client, url),
        "organisation": "kent-police",
        **date_fields("entered_on", today),
        "reasons": "Crime recording.",
    }
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 409
    assert "You moved Kent Police into Engage on " in again.content.decode()
    assert EngagePeriod.objects.count() == 1


@pytest.mark.django_db
def test_engage_exit_sent_again_is_refused(client, inspector, kent):
    period = engage_enter(organisation=kent, entered_on=timezone.localdate(), reasons="Concerns.")
    client.force_login(inspector)
    url = reverse("workspace:engage-leave", args=[period.pk])
    today = timezone.localdate()
    sent = {**shown(client, url), **date_fields("left_on", today), "reasons": "Plan delivered."}
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 409
    assert "You recorded that Kent Police left Engage on " in again.content.decode()
    assert ActionLog.objects.filter(action="inspections.engage.left").count() == 1


@pytest.mark.django_db
def test_engage_exit_recorded_by_a_colleague_meanwhile_is_explained(
    client, inspector, admin_user, kent
):
    from inspections.services import engage_leave

    period = engage_enter(organisation=kent, entered_on=timezone.localdate(), reasons="Concerns.")
    client.force_login(inspector)
    url = reverse("workspace:engage-leave", args=[period.pk])
    today = timezone.localdate()
    sent = {**shown(client, url), **date_fields("left_on", today), "reasons": "Mine."}
    engage_leave(
        organisation=kent, left_on=timezone.localdate(), reasons="Theirs.", user=admin_user
    )
    response = client.post(url, sent)
    assert response.status_code == 409
    assert "Someone else recorded that Kent Police left Engage" in response.content.decode()
    period.refresh_from_db()
    assert period.exit_reasons == "Theirs."


@pytest.mark.django_db
def test_partner_inspectorate_cannot_post_engage(client, other_inspector, kent):
    client.force_login(other_inspector)
    response = client.post(
        reverse("workspace:engage-enter"),
        {
            "organisation": "kent-police",
            **date_fields("entered_on", date(2026, 1, 1)),
            "reasons": "No.",
        },
    )
    assert response.status_code == 403
    assert not EngagePeriod.objects.exists()


DECISION_PAGES = ["item", "reopen", "proposal", "engage enter", "engage leave"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", DECISION_PAGES)
def test_decision_pages_are_not_stored_and_restore_no_choice(
    client, inspector, submitted, proposal, kent, page
):
    if page == "reopen":
        item_close(item=submitted, user=inspector, outcome=Status.CLOSED_COMPLETE, note="Done.")
    period = engage_enter(organisation=kent, entered_on=timezone.localdate(), reasons="Concerns.")
    url = {
        "item": reverse("workspace:item", args=[submitted.pk]),
        "reopen": reverse("workspace:reopen", args=[submitted.pk]),
        "proposal": reverse("workspace:proposal", args=[proposal.pk]),
        "engage enter": reverse("workspace:engage-enter"),
        "engage leave": reverse("workspace:engage-leave", args=[period.pk]),
    }[page]
    client.force_login(inspector)
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<form method="post"' in html
    assert html.count('<form method="post"') == html.count('autocomplete="off"')
    assert " checked" not in html  # no pre-selected choice
    assert 'name="token"' in html


@pytest.mark.django_db
def test_a_control_character_in_the_hidden_fields_is_refused_not_an_error(
    client, inspector, submitted
):
    """The security middleware answers 400 to a control character in any form field, before
    the view reads the token."""
    client.force_login(inspector)
    sent = {**shown(client, item_url(submitted)), "decision": "accept", "note": "Verified."}
    for name in ("token", "status"):
        response = client.post(decide_url(submitted), {**sent, name: sent[name] + "\x00"})
        assert response.status_code == 400, name
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
