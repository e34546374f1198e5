"""Each model's public scope, ``published()``: what the public may see of it, and nothing of an
embargoed report. Every public page, the API, the feeds and the exports ask these."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.choices import Grade, GradingScale, ProgrammeKind
from inspections.models import (
    EngagePeriod,
    Inspection,
    Judgement,
    KeyFigure,
    Programme,
    published_q,
)
from inspections.services import engage_enter
from recommendations.choices import FindingKind, Section55Action
from recommendations.models import (
    CauseOfConcern,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
    Theme,
)
from recommendations.services import (
    finding_add_addressees,
    item_start,
    progress_update_add,
    section55_open_responses,
)


def report_with_everything(slug, *, published_at, hmicfrs, met, kind_suffix):
    programme = Programme.objects.create(
        slug=f"programme-{kind_suffix}", name=f"Programme {kind_suffix}", kind=ProgrammeKind.PEEL,
        section55_applies=True,
    )  # fmt: skip
    theme = Theme.objects.create(slug=f"theme-{kind_suffix}", name=f"Theme {kind_suffix}")
    report = Inspection.objects.create(
        title=slug, slug=slug, programme=programme, lead_inspectorate=hmicfrs,
        published_at=published_at,
    )  # fmt: skip
    report.organisations.add(met)
    KeyFigure.objects.create(inspection=report, label="Cases", value=3)
    Judgement.objects.create(
        inspection=report, question_area="Leadership", scale=GradingScale.PEEL_FIVE_POINT,
        grade=Grade.GOOD,
    )  # fmt: skip
    cause = CauseOfConcern.objects.create(inspection=report, reference="CoC1", text="Unsafe.")
    finding = Finding.objects.create(
        inspection=report, kind=FindingKind.RECOMMENDATION, reference="R1", text="Act.",
        cause_of_concern=cause,
    )  # fmt: skip
    finding.themes.add(theme)
    (item,) = finding_add_addressees(finding=finding, organisations=[met])
    item_start(item=item, note="Started.")
    progress_update_add(item=item, narrative="Shown.", self_assessment="on_track", publish=True)
    progress_update_add(item=item, narrative="Internal.", self_assessment="on_track")
    (response,) = section55_open_responses(inspection=report)
    Section55Response.objects.filter(pk=response.pk).update(
        received_on=timezone.localdate(), text="Comments."
    )
    response.statements.create(finding=finding, action=Section55Action.TAKEN, text="Done.")
    return report


@pytest.fixture
def two_reports(hmicfrs, met, mopac):
    public = report_with_everything(
        "public", published_at=timezone.now() - timedelta(days=1), hmicfrs=hmicfrs, met=met,
        kind_suffix="public",
    )  # fmt: skip
    embargoed = report_with_everything(
        "embargoed", published_at=timezone.now() + timedelta(days=1), hmicfrs=hmicfrs, met=met,
        kind_suffix="embargoed",
    )  # fmt: skip
    return public, embargoed


# (model, the path from the model to its report)
SCOPED = [
    (Inspection, ""),
    (KeyFigure, "inspection__"),
    (Judgement, "inspection__"),
    (CauseOfConcern, "inspection__"),
    (Finding, "inspection__"),
    (Item, "finding__inspection__"),
    (StatusChange, "item__finding__inspection__"),
    (ProgressUpdate, "item__finding__inspection__"),
    (Section55Response, "inspection__"),
    (Section55Statement, "response__inspection__"),
]


@pytest.mark.parametrize(("model", "path"), SCOPED, ids=lambda v: getattr(v, "__name__", v))
def test_published_scope_keeps_the_public_report_and_drops_the_embargoed(two_reports, model, path):
    public, embargoed = two_reports

    shown = model.objects.published()

    assert shown.filter(**{f"{path}pk": public.pk} if path else {"pk": public.pk}).exists()
    assert not shown.filter(**{f"{path}pk": embargoed.pk} if path else {"pk": embargoed.pk})


def test_published_scope_at_a_moment_sees_what_was_public_then(two_reports):
    public, embargoed = two_reports
    later = timezone.now() + timedelta(days=2)

    assert set(Inspection.objects.published(at=later)) == {public, embargoed}
    assert Item.objects.published(at=later).count() == 2
    assert Inspection.objects.filter(published_q(at=later)).count() == 2


def test_internal_updates_are_never_published(two_reports):
    assert list(ProgressUpdate.objects.published().values_list("narrative", flat=True)) == [
        "Shown."
    ]


def test_draft_section55_statements_are_not_published(two_reports):
    public, _ = two_reports
    Section55Response.objects.filter(inspection=public).update(received_on=None)

    assert Section55Response.objects.published().filter(inspection=public).exists()
    assert not Section55Response.objects.published().received().exists()
    assert not Section55Statement.objects.published().exists()


def test_programmes_and_themes_of_the_embargoed_report_alone_are_not_published(two_reports):
    assert list(Programme.objects.published().values_list("slug", flat=True)) == [
        "programme-public"
    ]
    assert list(Theme.objects.published().values_list("slug", flat=True)) == ["theme-public"]


def test_engage_period_links_only_a_published_report(two_reports, met):
    _public, embargoed = two_reports
    period = engage_enter(
        organisation=met, entered_on=timezone.localdate(), reasons="Concerns.", inspection=embargoed
    )

    assert EngagePeriod.objects.published().get(pk=period.pk).public_inspection is None
    Inspection.objects.filter(pk=embargoed.pk).update(published_at=timezone.now())
    assert EngagePeriod.objects.published().get(pk=period.pk).public_inspection == embargoed
