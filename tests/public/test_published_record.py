"""Issue 9: every change to what the public sees leaves a public trace.

Due date changes are public events; published updates stay as written (corrections and
withdrawals instead); corrections of report text say so; a status says how it was reached.
"""

import re
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from audit.services import log_action
from core.errors import DomainError
from recommendations.choices import Status
from recommendations.models import (
    AppendOnlyError,
    DueDateChange,
    EvidenceFile,
    Item,
    ProgressUpdate,
)
from recommendations.services import (
    due_date_decide,
    due_date_propose,
    finding_update,
    item_close,
    item_reopen,
    item_set_due_date,
    item_submit_for_closure,
    progress_update_add,
    progress_update_correct,
    progress_update_withdraw,
)

pytestmark = pytest.mark.django_db


def day(value):
    return f"{value.day} {value:%B %Y}"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def extended_from(new, old):
    return f'{day(new)} <span class="app-due-date-original">(extended from {day(old)})'


def made_to_table(html):
    """The finding page's "Made to" table: each addressee's status tag and due date."""
    return html.split('id="timeline"')[0].split("Made to")[1]


@pytest.fixture
def overdue_item(public_world, met):
    """The Met's R1, past its due date (set as the report set it, with no history)."""
    item = public_world["recommendation"].items.get(organisation=met)
    old = timezone.localdate() - timedelta(days=40)
    Item.objects.filter(pk=item.pk).update(due_date=old)
    item.refresh_from_db()
    assert item.is_overdue()
    return item


@pytest.fixture
def extended(overdue_item, met_user, inspector):
    """The Met asked for a later date and HMICFRS agreed it."""
    new = timezone.localdate() + timedelta(days=120)
    proposal = due_date_propose(
        item=overdue_item,
        user=met_user,
        proposed_due_date=new,
        reason="The new custody suite opens in the spring.",
    )
    due_date_decide(proposal=proposal, user=inspector, agree=True, note="Reasonable.")
    overdue_item.refresh_from_db()
    return {"item": overdue_item, "old": overdue_item.original_due_date, "new": new}


# Due date changes are public events ----------------------------------------------------------


def test_an_agreed_due_date_is_a_typed_history_row_with_the_action_log(extended, inspector):
    item = extended["item"]
    change = DueDateChange.objects.get(item=item)
    assert (change.from_date, change.to_date) == (extended["old"], extended["new"])
    assert change.source == "agreed_on_request"
    assert change.changed_by == inspector
    assert change.was_overdue is True
    assert change.proposal.reason == "The new custody suite opens in the spring."
    assert "The new custody suite opens in the spring." in change.reason
    assert not item.is_overdue()
    assert item.overdue_when_extended is True
    log = ActionLog.objects.for_object(item).get(
        action="recommendations.assignment.due_date_changed"
    )
    assert log.data["was_overdue"] is True and log.data["source"] == "agreed_on_request"


def test_an_agreed_due_date_for_an_overdue_item_shows_on_the_public_timeline(client, extended):
    item = extended["item"]
    html = page(client, reverse("public:finding-detail", args=[item.finding_id]))
    assert f"Due date extended from {day(extended['old'])} to {day(extended['new'])}" in html
    assert "Agreed by HMICFRS at the organisation&#x27;s request" in html
    assert "The new custody suite opens in the spring." in html
    assert "Was overdue" in html
    assert extended_from(extended["new"], extended["old"]) in made_to_table(html)


def test_pages_say_extended_from_the_first_due_date(client, extended, met_user):
    item = extended["item"]
    # A second change keeps the first date as the original.
    later = extended["new"] + timedelta(days=30)
    item_set_due_date(item=item, due_date=later, reason="Moved again.")
    words = extended_from(later, extended["old"])
    browse = page(
        client, reverse("public:finding-list") + "?organisation=metropolitan-police-service"
    )
    assert words in browse
    client.force_login(met_user)
    portal = page(client, reverse("portal:item", args=[item.pk]))
    assert words in portal
    history = portal.split("Due date changes")[1].split("Status changes")[0]
    assert f"Due date extended from {day(extended['new'])} to {day(later)}" in history
    assert "Moved again." in history


def test_an_agreed_due_date_is_in_the_api_with_old_and_new_dates_and_who(client, extended):
    item = extended["item"]
    body = client.get(f"/api/v1/items/{item.pk}/due-date-changes/").json()
    (row,) = body["results"]
    assert row["from_date"] == extended["old"].isoformat()
    assert row["to_date"] == extended["new"].isoformat()
    assert row["decided_by"] == "HMICFRS"
    assert row["source"] == "agreed_on_request"
    assert row["was_overdue"] is True
    assert "The new custody suite opens in the spring." in row["reason"]
    assert "inspector" not in str(row).lower().replace("inspectorate", "")
    detail = client.get(f"/api/v1/items/{item.pk}/").json()
    assert detail["original_due_date"] == extended["old"].isoformat()
    assert detail["overdue_when_extended"] is True
    assert detail["due_date_changes_url"].endswith(f"/api/v1/items/{item.pk}/due-date-changes/")
    everything = client.get("/api/v1/due-date-changes/").json()["results"]
    assert [r["id"] for r in everything] == [row["id"]]


def test_an_agreed_due_date_is_in_the_feeds(client, extended, met):
    for url in (reverse("public:feed"), reverse("public:organisation-feed", args=[met.slug])):
        feed = page(client, url)
        assert f"due date extended from {day(extended['old'])} to {day(extended['new'])}" in feed
        # The summary is HTML inside XML: the apostrophe is escaped twice.
        assert "agreed by HMICFRS at the organisation&amp;#x27;s request" in feed
        assert "was overdue when its due date changed" in feed


def test_due_date_changes_of_an_embargoed_report_stay_hidden(client, public_world, inspector):
    secret_item = public_world["secret"].items.get(organisation__slug="kent-police")
    item_set_due_date(
        item=secret_item,
        due_date=timezone.localdate() + timedelta(days=300),
        user=inspector,
        reason="EMBARGOED reason",
    )
    assert client.get("/api/v1/due-date-changes/").json()["results"] == []
    assert client.get(f"/api/v1/items/{secret_item.pk}/due-date-changes/").status_code == 404
    assert "EMBARGOED" not in page(client, reverse("public:feed"))


def test_an_inspector_edit_of_the_finding_due_date_is_a_public_event(
    client, public_world, inspector
):
    finding = public_world["recommendation"]
    new = finding.due_date + timedelta(days=60)
    finding_update(
        finding=finding, changes={"due_date": new}, user=inspector, reason="Report erratum."
    )
    changes = DueDateChange.objects.filter(item__finding=finding)
    assert {(c.source, c.to_date, c.was_overdue) for c in changes} == {("inspector", new, False)}
    assert changes.count() == 2  # the Met and MOPAC both followed
    html = page(client, reverse("public:finding-detail", args=[finding.pk]))
    assert "Changed by HMICFRS" in html and "Report erratum." in html


def test_overview_and_organisation_pages_count_items_extended_while_overdue(
    client, extended, met, kent_item, inspector
):
    # Extended while not overdue: not counted.
    item_set_due_date(
        item=kent_item,
        due_date=kent_item.due_date + timedelta(days=10),
        user=inspector,
        reason="More time.",
    )
    overview = page(client, reverse("public:overview"))
    assert "?extended=overdue" in overview
    row = overview.split("Extended while overdue")[1].split("</tr>")[0]
    assert re.findall(r"numeric\">(\d+)<", row) == ["1", "0", "1"]
    organisation = page(client, reverse("public:organisation-detail", args=[met.slug]))
    assert "1 item given a later due date while overdue" in organisation
    kent_page = page(client, reverse("public:organisation-detail", args=["kent-police"]))
    assert "given a later due date while overdue" not in kent_page


def test_browse_filter_extended_overdue_lists_only_items_extended_while_overdue(
    client, extended, kent_item, inspector
):
    item_set_due_date(
        item=kent_item,
        due_date=kent_item.due_date + timedelta(days=10),
        user=inspector,
        reason="More time.",
    )
    response = client.get(reverse("public:finding-list") + "?extended=overdue")
    assert [item.pk for item in response.context["page"].object_list] == [extended["item"].pk]
    changed = client.get(reverse("public:finding-list") + "?extended=yes")
    assert {item.pk for item in changed.context["page"].object_list} == {
        extended["item"].pk,
        kent_item.pk,
    }
    api = client.get("/api/v1/items/?extended=overdue").json()["results"]
    assert [row["id"] for row in api] == [extended["item"].pk]


def test_about_page_says_how_extensions_and_overdue_meet(client):
    html = page(client, reverse("public:about"))
    assert "every change of a due date is published" in html
    assert "extended from" in html


def test_due_date_history_is_append_only(extended):
    change = DueDateChange.objects.get()
    change.reason = "Rewritten."
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()


# What was published stays published ----------------------------------------------------------


NARRATIVE = "Minutes of the new board are attached."


@pytest.fixture
def published_update(public_world, met):
    """A published update of the Met's R1 with its evidence, as the services record them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = public_world["recommendation"].items.get(organisation=met)
    return progress_update_add(
        item=item,
        narrative=NARRATIVE,
        self_assessment="on_track",
        publish=True,
        evidence=[SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")],
    )


@pytest.fixture
def with_evidence(published_update):
    return published_update.evidence.get()


def test_a_published_update_cannot_be_edited_or_deleted(published_update):
    published_update.narrative = "Nothing happened."
    with pytest.raises(AppendOnlyError):
        published_update.save()
    fresh = ProgressUpdate.objects.get(pk=published_update.pk)
    with pytest.raises(AppendOnlyError):
        fresh.delete()
    assert ProgressUpdate.objects.get(pk=published_update.pk).narrative == NARRATIVE


def test_the_evidence_of_a_published_update_cannot_be_changed_or_deleted(with_evidence):
    with pytest.raises(AppendOnlyError):
        with_evidence.delete()
    with_evidence.original_name = "other.pdf"
    with pytest.raises(AppendOnlyError):
        with_evidence.save()


def test_a_published_update_takes_no_more_evidence(published_update):
    from django.core.files.base import ContentFile

    with pytest.raises(AppendOnlyError):
        EvidenceFile.objects.create(
            update=published_update,
            file=ContentFile(b"%PDF-1.4", name="late.pdf"),
            original_name="late.pdf",
            content_type="application/pdf",
            size=8,
        )


def test_an_update_published_with_evidence_keeps_it(public_world, met):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = public_world["recommendation"].items.get(organisation=met)
    update = progress_update_add(
        item=item,
        narrative="Minutes attached.",
        self_assessment="on_track",
        publish=True,
        evidence=[SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")],
    )
    update.refresh_from_db()
    assert update.is_published and update.evidence.get().original_name == "minutes.pdf"


def test_an_internal_update_can_still_be_edited_and_deleted(public_world):
    internal = ProgressUpdate.objects.get(narrative="INTERNAL-ONLY draft notes.")
    internal.narrative = "INTERNAL-ONLY better notes."
    internal.save()
    internal.delete()
    assert not ProgressUpdate.objects.filter(pk=internal.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.parametrize(
    "write",
    [
        lambda pk: ProgressUpdate.objects.filter(pk=pk).update(narrative="Rewritten."),
        lambda pk: ProgressUpdate.objects.filter(pk=pk).delete(),
        lambda pk: EvidenceFile.objects.filter(update_id=pk).delete(),
        lambda pk: EvidenceFile.objects.filter(update_id=pk).update(original_name="x.pdf"),
        lambda pk: ProgressUpdate.objects.filter(pk=pk).update(
            withdrawn_at=timezone.now(), withdrawal_reason="x", narrative="Rewritten."
        ),
        lambda pk: Item.objects.filter(updates__pk=pk).delete(),
    ],
    ids=["update", "delete", "evidence delete", "evidence update", "withdraw and edit", "cascade"],
)
def test_the_database_refuses_queryset_writes_to_a_published_update(
    published_update, with_evidence, write
):
    with pytest.raises(DatabaseError), transaction.atomic():
        write(published_update.pk)
    assert ProgressUpdate.objects.get(pk=published_update.pk).narrative == NARRATIVE
    assert EvidenceFile.objects.filter(pk=with_evidence.pk).exists()


def test_a_correction_shows_publicly_linked_to_the_original(client, published_update, met_user):
    correction = progress_update_correct(
        update=published_update,
        author=met_user,
        narrative="The new use of force board met in April.",
        reason="The month was wrong.",
    )
    assert correction.corrects == published_update and correction.is_published
    html = page(client, reverse("public:finding-detail", args=[published_update.item.finding_id]))
    assert NARRATIVE in html  # the original stays
    assert "The new use of force board met in April." in html
    assert "Correction of a progress update" in html
    assert f'href="#update-{published_update.pk}"' in html
    assert "Corrected on" in html and "The month was wrong." in html
    updates = client.get(f"/api/v1/items/{published_update.item_id}/updates/").json()
    by_id = {row["id"]: row for row in updates["results"]}
    assert by_id[correction.pk]["corrects"] == published_update.pk
    assert by_id[correction.pk]["correction_reason"] == "The month was wrong."


def test_only_a_published_update_that_stands_is_corrected(public_world, met_user):
    internal = ProgressUpdate.objects.get(narrative="INTERNAL-ONLY draft notes.")
    with pytest.raises(DomainError):
        progress_update_correct(update=internal, author=met_user, narrative="x", reason="y")
    published = ProgressUpdate.objects.get(narrative="A new use of force board met in March.")
    with pytest.raises(DomainError):
        progress_update_correct(update=published, author=met_user, narrative="x", reason=" ")


@pytest.mark.parametrize("persona", ["met_user", "other_inspector"])
def test_only_the_reports_inspectors_withdraw_an_update(request, published_update, persona):
    with pytest.raises(DomainError):
        progress_update_withdraw(
            update=published_update, user=request.getfixturevalue(persona), reason="Legal."
        )
    assert not ProgressUpdate.objects.get(pk=published_update.pk).is_withdrawn


def test_a_withdrawal_shows_a_dated_note_publicly_and_keeps_the_original_for_inspectors(
    client, published_update, with_evidence, inspector, met_user, met
):
    reason = "It named a detainee (court order of 2 December)."
    progress_update_withdraw(update=published_update, user=inspector, reason=reason)
    published_update.refresh_from_db()
    note = f"Withdrawn on {day(timezone.localdate())}: {reason}"
    finding_url = reverse("public:finding-detail", args=[published_update.item.finding_id])
    html = page(client, finding_url)
    assert "Withdrawn on " + day(timezone.localdate()) in html and "named a detainee" in html
    assert NARRATIVE not in html
    api = client.get(f"/api/v1/items/{published_update.item_id}/updates/").json()
    (row,) = [r for r in api["results"] if r["id"] == published_update.pk]
    assert row["narrative"] is None and row["withdrawal_note"] == note
    assert NARRATIVE not in str(client.get("/api/v1/updates/").json())
    for url in (reverse("public:feed"), reverse("public:organisation-feed", args=[met.slug])):
        feed = page(client, url)
        assert NARRATIVE not in feed and "Withdrawn on" in feed
    # The addressee's people see the note only; the evidence is no longer theirs to download.
    client.force_login(met_user)
    portal = page(client, reverse("portal:item", args=[published_update.item_id]))
    assert "Withdrawn on" in portal and NARRATIVE not in portal
    assert client.get(reverse("portal:evidence", args=[with_evidence.pk])).status_code == 404
    # The inspectorate keeps the original.
    client.force_login(inspector)
    workspace = page(client, reverse("workspace:item", args=[published_update.item_id]))
    assert NARRATIVE in workspace and "minutes.pdf" in workspace
    # And the database kept it, refusing a second withdrawal.
    with pytest.raises(DomainError):
        progress_update_withdraw(update=published_update, user=inspector, reason="Again.")
    assert ProgressUpdate.objects.get(pk=published_update.pk).narrative == NARRATIVE


# Corrections of report text -----------------------------------------------------------------


def test_correcting_a_published_finding_shows_corrected_on_with_the_reason(
    client, public_world, inspector
):
    finding = public_world["recommendation"]
    finding_update(
        finding=finding,
        changes={"text": finding.text + " Within six months."},
        user=inspector,
        reason="The report's deadline was left out.",
    )
    log = ActionLog.objects.for_object(finding).get(action="recommendations.finding.corrected")
    assert log.data["reason"] == "The report's deadline was left out."
    assert log.data["fields"]["text"]["to"].endswith("Within six months.")
    today = timezone.localdate()
    words = (
        f'Corrected on <time datetime="{today.isoformat()}">{day(today)}</time>: '
        "The report&#x27;s deadline was left out."
    )
    assert words in page(client, reverse("public:finding-detail", args=[finding.pk]))
    inspection = page(
        client, reverse("public:inspection-detail", args=[public_world["inspection"].slug])
    )
    assert words in inspection


def test_changing_an_unpublished_finding_is_no_correction(public_world, inspector):
    secret = public_world["secret"]
    finding_update(finding=secret, changes={"text": "New words."}, user=inspector, reason="Draft.")
    assert not ActionLog.objects.filter(action="recommendations.finding.corrected").exists()


def test_an_inspection_correction_shows_on_its_page(client, public_world, inspector):
    inspection = public_world["inspection"]
    log_action(
        action="inspections.inspection.corrected",
        obj=inspection,
        actor=inspector,
        data={"fields": {"title": {"from": "a", "to": "b"}}, "reason": "Title misspelt."},
    )
    html = page(client, reverse("public:inspection-detail", args=[inspection.slug]))
    assert "Corrected on" in html and "Title misspelt." in html


# Who decided is shown truly ----------------------------------------------------------------


def test_after_a_reopening_the_tag_says_decided_by_the_inspectorate(
    client, public_world, met, inspector
):
    item = public_world["recommendation"].items.get(organisation=met)
    item_submit_for_closure(item=item, note="Done.")
    item_close(item=item, outcome=Status.CLOSED_COMPLETE, user=inspector, note="Verified.")
    item_reopen(item=item, user=inspector, note="Found again on a revisit.")
    item.refresh_from_db()
    assert (item.status, item.status_source) == ("in_progress", "inspectorate")
    table = made_to_table(page(client, reverse("public:finding-detail", args=[item.finding_id])))
    met_row = table.split("Metropolitan Police Service</a>")[1].split("</tr>")[0]
    assert "Decided by the inspectorate" in met_row
    assert "Self-reported" not in met_row
    api = client.get(f"/api/v1/items/{item.pk}/").json()
    assert api["self_reported"] is False
    assert (api["status_source"], api["status_source_label"]) == (
        "inspectorate",
        "Decided by the inspectorate",
    )
    changes = client.get(f"/api/v1/items/{item.pk}/status-changes/").json()["results"]
    assert [c["source_label"] for c in changes][-2:] == [
        "Verified by the inspectorate",
        "Decided by the inspectorate",
    ]


def test_only_a_closure_as_complete_says_verified(client, public_world, met, inspector):
    item = public_world["recommendation"].items.get(organisation=met)
    item_close(item=item, outcome=Status.CLOSED_NOT_IMPLEMENTED, user=inspector, note="Not done.")
    html = page(client, reverse("public:finding-detail", args=[item.finding_id]))
    assert "Verified by the inspectorate" not in html
    assert "Decided by the inspectorate" in made_to_table(html)


def test_progress_reported_by_the_organisation_is_self_reported(public_world, met):
    item = public_world["recommendation"].items.get(organisation=met)
    assert item.status_source == "organisation"
    assert item.status_source_label == "Self-reported by the organisation"


def test_reminders_call_only_a_closure_as_complete_verified(public_world, met, inspector):
    from reminders.services import _outcome_phrase

    item = public_world["recommendation"].items.get(organisation=met)
    item_close(item=item, outcome=Status.CLOSED_NOT_IMPLEMENTED, user=inspector, note="No.")
    change = item.status_changes.latest()
    assert _outcome_phrase(change) == "Closed: not implemented, decided by the inspectorate"


def test_exports_carry_the_first_due_date_and_how_the_status_was_reached(client, extended):
    import json

    response = client.get(reverse("public:finding-export-json") + "?extended=overdue")
    data = json.loads(b"".join(response.streaming_content))
    (row,) = data["items"]
    assert row["original_due_date"] == extended["old"].isoformat()
    assert row["due_date"] == extended["new"].isoformat()
    assert row["overdue_when_extended"] is True and row["overdue"] is False
    assert row["status_source"] == "Self-reported by the organisation"
