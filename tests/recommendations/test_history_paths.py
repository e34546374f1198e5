"""Every path that changes a status writes its history row: service, admin form, admin bulk
action and management command."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from recommendations.choices import Channel, Status
from recommendations.models import Item, StatusChange
from recommendations.services import item_change_status, item_submit_for_closure
from tests.conftest import inline_management_data


def latest_change(item):
    return StatusChange.objects.filter(item=item).latest("changed_at")


def test_admin_form_change_goes_through_the_service(client, admin_user, item):
    client.force_login(admin_user)
    url = reverse("admin:recommendations_item_change", args=[item.pk])
    data = inline_management_data(client.get(url))
    response = client.post(
        url,
        {
            **data,
            "expected_version": item.version,
            "new_status": Status.CLOSED_NO_LONGER_RELEVANT,
            "note": "The suite closed.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.CLOSED_NO_LONGER_RELEVANT
    change = latest_change(item)
    assert change.channel == Channel.ADMIN
    assert change.changed_by == admin_user
    assert change.note == "The suite closed."


def test_admin_form_refuses_a_disallowed_move_and_keeps_the_input(client, admin_user, item):
    client.force_login(admin_user)
    url = reverse("admin:recommendations_item_change", args=[item.pk])
    response = client.post(url, {"new_status": Status.CLOSED_COMPLETE, "note": "My words"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "My words" in response.content.decode()
    assert not StatusChange.objects.filter(item=item).exists()


def test_admin_form_closing_without_reason_is_refused(client, admin_user, item):
    client.force_login(admin_user)
    url = reverse("admin:recommendations_item_change", args=[item.pk])
    response = client.post(url, {"new_status": Status.CLOSED_NOT_IMPLEMENTED, "note": ""})
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_admin_due_date_change_is_logged(client, admin_user, item):
    from audit.models import ActionLog

    client.force_login(admin_user)
    url = reverse("admin:recommendations_item_change", args=[item.pk])
    data = inline_management_data(client.get(url))
    response = client.post(
        url,
        {
            **data,
            "expected_version": item.version,
            "new_due_date": "2030-01-31",
            "due_date_reason": "Agreed after the revisit.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.due_date.isoformat() == "2030-01-31"
    log = ActionLog.objects.for_object(item).get()
    assert log.action == "recommendations.assignment.due_date_changed"
    assert log.data["reason"] == "Agreed after the revisit."


def test_admin_bulk_close_asks_for_a_reason_then_writes_history(client, admin_user, recommendation):
    client.force_login(admin_user)
    url = reverse("admin:recommendations_item_changelist")
    ids = [str(pk) for pk in recommendation.items.values_list("pk", flat=True)]
    form_page = client.post(url, {"action": "close_selected", "_selected_action": ids})
    assert form_page.status_code == 200
    assert "Close the selected items" in form_page.content.decode()
    assert not StatusChange.objects.exists()

    done = client.post(
        url,
        {
            "action": "close_selected",
            "_selected_action": ids,
            "apply": "1",
            "outcome": Status.CLOSED_NOT_IMPLEMENTED,
            "note": "The force declined.",
            **{f"version-{pk}": 1 for pk in ids},
        },
    )
    assert done.status_code == 302
    changes = StatusChange.objects.filter(item__finding=recommendation)
    assert changes.count() == 2
    assert {c.channel for c in changes} == {Channel.ADMIN_BULK}
    assert {c.note for c in changes} == {"The force declined."}


def test_admin_bulk_is_all_or_nothing(client, admin_user, recommendation, met, mopac):
    met_item = recommendation.items.get(organisation=met)
    item_submit_for_closure(item=met_item, note="Done.")
    client.force_login(admin_user)
    url = reverse("admin:recommendations_item_changelist")
    ids = [str(pk) for pk in recommendation.items.values_list("pk", flat=True)]
    versions = {f"version-{a.pk}": a.version for a in recommendation.items.all()}
    response = client.post(
        url,
        {
            "action": "return_selected",
            "_selected_action": ids,
            "apply": "1",
            "note": "More.",
            **versions,
        },
    )
    # The refusal is an error on the re-rendered page, never a success message.
    assert response.status_code == 200
    assert "Only a finding submitted for closure can be returned." in response.content.decode()
    assert "changed." not in response.content.decode()
    assert StatusChange.objects.filter(to_status=Status.IN_PROGRESS).count() == 0
    assert Item.objects.get(pk=met_item.pk).status == Status.SUBMITTED


def test_admin_bulk_superseded_needs_the_newer_finding(client, admin_user, recommendation):
    client.force_login(admin_user)
    url = reverse("admin:recommendations_item_changelist")
    ids = [str(pk) for pk in recommendation.items.values_list("pk", flat=True)]
    response = client.post(
        url,
        {
            "action": "close_selected",
            "_selected_action": ids,
            "apply": "1",
            "outcome": Status.CLOSED_SUPERSEDED,
            "note": "Replaced.",
        },
    )
    assert response.status_code == 200
    assert "Choose the finding that supersedes these." in response.content.decode()
    assert not StatusChange.objects.exists()


def test_command_change_writes_history(item, inspector):
    call_command(
        "set_status",
        "met-custody-2025",
        "R1",
        "metropolitan-police-service",
        Status.CLOSED_NO_LONGER_RELEVANT,
        note="Custody suite closed.",
        user=inspector.username,
    )
    change = latest_change(item)
    assert change.channel == Channel.COMMAND
    assert change.changed_by == inspector
    assert change.to_status == Status.CLOSED_NO_LONGER_RELEVANT


def test_command_refuses_a_disallowed_move(item):
    with pytest.raises(CommandError, match="cannot go from"):
        call_command(
            "set_status",
            "met-custody-2025",
            "R1",
            "metropolitan-police-service",
            Status.CLOSED_COMPLETE,
            note="No.",
        )
    assert not StatusChange.objects.exists()


def test_history_rows_cannot_be_edited_or_deleted(item):
    item_change_status(item=item, to_status=Status.IN_PROGRESS)
    change = StatusChange.objects.get()
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_to_rewrite_history(item):
    item_change_status(item=item, to_status=Status.IN_PROGRESS)
    with pytest.raises(DatabaseError), transaction.atomic():
        StatusChange.objects.update(note="rewritten")
    assert StatusChange.objects.get().note == ""
