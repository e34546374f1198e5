"""The admin's item page and its bulk actions when what is sent does not make sense: each
refusal is named and nothing changes."""

from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import ActionLog
from recommendations.choices import Status
from recommendations.models import StatusChange
from tests.admin.conftest import change_form_data


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("sent", "says"),
    [
        ({"new_status": Status.IN_PROGRESS}, "Select a valid choice."),
        ({"new_superseded_by": "later"}, "Choose “Closed: superseded” as the new status."),
        ({"new_due_date": "later"}, "Give the reason for the new due date."),
        (
            {"remove": "on", "replace_with": "kent", "addressee_reason": "Wrong body."},
            "Either remove this addressee or replace it, not both.",
        ),
        (
            {"replace_with": "kent", "new_due_date": "later", "due_date_reason": "Agreed."},
            "Change the addressee on its own, not with a status or due date change.",
        ),
        ({"replace_with": "kent"}, "Give the reason for the change of addressee."),
    ],
)
def test_an_item_change_that_does_not_make_sense_is_refused(
    client, hmicfrs_inspector, item, kent, inspection, sent, says
):
    from recommendations.choices import FindingKind
    from recommendations.models import Finding

    later = Finding.objects.create(
        inspection=inspection, kind=FindingKind.RECOMMENDATION, reference="R7", text="Later."
    )
    values = {"later": later.pk, "kent": kent.pk}
    new_due = item.due_date + timedelta(days=30)
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:recommendations_item_change", args=[item.pk])
    data = change_form_data(client.get(url))
    for name, value in sent.items():
        if name == "new_due_date":
            data["new_due_date"] = new_due.isoformat()
        else:
            data[name] = values.get(value, value)
    before = (item.status, item.due_date, item.organisation_id, item.version)

    response = client.post(url, data)

    assert response.status_code == 200
    assert says in _page(response)
    item.refresh_from_db()
    assert (item.status, item.due_date, item.organisation_id, item.version) == before
    assert item.finding.items.count() == 2
    assert not ActionLog.objects.filter(actor=hmicfrs_inspector).exists()


def _bulk_close(client, items, **data):
    return client.post(
        reverse("admin:recommendations_item_changelist"),
        {
            "action": "close_selected",
            "_selected_action": [i.pk for i in items],
            "apply": "1",
            "note": "Closed.",
            **{f"version-{i.pk}": i.version for i in items},
            **data,
        },
    )


def test_bulk_closing_names_a_superseding_finding_only_when_superseded(
    client, hmicfrs_inspector, recommendation, inspection
):
    from recommendations.choices import FindingKind
    from recommendations.models import Finding

    later = Finding.objects.create(
        inspection=inspection, kind=FindingKind.RECOMMENDATION, reference="R7", text="Later."
    )
    client.force_login(hmicfrs_inspector)
    items = list(recommendation.items.all())

    response = _bulk_close(
        client, items, outcome=Status.CLOSED_NOT_IMPLEMENTED, superseded_by=later.pk
    )

    assert response.status_code == 200
    assert "Only findings closed as superseded have one." in _page(response)
    assert not StatusChange.objects.exists()


def test_a_bulk_version_that_is_not_a_whole_number_is_an_incomplete_form(
    client, hmicfrs_inspector, recommendation
):
    """ "²" passes str.isdigit but not int(): it is refused as an incomplete form, not a 500
    nor a misleading "someone else changed" message."""
    client.force_login(hmicfrs_inspector)
    items = list(recommendation.items.all())

    response = _bulk_close(
        client,
        items,
        outcome=Status.CLOSED_NOT_IMPLEMENTED,
        **{f"version-{items[0].pk}": "²"},
    )

    assert response.status_code == 200
    assert "this form is incomplete or out of date" in _page(response)
    assert "Someone else changed" not in _page(response)
    assert not StatusChange.objects.exists()
