"""Section 55 of the Police Act 1996 only where the law puts it: HMICFRS reports on police
forces (inspected under section 54), alone or joint, lead or partner. Not another
inspectorate's report alone, not fire and rescue, not a coroner's report, whoever the
addressees are."""

import importlib
from datetime import date, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from core.errors import DomainError
from inspections.choices import OrganisationKind, ProgrammeKind
from inspections.models import Inspection, Inspectorate, Organisation, Programme
from recommendations.choices import FindingKind, Section55Action
from recommendations.models import Finding, Section55Response
from recommendations.services import (
    inspection_publish,
    section55_expected_bodies,
    section55_open_responses,
    section55_publish,
    section55_record_response,
    section55_save_draft,
)


@pytest.fixture
def cqc(db):
    return Inspectorate.objects.create(
        slug="cqc", name="Care Quality Commission", abbreviation="CQC"
    )


@pytest.fixture
def coroner(db):
    """A coroner writing a prevention of future deaths report: not an inspectorate under s54."""
    return Inspectorate.objects.create(
        slug="coroner-inner-london", name="HM Coroner for Inner London", abbreviation="Coroner"
    )


@pytest.fixture
def future_deaths(db):
    return Programme.objects.create(
        slug="prevention-of-future-deaths",
        name="Prevention of future deaths reports",
        kind=ProgrammeKind.OTHER,
    )


@pytest.fixture
def fire_programme(db):
    return Programme.objects.create(
        slug="fire-and-rescue", name="Fire and rescue", kind=ProgrammeKind.FIRE_AND_RESCUE
    )


@pytest.fixture
def fire_service(db):
    return Organisation.objects.create(
        slug="london-fire-brigade",
        name="London Fire Brigade",
        kind=OrganisationKind.FIRE_AND_RESCUE_SERVICE,
    )


def starts_a_clock(report) -> bool:
    return Inspection.objects.filter(pk=report.pk).section55_applies().exists()


def published_report(*, slug, programme, lead, organisations, partners=()):
    """A report created and published through the service, which opens any section 55 clock."""
    report = Inspection.objects.create(
        title=slug.replace("-", " "), slug=slug, programme=programme, lead_inspectorate=lead
    )
    report.organisations.add(*organisations)
    report.partner_inspectorates.add(*partners)
    return inspection_publish(inspection=report)


def test_hmicfrs_police_report_opens_the_clock_of_the_forces_policing_body(
    hmicfrs, custody, met, mopac
):
    report = published_report(
        slug="met-custody", programme=custody, lead=hmicfrs, organisations=[met]
    )

    assert list(report.section55_responses.values_list("local_policing_body", flat=True)) == [
        mopac.pk
    ]


def test_coroners_report_to_a_police_force_opens_no_clock(coroner, future_deaths, met):
    report = published_report(
        slug="pfd-report", programme=future_deaths, lead=coroner, organisations=[met]
    )

    assert not starts_a_clock(report)
    assert not section55_expected_bodies(report).exists()
    assert not Section55Response.objects.filter(inspection=report).exists()


def test_cqc_only_report_on_police_custody_opens_no_clock(cqc, custody, met):
    report = published_report(slug="cqc-custody", programme=custody, lead=cqc, organisations=[met])

    assert not starts_a_clock(report)
    assert not Section55Response.objects.filter(inspection=report).exists()


def test_hmicfrs_fire_inspection_opens_no_clock_even_with_a_force_inspected(
    hmicfrs, fire_programme, fire_service, met
):
    report = published_report(
        slug="fire-collaboration",
        programme=fire_programme,
        lead=hmicfrs,
        organisations=[fire_service, met],
    )

    assert not starts_a_clock(report)
    assert not Section55Response.objects.filter(inspection=report).exists()


@pytest.mark.parametrize("hmicfrs_leads", [True, False], ids=["hmicfrs-leads", "hmicfrs-joins"])
def test_joint_hmicfrs_and_cqc_report_on_police_opens_the_clock(
    hmicfrs, cqc, custody, met, mopac, hmicfrs_leads
):
    lead, partner = (hmicfrs, cqc) if hmicfrs_leads else (cqc, hmicfrs)
    report = published_report(
        slug="joint-custody", programme=custody, lead=lead, partners=[partner], organisations=[met]
    )

    assert starts_a_clock(report)
    assert [r.local_policing_body for r in report.section55_responses.all()] == [mopac]


def test_open_responses_is_a_no_op_where_section55_does_not_apply(coroner, future_deaths, met):
    report = published_report(
        slug="pfd-report", programme=future_deaths, lead=coroner, organisations=[met]
    )

    assert section55_open_responses(inspection=report) == []


def test_a_response_the_law_does_not_ask_for_is_refused(
    coroner, future_deaths, met, mopac, mopac_lead
):
    report = published_report(
        slug="pfd-report", programme=future_deaths, lead=coroner, organisations=[met]
    )
    stray = Section55Response.objects.create(inspection=report, local_policing_body=mopac)

    with pytest.raises(DomainError, match="does not ask"):
        section55_record_response(
            response=stray, received_on=timezone.localdate(), url="https://example.org/r"
        )
    with pytest.raises(DomainError, match="does not ask"):
        section55_save_draft(response=stray, user=mopac_lead, text="Our comments.")


# The data migration: awaited responses the rule no longer expects go -------------------------


def run_data_migration():
    module = importlib.import_module("inspections.migrations.0003_section55_applicability_data")
    module.set_applicability(apps, None)


def test_data_migration_sets_hmicfrs_and_the_police_programmes(db, fire_programme):
    Inspectorate.objects.create(slug="hmicfrs", name="HMICFRS", abbreviation="HMICFRS")
    Inspectorate.objects.create(slug="cqc", name="CQC", abbreviation="CQC")
    Programme.objects.create(slug="peel", name="PEEL", kind=ProgrammeKind.PEEL)

    run_data_migration()

    assert set(
        Inspectorate.objects.filter(inspects_under_police_act_s54=True).values_list(
            "slug", flat=True
        )
    ) == {"hmicfrs"}
    assert set(Programme.objects.filter(section55_applies=True).values_list("slug", flat=True)) == {
        "peel"
    }


def test_data_migration_removes_only_awaited_responses_the_rule_no_longer_expects(
    hmicfrs, custody, coroner, future_deaths, met, mopac, kent
):
    police = published_report(
        slug="met-custody", programme=custody, lead=hmicfrs, organisations=[met]
    )
    pfd = Inspection.objects.create(
        title="PFD", slug="pfd", programme=future_deaths, lead_inspectorate=coroner,
        published_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    pfd.organisations.add(met, kent)
    kent_body = kent.local_policing_body
    # What the old rule opened for the coroner's report: one awaited, one received, one answered.
    awaited = Section55Response.objects.create(inspection=pfd, local_policing_body=mopac)
    received = Section55Response.objects.create(
        inspection=pfd, local_policing_body=kent_body, received_on=date(2025, 1, 1), url="https://x"
    )
    other_pfd = Inspection.objects.create(
        title="PFD 2", slug="pfd-2", programme=future_deaths, lead_inspectorate=coroner,
        published_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    answered = Section55Response.objects.create(inspection=other_pfd, local_policing_body=mopac)
    answered.statements.create(
        finding=Finding.objects.create(
            inspection=other_pfd, kind=FindingKind.RECOMMENDATION, reference="R1", text="Act."
        ),
        action=Section55Action.TAKEN,
        text="Done.",
    )

    run_data_migration()

    remaining = set(Section55Response.objects.values_list("pk", flat=True))
    assert awaited.pk not in remaining
    assert {received.pk, answered.pk} <= remaining
    assert police.section55_responses.count() == 1


# Reference data -----------------------------------------------------------------------------


def test_reference_data_marks_hmicfrs_and_police_programmes_only(db):
    call_command("load_reference_data", stdout=StringIO())

    assert list(
        Inspectorate.objects.filter(inspects_under_police_act_s54=True).values_list(
            "slug", flat=True
        )
    ) == ["hmicfrs"]
    applies = dict(Programme.objects.values_list("slug", "section55_applies"))
    assert applies["peel"] and applies["police-custody"] and applies["thematic"]
    assert not applies["fire-and-rescue"]


def test_reference_data_restores_an_edited_section55_flag(db):
    call_command("load_reference_data", stdout=StringIO())
    Inspectorate.objects.filter(slug="cqc").update(inspects_under_police_act_s54=True)
    Programme.objects.filter(slug="fire-and-rescue").update(section55_applies=True)

    call_command("load_reference_data", stdout=StringIO())

    assert not Inspectorate.objects.get(slug="cqc").inspects_under_police_act_s54
    assert not Programme.objects.get(slug="fire-and-rescue").section55_applies


# The demo data ------------------------------------------------------------------------------


def test_demo_opens_section55_clocks_only_where_the_law_puts_them(db):
    call_command("seed_demo", stdout=StringIO(), scale=0.05)
    covered = Inspection.objects.section55_applies()

    assert Section55Response.objects.exists()
    assert not Section55Response.objects.exclude(inspection__in=covered).exists()
    fire = Inspection.objects.filter(programme__kind=ProgrammeKind.FIRE_AND_RESCUE)
    assert fire.exists()
    assert not Section55Response.objects.filter(inspection__in=fire).exists()
    joint_led_by_another = covered.exclude(lead_inspectorate__slug="hmicfrs")
    assert Section55Response.objects.filter(inspection__in=joint_led_by_another).exists()


def test_a_leftover_draft_on_a_report_section55_does_not_cover_awaits_nothing(
    coroner, future_deaths, met, mopac, mopac_lead
):
    """Kept by the data migration because it has statements, it is neither awaited (overdue
    lists, reminders) nor publishable."""
    report = published_report(
        slug="pfd-report", programme=future_deaths, lead=coroner, organisations=[met]
    )
    draft = Section55Response.objects.create(
        inspection=report, local_policing_body=mopac, text="Draft."
    )

    assert not Section55Response.objects.awaited().exists()
    with pytest.raises(DomainError, match="does not ask"):
        section55_publish(response=draft, user=mopac_lead)
