"""The data migrations that filled new columns from the record, run as ``migrate`` runs them.

Each test makes the record with today's services, takes the database back to just before the
migration (``manage.py migrate recommendations <earlier>``, which also renames the content type
back, as an upgrade from then would find it), runs it forward again, and checks what it wrote.
The migrations use the models as they were then, so these tests keep working whatever the models
are called now.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.services import log_action
from recommendations.choices import DueDateSource, Status
from recommendations.models import DueDateChange, Item
from recommendations.services import (
    due_date_decide,
    due_date_propose,
    item_close,
    item_reopen,
)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_STATUS_SOURCE = "0007_due_date_change"
BEFORE_DUE_DATE_ROWS = "0010_published_updates_stay"


def migrate(target=None):
    args = ["recommendations", target] if target else []
    call_command("migrate", *args, verbosity=0, interactive=False)


@pytest.fixture
def rerun():
    """Take recommendations back to a migration and forward to today; always end at today's."""

    def back_and_forward(target):
        migrate(target)
        migrate()

    yield back_and_forward
    migrate()


def test_existing_items_learn_how_their_status_was_reached(public_world, met, inspector, rerun):
    item = public_world["recommendation"].items.get(organisation=met)
    item_close(item=item, outcome=Status.CLOSED_COMPLETE, user=inspector, note="Verified.")
    item_reopen(item=item, user=inspector, note="Found again.")

    rerun(BEFORE_STATUS_SOURCE)  # the column is dropped and made again, empty, then filled

    sources = dict(Item.objects.values_list("pk", "status_source"))
    assert sources[item.pk] == "inspectorate"
    mopac_item = public_world["recommendation"].items.get(organisation__slug__startswith="mayor")
    assert sources[mopac_item.pk] == ""  # never changed: awaiting a response


def test_existing_due_date_logs_become_history_rows(public_world, met, inspector, rerun):
    item = public_world["recommendation"].items.get(organisation=met)
    old = timezone.localdate() - timedelta(days=5)
    new = timezone.localdate() + timedelta(days=50)
    Item.objects.filter(pk=item.pk).update(due_date=new)
    log_action(
        action="recommendations.assignment.due_date_changed",
        obj=item,
        actor=inspector,
        data={"from": old.isoformat(), "to": new.isoformat(), "reason": "Agreed on request: x"},
    )

    rerun(BEFORE_DUE_DATE_ROWS)

    change = DueDateChange.objects.get(item=item)
    assert (change.from_date, change.to_date, change.source, change.changed_by) == (
        old,
        new,
        "agreed_on_request",
        inspector,
    )
    item.refresh_from_db()
    assert item.original_due_date == old and item.overdue_when_extended is True


def test_due_date_logs_become_rows_once_with_imports_labelled(public_world, met, inspector, rerun):
    item = public_world["recommendation"].items.get(organisation=met)
    today = timezone.localdate()
    for old, new, reason in [
        (today - timedelta(days=40), today - timedelta(days=20), "import of custody.xlsx"),
        (today - timedelta(days=20), today + timedelta(days=50), "The board asked for it."),
    ]:
        log_action(
            action="recommendations.assignment.due_date_changed",
            obj=item,
            actor=inspector,
            data={"from": old.isoformat(), "to": new.isoformat(), "reason": reason},
        )

    rerun(BEFORE_DUE_DATE_ROWS)
    rerun(BEFORE_DUE_DATE_ROWS)  # migrated back and forward twice: no row twice

    sources = list(
        DueDateChange.objects.filter(item=item)
        .order_by("changed_at", "pk")
        .values_list("source", flat=True)
    )
    assert sources == [DueDateSource.IMPORT, DueDateSource.INSPECTOR]


def test_the_migration_adds_nothing_for_changes_the_services_recorded(
    kent_item, kent_user, inspector, rerun
):
    proposal = due_date_propose(
        item=kent_item,
        user=kent_user,
        proposed_due_date=timezone.localdate() + timedelta(days=100),
        reason="More time.",
    )
    due_date_decide(proposal=proposal, user=inspector, agree=True)

    rerun(BEFORE_DUE_DATE_ROWS)

    assert DueDateChange.objects.filter(item=kent_item).count() == 1
