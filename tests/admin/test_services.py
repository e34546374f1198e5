"""The services the admin calls for addressees and report corrections."""

import pytest

from audit.models import ActionLog
from core.errors import DomainError
from inspections.services import inspection_update
from recommendations.choices import Status
from recommendations.models import Item, StatusChange
from recommendations.services import (
    finding_remove_addressee,
    finding_replace_addressee,
    item_start,
)


def test_removing_an_addressee_with_history_is_refused_even_before_publication(
    embargoed, kent, inspector
):
    item = Item.objects.get(finding__inspection=embargoed, organisation=kent)
    item_start(item=item, note="Begun.")
    with pytest.raises(DomainError, match="already has a history"):
        finding_remove_addressee(item=item, user=inspector, reason="Mistake.")
    assert Item.objects.filter(pk=item.pk).exists()


def test_removing_needs_a_reason(embargoed, kent, inspector):
    item = Item.objects.get(finding__inspection=embargoed, organisation=kent)
    with pytest.raises(DomainError, match="Give the reason"):
        finding_remove_addressee(item=item, user=inspector, reason=" ")
    assert Item.objects.filter(pk=item.pk).exists()


def test_replacing_before_publication_removes_and_adds_without_a_closure(
    embargoed, kent, mopac, inspector
):
    item = Item.objects.get(finding__inspection=embargoed, organisation=kent)
    new = finding_replace_addressee(
        item=item, organisation=mopac, user=inspector, reason="MOPAC, not Kent."
    )
    assert new.organisation == mopac
    assert not Item.objects.filter(pk=item.pk).exists()
    assert not StatusChange.objects.exists()
    logged = set(ActionLog.objects.values_list("action", flat=True))
    assert {"recommendations.assignment.removed", "recommendations.assignment.replaced"} <= logged


def test_replacing_a_closed_published_item_keeps_it_as_it_is(item, kent, inspector):
    from recommendations.services import item_close

    closed = item_close(item=item, outcome=Status.CLOSED_NOT_IMPLEMENTED, note="Declined.")
    new = finding_replace_addressee(
        item=closed, organisation=kent, user=inspector, reason="Kent, as the report says."
    )
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED_NOT_IMPLEMENTED
    assert new.organisation == kent and new.status == Status.OPEN


def test_replacing_with_an_organisation_already_addressed_is_refused(item, mopac, inspector):
    with pytest.raises(DomainError, match="already addressed"):
        finding_replace_addressee(item=item, organisation=mopac, user=inspector, reason="Why.")
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_a_stale_replacement_is_refused(item, kent, inspector):
    from recommendations.services import StaleEditError

    item_start(item=item, note="Begun.")
    with pytest.raises(StaleEditError):
        finding_replace_addressee(
            item=item,
            organisation=kent,
            user=inspector,
            reason="Kent.",
            expected_version=1,
        )
    assert not Item.objects.filter(organisation=kent).exists()


def test_correcting_a_published_report_needs_a_reason_and_is_logged(inspection, inspector):
    with pytest.raises(DomainError, match="give the reason for the correction"):
        inspection_update(
            inspection=inspection, changes={"title": "New"}, user=inspector, reason=""
        )
    diffs = inspection_update(
        inspection=inspection,
        changes={"title": "New", "summary": ""},
        user=inspector,
        reason="Misnamed.",
    )
    assert diffs == {"title": ("Metropolitan Police Service custody", "New")}
    log = ActionLog.objects.get()
    assert log.action == "inspections.inspection.corrected"
    assert log.data == {
        "fields": {"title": {"from": "Metropolitan Police Service custody", "to": "New"}},
        "reason": "Misnamed.",
    }


def test_editing_an_unpublished_report_is_logged_as_an_edit(embargoed, inspector):
    inspection_update(inspection=embargoed, changes={"summary": "S."}, user=inspector, reason="")
    assert ActionLog.objects.for_object(embargoed).get().action == "inspections.inspection.edited"


def test_inspection_update_changes_only_its_fields(inspection, inspector):
    with pytest.raises(ValueError):
        inspection_update(
            inspection=inspection,
            changes={"published_at": None},
            user=inspector,
            reason="Withdrawn.",
        )
