"""The refusals of the recommendations services that no page reaches first: each says why, in
words a person can act on, and leaves nothing stored and nothing logged."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import ActionLog
from core.errors import DomainError
from recommendations.choices import FindingKind, Status
from recommendations.models import CauseOfConcern, DueDateProposal, Finding, ProgressUpdate
from recommendations.services import (
    TransitionError,
    cause_of_concern_create,
    cause_of_concern_delete,
    cause_of_concern_discharge,
    cause_of_concern_update,
    due_date_decide,
    due_date_propose,
    finding_create,
    finding_delete,
    finding_move,
    finding_replace_addressee,
    finding_update,
    findings_update,
    inspection_set_publication,
    item_check_transition,
    item_close,
    item_set_due_date,
    item_start,
    progress_update_add,
    progress_update_correct,
    progress_update_withdraw,
    section55_open_responses,
    section55_publish,
    section55_record_response,
    section55_save_draft,
)


@pytest.fixture
def nothing_logged():
    before = ActionLog.objects.count()
    yield
    assert ActionLog.objects.count() == before


# Drafting a report: causes of concern and findings --------------------------------------------


def test_a_cause_of_concern_is_added_after_the_last_and_logged(draft, inspector):
    first = cause_of_concern_create(inspection=draft, reference=" CoC1 ", text="Use of force.")
    second = cause_of_concern_create(
        inspection=draft, reference="CoC2", text="Mental health.", user=inspector
    )

    assert (first.reference, first.position, second.position) == ("CoC1", 0, 1)
    logged = ActionLog.objects.get(
        action="recommendations.cause_of_concern.created", actor=inspector
    )
    assert logged.data == {"reference": "CoC2"}


@pytest.mark.parametrize(
    ("reference", "text", "says"),
    [
        (" ", "Use of force.", "A cause of concern needs a reference and a text."),
        ("CoC1", "  ", "A cause of concern needs a reference and a text."),
        ("afi1", "Use of force.", "already has a finding or cause of concern afi1"),
    ],
)
def test_a_cause_of_concern_needs_a_free_reference_and_a_text(
    draft, reference, text, says, nothing_logged
):
    with pytest.raises(DomainError, match=re.escape(says)):
        cause_of_concern_create(inspection=draft, reference=reference, text=text)

    assert not CauseOfConcern.objects.exists()


def test_no_cause_of_concern_is_added_to_a_published_report(inspection, nothing_logged):
    with pytest.raises(
        DomainError, match=re.escape("is published: causes of concern are added only before")
    ):
        cause_of_concern_create(inspection=inspection, reference="CoC9", text="Late.")

    assert not inspection.causes_of_concern.exists()


@pytest.fixture
def draft_cause(draft):
    return CauseOfConcern.objects.create(inspection=draft, reference="CoC1", text="Use of force.")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"reference": " ", "text": "A text."}, "A finding needs a reference and a text."),
        ({"organisations": []}, "R1: choose at least one organisation it is addressed to."),
        ({"kind": FindingKind.AREA_FOR_IMPROVEMENT}, "only a recommendation of this report"),
        ({"other_report_cause": True}, "only a recommendation of this report answers a cause"),
        ({"due_date": date(2027, 1, 1), "no_deadline": True}, "not both"),
        ({"reference": "coc1"}, "already has a finding or cause of concern coc1"),
    ],
)
def test_a_finding_is_refused_until_it_is_whole(
    draft, draft_cause, inspection, met, changes, says, nothing_logged
):
    arguments = {
        "inspection": draft,
        "kind": FindingKind.RECOMMENDATION,
        "reference": "R1",
        "text": "The force should improve governance.",
        "organisations": [met],
        "cause_of_concern": draft_cause,
    }
    if changes.pop("other_report_cause", False):
        changes["cause_of_concern"] = CauseOfConcern.objects.create(
            inspection=inspection, reference="CoC1", text="Published cause."
        )
    arguments.update(changes)

    with pytest.raises(DomainError, match=re.escape(says)):
        finding_create(**arguments)

    assert not draft.findings.filter(kind=FindingKind.RECOMMENDATION).exists()


def test_a_finding_is_removed_from_a_draft_only_with_a_reason_and_no_history(draft, met, inspector):
    finding = finding_create(
        inspection=draft,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        text="The force should improve governance.",
        organisations=[met],
    )

    with pytest.raises(DomainError, match=re.escape("Give the reason for removing the finding.")):
        finding_delete(finding=finding, reason=" ")
    item_start(item=finding.items.get(), note="Begun before publication.")
    with pytest.raises(DomainError, match=re.escape("already has a history, so R1 stays")):
        finding_delete(finding=finding, reason="Pasted twice.")

    assert Finding.objects.filter(pk=finding.pk).exists()
    assert not ActionLog.objects.filter(action="recommendations.finding.deleted").exists()


def test_a_published_finding_stays(recommendation, nothing_logged):
    with pytest.raises(
        DomainError, match=re.escape("is published: findings are removed only before")
    ):
        finding_delete(finding=recommendation, reason="Pasted twice.")

    assert Finding.objects.filter(pk=recommendation.pk).exists()


def test_a_cause_of_concern_is_removed_only_with_a_reason_and_no_recommendations(
    draft, draft_cause, met, inspector
):
    finding_create(
        inspection=draft,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        text="The force should improve governance.",
        organisations=[met],
        cause_of_concern=draft_cause,
    )

    with pytest.raises(
        DomainError, match=re.escape("Give the reason for removing the cause of concern.")
    ):
        cause_of_concern_delete(cause=draft_cause, reason="")
    with pytest.raises(
        DomainError, match=re.escape("CoC1 has recommendations: remove them or move them")
    ):
        cause_of_concern_delete(cause=draft_cause, reason="Not a cause.")

    assert CauseOfConcern.objects.filter(pk=draft_cause.pk).exists()
    assert not ActionLog.objects.filter(action="recommendations.cause_of_concern.deleted").exists()


def test_a_cause_of_concern_without_recommendations_is_removed_and_logged_on_the_report(
    draft, draft_cause, inspector
):
    cause_of_concern_delete(cause=draft_cause, reason="Pasted twice.", user=inspector)

    assert not CauseOfConcern.objects.exists()
    logged = ActionLog.objects.for_object(draft).get(
        action="recommendations.cause_of_concern.deleted"
    )
    assert logged.data == {"reference": "CoC1", "text": "Use of force.", "reason": "Pasted twice."}


def test_a_published_cause_of_concern_stays(inspection, nothing_logged):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Force.")

    with pytest.raises(DomainError, match=re.escape("causes of concern are removed only before")):
        cause_of_concern_delete(cause=cause, reason="Pasted twice.")

    assert CauseOfConcern.objects.filter(pk=cause.pk).exists()


def test_findings_move_within_their_group_and_not_past_its_ends(draft, draft_cause, met):
    def add(reference, cause=None, kind=FindingKind.RECOMMENDATION):
        return finding_create(
            inspection=draft,
            kind=kind,
            reference=reference,
            text=f"Text of {reference}.",
            organisations=[met],
            cause_of_concern=cause,
        )

    r1, r2, r3 = add("R1", draft_cause), add("R2", draft_cause), add("R3")

    finding_move(finding=r1, up=True)  # Already first of its cause: nothing moves.
    assert not ActionLog.objects.filter(action="recommendations.finding.moved").exists()
    finding_move(finding=r1, up=False)

    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (r2.position, r1.position) == (0, 1)
    logged = ActionLog.objects.get(action="recommendations.finding.moved")
    assert logged.data == {"order": ["R2", "R1"]}
    r3.refresh_from_db()
    assert r3.position == 2  # Another group: left alone.


# Changing findings and causes ----------------------------------------------------------------


def test_finding_update_names_the_fields_it_does_not_change(recommendation):
    with pytest.raises(ValueError, match=re.escape("published_at, slug")):
        findings_update(updates=[(recommendation, {"slug": "x", "published_at": None})], reason="")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"kind": FindingKind.AREA_FOR_IMPROVEMENT}, "only a recommendation can answer a cause"),
        ({"text": "  "}, "R1: the text cannot be empty."),
        ({"reference": " "}, "R1: the reference cannot be empty."),
        ({"reference": "R2"}, "already has a finding"),
        ({"reference": "r2"}, "already has a finding"),
        ({"reference": "CoC1"}, "already has a finding or cause of concern CoC1"),
    ],
)
def test_a_finding_change_that_would_break_the_report_is_refused(
    draft, draft_cause, met, changes, says
):
    r1 = finding_create(
        inspection=draft,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        text="First.",
        organisations=[met],
        cause_of_concern=draft_cause,
    )
    finding_create(
        inspection=draft,
        kind=FindingKind.RECOMMENDATION,
        reference="R2",
        text="Second.",
        organisations=[met],
    )
    logged = ActionLog.objects.count()

    with pytest.raises(DomainError, match=re.escape(says)):
        finding_update(finding=r1, changes=changes, reason="Edited.")

    r1.refresh_from_db()
    assert (r1.reference, r1.text, r1.kind) == ("R1", "First.", FindingKind.RECOMMENDATION)
    assert ActionLog.objects.count() == logged


def test_a_finding_cannot_answer_a_cause_of_another_report(recommendation, draft_cause):
    with pytest.raises(
        DomainError, match=re.escape("CoC1 is a cause of concern of another inspection.")
    ):
        finding_update(
            finding=recommendation, changes={"cause_of_concern": draft_cause}, reason="Moved."
        )

    recommendation.refresh_from_db()
    assert recommendation.cause_of_concern is None


def test_a_recommendation_with_section55_statements_stays_one(inspection, recommendation, mopac):
    (response,) = section55_open_responses(inspection=inspection)
    section55_save_draft(
        response=response,
        user=None,
        text="Our response.",
        statements={recommendation: ("taken", "We accept it.")},
    )

    with pytest.raises(DomainError, match=re.escape("R1 has section 55 statements, so it stays")):
        finding_update(
            finding=recommendation,
            changes={"kind": FindingKind.AREA_FOR_IMPROVEMENT},
            reason="Mistyped.",
        )

    recommendation.refresh_from_db()
    assert recommendation.kind == FindingKind.RECOMMENDATION


@pytest.mark.parametrize(
    ("changes", "reason", "says"),
    [
        ({"text": "New words."}, "", "CoC1 is public: give the reason for the correction"),
        ({"text": " "}, "Typo.", "CoC1: the text cannot be empty."),
        ({"reference": " "}, "Typo.", "CoC1: the reference cannot be empty."),
        ({"reference": "r1"}, "Typo.", "already has a finding or cause of concern r1"),
    ],
)
def test_a_cause_of_concern_change_that_will_not_do_is_refused(
    inspection, recommendation, changes, reason, says
):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Force.")

    with pytest.raises(DomainError, match=re.escape(says)):
        cause_of_concern_update(cause=cause, changes=changes, reason=reason)

    cause.refresh_from_db()
    assert (cause.reference, cause.text) == ("CoC1", "Force.")
    assert not ActionLog.objects.for_object(cause).exists()


def test_cause_of_concern_update_names_the_fields_it_does_not_change(inspection):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Force.")

    with pytest.raises(ValueError, match=re.escape("discharged_on")):
        cause_of_concern_update(cause=cause, changes={"discharged_on": date(2026, 1, 1)})


def test_a_discharge_needs_its_basis_and_happens_once(inspection, inspector):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Force.")

    with pytest.raises(
        DomainError, match=re.escape("Say on what basis the cause of concern is discharged.")
    ):
        cause_of_concern_discharge(cause=cause, discharged_on=date(2026, 3, 1), note=" ")
    cause_of_concern_discharge(
        cause=cause, discharged_on=date(2026, 3, 1), note="Revisit found it fixed.", user=inspector
    )
    with pytest.raises(DomainError, match=re.escape("CoC1 was already discharged on 2026-03-01")):
        cause_of_concern_discharge(cause=cause, discharged_on=date(2026, 4, 1), note="Again.")

    cause.refresh_from_db()
    assert cause.discharged_on == date(2026, 3, 1)


# Items: status and due dates -------------------------------------------------------------------


def test_only_a_superseded_closure_names_a_superseding_finding(item, inspection, met):
    newer = Finding.objects.create(
        inspection=inspection, kind=FindingKind.RECOMMENDATION, reference="R5", text="Newer."
    )

    with pytest.raises(TransitionError, match=re.escape("Only a finding closed as superseded has")):
        item_check_transition(
            item=item, to_status=Status.CLOSED_NOT_IMPLEMENTED, note="No.", superseded_by=newer
        )


def test_closing_with_a_status_that_is_not_a_closure_is_refused(item, nothing_logged):
    with pytest.raises(
        TransitionError, match=re.escape("“in_progress” is not a way of closing a finding.")
    ):
        item_close(item=item, outcome=Status.IN_PROGRESS, note="Done.")

    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_a_new_due_date_needs_a_reason(item, nothing_logged):
    before = item.due_date

    with pytest.raises(DomainError, match=re.escape("Give the reason for the new due date.")):
        item_set_due_date(item=item, due_date=before + timedelta(days=30), reason=" ")

    item.refresh_from_db()
    assert item.due_date == before and not item.due_date_changes.exists()


def test_the_same_due_date_again_changes_nothing(item, nothing_logged):
    version = item.version

    same = item_set_due_date(item=item, due_date=item.due_date, reason="Confirmed.")

    assert same.version == version
    assert not item.due_date_changes.exists()


@pytest.mark.parametrize(
    ("days", "reason", "says"),
    [
        (30, " ", "Give the reason for the new due date."),
        (0, "Staff shortage.", "The new due date must be in the future."),
        (None, "Staff shortage.", "That is already the due date."),
    ],
)
def test_a_due_date_proposal_that_will_not_do_is_refused(item, met_user, days, reason, says):
    proposed = item.due_date if days is None else timezone.localdate() + timedelta(days=days)

    with pytest.raises(DomainError, match=re.escape(says)):
        due_date_propose(item=item, user=met_user, proposed_due_date=proposed, reason=reason)

    assert not DueDateProposal.objects.exists()


def test_no_due_date_proposal_for_a_closed_item(item, met_user, inspector):
    item_close(item=item, outcome=Status.CLOSED_NO_LONGER_RELEVANT, note="Force merged.")

    with pytest.raises(DomainError, match=re.escape("A closed item has no due date to move.")):
        due_date_propose(
            item=item,
            user=met_user,
            proposed_due_date=timezone.localdate() + timedelta(days=40),
            reason="Staff.",
        )

    assert not DueDateProposal.objects.exists()


def test_a_proposal_is_refused_with_a_reason_and_decided_once(item, met_user, inspector):
    before = item.due_date
    proposal = due_date_propose(
        item=item,
        user=met_user,
        proposed_due_date=item.due_date + timedelta(days=60),
        reason="Staff shortage.",
    )

    with pytest.raises(DomainError, match=re.escape("Say why the new due date is refused.")):
        due_date_decide(proposal=proposal, user=inspector, agree=False, note=" ")
    due_date_decide(proposal=proposal, user=inspector, agree=False, note="Six months is enough.")
    with pytest.raises(DomainError, match=re.escape("This proposal has already been decided.")):
        due_date_decide(proposal=proposal, user=inspector, agree=True)

    item.refresh_from_db()
    proposal.refresh_from_db()
    assert item.due_date == before and proposal.decision_note == "Six months is enough."
    assert not item.due_date_changes.exists()


# Addressees ---------------------------------------------------------------------------------


def test_replacing_an_addressee_needs_a_reason_and_a_new_organisation(item, mopac, met, kent):
    with pytest.raises(DomainError, match=re.escape("Give the reason for changing the addressee.")):
        finding_replace_addressee(item=item, organisation=kent, reason="")
    with pytest.raises(
        DomainError, match=re.escape("is already addressed to Metropolitan Police Service")
    ):
        finding_replace_addressee(item=item, organisation=met, reason="Wrong body.")
    with pytest.raises(DomainError, match=re.escape("R1 is already addressed to Mayor's Office")):
        finding_replace_addressee(item=item, organisation=mopac, reason="Wrong body.")

    assert set(item.finding.items.values_list("organisation", flat=True)) == {met.pk, mopac.pk}


# Progress updates ---------------------------------------------------------------------------


@pytest.fixture
def published_update(item):
    return progress_update_add(
        item=item, narrative="A board met in March.", self_assessment="on_track", publish=True
    )


def test_only_the_addressees_people_correct_an_update_and_with_a_reason(
    published_update, kent_user, met_user
):
    with pytest.raises(
        DomainError, match=re.escape("Only the people of the organisation that wrote it")
    ):
        progress_update_correct(
            update=published_update, author=kent_user, narrative="Kent's words.", reason="Mine."
        )
    with pytest.raises(DomainError, match=re.escape("Say what the correction puts right")):
        progress_update_correct(
            update=published_update, author=met_user, narrative="It met in April.", reason=" "
        )

    assert ProgressUpdate.objects.count() == 1


def test_a_withdrawn_update_is_not_corrected_nor_withdrawn_again(
    published_update, inspector, met_user
):
    progress_update_withdraw(update=published_update, user=inspector, reason="Names a victim.")

    with pytest.raises(
        DomainError, match=re.escape("has been withdrawn, so it cannot be corrected")
    ):
        progress_update_correct(
            update=published_update, author=met_user, narrative="Again.", reason="Fix."
        )
    with pytest.raises(DomainError, match=re.escape("This update was already withdrawn on")):
        progress_update_withdraw(update=published_update, user=inspector, reason="Again.")

    assert ProgressUpdate.objects.count() == 1
    assert ActionLog.objects.filter(action="recommendations.progress_update.withdrawn").count() == 1


def test_a_withdrawal_needs_a_reason_and_a_published_update(item, inspector):
    internal = progress_update_add(item=item, narrative="Draft notes.", self_assessment="at_risk")

    with pytest.raises(DomainError, match=re.escape("Give the reason for the withdrawal")):
        progress_update_withdraw(update=internal, user=inspector, reason=" ")
    with pytest.raises(DomainError, match=re.escape("Only a published update can be withdrawn.")):
        progress_update_withdraw(update=internal, user=inspector, reason="Names a victim.")

    internal.refresh_from_db()
    assert internal.withdrawn_at is None


# Section 55 -----------------------------------------------------------------------------------


@pytest.fixture
def response(inspection, recommendation):
    (response,) = section55_open_responses(inspection=inspection)
    return response


def test_a_recorded_response_names_recommendations_of_its_report_only(
    response, recommendation, public_world, draft
):
    afi = public_world["afi"]
    other = draft.findings.get()

    with pytest.raises(
        DomainError, match=re.escape("Give the link to the published response or its text.")
    ):
        section55_record_response(response=response, received_on=timezone.localdate())
    with pytest.raises(DomainError, match=re.escape("AFI1 is not a finding of this report.")):
        section55_record_response(
            response=response,
            received_on=timezone.localdate(),
            text="Our response.",
            statements={other: ("taken", "Yes.")},
        )
    with pytest.raises(DomainError, match=re.escape("AFI1 is not a recommendation.")):
        section55_record_response(
            response=response,
            received_on=timezone.localdate(),
            text="Our response.",
            statements={afi: ("taken", "Yes.")},
        )

    response.refresh_from_db()
    assert response.received_on is None and not response.statements.exists()


def test_a_draft_response_is_refused_for_an_area_for_improvement(response, public_world):
    with pytest.raises(
        DomainError, match=re.escape("AFI1 is not a recommendation of this report.")
    ):
        section55_save_draft(
            response=response,
            user=None,
            text="Our response.",
            statements={public_world["afi"]: ("taken", "Yes.")},
        )

    response.refresh_from_db()
    assert response.text == "" and not response.statements.exists()


def test_a_published_response_is_neither_redrafted_nor_published_again(response, recommendation):
    section55_save_draft(
        response=response,
        user=None,
        text="Our response.",
        statements={recommendation: ("taken", "We accept it.")},
    )
    section55_publish(response=response, user=None)

    with pytest.raises(
        DomainError, match=re.escape("has been published and can no longer be changed")
    ):
        section55_save_draft(response=response, user=None, text="Other words.")
    with pytest.raises(DomainError, match=re.escape("This response has already been published.")):
        section55_publish(response=response, user=None)

    response.refresh_from_db()
    assert response.text == "Our response."


def test_an_empty_response_is_not_published(response, nothing_logged):
    with pytest.raises(DomainError, match=re.escape("Write the response, or give the link")):
        section55_publish(response=response, user=None)

    response.refresh_from_db()
    assert response.received_on is None


def test_the_same_publication_time_again_changes_nothing(draft, nothing_logged):
    when = timezone.now() + timedelta(days=3)
    type(draft).objects.filter(pk=draft.pk).update(published_at=when)

    inspection_set_publication(inspection=draft, published_at=when)

    draft.refresh_from_db()
    assert draft.published_at == when
