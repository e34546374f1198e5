"""The review queue flags a submission waiting longer than the review target."""

from datetime import timedelta

from django.utils import timezone

from recommendations.models import Item
from recommendations.services import item_submit_for_closure
from workspace.views import REVIEW_TARGET_DAYS


def test_a_submission_waiting_past_the_target_is_flagged(client, inspector, item, kent_item):
    item_submit_for_closure(item=item, note="Done.")
    item_submit_for_closure(item=kent_item, note="Done too.")
    Item.objects.filter(pk=item.pk).update(
        status_changed_at=timezone.now() - timedelta(days=REVIEW_TARGET_DAYS + 1)
    )
    client.force_login(inspector)

    html = client.get("/workspace/").text

    assert html.count("Decision overdue</strong>") == 1
    rows = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tr>")
    assert "Decision overdue" in rows[0] and "Metropolitan Police Service" in rows[0]
    assert "Decision overdue" not in rows[1]
