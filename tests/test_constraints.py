"""The invariants the database itself enforces, whatever code path writes."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from inspections.choices import Grade, GradingScale, OrganisationKind
from inspections.models import EngagePeriod, Judgement, KeyFigure, Organisation
from recommendations.choices import FindingKind, Status
from recommendations.models import (
    CauseOfConcern,
    Finding,
    Item,
    Section55Response,
    Section55Statement,
    StatusChange,
)


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_finding_reference_is_unique_within_its_inspection(recommendation):
    refused(
        lambda: Finding.objects.create(
            inspection=recommendation.inspection,
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            reference="R1",
            text="Duplicate reference.",
        )
    )


def test_same_reference_in_another_inspection_is_fine(recommendation, inspection, custody, hmicfrs):
    from inspections.models import Inspection

    other = Inspection.objects.create(
        title="Another", slug="another", programme=custody, lead_inspectorate=hmicfrs
    )
    Finding.objects.create(
        inspection=other, kind=FindingKind.RECOMMENDATION, reference="R1", text="x"
    )
    assert Finding.objects.filter(reference="R1").count() == 2


def test_area_for_improvement_cannot_hang_under_a_cause_of_concern(inspection):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Poor.")
    refused(
        lambda: Finding.objects.create(
            inspection=inspection,
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            cause_of_concern=cause,
            reference="AFI1",
            text="x",
        )
    )


def test_finding_kind_must_be_known(inspection):
    refused(
        lambda: Finding.objects.create(inspection=inspection, kind="wish", reference="W1", text="x")
    )


def test_cause_of_concern_discharged_needs_a_note(inspection):
    refused(
        lambda: CauseOfConcern.objects.create(
            inspection=inspection, reference="CoC1", text="x", discharged_on=date(2026, 1, 1)
        )
    )


def test_one_item_per_finding_and_organisation(item):
    refused(lambda: Item.objects.create(finding=item.finding, organisation=item.organisation))


def test_item_status_must_be_known(item):
    refused(lambda: Item.objects.filter(pk=item.pk).update(status="done"))


def test_superseded_needs_a_superseding_finding(item):
    refused(lambda: Item.objects.filter(pk=item.pk).update(status=Status.CLOSED_SUPERSEDED))


def test_only_superseded_has_a_superseding_finding(item, inspection):
    newer = Finding.objects.create(
        inspection=inspection, kind=FindingKind.RECOMMENDATION, reference="R2", text="x"
    )
    refused(lambda: Item.objects.filter(pk=item.pk).update(superseded_by=newer))


def test_status_change_must_be_a_change(item):
    refused(
        lambda: StatusChange.objects.create(
            item=item,
            from_status=Status.OPEN,
            to_status=Status.OPEN,
            source="organisation",
            channel="web",
        )
    )


@pytest.mark.parametrize(
    ("scale", "grade", "allowed"),
    [
        (GradingScale.PEEL_FIVE_POINT, Grade.ADEQUATE, True),
        (GradingScale.PEEL_FOUR_POINT, Grade.ADEQUATE, False),
        (GradingScale.FIRE_FOUR_POINT, Grade.ADEQUATE, False),
        (GradingScale.PEEL_FOUR_POINT, Grade.REQUIRES_IMPROVEMENT, True),
        (GradingScale.PEEL_FIVE_POINT, "excellent", False),
    ],
)
def test_grade_must_belong_to_its_scale(inspection, scale, grade, allowed):
    def make():
        return Judgement.objects.create(
            inspection=inspection, question_area="Effectiveness", scale=scale, grade=grade
        )

    if allowed:
        assert make().grade_rank >= 1
    else:
        refused(make)


def test_one_judgement_per_question_area(inspection):
    Judgement.objects.create(
        inspection=inspection, question_area="Leadership", scale="peel_5", grade="good"
    )
    refused(
        lambda: Judgement.objects.create(
            inspection=inspection, question_area="Leadership", scale="peel_5", grade="adequate"
        )
    )


def test_key_figure_part_cannot_exceed_total(inspection):
    refused(
        lambda: KeyFigure.objects.create(inspection=inspection, label="x", value=215, out_of=214)
    )


def test_fieldwork_dates_in_order(inspection):
    inspection.fieldwork_started_on = date(2025, 3, 10)
    inspection.fieldwork_ended_on = date(2025, 3, 1)
    refused(inspection.save)


def test_inspection_cannot_follow_up_itself(inspection):
    inspection.follows_up = inspection
    refused(inspection.save)


def test_engage_exit_not_before_entry(met):
    refused(
        lambda: EngagePeriod.objects.create(
            organisation=met,
            entered_on=date(2022, 5, 1),
            left_on=date(2022, 4, 1),
            entry_reasons="x",
            exit_reasons="y",
        )
    )


def test_only_one_open_engage_period(met):
    EngagePeriod.objects.create(organisation=met, entered_on=date(2022, 5, 1), entry_reasons="x")
    refused(
        lambda: EngagePeriod.objects.create(
            organisation=met, entered_on=date(2023, 5, 1), entry_reasons="y"
        )
    )


def test_organisation_cannot_succeed_itself(met):
    met.successor = met
    met.ceased_on = date(2022, 1, 1)
    refused(met.save)


def test_only_forces_have_a_local_policing_body(mopac):
    refused(
        lambda: Organisation.objects.create(
            slug="a-fire-service",
            name="A Fire Service",
            kind=OrganisationKind.FIRE_AND_RESCUE_SERVICE,
            local_policing_body=mopac,
        )
    )


def test_organisation_kind_and_region_must_be_known(db):
    refused(lambda: Organisation.objects.create(slug="x", name="X", kind="club"))
    refused(
        lambda: Organisation.objects.create(
            slug="y", name="Y", kind=OrganisationKind.NATIONAL_BODY, region="Atlantis"
        )
    )


def test_one_section55_response_per_inspection_and_body(inspection, mopac):
    Section55Response.objects.create(inspection=inspection, local_policing_body=mopac)
    refused(
        lambda: Section55Response.objects.create(inspection=inspection, local_policing_body=mopac)
    )


def test_received_section55_response_has_a_link_or_text(inspection, mopac):
    refused(
        lambda: Section55Response.objects.create(
            inspection=inspection, local_policing_body=mopac, received_on=date(2025, 9, 1)
        )
    )


def test_one_section55_statement_per_recommendation(recommendation, mopac):
    response = Section55Response.objects.create(
        inspection=recommendation.inspection, local_policing_body=mopac
    )
    Section55Statement.objects.create(
        response=response, finding=recommendation, action="taken", text="Done."
    )
    refused(
        lambda: Section55Statement.objects.create(
            response=response, finding=recommendation, action="none", text="Nothing."
        )
    )
