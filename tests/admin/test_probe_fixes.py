"""Defects a hostile probe found in the admin after issue 9's work, each closed."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.admin import DateHierarchyGuard
from audit.models import ActionLog
from inspections.models import Inspection
from inspections.services import DomainError
from recommendations.choices import Status
from recommendations.models import (
    CauseOfConcern,
    Finding,
    Item,
    Section55Response,
    StatusChange,
)
from recommendations.services import (
    cause_of_concern_update,
    finding_update,
    item_change_status,
    section55_open_responses,
    section55_record_response,
)
from tests.admin.conftest import change_form_data


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def page(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def other_client(user) -> Client:
    other = Client()
    other.force_login(user)
    return other


# 1. A stale change form never undoes a later change ----------------------------------------


def test_a_stale_report_form_does_not_undo_a_published_correction(
    client, hmicfrs_inspector, admin_user, inspection
):
    client.force_login(hmicfrs_inspector)
    kept = change_form_data(client.get(change_url(inspection)))

    admin_client = other_client(admin_user)
    fresh = change_form_data(admin_client.get(change_url(inspection)))
    fresh.update(summary="The admin's corrected summary.", change_reason="admin summary fix")
    assert admin_client.post(change_url(inspection), fresh).status_code == 302

    kept.update(title="A retitled report", change_reason="Title fix.")
    stale = client.post(change_url(inspection), kept)

    assert stale.status_code == 200
    text = page(stale)
    assert "Someone else changed this report since you opened it: the summary (by admin, " in text
    assert "Check it, then make your change again." in text
    assert "A retitled report" in text  # What was typed is kept.
    assert not any("success" in m for m in shown_messages(stale))
    inspection.refresh_from_db()
    assert inspection.summary == "The admin's corrected summary."
    assert inspection.title != "A retitled report"

    # Opened again, the same change saves.
    again = change_form_data(client.get(change_url(inspection)))
    again.update(title="A retitled report", change_reason="Title fix.")
    assert client.post(change_url(inspection), again).status_code == 302
    inspection.refresh_from_db()
    assert (inspection.title, inspection.summary) == (
        "A retitled report",
        "The admin's corrected summary.",
    )


def test_a_stale_report_form_is_refused_after_a_change_by_another_door(
    client, hmicfrs_inspector, inspection, recommendation
):
    """A service called by the workspace, the API or the import changes the fingerprint too:
    here a finding of the report (one of its inline rows)."""
    client.force_login(hmicfrs_inspector)
    kept = change_form_data(client.get(change_url(inspection)))
    finding_update(
        finding=recommendation,
        changes={"text": "Corrected elsewhere."},
        user=hmicfrs_inspector,
        reason="A typo.",
    )
    kept.update(title="A retitled report", change_reason="Title fix.")
    stale = client.post(change_url(inspection), kept)
    assert stale.status_code == 200
    assert "Someone else changed this report since you opened it." in page(stale)
    assert Inspection.objects.get(pk=inspection.pk).title != "A retitled report"


def test_a_report_form_without_its_fingerprint_is_refused(client, hmicfrs_inspector, inspection):
    client.force_login(hmicfrs_inspector)
    data = change_form_data(client.get(change_url(inspection)))
    del data["shown_as"]
    data.update(title="A retitled report", change_reason="Title fix.")
    refused = client.post(change_url(inspection), data)
    assert refused.status_code == 200
    assert "This form is incomplete or out of date" in page(refused)
    assert Inspection.objects.get(pk=inspection.pk).title != "A retitled report"


def test_a_stale_finding_form_does_not_undo_a_correction(
    client, hmicfrs_inspector, admin_user, recommendation
):
    client.force_login(hmicfrs_inspector)
    kept = change_form_data(client.get(change_url(recommendation)))
    finding_update(
        finding=recommendation,
        changes={"text": "The admin's corrected text."},
        user=admin_user,
        reason="admin text fix",
    )
    kept.update(deadline_wording="By next spring.", change_reason="Wording.")
    stale = client.post(change_url(recommendation), kept)
    assert stale.status_code == 200
    assert "Someone else changed this finding since you opened it: the text (by admin, " in page(
        stale
    )
    recommendation.refresh_from_db()
    assert recommendation.text == "The admin's corrected text."
    assert recommendation.deadline_wording != "By next spring."


def test_a_finding_form_is_stale_once_an_item_of_it_changed(
    client, hmicfrs_inspector, recommendation, item
):
    client.force_login(hmicfrs_inspector)
    kept = change_form_data(client.get(change_url(recommendation)))
    item_change_status(item=item, to_status=Status.IN_PROGRESS, note="Begun.")
    kept.update(deadline_wording="By next spring.", change_reason="Wording.")
    assert client.post(change_url(recommendation), kept).status_code == 200
    assert Finding.objects.get(pk=recommendation.pk).deadline_wording != "By next spring."


def test_a_stale_cause_of_concern_form_does_not_undo_a_correction(
    client, hmicfrs_inspector, admin_user, inspection
):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Poor.")
    client.force_login(hmicfrs_inspector)
    kept = change_form_data(client.get(change_url(cause)))
    cause_of_concern_update(
        cause=cause, changes={"text": "Poor custody."}, user=admin_user, reason="Clearer."
    )
    kept.update(reference="CoC2", change_reason="Renumbered.")
    stale = client.post(change_url(cause), kept)
    assert stale.status_code == 200
    assert "Someone else changed this cause of concern since you opened it" in page(stale)
    cause.refresh_from_db()
    assert (cause.reference, cause.text) == ("CoC1", "Poor custody.")


def test_the_item_form_keeps_its_own_version_and_no_fingerprint(client, hmicfrs_inspector, item):
    client.force_login(hmicfrs_inspector)
    data = change_form_data(client.get(change_url(item)))
    assert "shown_as" not in data
    assert data["expected_version"] == str(item.version)


# 2. No progress update is added in the admin (see also test_side_doors) ---------------------


def test_the_progress_update_list_offers_no_add_button(client, admin_user):
    client.force_login(admin_user)
    listed = client.get(reverse("admin:recommendations_progressupdate_changelist"))
    assert listed.status_code == 200
    assert reverse("admin:recommendations_progressupdate_add") not in page(listed)


# 3. Date hierarchy parameters ---------------------------------------------------------------

DATE_HIERARCHY_ADMINS = [
    model_admin
    for model_admin in admin.site._registry.values()
    if model_admin.date_hierarchy is not None
]


def test_every_admin_with_a_date_hierarchy_checks_its_parameters():
    assert DATE_HIERARCHY_ADMINS
    assert all(isinstance(a, DateHierarchyGuard) for a in DATE_HIERARCHY_ADMINS)


@pytest.mark.parametrize(
    "model_admin", DATE_HIERARCHY_ADMINS, ids=lambda a: a.model._meta.label_lower
)
@pytest.mark.parametrize(
    "params",
    [
        {"year": "9999999999999999999999"},
        {"year": "9999"},
        {"year": "2026", "month": "99999999999999999999"},
        {"year": "2026", "month": "12", "day": "-1"},
        {"year": "0"},
        {"year": "20x6"},
    ],
    ids=lambda p: "-".join(p),
)
def test_date_hierarchy_out_of_range_is_a_bad_lookup_not_a_500(
    client, admin_user, inspection, model_admin, params
):
    client.force_login(admin_user)
    opts = model_admin.model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    field = model_admin.date_hierarchy
    response = client.get(url, {f"{field}__{part}": value for part, value in params.items()})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"
    assert client.get(response["Location"]).status_code == 200
    # A real date still filters.
    assert client.get(url, {f"{field}__year": "2026", f"{field}__month": "11"}).status_code == 200


# 4. Section 55 receipt dates ----------------------------------------------------------------


@pytest.fixture
def response_due(inspection, recommendation):
    (response,) = section55_open_responses(inspection=inspection)
    return response


@pytest.mark.parametrize("days", [1, 365 * 73])
def test_section55_receipt_cannot_be_in_the_future(response_due, days):
    with pytest.raises(DomainError, match="in the future"):
        section55_record_response(
            response=response_due,
            received_on=timezone.localdate() + timedelta(days=days),
            url="https://example.org/r",
        )
    assert Section55Response.objects.get(pk=response_due.pk).received_on is None


def test_section55_receipt_cannot_be_before_publication(response_due, inspection):
    published_on = inspection.published_on
    for received_on in (date(1990, 1, 1), published_on - timedelta(days=1)):
        with pytest.raises(DomainError, match="the report was published on"):
            section55_record_response(
                response=response_due, received_on=received_on, url="https://example.org/r"
            )
    recorded = section55_record_response(
        response=response_due, received_on=published_on, url="https://example.org/r"
    )
    assert recorded.received_on == published_on


@pytest.mark.parametrize(
    ("received_on", "said"),
    [("2099-01-01", "in the future"), ("1990-01-01", "the report was published on")],
)
def test_section55_receipt_date_refused_in_the_admin_as_a_form_error(
    client, hmicfrs_inspector, response_due, received_on, said
):
    # The body's own draft, written in the portal: the admin records only its receipt.
    Section55Response.objects.filter(pk=response_due.pk).update(url="https://example.org/s55")
    client.force_login(hmicfrs_inspector)
    url = change_url(response_due)
    data = change_form_data(client.get(url))
    data.update(record_received_on=received_on)
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert said in page(refused)
    assert refused.context["adminform"].form.errors["record_received_on"]
    assert not any("success" in m for m in shown_messages(refused))
    assert Section55Response.objects.get(pk=response_due.pk).received_on is None
    assert not ActionLog.objects.filter(action="recommendations.section55.received").exists()


# 5. Bulk action wording ---------------------------------------------------------------------


def test_bulk_action_on_items_not_theirs_is_an_error_not_a_success(
    client, cqc_inspector, recommendation
):
    client.force_login(cqc_inspector)
    items = list(recommendation.items.all())
    url = reverse("admin:recommendations_item_changelist")
    response = client.post(
        url,
        {
            "action": "close_selected",
            "_selected_action": [a.pk for a in items],
            "apply": "1",
            "outcome": Status.CLOSED_NOT_IMPLEMENTED,
            "note": "Not ours.",
            **{f"version-{a.pk}": a.version for a in items},
        },
        follow=True,
    )
    said = shown_messages(response)
    assert said == ["Nothing was changed: none of the selected items is yours to decide."]
    assert not any("items changed" in m for m in said)
    assert not StatusChange.objects.exists()


def test_bulk_action_names_the_selected_items_that_are_not_theirs(
    client, hmicfrs_inspector, recommendation, embargoed, cqc
):
    """An HMICFRS inspector selecting their own item with one of a CQC-only report: nothing
    changes, their own is named, the other is counted (they may not know of it)."""
    cqc_report = Inspection.objects.create(
        title="CQC only",
        slug="cqc-only",
        programme=recommendation.inspection.programme,
        lead_inspectorate=cqc,
        published_at=timezone.now() - timedelta(days=1),
    )
    cqc_finding = Finding.objects.create(
        inspection=cqc_report, kind="recommendation", reference="C1", text="CQC's."
    )
    cqc_item = Item.objects.create(
        finding=cqc_finding, organisation=recommendation.items.first().organisation
    )
    mine = recommendation.items.order_by("pk").first()
    client.force_login(hmicfrs_inspector)
    response = client.post(
        reverse("admin:recommendations_item_changelist"),
        {"action": "close_selected", "_selected_action": [mine.pk, cqc_item.pk]},
        follow=True,
    )
    (said,) = shown_messages(response)
    assert said.startswith("Nothing was changed: 1 other is not yours to decide.")
    assert not StatusChange.objects.exists()


def test_bulk_post_without_versions_says_the_form_is_incomplete(
    client, hmicfrs_inspector, recommendation
):
    client.force_login(hmicfrs_inspector)
    items = list(recommendation.items.all())
    response = client.post(
        reverse("admin:recommendations_item_changelist"),
        {
            "action": "close_selected",
            "_selected_action": [a.pk for a in items],
            "apply": "1",
            "outcome": Status.CLOSED_NOT_IMPLEMENTED,
            "note": "Closed.",
        },
    )
    assert response.status_code == 200
    text = page(response)
    assert "this form is incomplete or out of date" in text
    assert "Select the items again" in text
    assert "Someone else changed" not in text
    assert not StatusChange.objects.exists()


# 6. Adding an addressee to a published finding needs a reason -------------------------------


def test_adding_an_addressee_to_a_published_finding_needs_a_reason(
    client, hmicfrs_inspector, recommendation, kent
):
    client.force_login(hmicfrs_inspector)
    url = change_url(recommendation)
    data = change_form_data(client.get(url))
    prefix = "items"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    data[f"{prefix}-{total}-organisation"] = str(kent.pk)
    data[f"{prefix}-{total}-finding"] = str(recommendation.pk)
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "give the reason for adding the addressee" in page(refused)
    assert not recommendation.items.filter(organisation=kent).exists()

    data["change_reason"] = "The report also names Kent Police."
    assert client.post(url, data).status_code == 302
    assert recommendation.items.filter(organisation=kent).exists()
    logged = ActionLog.objects.for_object(recommendation).get(
        action="recommendations.assignment.created", data__organisation=kent.slug
    )
    assert logged.data["reason"] == "The report also names Kent Police."
