"""The lifecycle of one addressee's finding: every allowed move, every refused one, and the
history row each allowed move writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recommendations.choices import Channel, FindingKind, Source, Status
from recommendations.models import Assignment, Finding, StatusChange
from recommendations.services import (
    TransitionError,
    assignment_change_status,
    assignment_close,
    assignment_reopen,
    assignment_return,
    assignment_submit_for_closure,
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


def bring_to(assignment, status, newer_finding, inspector):
    """Walk the assignment to ``status`` through the services."""
    if status == S.OPEN:
        return assignment
    if status == S.SUBMITTED:
        return assignment_submit_for_closure(assignment=assignment, note="Done, evidence attached.")
    assignment = assignment_change_status(assignment=assignment, to_status=S.IN_PROGRESS)
    if status == S.IN_PROGRESS:
        return assignment
    return assignment_close(
        assignment=assignment,
        outcome=status,
        note="Authorised for closure on the basis of the evidence.",
        superseded_by=newer_finding if status == S.CLOSED_SUPERSEDED else None,
        user=inspector,
    )


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS, ids=lambda s: str(s))
def test_each_transition_is_allowed_or_refused(
    assignment, newer_finding, inspector, from_status, to_status
):
    assignment = bring_to(assignment, from_status, newer_finding, inspector)
    history_before = StatusChange.objects.filter(assignment=assignment).count()
    kwargs = {
        "assignment": assignment,
        "to_status": to_status,
        "user": inspector,
        "note": "Because the evidence says so.",
        "superseded_by": newer_finding if to_status == S.CLOSED_SUPERSEDED else None,
    }
    if (from_status, to_status) in ALLOWED:
        changed = assignment_change_status(**kwargs)
        assert changed.status == to_status
        latest = StatusChange.objects.filter(assignment=assignment).latest("changed_at")
        assert (latest.from_status, latest.to_status) == (from_status, to_status)
        assert latest.changed_by == inspector
        assert latest.note == "Because the evidence says so."
    else:
        with pytest.raises(TransitionError):
            assignment_change_status(**kwargs)
        assignment.refresh_from_db()
        assert assignment.status == from_status
        assert StatusChange.objects.filter(assignment=assignment).count() == history_before


def test_closing_needs_a_reason(assignment):
    assignment = assignment_change_status(assignment=assignment, to_status=S.IN_PROGRESS)
    with pytest.raises(TransitionError, match="Say why"):
        assignment_close(assignment=assignment, outcome=S.CLOSED_COMPLETE, note="  ")
    assignment.refresh_from_db()
    assert assignment.status == S.IN_PROGRESS


def test_superseded_needs_the_superseding_finding(assignment):
    with pytest.raises(TransitionError, match="supersedes"):
        assignment_close(assignment=assignment, outcome=S.CLOSED_SUPERSEDED, note="Replaced.")


def test_finding_cannot_supersede_itself(assignment):
    with pytest.raises(TransitionError, match="itself"):
        assignment_close(
            assignment=assignment,
            outcome=S.CLOSED_SUPERSEDED,
            note="Replaced.",
            superseded_by=assignment.finding,
        )


def test_superseded_links_to_newer_finding_and_reopen_clears_it(assignment, newer_finding):
    closed = assignment_close(
        assignment=assignment,
        outcome=S.CLOSED_SUPERSEDED,
        note="Replaced by R9.",
        superseded_by=newer_finding,
    )
    assert closed.superseded_by == newer_finding
    reopened = assignment_reopen(assignment=closed, note="R9 was withdrawn.")
    assert reopened.status == S.IN_PROGRESS
    assert reopened.superseded_by is None


def test_return_only_from_submitted(assignment):
    with pytest.raises(TransitionError, match="submitted"):
        assignment_return(assignment=assignment, note="Not enough evidence.")


def test_reopen_only_when_closed(assignment):
    with pytest.raises(TransitionError, match="closed"):
        assignment_reopen(assignment=assignment, note="Again.")


def test_submit_needs_evidence_description(assignment):
    with pytest.raises(TransitionError, match="evidence"):
        assignment_submit_for_closure(assignment=assignment, note="")


def test_self_reported_and_verified_are_told_apart(assignment, inspector):
    submitted = assignment_submit_for_closure(assignment=assignment, note="We did it.")
    assert submitted.is_self_reported and not submitted.is_verified
    closed = assignment_close(
        assignment=submitted, outcome=S.CLOSED_COMPLETE, note="Verified on site.", user=inspector
    )
    assert closed.is_verified and not closed.is_self_reported
    sources = list(
        StatusChange.objects.filter(assignment=assignment)
        .order_by("changed_at", "pk")
        .values_list("source", flat=True)
    )
    assert sources == [Source.ORGANISATION, Source.INSPECTORATE]


def test_returned_submission_is_an_inspectorate_decision(assignment, inspector):
    submitted = assignment_submit_for_closure(assignment=assignment, note="We did it.")
    assignment_return(assignment=submitted, note="The evidence is missing.", user=inspector)
    latest = StatusChange.objects.filter(assignment=assignment).latest("changed_at")
    assert latest.source == Source.INSPECTORATE
    assert latest.to_status == S.IN_PROGRESS


def test_each_change_bumps_the_version(assignment):
    assert assignment.version == 1
    changed = assignment_change_status(assignment=assignment, to_status=S.IN_PROGRESS)
    assert changed.version == 2
    assert Assignment.objects.get(pk=assignment.pk).version == 2


def test_first_progress_update_starts_the_work(assignment, met_user):
    update = progress_update_add(
        assignment=assignment,
        author=met_user,
        narrative="A new use of force panel has met twice.",
        self_assessment="on_track",
    )
    assignment.refresh_from_db()
    assert assignment.status == S.IN_PROGRESS
    change = StatusChange.objects.get(assignment=assignment)
    assert change.changed_by == met_user
    assert change.source == Source.ORGANISATION
    assert change.channel == Channel.WEB
    assert update.is_published is False


class TestOverdue:
    def test_active_past_due_is_overdue(self, assignment):
        assignment.due_date = timezone.localdate() - timedelta(days=1)
        assignment.save(update_fields=["due_date"])
        assert assignment.is_overdue()
        assert not assignment.is_not_yet_due()
        assert Assignment.objects.overdue().filter(pk=assignment.pk).exists()

    def test_due_today_is_not_yet_overdue(self, assignment):
        assignment.due_date = timezone.localdate()
        assert not assignment.is_overdue()
        assert assignment.is_not_yet_due()

    def test_closed_is_never_overdue(self, assignment, inspector):
        Assignment.objects.filter(pk=assignment.pk).update(
            due_date=timezone.localdate() - timedelta(days=30)
        )
        closed = assignment_close(
            assignment=assignment,
            outcome=S.CLOSED_NO_LONGER_RELEVANT,
            note="The custody suite closed.",
            user=inspector,
        )
        assert not closed.is_overdue()
        assert not Assignment.objects.overdue().filter(pk=assignment.pk).exists()

    def test_no_due_date_is_neither(self, assignment):
        assignment.due_date = None
        assert not assignment.is_overdue()
        assert not assignment.is_not_yet_due()

    def test_each_addressee_has_its_own_due_date(self, recommendation, met, mopac):
        met_assignment = recommendation.assignments.get(organisation=met)
        mopac_assignment = recommendation.assignments.get(organisation=mopac)
        Assignment.objects.filter(pk=met_assignment.pk).update(
            due_date=timezone.localdate() - timedelta(days=1)
        )
        overdue = set(Assignment.objects.overdue().values_list("pk", flat=True))
        assert met_assignment.pk in overdue
        assert mopac_assignment.pk not in overdue
