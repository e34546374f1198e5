from datetime import date

import pytest

from audit.models import ActionLog
from core.errors import DomainError
from inspections.choices import OrganisationKind
from inspections.models import Organisation
from inspections.services import engage_enter, engage_leave, organisation_set_successor
from recommendations.models import Item


def test_engage_entry_and_exit_are_logged_with_reasons(met, inspector):
    period = engage_enter(
        organisation=met,
        entered_on=date(2022, 6, 28),
        reasons="Concerns not addressed.",
        user=inspector,
    )
    assert period.is_current
    with pytest.raises(DomainError, match="already in Engage"):
        engage_enter(organisation=met, entered_on=date(2022, 7, 1), reasons="Again.")
    left = engage_leave(
        organisation=met, left_on=date(2025, 7, 17), reasons="Improved.", user=inspector
    )
    assert not left.is_current
    actions = list(
        ActionLog.objects.for_object(met).order_by("at").values_list("action", flat=True)
    )
    assert actions == ["inspections.engage.entered", "inspections.engage.left"]


def test_engage_needs_reasons(met):
    with pytest.raises(DomainError, match="reasons"):
        engage_enter(organisation=met, entered_on=date(2022, 6, 28), reasons=" ")


def test_cannot_leave_engage_when_not_in_it(met):
    with pytest.raises(DomainError, match="not in Engage"):
        engage_leave(organisation=met, left_on=date(2022, 6, 28), reasons="x")


def test_findings_follow_a_successor(item, met):
    old = Organisation.objects.create(
        slug="old-force", name="Old Force", kind=OrganisationKind.POLICE_FORCE
    )
    moved = Item.objects.create(finding=item.finding, organisation=old)
    organisation_set_successor(organisation=old, successor=met, ceased_on=date(2022, 2, 1))
    assert old.pk in met.lineage_ids()
    assert set(Item.objects.for_organisation(met)) == {item, moved}
    assert old.current_successor() == met


def test_succession_cannot_loop(met):
    old = Organisation.objects.create(slug="old", name="Old", kind=OrganisationKind.POLICE_FORCE)
    organisation_set_successor(organisation=old, successor=met, ceased_on=date(2022, 2, 1))
    with pytest.raises(DomainError, match="loop"):
        organisation_set_successor(organisation=met, successor=old, ceased_on=date(2023, 1, 1))


def test_series_lists_every_follow_up_in_order(inspection, hmicfrs, custody):
    from datetime import timedelta

    from inspections.models import Inspection

    first = Inspection.objects.create(
        title="Update 1",
        slug="u1",
        programme=custody,
        lead_inspectorate=hmicfrs,
        published_at=inspection.published_at + timedelta(days=90),
        follows_up=inspection,
    )
    second = Inspection.objects.create(
        title="Update 2",
        slug="u2",
        programme=custody,
        lead_inspectorate=hmicfrs,
        published_at=inspection.published_at + timedelta(days=180),
        follows_up=first,
    )
    assert second.series() == [inspection, first, second]
    assert inspection.series() == [inspection, first, second]
