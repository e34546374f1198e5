"""The lifecycle of one addressee's finding: every allowed move, every refused one, and the
history row each allowed move writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recommendations.choices import Channel, FindingKind, Source, Status
from recommendations.models import Finding, Item, StatusChange
from recommendations.services import (
    TransitionError,
    item_change_status,
    item_close,
    item_reopen,
    item_return,
    item_submit_for_closure,
    progress_update_add,
)

S = Status
# Written out by hand from DOMAIN.md, not derived from the code's table.
ALLOWED = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.SUBMITTED),
    (S.OPEN, S.CLOSED_NOT_IMPLEMENTED),
    (S.OPEN, S.CLOSED_SUPERSEDED),
    (S.OPEN, S.CLOSED_NO_LONGER_RELEVANT),
    (S.IN_PROGRESS, S.SUBMITTED),
    (S.IN_PROGRESS, S.CLOSED_COMPLETE),
    (S.IN_PROGRESS, S.CLOSED_NOT_IMPLEMENTED),
    (S.IN_PROGRESS, S.CLOSED_SUPERSEDED),
    (S.IN_PROGRESS, S.CLOSED_NO_LONGER_RELEVANT),
    (S.SUBMITTED, S.IN_PROGRESS),
    (S.SUBMITTED, S.CLOSED_COMPLETE),
    (S.SUBMITTED, S.CLOSED_NOT_IMPLEMENTED),
    (S.SUBMITTED, S.CLOSED_SUPERSEDED),
    (S.SUBMITTED, S.CLOSED_NO_LONGER_RELEVANT),
    (S.CLOSED_COMPLETE, S.IN_PROGRESS),
    (S.CLOSED_NOT_IMPLEMENTED, S.IN_PROGRESS),
    (S.CLOSED_SUPERSEDED, S.IN_PROGRESS),
    (S.CLOSED_NO_LONGER_RELEVANT, S.IN_PROGRESS),
}
ALL_PAIRS = [(a, b) for a in S for b in S]


@pytest.fixture
def newer_finding(inspection):
    return Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        reference="R9",
        text="A later recommendation that replaces R1.",
    )


def bring_to(item, status, newer_finding, inspector):
    """Walk the item to ``status`` through the services."""
    if status == S.OPEN:
        return item
    if status == S.SUBMITTED:
        return item_submit_for_closure(item=item, note="Done, evidence attached.")
    item = item_change_status(item=item, to_status=S.IN_PROGRESS)
    if status == S.IN_PROGRESS:
        return item
    return item_close(
        item=item,
        outcome=status,
        note="Authorised for closure on the basis of the evidence.",
        superseded_by=newer_finding if status == S.CLOSED_SUPERSEDED else None,
        user=inspector,
    )


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS, ids=lambda s: str(s))
def test_each_transition_is_allowed_or_refused(
    item, newer_finding, inspector, from_status, to_status
):
    item = bring_to(item, from_status, newer_finding, inspector)
    history_before = StatusChange.objects.filter(item=item).count()
    kwargs = {
        "item": item,
        "to_status": to_status,
        "user": inspector,
        "note": "Because the evidence says so.",
        "superseded_by": newer_finding if to_status == S.CLOSED_SUPERSEDED else None,
    }
    if (from_status, to_status) in ALLOWED:
        changed = item_change_status(**kwargs)
        assert changed.status == to_status
        latest = StatusChange.objects.filter(item=item).latest("changed_at")
        assert (latest.from_status, latest.to_status) == (from_status, to_status)
        assert latest.changed_by == inspector
        assert latest.note == "Because the evidence says so."
    else:
        with pytest.raises(TransitionError):
            item_change_status(**kwargs)
        item.refresh_from_db()
        assert item.status == from_status
        assert StatusChange.objects.filter(item=item).count() == history_before


def test_closing_needs_a_reason(item):
    item = item_change_status(item=item, to_status=S.IN_PROGRESS)
    with pytest.raises(TransitionError, match="Say why"):
        item_close(item=item, outcome=S.CLOSED_COMPLETE, note="  ")
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS


def test_superseded_needs_the_superseding_finding(item):
    with pytest.raises(TransitionError, match="supersedes"):
        item_close(item=item, outcome=S.CLOSED_SUPERSEDED, note="Replaced.")


def test_finding_cannot_supersede_itself(item):
    with pytest.raises(TransitionError, match="itself"):
        item_close(
            item=item,
            outcome=S.CLOSED_SUPERSEDED,
            note="Replaced.",
            superseded_by=item.finding,
        )


def test_superseded_links_to_newer_finding_and_reopen_clears_it(item, newer_finding):
    closed = item_close(
        item=item,
        outcome=S.CLOSED_SUPERSEDED,
        note="Replaced by R9.",
        superseded_by=newer_finding,
    )
    assert closed.superseded_by == newer_finding
    reopened = item_reopen(item=closed, note="R9 was withdrawn.")
    assert reopened.status == S.IN_PROGRESS
    assert reopened.superseded_by is None


def test_return_only_from_submitted(item):
    with pytest.raises(TransitionError, match="submitted"):
        item_return(item=item, note="Not enough evidence.")


def test_reopen_only_when_closed(item):
    with pytest.raises(TransitionError, match="closed"):
        item_reopen(item=item, note="Again.")


def test_submit_needs_evidence_description(item):
    with pytest.raises(TransitionError, match="evidence"):
        item_submit_for_closure(item=item, note="")


def test_self_reported_and_verified_are_told_apart(item, inspector):
    submitted = item_submit_for_closure(item=item, note="We did it.")
    assert submitted.is_self_reported and not submitted.is_verified
    closed = item_close(
        item=submitted, outcome=S.CLOSED_COMPLETE, note="Verified on site.", user=inspector
    )
    assert closed.is_verified and not closed.is_self_reported
    sources = list(
        StatusChange.objects.filter(item=item)
        .order_by("changed_at", "pk")
        .values_list("source", flat=True)
    )
    assert sources == [Source.ORGANISATION, Source.INSPECTORATE]


def test_returned_submission_is_an_inspectorate_decision(item, inspector):
    submitted = item_submit_for_closure(item=item, note="We did it.")
    item_return(item=submitted, note="The evidence is missing.", user=inspector)
    latest = StatusChange.objects.filter(item=item).latest("changed_at")
    assert latest.source == Source.INSPECTORATE
    assert latest.to_status == S.IN_PROGRESS


def test_each_change_bumps_the_version(item):
    assert item.version == 1
    changed = item_change_status(item=item, to_status=S.IN_PROGRESS)
    assert changed.version == 2
    assert Item.objects.get(pk=item.pk).version == 2


def test_first_progress_update_starts_the_work(item, met_user):
    update = progress_update_add(
        item=item,
        author=met_user,
        narrative="A new use of force panel has met twice.",
        self_assessment="on_track",
    )
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS
    change = StatusChange.objects.get(item=item)
    assert change.changed_by == met_user
    assert change.source == Source.ORGANISATION
    assert change.channel == Channel.WEB
    assert update.is_published is False


class TestOverdue:
    def test_active_past_due_is_overdue(self, item):
        item.due_date = timezone.localdate() - timedelta(days=1)
        item.save(update_fields=["due_date"])
        assert item.is_overdue()
        assert not item.is_not_yet_due()
        assert Item.objects.overdue().filter(pk=item.pk).exists()

    def test_due_today_is_not_yet_overdue(self, item):
        item.due_date = timezone.localdate()
        assert not item.is_overdue()
        assert item.is_not_yet_due()

    def test_closed_is_never_overdue(self, item, inspector):
        Item.objects.filter(pk=item.pk).update(due_date=timezone.localdate() - timedelta(days=30))
        closed = item_close(
            item=item,
            outcome=S.CLOSED_NO_LONGER_RELEVANT,
            note="The custody suite closed.",
            user=inspector,
        )
        assert not closed.is_overdue()
        assert not Item.objects.overdue().filter(pk=item.pk).exists()

    def test_no_due_date_is_neither(self, item):
        item.due_date = None
        assert not item.is_overdue()
        assert not item.is_not_yet_due()

    def test_each_addressee_has_its_own_due_date(self, recommendation, met, mopac):
        met_item = recommendation.items.get(organisation=met)
        mopac_item = recommendation.items.get(organisation=mopac)
        Item.objects.filter(pk=met_item.pk).update(
            due_date=timezone.localdate() - timedelta(days=1)
        )
        overdue = set(Item.objects.overdue().values_list("pk", flat=True))
        assert met_item.pk in overdue
        assert mopac_item.pk not in overdue
