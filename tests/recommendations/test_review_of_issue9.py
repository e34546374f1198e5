"""Defects a review found in the issue 9 work: each test failed on the code it was found in."""

import json
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from audit.services import log_action
from inspections.models import Inspection
from inspections.services import DomainError
from recommendations.choices import FindingKind, Status
from recommendations.models import Finding, ProgressUpdate
from recommendations.services import (
    MAX_TEXT_LENGTH,
    TransitionError,
    cause_of_concern_update,
    due_date_decide,
    due_date_propose,
    finding_add_addressees,
    item_close,
    item_submit_for_closure,
    progress_update_add,
    progress_update_correct,
    progress_update_withdraw,
)
from tests.conftest import EMBARGOED
from tests.core.tokens import shown

pytestmark = pytest.mark.django_db


# 1. An embargoed finding is never the "superseded by" of someone who may not see it ----------


@pytest.fixture
def cqc_item(other_inspector, custody, met):
    """An item of a published report the CQC leads, which its inspector may decide on."""
    report = Inspection.objects.create(
        title="Met custody, CQC",
        slug="cqc-met-custody",
        programme=custody,
        lead_inspectorate=other_inspector.inspectorate,
        published_at=timezone.now() - timedelta(days=3),
    )
    finding = Finding.objects.create(
        inspection=report,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        text="The force should improve healthcare in custody.",
    )
    (item,) = finding_add_addressees(finding=finding, organisations=[met])
    return item


def close_as_superseded_in_workspace(client, item, reference):
    form = shown(client, reverse("workspace:item", args=[item.pk]))
    return client.post(
        reverse("workspace:decide", args=[item.pk]),
        {**form, "decision": "superseded", "superseded_by": reference, "note": "Replaced."},
    )


def test_an_embargoed_finding_of_another_inspectorate_cannot_supersede_in_the_workspace(
    client, public_world, other_inspector, cqc_item
):
    client.force_login(other_inspector)
    embargoed = close_as_superseded_in_workspace(client, cqc_item, "embargoed-report/R9")
    unknown = close_as_superseded_in_workspace(client, cqc_item, "embargoed-report/R99")
    assert embargoed.status_code == unknown.status_code == 200
    # The same answer as for a reference that does not exist: nothing to probe.
    assert embargoed.context["form"].errors == unknown.context["form"].errors
    assert "No finding has that reference" in str(embargoed.context["form"].errors)
    assert EMBARGOED not in embargoed.content.decode()
    cqc_item.refresh_from_db()
    assert cqc_item.status == Status.OPEN and cqc_item.superseded_by is None


def test_the_services_refuse_a_superseding_finding_the_person_may_not_see(
    public_world, other_inspector, cqc_item
):
    with pytest.raises(TransitionError, match="No finding you can see"):
        item_close(
            item=cqc_item,
            outcome=Status.CLOSED_SUPERSEDED,
            superseded_by=public_world["secret"],
            note="Replaced.",
            user=other_inspector,
        )
    cqc_item.refresh_from_db()
    assert cqc_item.status == Status.OPEN


def test_an_inspector_may_name_a_finding_of_their_own_unpublished_report(
    public_world, inspector, item
):
    closed = item_close(
        item=item,
        outcome=Status.CLOSED_SUPERSEDED,
        superseded_by=public_world["secret"],
        note="Replaced by the new report.",
        user=inspector,
    )
    assert closed.superseded_by == public_world["secret"]


# 2. Progress updates lock the item, refuse a closed one and keep to a sensible length ----------


@pytest.fixture
def closed_item(item, inspector):
    submitted = item_submit_for_closure(item=item, note="All done.")
    return item_close(
        item=submitted, outcome=Status.CLOSED_COMPLETE, note="Verified.", user=inspector
    )


def test_a_closed_item_takes_no_progress_update_whatever_the_door(closed_item):
    with pytest.raises(DomainError, match="This item is closed"):
        progress_update_add(item=closed_item, narrative="More news.", self_assessment="on_track")
    assert not ProgressUpdate.objects.filter(item=closed_item).exists()


def test_a_published_update_of_a_closed_item_can_still_be_corrected(item, inspector):
    update = progress_update_add(
        item=item, narrative="Board met.", self_assessment="on_track", publish=True
    )
    submitted = item_submit_for_closure(item=item, note="All done.")
    item_close(item=submitted, outcome=Status.CLOSED_COMPLETE, note="Verified.", user=inspector)
    correction = progress_update_correct(
        update=update, narrative="Board met in April.", reason="Wrong month."
    )
    assert correction.corrects == update


def _first_lock(queries):
    return next(q["sql"] for q in queries if "FOR UPDATE" in q["sql"])


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite locks no row")
def test_a_progress_update_locks_the_item_before_writing(item):
    with CaptureQueriesContext(connection) as queries:
        progress_update_add(item=item, narrative="News.", self_assessment="on_track")
    sqls = [q["sql"] for q in queries]
    lock = next(i for i, sql in enumerate(sqls) if "FOR UPDATE" in sql)
    insert = next(i for i, sql in enumerate(sqls) if 'INSERT INTO "recommendations_progress' in sql)
    assert '"recommendations_item"' in sqls[lock] and lock < insert


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite locks no row")
def test_a_due_date_decision_locks_the_item_first(kent_item, kent_user, inspector):
    proposal = due_date_propose(
        item=kent_item,
        user=kent_user,
        proposed_due_date=timezone.localdate() + timedelta(days=100),
        reason="More time.",
    )
    with CaptureQueriesContext(connection) as queries:
        due_date_decide(proposal=proposal, user=inspector, agree=True)
    assert 'FROM "recommendations_item"' in _first_lock(queries)


def test_a_progress_update_narrative_is_capped(item):
    with pytest.raises(DomainError, match="too long"):
        progress_update_add(
            item=item, narrative="x" * (MAX_TEXT_LENGTH + 1), self_assessment="on_track"
        )
    assert not ProgressUpdate.objects.filter(item=item).exists()
    progress_update_add(item=item, narrative="x" * MAX_TEXT_LENGTH, self_assessment="on_track")


def test_correction_and_withdrawal_reasons_are_capped(item, inspector):
    update = progress_update_add(
        item=item, narrative="Board met.", self_assessment="on_track", publish=True
    )
    too_long = "x" * (MAX_TEXT_LENGTH + 1)
    with pytest.raises(DomainError, match="too long"):
        progress_update_correct(update=update, narrative="Board met in April.", reason=too_long)
    with pytest.raises(DomainError, match="too long"):
        progress_update_withdraw(update=update, user=inspector, reason=too_long)
    update.refresh_from_db()
    assert not update.is_withdrawn and not update.corrections.exists()


# 3. Migration 0011: imports labelled as imports, and a second run adds nothing: see
# tests/recommendations/test_data_migrations.py, which runs it as ``migrate`` does.


# 4. "Verified" means closed as complete, everywhere --------------------------------------------


def test_only_a_closure_as_complete_is_verified_in_the_api_and_exports(
    client, public_world, met, inspector
):
    item = public_world["recommendation"].items.get(organisation=met)
    item_close(item=item, outcome=Status.CLOSED_NOT_IMPLEMENTED, note="Not done.", user=inspector)
    item.refresh_from_db()
    assert not item.is_verified
    assert client.get(f"/api/v1/items/{item.pk}/").json()["verified"] is False
    response = client.get(
        reverse("public:finding-export-json") + "?organisation=metropolitan-police-service"
    )
    data = json.loads(b"".join(response.streaming_content))
    (row,) = [i for i in data["items"] if i["reference"] == "R1"]
    assert row["status_code"] == "closed_not_implemented" and row["verified"] is False


# 5. A cause of concern's correction reaches the public inspection page -------------------------


def test_a_cause_of_concern_correction_shows_on_the_inspection_page(
    client, public_world, inspector
):
    cause = public_world["cause"]
    cause_of_concern_update(
        cause=cause,
        changes={"text": "Governance of the use of force is poor."},
        user=inspector,
        reason="The cause named oversight twice.",
    )
    inspection = public_world["inspection"]
    html = client.get(reverse("public:inspection-detail", args=[inspection.slug])).content.decode()
    block = html.split("app-cause")[1]
    assert "Corrected on" in block and "The cause named oversight twice." in block


# 6. The action log is append-only in the database ---------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_the_action_log(public_world, inspector):
    entry = log_action(action="tests.entry", obj=public_world["inspection"], actor=inspector)
    for write in (
        lambda: ActionLog.objects.filter(pk=entry.pk).update(action="tests.rewritten"),
        lambda: ActionLog.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            write()
    assert ActionLog.objects.get(pk=entry.pk).action == "tests.entry"
