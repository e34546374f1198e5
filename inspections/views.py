"""Public pages of an organisation and of an inspection. Only published inspections appear."""

from collections import Counter

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from inspections.choices import OrganisationKind
from inspections.models import EngagePeriod, Inspection, Organisation
from recommendations.charts import bar_chart
from recommendations.choices import FindingKind
from recommendations.corrections import attach_corrections
from recommendations.models import (
    Assignment,
    CauseOfConcern,
    Section55Response,
    Section55Statement,
    overdue_q,
    section55_due_date,
)
from recommendations.services import section55_expected_bodies
from recommendations.stats import StatusBreakdown

OVERDUE_SHOWN = 20


@require_safe
def organisation_detail(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.select_related("successor", "local_policing_body"), slug=slug
    )
    lineage = organisation.lineage_ids()
    predecessors = list(
        Organisation.objects.filter(successor=organisation).order_by("ceased_on", "name")
    )
    items = Assignment.objects.published().filter(organisation_id__in=lineage)
    breakdown = StatusBreakdown.of(items)
    overdue = list(
        items.filter(overdue_q())
        .select_related("finding__inspection", "organisation")
        .order_by("due_date", "pk")[:OVERDUE_SHOWN]
    )
    inspections = list(
        Inspection.objects.published()
        .filter(organisations__in=lineage)
        .distinct()
        .select_related("programme")
        .order_by("-published_at")
    )
    per_year = Counter(inspection.published_at.year for inspection in inspections)
    years = (
        [
            {"label": str(year), "value": per_year.get(year, 0)}
            for year in range(min(per_year), max(per_year) + 1)
        ]
        if per_year
        else []
    )
    latest_graded = (
        Inspection.objects.published()
        .filter(organisations__in=lineage, judgements__isnull=False)
        .distinct()
        .order_by("-published_at")
        .first()
    )
    judgements = list(latest_graded.judgements.all()) if latest_graded else []
    # A period may cite a report that is not yet public: then it is not linked
    # (EngagePeriod.public_inspection).
    engage = list(
        EngagePeriod.objects.published()
        .filter(organisation_id__in=lineage)
        .select_related("inspection")
        .order_by("-entered_on")
    )
    body = (
        organisation
        if organisation.kind == OrganisationKind.LOCAL_POLICING_BODY
        else organisation.local_policing_body
    )
    responses = (
        list(
            Section55Response.objects.published()
            .filter(local_policing_body=body)
            .select_related("inspection")
            .order_by("-inspection__published_at")
        )
        if body
        else []
    )
    status_rows = breakdown.rows()
    return render(
        request,
        "inspections/organisation_detail.html",
        {
            "organisation": organisation,
            "predecessors": predecessors,
            "breakdown": breakdown,
            "status_rows": status_rows,
            "status_chart": bar_chart(
                status_rows,
                id="status-chart",
                title="Items by status (the same figures are in the table that follows)",
                value="total",
                css_class="status",
            ),
            "overdue": overdue,
            "overdue_more": breakdown.total_overdue > len(overdue),
            "inspections": inspections,
            "years": years,
            "year_chart": bar_chart(
                years,
                id="year-chart",
                title="Inspections published each year (the same figures are in the table)",
            ),
            "latest_graded": latest_graded,
            "judgements": judgements,
            "engage": engage,
            "section55_body": body,
            "responses": responses,
            "today": timezone.localdate(),
        },
    )


@require_safe
def inspection_detail(request, slug):
    inspection = get_object_or_404(
        Inspection.objects.published().select_related(
            "programme", "lead_inspectorate", "follows_up"
        ),
        slug=slug,
    )
    assignments = Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("organisation").order_by("organisation__name"),
    )
    findings = list(
        inspection.findings.prefetch_related(assignments, "themes").order_by(
            "position", "reference"
        )
    )
    causes = list(
        CauseOfConcern.objects.filter(inspection=inspection).order_by("position", "reference")
    )
    # One query for them all: "Corrected on <date>: <reason>".
    attach_corrections([inspection, *findings, *causes])
    by_cause = {}
    for finding in findings:
        by_cause.setdefault(finding.cause_of_concern_id, []).append(finding)
    for cause in causes:
        cause.public_recommendations = by_cause.get(cause.pk, [])
    recommendations = [
        f for f in findings if f.kind == FindingKind.RECOMMENDATION and not f.cause_of_concern_id
    ]
    areas = [f for f in findings if f.kind == FindingKind.AREA_FOR_IMPROVEMENT]
    judgements = list(inspection.judgements.all())
    series = [member for member in inspection.series() if member.is_published]
    expected = list(section55_expected_bodies(inspection).order_by("name"))
    responses = {
        response.local_policing_body_id: response
        for response in Section55Response.objects.filter(inspection=inspection).prefetch_related(
            Prefetch(
                "statements",
                queryset=Section55Statement.objects.select_related("finding").order_by(
                    "finding__position", "finding__reference"
                ),
            )
        )
    }
    for response in responses.values():
        response.inspection = inspection  # its due date needs the publication date: no query
    today = timezone.localdate()
    section55 = [
        {
            "body": body,
            "response": responses.get(body.pk),
            "due_on": section55_due_date(inspection.published_on),
        }
        for body in expected
    ]
    for row in section55:
        response = row["response"]
        row["received"] = bool(response and response.received_on)
        row["overdue"] = not row["received"] and row["due_on"] < today
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "organisations": list(inspection.organisations.order_by("name")),
            "partners": list(inspection.partner_inspectorates.order_by("name")),
            "figures": list(inspection.figures.all()),
            "judgements": judgements,
            "judgement_scale": judgements[0].get_scale_display() if judgements else "",
            "causes": causes,
            "recommendations": recommendations,
            "areas": areas,
            "finding_count": len(findings),
            "series": series if len(series) > 1 else [],
            "section55": section55,
            "today": today,
        },
    )
