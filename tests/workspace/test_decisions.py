"""Inspectors' decisions in the workspace, each in the history with who, when and why."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.choices import Channel, Source, Status
from recommendations.models import Finding
from recommendations.services import (
    due_date_propose,
    finding_add_addressees,
    item_return,
    item_submit_for_closure,
)
from tests.conftest import date_fields
from tests.core.tokens import shown


@pytest.fixture
def submitted(item):
    return item_submit_for_closure(item=item, note="All done, see evidence.")


def decide(client, item, **data):
    form = shown(client, reverse("workspace:item", args=[item.pk]))
    return client.post(reverse("workspace:decide", args=[item.pk]), {**form, **data})


def decide_due_date(client, proposal, **data):
    url = reverse("workspace:proposal", args=[proposal.pk])
    return client.post(url, {**shown(client, url), **data})


@pytest.mark.django_db
def test_queue_lists_submissions_and_proposals_oldest_first(
    client, inspector, submitted, kent_item, kent_user
):
    due_date_propose(
        item=kent_item,
        user=kent_user,
        proposed_due_date=timezone.localdate() + timedelta(days=100),
        reason="More time.",
    )
    client.force_login(inspector)
    response = client.get(reverse("workspace:queue"))
    assert [i.pk for i in response.context["submissions"]] == [submitted.pk]
    assert [p.item_id for p in response.context["proposals"]] == [kent_item.pk]
    filtered = client.get(reverse("workspace:queue") + "?organisation=kent-police")
    assert list(filtered.context["submissions"]) == []
    assert len(filtered.context["proposals"]) == 1


@pytest.mark.django_db
def test_accept_closes_as_complete_and_the_public_page_says_verified(client, inspector, submitted):
    client.force_login(inspector)
    response = decide(
        client, submitted, decision="accept", note="Authorised on the basis of the board minutes."
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.CLOSED_COMPLETE
    change = submitted.status_changes.latest()
    assert (change.changed_by, change.source, change.channel) == (
        inspector,
        Source.INSPECTORATE,
        Channel.WEB,
    )
    assert change.note == "Authorised on the basis of the board minutes."
    public = client.get(reverse("public:finding-detail", args=[submitted.finding_id])).content
    assert b"Closed: complete" in public and b"Verified by the inspectorate" in public


@pytest.mark.django_db
def test_return_needs_a_reason_and_goes_back_to_in_progress(client, inspector, submitted):
    client.force_login(inspector)
    missing = decide(client, submitted, decision="return", note="")
    assert "Give the reason for your decision" in missing.content.decode()
    decide(client, submitted, decision="return", note="The evidence does not cover training.")
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_close_as_superseded_links_the_newer_finding(client, inspector, submitted, inspection, met):
    newer = Finding.objects.create(
        inspection=inspection, kind="recommendation", reference="R5", text="Newer."
    )
    finding_add_addressees(finding=newer, organisations=[met])
    client.force_login(inspector)
    wrong = decide(
        client, submitted, decision="superseded", superseded_by="nope/R9", note="Replaced."
    )
    assert "No finding has that reference" in wrong.content.decode()
    decide(
        client,
        submitted,
        decision="superseded",
        superseded_by=f"{inspection.slug}/r5",
        note="Replaced by R5.",
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.superseded_by) == (Status.CLOSED_SUPERSEDED, newer)


@pytest.mark.django_db
def test_reopen_a_closed_item_through_its_own_page(client, inspector, submitted):
    client.force_login(inspector)
    decide(client, submitted, decision="not_implemented", note="Not done in time.")
    submitted.refresh_from_db()
    assert submitted.status == Status.CLOSED_NOT_IMPLEMENTED
    page = client.get(reverse("workspace:item", args=[submitted.pk]))
    assert page.context["form"] is None  # no decision form on a closed item
    assert reverse("workspace:reopen", args=[submitted.pk]) in page.content.decode()
    url = reverse("workspace:reopen", args=[submitted.pk])
    client.post(url, {**shown(client, url), "note": "The problem came back."})
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_second_decision_on_the_same_version_is_refused(client, inspector, submitted, admin_user):
    client.force_login(inspector)
    form = shown(client, reverse("workspace:item", args=[submitted.pk]))
    item_return(item=submitted, user=admin_user, note="Returned by a colleague.")
    response = client.post(
        reverse("workspace:decide", args=[submitted.pk]),
        {**form, "decision": "accept", "note": "My reasons, kept."},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this item" in html and "Returned by a colleague." in html
    assert "My reasons, kept." in html
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_PROGRESS
    assert submitted.status_changes.count() == 2  # submitted, returned: nothing overwritten


@pytest.mark.django_db
def test_agree_and_refuse_a_new_due_date(client, inspector, item, kent_item, met_user, kent_user):
    new_date = timezone.localdate() + timedelta(days=120)
    agreed = due_date_propose(item=item, user=met_user, proposed_due_date=new_date, reason="CCTV.")
    refused = due_date_propose(
        item=kent_item, user=kent_user, proposed_due_date=new_date, reason="Staff."
    )
    client.force_login(inspector)
    decide_due_date(client, agreed, decision="agree")
    item.refresh_from_db()
    assert item.due_date == new_date
    no_reason = decide_due_date(client, refused, decision="refuse")
    assert "Give the reason for refusing" in no_reason.content.decode()
    decide_due_date(client, refused, decision="refuse", note="The original date stands.")
    refused.refresh_from_db()
    kent_item.refresh_from_db()
    assert refused.status == "refused" and kent_item.due_date != new_date


@pytest.mark.django_db
def test_overdue_lists(client, inspector, item, inspection):
    from recommendations.services import item_set_due_date, section55_open_responses

    item_set_due_date(item=item, due_date=timezone.localdate() - timedelta(days=2), reason="Test.")
    inspection.published_at = timezone.now() - timedelta(days=70)
    inspection.save()
    section55_open_responses(inspection=inspection)
    client.force_login(inspector)
    response = client.get(reverse("workspace:overdue"))
    assert [i.pk for i in response.context["items"]] == [item.pk]
    assert len(response.context["responses"]) == 1


@pytest.mark.django_db
def test_engage_entry_and_exit(client, inspector, kent):
    client.force_login(inspector)
    today = timezone.localdate()
    url = reverse("workspace:engage-enter")
    response = client.post(
        url,
        {
            **shown(client, url),
            "organisation": "kent-police",
            **date_fields("entered_on", today),
            "reasons": "Crime recording.",
        },
    )
    assert response.status_code == 302
    period = kent.engage_periods.get()
    public = client.get(reverse("public:organisation-detail", args=["kent-police"])).content
    assert b"Crime recording." in public and b"Still in Engage" in public
    url = reverse("workspace:engage-leave", args=[period.pk])
    client.post(
        url,
        {
            **shown(client, url),
            **date_fields("left_on", today),
            "reasons": "Improvement plan delivered.",
        },
    )
    period.refresh_from_db()
    assert period.left_on == timezone.localdate()
    assert client.get(reverse("workspace:engage-leave", args=[period.pk])).status_code == 404


@pytest.mark.django_db
def test_a_due_date_cannot_be_agreed_for_a_closed_item(client, inspector, item, met_user):
    from recommendations.services import item_close

    proposal = due_date_propose(
        item=item,
        user=met_user,
        proposed_due_date=timezone.localdate() + timedelta(days=95),
        reason="More time.",
    )
    item_close(item=item, user=inspector, outcome=Status.CLOSED_NOT_IMPLEMENTED, note="No.")
    client.force_login(inspector)
    response = decide_due_date(client, proposal, decision="agree")
    assert "there is no due date to move" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


@pytest.mark.django_db
def test_partner_inspectorate_cannot_record_engage(client, other_inspector, kent):
    client.force_login(other_inspector)
    page = client.get(reverse("workspace:engage"))
    assert page.status_code == 200
    assert "Move an organisation into Engage" not in page.content.decode()
    assert client.get(reverse("workspace:engage-enter")).status_code == 403


@pytest.mark.django_db
def test_return_judges_the_item_as_it_is_now_not_as_the_caller_saw_it(item, inspector):
    stale_copy = item  # still "open" in memory
    item_submit_for_closure(item=item, note="Done.")
    returned = item_return(item=stale_copy, user=inspector, note="Evidence is thin.")
    assert returned.status == Status.IN_PROGRESS
    assert returned.status_changes.latest().from_status == Status.SUBMITTED
