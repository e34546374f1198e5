"""Each side door of the admin named in issue 9, closed; and a POST test of every admin save
override and action."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from inspections.models import EngagePeriod, Inspection
from recommendations.choices import Status
from recommendations.models import (
    AppendOnlyError,
    CauseOfConcern,
    EvidenceFile,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    StatusChange,
)
from recommendations.services import (
    item_start,
    item_submit_for_closure,
    progress_update_add,
    progress_update_withdraw,
    section55_open_responses,
)
from tests.admin.conftest import change_form_data


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def page(response) -> str:
    return response.content.decode()


def actions(obj):
    return list(ActionLog.objects.for_object(obj).values_list("action", flat=True))


# Another inspectorate -----------------------------------------------------------------------


def test_cqc_inspector_cannot_close_an_hmicfrs_item(client, cqc_inspector, item):
    client.force_login(cqc_inspector)
    response = client.post(
        change_url(item),
        {"expected_version": 1, "new_status": Status.CLOSED_NO_LONGER_RELEVANT, "note": "Mine."},
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == Status.OPEN
    assert not StatusChange.objects.exists()


def test_cqc_inspector_is_not_offered_an_hmicfrs_embargoed_report(
    client, cqc_inspector, hmicfrs_inspector, embargoed
):
    url = reverse("admin:autocomplete")
    query = {
        "app_label": "recommendations",
        "model_name": "finding",
        "field_name": "inspection",
        "term": "Embargoed",
    }
    client.force_login(cqc_inspector)
    assert client.get(url, query).json()["results"] == []
    client.force_login(hmicfrs_inspector)
    assert [r["id"] for r in client.get(url, query).json()["results"]] == [str(embargoed.pk)]


def test_cqc_inspector_cannot_add_a_finding_to_an_hmicfrs_report(
    client, cqc_inspector, embargoed, met
):
    client.force_login(cqc_inspector)
    url = reverse("admin:recommendations_finding_add")
    data = change_form_data(client.get(url))
    data.update(
        inspection=embargoed.pk,
        kind="recommendation",
        reference="R77",
        text="Slipped in.",
        position=0,
    )
    data["items-0-organisation"] = met.pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    assert not Finding.objects.filter(reference="R77").exists()


def test_cqc_inspector_cannot_create_a_report_led_by_hmicfrs(
    client, cqc_inspector, hmicfrs, custody
):
    client.force_login(cqc_inspector)
    url = reverse("admin:inspections_inspection_add")
    data = change_form_data(client.get(url))
    data.update(
        title="Not ours", slug="not-ours", programme=custody.pk, lead_inspectorate=hmicfrs.pk
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Inspection.objects.filter(slug="not-ours").exists()


def test_cqc_inspector_cannot_import_into_an_hmicfrs_report(client, cqc_inspector, embargoed):
    client.force_login(cqc_inspector)
    url = reverse("admin:inspections_inspection_import_findings", args=[embargoed.pk])
    assert client.get(url).status_code == 404


def test_a_partner_inspectorate_edits_a_joint_report_but_does_not_publish_it(
    client, cqc_inspector, cqc, embargoed
):
    embargoed.partner_inspectorates.add(cqc)
    client.force_login(cqc_inspector)
    response = client.get(change_url(embargoed))
    assert response.status_code == 200
    assert "published_at" not in response.context["adminform"].form.fields
    listed = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "publish_now", "_selected_action": [embargoed.pk]},
        follow=True,
    )
    assert "Nothing was published: only the lead inspectorate publishes" in page(listed)
    embargoed.refresh_from_db()
    assert not embargoed.is_published
    assert not ActionLog.objects.filter(action="inspections.inspection.published").exists()


def test_engage_periods_only_for_those_who_may_record_engage(client, db, cqc, kent):
    from accounts.models import User
    from tests.admin.conftest import _grant_everything

    # Staff of a partner inspectorate, with every permission but Engage's.
    user = User.objects.create_user(username="partner", inspectorate=cqc, is_staff=True)
    user = _grant_everything(user)
    user.user_permissions.remove(*user.user_permissions.filter(codename__endswith="engageperiod"))
    user = User.objects.get(pk=user.pk)
    client.force_login(user)
    response = client.post(
        reverse("admin:inspections_engageperiod_add"),
        {"organisation": kent.pk, "entered_on": "2025-01-01", "entry_reasons": "Concerns."},
    )
    assert response.status_code == 403
    assert not EngagePeriod.objects.exists()


# Addressees are never re-pointed ------------------------------------------------------------


def test_an_addressee_cannot_be_repointed_on_the_finding_page(
    client, hmicfrs_inspector, recommendation, met, kent
):
    met_item = recommendation.items.get(organisation=met)
    item_start(item=met_item, note="Begun.")
    client.force_login(hmicfrs_inspector)
    url = change_url(recommendation)
    data = change_form_data(client.get(url))
    for key, value in list(data.items()):
        if key.endswith("-id") and str(value) == str(met_item.pk):
            data[key.replace("-id", "-organisation")] = kent.pk
    client.post(url, data)
    met_item.refresh_from_db()
    assert met_item.organisation == met
    assert not recommendation.items.filter(organisation=kent).exists()


def test_a_mistaken_addressee_is_removed_before_publication_and_logged(
    client, hmicfrs_inspector, embargoed, kent
):
    finding = embargoed.findings.get()
    kent_item = finding.items.get(organisation=kent)
    client.force_login(hmicfrs_inspector)
    url = change_url(kent_item)
    data = change_form_data(client.get(url))
    data.update(remove="on", addressee_reason="Kent was named by mistake.")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == change_url(finding)
    assert not Item.objects.filter(pk=kent_item.pk).exists()
    log = ActionLog.objects.for_object(finding).get(action="recommendations.assignment.removed")
    assert log.data == {"organisation": "kent-police", "reason": "Kent was named by mistake."}


def test_a_published_addressee_cannot_be_removed_and_the_refusal_is_a_form_error(
    client, hmicfrs_inspector, item
):
    client.force_login(hmicfrs_inspector)
    url = change_url(item)
    data = change_form_data(client.get(url))
    data.update(remove="on", addressee_reason="Wrong body.")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "is public, so it cannot be removed" in page(response)
    assert "Wrong body." in page(response)  # What was typed is kept.
    assert "successfully" not in page(response)
    assert Item.objects.filter(pk=item.pk).exists()
    assert not ActionLog.objects.filter(action="recommendations.assignment.removed").exists()


def test_a_published_addressee_is_replaced_by_closing_it_and_adding_the_right_one(
    client, hmicfrs_inspector, item, kent, met
):
    client.force_login(hmicfrs_inspector)
    url = change_url(item)
    data = change_form_data(client.get(url))
    data.update(replace_with=kent.pk, addressee_reason="The report names Kent Police.")
    response = client.post(url, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.organisation == met  # Keeps its organisation and history.
    assert item.status == Status.CLOSED_NO_LONGER_RELEVANT
    closing = StatusChange.objects.get(item=item)
    assert closing.note == f"Addressed to {kent} instead: The report names Kent Police."
    new = Item.objects.get(finding=item.finding, organisation=kent)
    assert response["Location"] == change_url(new)
    assert new.status == Status.OPEN
    assert "recommendations.assignment.replaced" in actions(item.finding)


def test_a_new_finding_needs_an_addressee(client, hmicfrs_inspector, inspection):
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:recommendations_finding_add")
    data = change_form_data(client.get(url))
    data.update(
        inspection=inspection.pk, kind="recommendation", reference="R5", text="New.", position=0
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Address the new finding to at least one organisation." in page(response)
    assert not Finding.objects.filter(reference="R5").exists()


def test_no_finding_is_added_through_the_report_page(client, hmicfrs_inspector, inspection, met):
    """The report's page lists its findings and links to their own pages, where a new finding
    is added with its addressees (``test_a_new_finding_with_addressees_is_added_through_the_
    service``) and refused without (above). Rows posted as the old inline forms add nothing."""
    client.force_login(hmicfrs_inspector)
    url = change_url(inspection)
    shown = client.get(url)
    assert "Add an area for improvement" in page(shown)
    data = change_form_data(shown)
    prefix = "findings-area_for_improvement"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-0-reference": "AFI9",
            f"{prefix}-0-text": "Not addressed to anyone.",
            f"{prefix}-0-position": 0,
            f"{prefix}-0-add_addressees": [met.pk],
            "change_reason": "Trying.",
        }
    )
    client.post(url, data)
    assert not Finding.objects.filter(reference="AFI9").exists()


def test_a_new_finding_with_addressees_is_added_through_the_service(
    client, hmicfrs_inspector, inspection, met, mopac
):
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:recommendations_finding_add")
    data = change_form_data(client.get(url))
    data.update(
        inspection=inspection.pk, kind="recommendation", reference="R5", text="New.", position=0
    )
    data["items-0-organisation"] = met.pk
    response = client.post(url, data)
    assert response.status_code == 302
    finding = Finding.objects.get(reference="R5")
    assert [a.organisation for a in finding.items.all()] == [met]
    assert "recommendations.assignment.created" in actions(finding)


# Due dates and corrections go through the services --------------------------------------


def test_a_due_date_edited_on_the_finding_moves_its_items_and_is_logged(
    client, hmicfrs_inspector, recommendation
):
    new_due = recommendation.due_date + timedelta(days=30)
    client.force_login(hmicfrs_inspector)
    url = change_url(recommendation)
    data = change_form_data(client.get(url))
    data["due_date"] = new_due.isoformat()

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Give the reason for the new due date." in page(refused)

    data["change_reason"] = "Agreed at the revisit."
    assert client.post(url, data).status_code == 302
    items = list(recommendation.items.all())
    assert {item.due_date for item in items} == {new_due}
    for item in items:
        log = ActionLog.objects.for_object(item).get()
        assert log.action == "recommendations.assignment.due_date_changed"
        assert log.data["reason"] == "Agreed at the revisit."
    assert ActionLog.objects.for_object(recommendation).filter(
        data__reason="Agreed at the revisit."
    )


def test_a_published_findings_text_needs_a_reason_for_the_correction(
    client, hmicfrs_inspector, recommendation
):
    client.force_login(hmicfrs_inspector)
    url = change_url(recommendation)
    data = change_form_data(client.get(url))
    data["text"] = "Corrected wording."
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "give the reason for the correction" in page(refused)
    recommendation.refresh_from_db()
    assert recommendation.text != "Corrected wording."

    data["change_reason"] = "The report's wording was mistyped."
    assert client.post(url, data).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Corrected wording."
    log = ActionLog.objects.for_object(recommendation).latest("at")
    assert log.data["reason"] == "The report's wording was mistyped."
    assert log.data["fields"]["text"]["to"] == "Corrected wording."


def test_existing_findings_are_not_edited_on_the_report_page(
    client, hmicfrs_inspector, inspection, recommendation
):
    client.force_login(hmicfrs_inspector)
    url = change_url(inspection)
    data = change_form_data(client.get(url))
    data["findings-recommendation-0-text"] = "Changed behind the log's back."
    data["findings-recommendation-0-due_date"] = "2040-01-01"
    data["change_reason"] = "Trying."
    client.post(url, data)
    recommendation.refresh_from_db()
    assert recommendation.text != "Changed behind the log's back."
    assert recommendation.due_date != date(2040, 1, 1)


def test_a_published_reports_correction_is_logged_with_its_reason(
    client, hmicfrs_inspector, inspection
):
    client.force_login(hmicfrs_inspector)
    url = change_url(inspection)
    data = change_form_data(client.get(url))
    data["title"] = "Corrected title"
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "This report is public: give the reason for the correction." in page(refused)

    data["change_reason"] = "The title misnamed the force."
    assert client.post(url, data).status_code == 302
    log = ActionLog.objects.for_object(inspection).get()
    assert log.action == "inspections.inspection.corrected"
    assert log.data["reason"] == "The title misnamed the force."
    assert log.data["fields"]["title"] == {
        "from": "Metropolitan Police Service custody",
        "to": "Corrected title",
    }


def test_an_embargoed_reports_edit_is_logged_as_an_edit(client, hmicfrs_inspector, embargoed):
    client.force_login(hmicfrs_inspector)
    url = change_url(embargoed)
    data = change_form_data(client.get(url))
    data["summary"] = "A summary."
    assert client.post(url, data).status_code == 302
    log = ActionLog.objects.for_object(embargoed).get()
    assert log.action == "inspections.inspection.edited"
    assert log.data["fields"]["summary"] == {
        "from": "What the inspection of custody in Kent and London found.",
        "to": "A summary.",
    }


def test_scheduling_through_the_form_goes_through_the_service(client, hmicfrs_inspector, embargoed):
    client.force_login(hmicfrs_inspector)
    url = change_url(embargoed)
    data = change_form_data(client.get(url))
    data["published_at_0"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    data["published_at_1"] = "09:30:00"
    assert client.post(url, data).status_code == 302
    assert actions(embargoed) == ["inspections.inspection.publication_scheduled"]


def test_scheduling_through_the_form_waits_for_a_clean_checklist(
    client, hmicfrs_inspector, embargoed
):
    Inspection.objects.filter(pk=embargoed.pk).update(summary="")
    before = embargoed.published_at
    client.force_login(hmicfrs_inspector)
    url = change_url(embargoed)
    data = change_form_data(client.get(url))
    data["published_at_0"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    data["published_at_1"] = "09:30:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot be scheduled yet" in page(response)
    embargoed.refresh_from_db()
    assert embargoed.published_at == before
    assert actions(embargoed) == []


def test_saving_an_unchanged_form_says_nothing_changed(client, hmicfrs_inspector, embargoed):
    client.force_login(hmicfrs_inspector)
    url = change_url(embargoed)
    data = change_form_data(client.get(url))
    response = client.post(url, data, follow=True)
    assert "Nothing was changed" in page(response)
    assert "changed successfully" not in page(response)
    assert not ActionLog.objects.for_object(embargoed).exists()


# Progress updates ---------------------------------------------------------------------------


@pytest.fixture
def published_update_with_evidence(item, settings, tmp_path):
    """A published update with its evidence, as the service records them: the evidence is
    attached before publication (the model refuses evidence added to a published update)."""
    settings.MEDIA_ROOT = tmp_path
    return progress_update_add(
        item=item,
        narrative="The original published narrative.",
        self_assessment="on_track",
        publish=True,
        evidence=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")],
    )


def test_published_evidence_cannot_be_added_outside_the_service(published_update):
    with pytest.raises(AppendOnlyError):
        EvidenceFile.objects.create(
            update=published_update,
            file="evidence/x.pdf",
            original_name="plan.pdf",
            content_type="application/pdf",
            size=10,
        )


def test_a_published_update_and_its_evidence_are_read_only(
    client, admin_user, published_update_with_evidence
):
    published_update = published_update_with_evidence
    assert published_update.is_published
    client.force_login(admin_user)
    url = change_url(published_update)
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert not response.context["has_delete_permission"]
    evidence = response.context["inline_admin_formsets"][0]
    assert not evidence.has_delete_permission and not evidence.has_change_permission
    posted = client.post(
        url,
        {
            "narrative": "Rewritten.",
            "self_assessment": "complete",
            "written_on": "2020-01-01",
            "evidence-TOTAL_FORMS": 1,
            "evidence-INITIAL_FORMS": 1,
            "evidence-0-id": published_update.evidence.get().pk,
            "evidence-0-DELETE": "on",
        },
    )
    assert posted.status_code == 403
    published_update.refresh_from_db()
    assert published_update.narrative == "The original published narrative."
    assert published_update.evidence.count() == 1


@pytest.mark.parametrize("persona", ["admin_user", "hmicfrs_inspector"])
def test_the_update_change_page_links_to_the_workspace_withdrawal(
    client, request, persona, published_update
):
    client.force_login(request.getfixturevalue(persona))
    withdraw = reverse("workspace:withdraw-update", args=[published_update.pk])
    html = page(client.get(change_url(published_update)))
    assert f'href="{withdraw}"' in html and "Withdraw this update" in html
    assert client.get(withdraw).status_code == 200


def test_a_withdrawn_update_change_page_shows_the_note_and_no_withdrawal(
    client, admin_user, published_update
):
    progress_update_withdraw(update=published_update, user=admin_user, reason="A court order.")
    client.force_login(admin_user)
    html = page(client.get(change_url(published_update)))
    assert "A court order. (the public sees only this note)" in html
    assert "Withdraw this update" not in html


def test_an_internal_update_change_page_offers_no_withdrawal(client, admin_user, item):
    internal = progress_update_add(item=item, narrative="Draft notes.", self_assessment="on_track")
    client.force_login(admin_user)
    assert "Withdraw this update" not in page(client.get(change_url(internal)))


@pytest.mark.parametrize("persona", ["admin_user", "hmicfrs_inspector", "cqc_inspector"])
def test_progress_updates_cannot_be_added_in_the_admin(client, request, persona, item):
    """An update is the organisation's own voice: an inspector's, backdated and published from
    the admin, would be shown as the organisation's."""
    client.force_login(request.getfixturevalue(persona))
    url = reverse("admin:recommendations_progressupdate_add")
    assert client.get(url).status_code == 403
    posted = client.post(
        url,
        {
            "item": item.pk,
            "written_on": "01/01/2019",
            "narrative": "self-reported",
            "self_assessment": "on_track",
            "is_published": "on",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert posted.status_code == 403
    assert not ProgressUpdate.objects.exists()
    item.refresh_from_db()
    assert item.status == Status.OPEN
    listed = client.get(reverse("admin:recommendations_progressupdate_changelist"))
    assert url not in page(listed)


# Versions and refusals ----------------------------------------------------------------------


def test_a_stale_admin_form_is_refused_saying_what_changed(
    client, hmicfrs_inspector, met_user, item
):
    item_start(item=item, note="Begun.")
    client.force_login(hmicfrs_inspector)
    url = change_url(item)
    data = change_form_data(client.get(url))  # Loaded while "in progress".
    item_submit_for_closure(item=Item.objects.get(pk=item.pk), user=met_user, note="All done.")
    data.update(new_status=Status.CLOSED_NO_LONGER_RELEVANT, note="No longer relevant.")
    response = client.post(url, data)
    assert response.status_code == 200
    text = page(response)
    assert "Someone else changed this item while you were working on it" in text
    assert "Submitted for closure" in text
    assert "No longer relevant." in text
    assert "successfully" not in text
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    assert not StatusChange.objects.filter(to_status=Status.CLOSED_NO_LONGER_RELEVANT).exists()


def test_an_admin_form_without_its_version_is_refused(client, hmicfrs_inspector, item):
    client.force_login(hmicfrs_inspector)
    url = change_url(item)
    data = change_form_data(client.get(url))
    del data["expected_version"]
    data.update(new_status=Status.CLOSED_NO_LONGER_RELEVANT, note="Closed.")
    assert client.post(url, data).status_code == 200
    assert not StatusChange.objects.exists()


def test_a_stale_bulk_action_refuses_the_whole_batch_naming_what_changed(
    client, hmicfrs_inspector, recommendation, met, mopac
):
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:recommendations_item_changelist")
    items = list(recommendation.items.order_by("pk"))
    ids = [item.pk for item in items]
    shown = client.post(url, {"action": "close_selected", "_selected_action": ids})
    for item in items:
        assert f'name="version-{item.pk}" value="1"' in page(shown)
    met_item = recommendation.items.get(organisation=met)
    item_start(item=met_item, note="Begun meanwhile.")
    response = client.post(
        url,
        {
            "action": "close_selected",
            "_selected_action": ids,
            "apply": "1",
            "outcome": Status.CLOSED_NOT_IMPLEMENTED,
            "note": "Declined.",
            **{f"version-{item.pk}": 1 for item in items},
        },
    )
    assert response.status_code == 200
    text = page(response)
    assert "Nothing was changed" in text
    assert f"{met_item}" in text and "In progress" in text
    assert not StatusChange.objects.filter(to_status=Status.CLOSED_NOT_IMPLEMENTED).exists()


@pytest.mark.parametrize(
    ("action", "start", "expected"),
    [
        ("return_selected", Status.SUBMITTED, Status.IN_PROGRESS),
        ("reopen_selected", Status.CLOSED_NOT_IMPLEMENTED, Status.IN_PROGRESS),
    ],
)
def test_bulk_return_and_reopen_write_history(
    client, hmicfrs_inspector, item, action, start, expected
):
    from recommendations.services import item_change_status

    item = item_change_status(item=item, to_status=start, note="Set up.")
    client.force_login(hmicfrs_inspector)
    response = client.post(
        reverse("admin:recommendations_item_changelist"),
        {
            "action": action,
            "_selected_action": [item.pk],
            "apply": "1",
            "note": "Bulk reason.",
            f"version-{item.pk}": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == expected
    assert StatusChange.objects.filter(note="Bulk reason.").count() == 1


def test_a_domain_error_in_engage_is_a_form_error_not_a_success(client, inspector, kent):
    from inspections.services import engage_enter

    engage_enter(organisation=kent, entered_on=date(2024, 1, 1), reasons="Concerns.")
    client.force_login(inspector)
    response = client.post(
        reverse("admin:inspections_engageperiod_add"),
        {"organisation": kent.pk, "entered_on": "2025-01-01", "entry_reasons": "Again."},
    )
    assert response.status_code == 200
    assert "is already in Engage" in page(response)
    assert "successfully" not in page(response)
    assert EngagePeriod.objects.count() == 1


def test_engage_entry_and_exit_through_the_admin(client, inspector, kent):
    client.force_login(inspector)
    added = client.post(
        reverse("admin:inspections_engageperiod_add"),
        {"organisation": kent.pk, "entered_on": "2025-01-01", "entry_reasons": "Concerns."},
    )
    assert added.status_code == 302
    period = EngagePeriod.objects.get()
    data = change_form_data(client.get(change_url(period)))
    data.update(left_on="2025-06-01", exit_reasons="Improved.", inspection="")
    left = client.post(change_url(period), data)
    assert left.status_code == 302
    assert sorted(actions(kent)) == ["inspections.engage.entered", "inspections.engage.left"]


# Causes of concern, section 55 --------------------------------------------------------------


def test_discharging_a_cause_goes_through_the_service(client, hmicfrs_inspector, inspection):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Poor.")
    client.force_login(hmicfrs_inspector)
    url = change_url(cause)
    data = change_form_data(client.get(url))
    data.update(discharged_on="2026-01-01", discharge_note="")
    refused = client.post(url, data)
    assert refused.status_code == 200
    data["discharge_note"] = "Verified at the revisit."
    assert client.post(url, data).status_code == 302
    assert actions(cause) == ["recommendations.cause_of_concern.discharged"]


def test_section55_receipt_is_recorded_through_the_service_and_then_fixed(
    client, hmicfrs_inspector, inspection, recommendation
):
    (response,) = section55_open_responses(inspection=inspection)
    # The body's own draft, written in the portal.
    Section55Response.objects.filter(pk=response.pk).update(url="https://example.org/s55")
    client.force_login(hmicfrs_inspector)
    url = change_url(response)
    form = client.get(url)
    assert "received_on" not in form.context["adminform"].form.fields
    data = change_form_data(form)
    today = timezone.localdate()
    data.update(record_received_on=today.isoformat())
    assert client.post(url, data).status_code == 302
    response.refresh_from_db()
    assert response.received_on == today
    assert "recommendations.section55.received" in actions(response)

    again = client.get(url)
    assert "url" not in again.context["adminform"].form.fields
    assert client.post(url, {"url": "https://example.org/other"}).status_code == 403
    response.refresh_from_db()
    assert response.url == "https://example.org/s55"


def test_section55_receipt_refused_by_the_service_is_a_form_error(
    client, hmicfrs_inspector, inspection
):
    (response,) = section55_open_responses(inspection=inspection)
    client.force_login(hmicfrs_inspector)
    url = change_url(response)
    data = change_form_data(client.get(url))
    data.update(record_received_on="2025-09-01")  # Neither a link nor a text.
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Give the link to the published response or its text." in page(refused)
    assert Section55Response.objects.get(pk=response.pk).received_on is None


def test_delete_selected_refuses_published_findings(client, hmicfrs_inspector, recommendation):
    client.force_login(hmicfrs_inspector)
    response = client.post(
        reverse("admin:recommendations_finding_changelist"),
        {"action": "delete_selected", "_selected_action": [recommendation.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Finding.objects.filter(pk=recommendation.pk).exists()
    # The confirmation page says so before anyone confirms.
    shown = client.post(
        reverse("admin:recommendations_finding_changelist"),
        {"action": "delete_selected", "_selected_action": [recommendation.pk]},
    )
    assert "permission to delete" in page(shown)


def test_delete_selected_refuses_published_reports(client, hmicfrs_inspector, inspection):
    client.force_login(hmicfrs_inspector)
    response = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "delete_selected", "_selected_action": [inspection.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Inspection.objects.filter(pk=inspection.pk).exists()


def test_an_embargoed_report_of_another_inspectorate_cannot_supersede(
    client, hmicfrs_inspector, cqc, custody, item
):
    theirs = Inspection.objects.create(
        title="CQC draft", slug="cqc-draft", programme=custody, lead_inspectorate=cqc
    )
    hidden = Finding.objects.create(
        inspection=theirs, kind="recommendation", reference="C1", text="Theirs."
    )
    client.force_login(hmicfrs_inspector)
    url = change_url(item)
    data = change_form_data(client.get(url))
    data.update(
        new_status=Status.CLOSED_SUPERSEDED, new_superseded_by=hidden.pk, note="Superseded."
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_a_published_reports_key_figures_and_organisations_are_corrected_with_a_reason(
    client, hmicfrs_inspector, inspection, kent
):
    from inspections.models import KeyFigure

    KeyFigure.objects.create(inspection=inspection, label="Cases reviewed", value=64)
    client.force_login(hmicfrs_inspector)
    url = change_url(inspection)
    data = change_form_data(client.get(url))
    data["figures-0-value"] = 65
    data["organisations"] = [*data["organisations"], str(kent.pk)]
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "give the reason for the correction" in page(refused)
    assert KeyFigure.objects.get().value == 64
    assert kent not in inspection.organisations.all()

    data["change_reason"] = "The report counted 65 cases and covered Kent too."
    assert client.post(url, data).status_code == 302
    assert KeyFigure.objects.get().value == 65
    # Two corrections, as the report editor makes them: the key figures through their service,
    # the organisations with the rest of the form, each with the reason.
    figures, organisations = ActionLog.objects.for_object(inspection).order_by("pk")
    assert {figures.action, organisations.action} == {"inspections.inspection.corrected"}
    assert figures.data == {
        "fields": {"key figures": {"from": ["Cases reviewed: 64"], "to": ["Cases reviewed: 65"]}},
        "reason": "The report counted 65 cases and covered Kent too.",
    }
    assert "Kent Police" in organisations.data["fields"]["organisations"]["to"]


def test_a_section55_draft_cannot_be_edited_in_the_admin(client, hmicfrs_inspector, inspection):
    """The draft is the policing body's own, versioned in the portal: the admin saved
    "Inspector's text" at version 1 and the body's own form then overwrote it silently."""
    (response,) = section55_open_responses(inspection=inspection)
    Section55Response.objects.filter(pk=response.pk).update(text="MOPAC's draft.")
    client.force_login(hmicfrs_inspector)
    url = change_url(response)
    form = client.get(url)
    assert "text" not in form.context["adminform"].form.fields
    assert "url" not in form.context["adminform"].form.fields
    data = change_form_data(form)
    data.update(text="Inspector's text.", url="https://example.org/inspectors")
    client.post(url, data)
    response.refresh_from_db()
    assert (response.text, response.url) == ("MOPAC's draft.", "")
    assert response.version == 1 and response.received_on is None
    assert actions(response) == []


def test_a_section55_drafts_statements_cannot_be_added_in_the_admin(
    client, hmicfrs_inspector, inspection, recommendation
):
    (response,) = section55_open_responses(inspection=inspection)
    client.force_login(hmicfrs_inspector)
    url = change_url(response)
    data = change_form_data(client.get(url))
    data.update(
        {
            "statements-TOTAL_FORMS": 1,
            "statements-INITIAL_FORMS": 0,
            "statements-0-finding": recommendation.pk,
            "statements-0-action": "taken",
            "statements-0-text": "Inspector's statement.",
        }
    )
    client.post(url, data)
    assert not response.statements.exists()


def test_a_published_cause_of_concern_is_corrected_with_a_reason(
    client, hmicfrs_inspector, inspection
):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Poor.")
    client.force_login(hmicfrs_inspector)
    url = change_url(cause)
    data = change_form_data(client.get(url))
    data["text"] = "Governance of the use of force is poor."
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "This cause of concern is public: give the reason." in page(refused)
    assert CauseOfConcern.objects.get().text == "Poor."

    data["change_reason"] = "The report's full wording."
    assert client.post(url, data).status_code == 302
    cause.refresh_from_db()
    assert cause.text == "Governance of the use of force is poor."
    log = ActionLog.objects.for_object(cause).get()
    assert log.action == "recommendations.cause_of_concern.corrected"
    assert log.data["reason"] == "The report's full wording."
