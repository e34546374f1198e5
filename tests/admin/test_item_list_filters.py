"""The admin's list of items filtered by due date: computed from dates, never stored."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.choices import Status
from recommendations.models import Item
from recommendations.services import item_close


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("overdue", {"R2"}),
        ("not_yet_due", {"R1"}),
        ("no_date", {"R3"}),
        (None, {"R1", "R2", "R3", "R4"}),
    ],
)
def test_items_filter_by_due_date(client, admin_user, item, kent_item, inspection, due, expected):
    from recommendations.choices import FindingKind
    from recommendations.models import Finding
    from recommendations.services import finding_add_addressees

    item.finding.items.exclude(pk=item.pk).delete()
    Item.objects.filter(pk=kent_item.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    undated = Finding.objects.create(
        inspection=inspection, kind=FindingKind.RECOMMENDATION, reference="R3", text="Undated."
    )
    finding_add_addressees(finding=undated, organisations=[item.organisation])
    # Closed and past its date: neither overdue nor not yet due.
    closed = Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        reference="R4",
        text="Closed.",
        due_date=timezone.localdate() - timedelta(days=5),
    )
    (closed_item,) = finding_add_addressees(finding=closed, organisations=[item.organisation])
    item_close(item=closed_item, outcome=Status.CLOSED_NOT_IMPLEMENTED, note="Not done.")
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:recommendations_item_changelist"), {"due": due} if due else {}
    )

    assert response.status_code == 200
    assert {i.finding.reference for i in response.context["cl"].result_list} == expected
