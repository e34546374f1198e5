"""The public pages: the national overview, browse and search, a finding's page, and the pages
of an organisation and of an inspection. Only published inspections appear."""

from collections import Counter

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from inspections.choices import OrganisationKind, Region
from inspections.models import EngagePeriod, Inspection, Organisation
from public.charts import bar_chart
from public.corrections import attach_corrections
from public.filters import InspectionFilterSet
from public.page_cache import cache_page_for_anonymous
from public.series import series_timeline
from public.stats import (
    ORGANISATION_SORTS,
    ProgressSummary,
    StatusBreakdown,
    browse_counts,
    overview_counts,
    progress_summaries,
)
from recommendations import policy
from recommendations.choices import FindingKind, Status
from recommendations.filters import FACETS, FindingItemFilterSet, published_items
from recommendations.models import (
    CauseOfConcern,
    DueDateChange,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
    overdue_q,
    section55_due_date,
)
from recommendations.services import section55_expected_bodies
from recommendations.templatetags.tracker import status_tag_html

RESULTS_PER_PAGE = 50


class CountedPaginator(Paginator):
    """A paginator told the number of results, so that it does not count them again."""

    def __init__(self, *args, known_count, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = known_count  # ``count`` is a cached property


class OrganisationTableForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[("", _("All types")), *OrganisationKind.choices],
        required=False,
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("All regions")), *Region.choices], required=False
    )
    sort = forms.ChoiceField(
        choices=[(key, key) for key in ORGANISATION_SORTS], required=False, widget=forms.HiddenInput
    )
    order = forms.ChoiceField(
        choices=[("asc", "asc"), ("desc", "desc")], required=False, widget=forms.HiddenInput
    )


ORGANISATION_COLUMNS = (
    # key, heading, numeric (first click sorts largest first)
    ("name", _("Organisation"), False),
    ("kind", _("Type"), False),
    ("region", _("Region"), False),
    ("open", _("Not yet closed"), True),
    ("overdue", _("Overdue"), True),
    ("complete", _("Closed as complete"), True),
    ("engage", _("In Engage"), False),
)


def sort_columns(sort, descending):
    """Each column heading's link: a second click on the sorted column reverses it."""
    columns = []
    for key, label, numeric in ORGANISATION_COLUMNS:
        if key == sort:
            next_order = "asc" if descending else "desc"
        else:
            next_order = "desc" if numeric else "asc"
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "current": key == sort,
                "next_order": next_order,
            }
        )
    return columns


@require_safe
@cache_page_for_anonymous
def overview(request):
    """The national picture: every published item, and a table of every organisation."""
    form = OrganisationTableForm(request.GET)
    choice = form.cleaned_data if form.is_valid() else {}
    sort = choice.get("sort") or "name"
    descending = choice.get("order") == "desc"
    breakdown, quarters, rows = overview_counts(
        kind=choice.get("kind", ""),
        region=choice.get("region", ""),
        sort=sort,
        descending=descending,
    )
    status_rows = breakdown.rows()
    return render(
        request,
        "public/overview.html",
        {
            "breakdown": breakdown,
            "status_rows": status_rows,
            "status_chart": bar_chart(
                status_rows,
                id="status-chart",
                title=_("Items by status (the same figures are in the table that follows)"),
                value="total",
                css_class="status",
            ),
            "quarters": quarters,
            "quarter_chart": bar_chart(
                quarters,
                id="quarter-chart",
                title=_(
                    "Items closed each quarter (the same figures are in the table that follows)"
                ),
                value="total",
            ),
            "form": form,
            "rows": rows,
            "sort": sort,
            "descending": descending,
            "columns": sort_columns(sort, descending),
            "recommendations_total": breakdown.total(FindingKind.RECOMMENDATION),
            "areas_total": breakdown.total(FindingKind.AREA_FOR_IMPROVEMENT),
        },
    )


def facet_options(filterset, counts):
    """Each filter's options with the number of results it would give, for the template."""
    options = {}
    for facet in FACETS:
        field = filterset.form.fields[facet.name]
        chosen = filterset.form.data.getlist(facet.name) if filterset.is_bound else []
        field_counts = counts[facet.name]
        rows = []
        for value, label in field.choices:
            if value in ("", None):
                continue
            key = getattr(value, "value", value)  # a model choice holds its slug
            rows.append(
                {
                    "value": str(key),
                    "label": label,
                    "count": field_counts.get(key, 0),
                    "selected": str(key) in chosen,
                }
            )
        options[facet.name] = rows
    return options


@require_safe
@cache_page_for_anonymous
def finding_list(request):
    """Browse and search every published item, with facet counts; the URL holds the state."""
    filterset = FindingItemFilterSet(request.GET or None, queryset=published_items())
    cleaned = filterset.cleaned_data()  # validate once; errors are shown, valid filters apply
    # The counts depend on the filters only, not on the page or the order: cached (see
    # counts_cache), they make paging through results cheap at national scale.
    question = sorted(
        (
            key,
            sorted(map(str, value))
            if isinstance(value, list)
            else str(getattr(value, "pk", value)),
        )
        for key, value in cleaned.items()
        if key != "sort" and value not in (None, "", [])
    )
    total, counts = browse_counts(filterset, question)
    paginator = CountedPaginator(filterset.pages(), RESULTS_PER_PAGE, known_count=total)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/finding_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "paginator": paginator,
            "page_numbers": [
                None if number == paginator.ELLIPSIS else number
                for number in paginator.get_elided_page_range(
                    page.number, on_each_side=1, on_ends=1
                )
            ],
            "options": facet_options(filterset, counts),
            "export_query": query.urlencode(),
            "is_filtered": any(
                value for key, value in request.GET.items() if key not in ("page", "sort")
            ),
        },
    )


@require_safe
@cache_page_for_anonymous
def finding_detail(request, pk):
    """A finding, each addressee's status, and the dated public timeline."""
    finding = get_object_or_404(
        Finding.objects.published().select_related(
            "inspection__programme", "inspection__lead_inspectorate", "cause_of_concern"
        ),
        pk=pk,
    )
    items = list(
        finding.items.select_related("organisation", "superseded_by__inspection").order_by(
            "organisation__name"
        )
    )
    changes = (
        StatusChange.objects.filter(item__finding=finding)
        .select_related("item__organisation")
        .order_by("-changed_at", "-pk")
    )
    updates = list(
        ProgressUpdate.objects.published()
        .filter(item__finding=finding)
        .select_related("organisation")
        .order_by("-written_on", "-pk")
    )
    # A correction links to what it corrects, and an original to its corrections: both are
    # published updates of this finding, so no further query.
    by_pk = {update.pk: update for update in updates}
    for update in updates:
        update.public_corrections = []
    for update in updates:
        update.corrected = by_pk.get(update.corrects_id)
        if update.corrected is not None:
            update.corrected.public_corrections.append(update)
    due_date_changes = (
        DueDateChange.objects.filter(item__finding=finding)
        .select_related("item__organisation", "changed_by__inspectorate")
        .order_by("-changed_at", "-pk")
    )
    attach_corrections([finding])
    timeline = sorted(
        [
            {
                "kind": "change",
                "on": timezone.localdate(change.changed_at),
                "at": change.changed_at,
                "organisation": change.item.organisation,
                "change": change,
            }
            for change in changes
        ]
        + [
            {
                "kind": "update",
                "on": update.written_on,
                "at": update.created_at,
                "organisation": update.organisation,
                "update": update,
            }
            for update in updates
        ]
        + [
            {
                "kind": "due_date",
                "on": timezone.localdate(change.changed_at),
                "at": change.changed_at,
                "organisation": change.item.organisation,
                "due_date_change": change,
            }
            for change in due_date_changes
        ],
        # Same day: in the order they were recorded (an update before the change it caused).
        key=lambda entry: (entry["on"], entry["at"]),
        reverse=True,
    )
    return render(
        request,
        "public/finding_detail.html",
        {
            "finding": finding,
            "inspection": finding.inspection,
            "items": items,
            "timeline": timeline,
        },
    )


@require_safe
@cache_page_for_anonymous
def about(request):
    """What the statuses mean and where the data comes from."""
    return render(
        request,
        "public/about.html",
        {"statuses": list(Status), "kinds": list(FindingKind)},
    )


INSPECTIONS_PER_PAGE = 25


@require_safe
@cache_page_for_anonymous
def inspection_list(request):
    """Every published report, newest first, each with how its items are getting on."""
    filterset = InspectionFilterSet(
        request.GET or None,
        queryset=Inspection.objects.published().select_related("programme", "lead_inspectorate"),
    )
    if filterset.is_bound:
        filterset.form.is_valid()  # errors are shown; the valid filters apply
    paginator = Paginator(filterset.qs, INSPECTIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    inspections = list(page.object_list)
    summaries = progress_summaries(
        Item.objects.published().filter(finding__inspection__in=inspections),
        "finding__inspection_id",
    )
    for inspection in inspections:
        inspection.progress = summaries.get(inspection.pk)
    form = filterset.form
    # One query per list of options: through ``iter()``, as ``list()`` of the choices would
    # count them first.
    options = {name: list(iter(field.choices)) for name, field in form.fields.items()}
    return render(
        request,
        "public/inspection_list.html",
        {
            "filterset": filterset,
            "form": form,
            "options": options,
            "page": page,
            "inspections": inspections,
            "paginator": paginator,
            "page_numbers": [
                None if number == paginator.ELLIPSIS else number
                for number in paginator.get_elided_page_range(
                    page.number, on_each_side=1, on_ends=1
                )
            ],
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


OVERDUE_SHOWN = 20


@require_safe
@cache_page_for_anonymous
def organisation_detail(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.select_related("successor", "local_policing_body"), slug=slug
    )
    lineage = organisation.lineage_ids()
    predecessors = list(
        Organisation.objects.filter(successor=organisation).order_by("ceased_on", "name")
    )
    items = Item.objects.published().filter(organisation_id__in=lineage)
    breakdown = StatusBreakdown.of_published(organisation_ids=lineage)
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
    today = timezone.localdate()
    progress = ProgressSummary(
        by_status=Counter({row["status"]: row["total"] for row in status_rows}),
        overdue=breakdown.total_overdue,
    )
    late = [r for r in responses if r.is_overdue(today)]
    return render(
        request,
        "public/organisation_detail.html",
        {
            "organisation": organisation,
            "predecessors": predecessors,
            "breakdown": breakdown,
            "status_rows": status_rows,
            "status_chart": bar_chart(
                status_rows,
                id="status-chart",
                title=_("Items by status (the same figures are in the table that follows)"),
                value="total",
                css_class="status",
            ),
            "overdue": overdue,
            "overdue_more": breakdown.total_overdue > len(overdue),
            "inspections": inspections,
            "has_demo": any(inspection.is_demo for inspection in inspections),
            "years": years,
            "year_chart": bar_chart(
                years,
                id="year-chart",
                title=_("Inspections published each year (the same figures are in the table)"),
            ),
            "latest_graded": latest_graded,
            "judgements": judgements,
            "engage": engage,
            "section55_body": body,
            "responses": responses,
            "progress": progress,
            "section55_position": {
                "received": sum(1 for r in responses if r.received_on),
                "expected": len(responses),
                "overdue": len(late),
            },
            "today": today,
        },
    )


@require_safe
@cache_page_for_anonymous
def inspection_detail(request, slug):
    inspection = get_object_or_404(
        Inspection.objects.published().select_related(
            "programme", "lead_inspectorate", "follows_up"
        ),
        slug=slug,
    )
    return _inspection_page(request, inspection)


@never_cache
@require_safe
def inspection_preview(request, pk):
    """A draft as the public will see it, with the same template and a "Not published" banner:
    for those who may edit it (``policy.drafts_editable_by``); a 404 for anyone else, signed
    in or not, as for a report that does not exist."""
    inspection = get_object_or_404(
        policy.drafts_editable_by(request.user).select_related(
            "programme", "lead_inspectorate", "follows_up"
        ),
        pk=pk,
    )
    return _inspection_page(request, inspection, preview=True)


def _inspection_page(request, inspection, *, preview=False):
    items = Prefetch(
        "items",
        queryset=Item.objects.select_related("organisation").order_by("organisation__name"),
    )
    findings = list(
        inspection.findings.prefetch_related(items, "themes").order_by("position", "reference")
    )
    causes = list(
        CauseOfConcern.objects.filter(inspection=inspection).order_by("position", "reference")
    )
    # One query: "Corrected on <date>: <reason>".
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
            # A draft not yet scheduled has no clock: its preview says so.
            "due_on": section55_due_date(inspection.published_on)
            if inspection.published_on
            else None,
        }
        for body in expected
    ]
    for row in section55:
        response = row["response"]
        row["received"] = bool(response and response.received_on)
        row["overdue"] = not row["received"] and row["due_on"] is not None and row["due_on"] < today
    # The progress summary, from the items already fetched with the findings; and what each
    # row of the findings tables shows, worked out here once rather than by a tag per row
    # (an inspection may have 800 items): its link, and each addressee's status tag.
    finding_prefix = reverse("public:finding-detail", args=[0]).removesuffix("0/")
    progress = ProgressSummary()
    by_addressee = {}
    for finding in findings:
        finding.public_url = f"{finding_prefix}{finding.pk}/"
        finding.public_items = list(finding.items.all())
        for item in finding.public_items:
            progress.add(item, today)
            by_addressee.setdefault(item.organisation, ProgressSummary()).add(item, today)
            item.status_tag_html = status_tag_html(item, overdue=item.is_overdue(today))
    return render(
        request,
        "public/inspection_detail.html",
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
            "series_timeline": series_timeline(series) if len(series) > 1 else [],
            "section55": section55,
            "section55_position": section55_position(section55),
            "progress": progress,
            "by_addressee": sorted(by_addressee.items(), key=lambda pair: pair[0].name),
            "today": today,
            "preview": preview,
        },
    )


def section55_position(rows):
    """How many of the expected local policing bodies have published their comments, and
    how many are late, for the progress summary."""
    return {
        "expected": len(rows),
        "received": sum(row["received"] for row in rows),
        "overdue": sum(row["overdue"] for row in rows),
        "due_on": rows[0]["due_on"] if rows else None,
    }
