"""The pre-publication checklist, rule by rule, and scheduling that obeys it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import ActionLog
from core.errors import DomainError
from inspections.models import Inspection
from recommendations import publication as p
from recommendations.choices import FindingKind
from recommendations.models import CauseOfConcern, Finding
from recommendations.services import finding_add_addressees, finding_create


@pytest.fixture
def draft(hmicfrs, custody, met):
    inspection = Inspection.objects.create(
        title="Met custody draft",
        slug="met-custody-draft",
        programme=custody,
        lead_inspectorate=hmicfrs,
        summary="Summary.",
        report_url="https://example.org/report",
    )
    inspection.organisations.add(met)
    return inspection


def add(draft, reference, orgs, *, kind=FindingKind.AREA_FOR_IMPROVEMENT, **fields):
    return finding_create(
        inspection=draft,
        kind=kind,
        reference=reference,
        text=f"The force should do {reference}.",
        organisations=orgs,
        **({"no_deadline": True} | fields),
    )


def codes(draft, **kwargs):
    return [(x.code, x.reference) for x in p.publication_checklist(draft, **kwargs).problems]


def test_a_complete_draft_is_clean(draft, met):
    add(draft, "AFI1", [met])
    assert p.publication_checklist(draft).is_clean


def test_every_finding_needs_an_addressee(draft, met):
    # The services refuse a finding with none; one left without (e.g. by an old import or the
    # admin) is named by the checklist.
    finding = Finding.objects.create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text="T",
        no_deadline=True,
    )
    assert codes(draft) == [(p.NO_ADDRESSEE, "AFI1")]
    finding_add_addressees(finding=finding, organisations=[met])
    assert codes(draft) == []


def test_every_finding_needs_a_due_date_or_an_explicit_no_deadline(draft, met):
    add(draft, "AFI1", [met], no_deadline=False)
    add(draft, "AFI2", [met], no_deadline=False, due_date=timezone.localdate())
    add(draft, "AFI3", [met], no_deadline=True)
    assert codes(draft) == [(p.NO_DUE_DATE, "AFI1")]


def test_every_cause_of_concern_needs_its_recommendations(draft, met, mopac):
    cause = CauseOfConcern.objects.create(inspection=draft, reference="CoC1", text="Poor.")
    add(draft, "AFI1", [met])
    assert codes(draft) == [(p.CAUSE_WITHOUT_RECOMMENDATION, "CoC1")]
    add(draft, "R1", [met, mopac], kind=FindingKind.RECOMMENDATION, cause_of_concern=cause)
    assert codes(draft) == []


def test_summary_and_report_link_are_needed(draft, met):
    add(draft, "AFI1", [met])
    Inspection.objects.filter(pk=draft.pk).update(summary=" ", report_url="")
    draft.refresh_from_db()
    assert codes(draft) == [(p.NO_SUMMARY, ""), (p.NO_REPORT_URL, "")]


def test_a_draft_with_nothing_in_it_is_not_ready(draft):
    assert codes(draft) == [(p.NO_FINDINGS, "")]


def test_references_are_unique_whatever_their_case(draft, met):
    add(draft, "AFI1", [met])
    # The database's constraint is case-sensitive: "afi1" gets in beside "AFI1".
    finding = Finding.objects.create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="afi1",
        text="T",
        no_deadline=True,
    )
    finding_add_addressees(finding=finding, organisations=[met])
    assert codes(draft) == [(p.DUPLICATE_REFERENCE, "AFI1"), (p.DUPLICATE_REFERENCE, "afi1")]


def test_the_services_refuse_a_reference_that_differs_only_in_case(draft, met):
    add(draft, "R1", [met], kind=FindingKind.RECOMMENDATION)
    with pytest.raises(DomainError, match="already has a finding or cause of concern r1"):
        add(draft, "r1", [met], kind=FindingKind.RECOMMENDATION)


def test_the_section55_duty_is_listed_with_its_due_date(draft, met, mopac):
    add(draft, "AFI1", [met])
    checklist = p.publication_checklist(draft)
    assert [(d.body, d.due_on) for d in checklist.section55] == [(mopac, None)]
    moment = timezone.make_aware(timezone.datetime(2025, 8, 7, 0, 1))
    (duty,) = p.publication_checklist(draft, published_at=moment).section55
    assert duty.due_on.isoformat() == "2025-10-01"  # 7 August is day 1 of 56


def test_no_section55_duty_where_it_does_not_apply(draft, met, custody):
    custody.section55_applies = False
    custody.save()
    add(draft, "AFI1", [met])
    assert p.publication_checklist(draft).section55 == []


def test_scheduling_refuses_while_the_checklist_has_problems(draft, met, inspector):
    add(draft, "AFI1", [met], no_deadline=False)
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(p.ChecklistProblems) as refused:
        p.inspection_schedule_publication(
            inspection=draft, published_at=tomorrow, user=inspector, reason="Agreed."
        )
    assert [x.code for x in refused.value.checklist.problems] == [p.NO_DUE_DATE]
    draft.refresh_from_db()
    assert draft.published_at is None


def test_scheduling_needs_a_reason_and_a_moment_to_come(draft, met, inspector):
    add(draft, "AFI1", [met])
    with pytest.raises(DomainError, match="Say why"):
        p.inspection_schedule_publication(
            inspection=draft, published_at=timezone.now() + timedelta(days=1), reason=" "
        )
    with pytest.raises(DomainError, match="has passed"):
        p.inspection_schedule_publication(
            inspection=draft, published_at=timezone.now() - timedelta(days=1), reason="Oops."
        )
    with pytest.raises(DomainError, match="nothing to cancel"):
        p.inspection_schedule_publication(inspection=draft, published_at=None, reason="No.")


def test_schedule_change_and_cancel_each_logged(draft, met, inspector):
    add(draft, "AFI1", [met])
    first = timezone.now() + timedelta(days=1)
    for moment, reason in (
        (first, "Agreed."),
        (first + timedelta(hours=2), "Moved."),
        (None, "Off."),
    ):
        p.inspection_schedule_publication(
            inspection=draft, published_at=moment, user=inspector, reason=reason
        )
    logged = ActionLog.objects.filter(action__startswith="inspections.inspection.publication")
    assert [(e.action.rsplit(".", 1)[1], e.data["reason"]) for e in logged.order_by("pk")] == [
        ("publication_scheduled", "Agreed."),
        ("publication_scheduled", "Moved."),
        ("publication_cancelled", "Off."),
    ]
    assert all(e.actor == inspector for e in logged)
