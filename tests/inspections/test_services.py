import re
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


def test_leaving_engage_needs_reasons_and_a_date_after_entry(met):
    from inspections.models import EngagePeriod

    engage_enter(organisation=met, entered_on=date(2025, 3, 3), reasons="Custody.")

    with pytest.raises(DomainError, match="Give the reasons for moving the organisation out"):
        engage_leave(organisation=met, left_on=date(2025, 9, 1), reasons=" ")
    with pytest.raises(DomainError, match="The exit date cannot be before the entry date"):
        engage_leave(organisation=met, left_on=date(2025, 3, 2), reasons="Improved.")

    period = EngagePeriod.objects.get(organisation=met)
    assert period.left_on is None and period.exit_reasons == ""
    assert not ActionLog.objects.filter(action="inspections.engage.left").exists()


def test_an_organisation_cannot_succeed_itself(met):
    with pytest.raises(DomainError, match="An organisation cannot succeed itself"):
        organisation_set_successor(organisation=met, successor=met, ceased_on=date(2025, 1, 1))

    met.refresh_from_db()
    assert met.successor is None


def test_inspection_update_names_the_fields_it_does_not_change(inspection):
    from inspections.services import inspection_update

    with pytest.raises(ValueError, match="published_at, updated_at"):
        inspection_update(
            inspection=inspection, changes={"updated_at": None, "published_at": None}, reason="No."
        )


def test_a_correction_needs_a_reason_and_keeps_a_title(inspection):
    from inspections.services import inspection_update

    with pytest.raises(DomainError, match="is public: give the reason for the correction"):
        inspection_update(inspection=inspection, changes={"summary": "New words."}, reason=" ")
    with pytest.raises(DomainError, match="The title cannot be empty"):
        inspection_update(inspection=inspection, changes={"title": " "}, reason="Typo.")

    inspection.refresh_from_db()
    assert inspection.title == "Metropolitan Police Service custody"
    assert not ActionLog.objects.for_object(inspection).exists()


def test_the_same_values_again_change_nothing_and_log_nothing(inspection):
    from inspections.services import inspection_update

    diffs = inspection_update(inspection=inspection, changes={"title": inspection.title}, reason="")

    assert diffs == {}
    assert not ActionLog.objects.for_object(inspection).exists()


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"title": " "}, "Give the report's title."),
        ({"organisations": []}, "Name at least one inspected organisation."),
        (
            {"fieldwork_started_on": date(2025, 5, 2), "fieldwork_ended_on": date(2025, 5, 1)},
            "The fieldwork cannot end before it starts.",
        ),
    ],
)
def test_a_new_report_needs_a_title_an_organisation_and_fieldwork_in_order(
    hmicfrs, custody, met, arguments, says
):
    from inspections.models import Inspection
    from inspections.services import inspection_create

    with pytest.raises(DomainError, match=re.escape(says)):
        inspection_create(
            **{
                "title": "Kent custody",
                "programme": custody,
                "lead_inspectorate": hmicfrs,
                "organisations": [met],
                **arguments,
            }
        )

    assert not Inspection.objects.exists()
    assert not ActionLog.objects.filter(action="inspections.inspection.created").exists()


def test_a_new_reports_slug_is_made_unique_and_its_lead_is_not_its_partner(
    hmicfrs, custody, met, inspection
):
    from inspections.services import inspection_create

    report = inspection_create(
        title=inspection.title,
        programme=custody,
        lead_inspectorate=hmicfrs,
        organisations=[met],
        partner_inspectorates=[hmicfrs],
    )

    assert report.slug == "metropolitan-police-service-custody"
    again = inspection_create(
        title=inspection.title, programme=custody, lead_inspectorate=hmicfrs, organisations=[met]
    )
    assert again.slug == "metropolitan-police-service-custody-2"
    assert not report.partner_inspectorates.exists()
    assert report.published_at is None
