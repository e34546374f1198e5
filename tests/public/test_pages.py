"""The public pages: what they show, and query counts that do not grow with the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from inspections.choices import GradingScale, OrganisationKind
from inspections.models import Inspection, Organisation
from inspections.services import engage_enter, organisation_set_successor
from recommendations.choices import FindingKind, Status
from recommendations.models import Finding, Theme
from recommendations.services import (
    finding_add_addressees,
    item_close,
    item_start,
    item_submit_for_closure,
    section55_open_responses,
    section55_record_response,
)


def add_findings(inspection, count, organisations, *, start=100):
    """``count`` more findings, each to every body in ``organisations``, with some history."""
    theme, _ = Theme.objects.get_or_create(slug="custody", defaults={"name": "Custody"})
    for number in range(start, start + count):
        finding = Finding.objects.create(
            inspection=inspection,
            kind=FindingKind.AREA_FOR_IMPROVEMENT if number % 2 else FindingKind.RECOMMENDATION,
            reference=f"X{number}",
            text=f"Extra finding number {number} about custody records.",
            due_date=timezone.localdate() - timedelta(days=number % 3),
            position=number,
        )
        finding.themes.add(theme)
        for item in finding_add_addressees(finding=finding, organisations=organisations):
            item_start(item=item, note="Started.")


def add_inspected_forces(inspection, count):
    """More forces inspected, each with a received section 55 response of its own body."""
    for number in range(count):
        body = Organisation.objects.create(
            slug=f"pcc-{number}",
            name=f"Police and Crime Commissioner {number}",
            kind=OrganisationKind.LOCAL_POLICING_BODY,
            country="England",
            region="North East",
        )
        force = Organisation.objects.create(
            slug=f"force-{number}",
            name=f"Force {number}",
            kind=OrganisationKind.POLICE_FORCE,
            country="England",
            region="North East",
            local_policing_body=body,
        )
        inspection.organisations.add(force)
    for response in section55_open_responses(inspection=inspection):
        if response.local_policing_body.slug.startswith("pcc-"):
            section55_record_response(
                response=response, received_on=timezone.localdate(), text="Our comments."
            )


def page_urls(world):
    return {
        "overview": reverse("public:overview"),
        "overview_filtered": reverse("public:overview") + "?kind=police_force&sort=open&order=desc",
        "finding_list": reverse("public:finding-list"),
        "finding_list_filtered": reverse("public:finding-list")
        + "?q=custody&status=in_progress&status=open&organisation=metropolitan-police-service"
        f"&kind=recommendation&overdue=yes&theme=custody&year={timezone.localdate().year}"
        "&programme=police-custody"
        "&due_after=1/1/2020&due_before=31/12/2040&sort=due",
        "finding_list_search": reverse("public:finding-list") + "?q=custody",
        "finding_list_misspelt": reverse("public:finding-list") + "?q=custdy",
        "finding_list_two_facets": reverse("public:finding-list")
        + "?status=in_progress&organisation=metropolitan-police-service",
        "finding_list_deep_page": reverse("public:finding-list") + "?page=3",
        "organisation": reverse("public:organisation-detail", args=["metropolitan-police-service"]),
        "inspection": reverse("public:inspection-detail", args=[world["inspection"].slug]),
        "finding": reverse("public:finding-detail", args=[world["recommendation"].pk]),
        "feed": reverse("public:feed"),
        "organisation_feed": reverse(
            "public:organisation-feed", args=["metropolitan-police-service"]
        ),
        "about": reverse("public:about"),
        "inspection_feed": reverse("public:inspection-feed", args=[world["inspection"].slug]),
        "search_feed": reverse("public:search-feed")
        + "?q=custody&status=in_progress&organisation=metropolitan-police-service",
    }


# What each page costs, written down so that a change in it is a decision. Two figures: with
# the counts cache cold (the first visit after a change) and warm (paging, sorting, revisits).
# "stamp" is the one query that tells whether cached counts still hold (counts_cache.py).
QUERIES = {
    # cold: 1 the published reports and every organisation's counts versions, 2 items by body,
    # kind and status, 3 closures per quarter by body (the organisations' parts, cached under
    # their versions: after a write, those of the bodies it touched only, and their closures
    # only after a closure), 4 organisations;
    # warm: 1 only
    "overview": (4, 1),
    "overview_filtered": (4, 1),
    # cold: 1 the published reports and every organisation's counts version, 2 the total and
    # every facet's counts by organisation in one statement (FactsCounts; each organisation's
    # part cached under its version: after a write, the parts of the bodies it touched only),
    # 3 the slugs of organisations, programmes and themes, 4 successions (to count a
    # predecessor's items for its successor), 5 the page's item ids in order (from the item
    # facts) and 6 its items, 7-9 organisation, programme and theme options; warm: without 2-4
    "finding_list": (9, 6),
    # a words search: as above, plus whether any published finding matches the words as typed
    # (else the misspelling fallback)
    "finding_list_search": (10, 7),
    # the same: no finding matches "custdy" as typed, so the trigram fallback answers
    "finding_list_misspelt": (10, 7),
    # as "finding_list_search", plus the chosen organisation, programme and theme looked up,
    # and the organisation's predecessors
    "finding_list_filtered": (14, 11),
    # as "finding_list", plus the organisation looked up and its predecessors
    "finding_list_two_facets": (11, 8),
    # as "finding_list": a later page costs no more
    "finding_list_deep_page": (9, 6),
    # 1 organisation, 2 its predecessors' ids (+1 per level of succession), 3 predecessors,
    # 4 status counts, 5 overdue items, 6 inspections, 7 latest graded inspection
    # (+1 for its judgements when there is one), 8 Engage, 9 s55 responses
    "organisation": (9, 9),
    # 1 inspection, 2 findings, 3 their items, 4 themes, 5 causes, 6 judgements,
    # 7 follow-ups (+1 per report in the series), 8 expected s55 bodies, 9 responses,
    # 10 their statements, 11 bodies inspected, 12 partners, 13 key figures,
    # 14 corrections of the report and its findings
    "inspection": (14, 14),
    # 1 finding, 2 its items, 3 status changes, 4 published updates, 5 due date changes,
    # 6 corrections of its text
    "finding": (6, 6),
    # 1 status changes, 2 published updates, 3 due date changes, 4 reports published
    "feed": (4, 4),
    # 1 organisation, 2 lineage, 3 status changes, 4 published updates, 5 due date changes,
    # 6 its reports published
    "organisation_feed": (6, 6),
    "about": (0, 0),
    # 1 inspection, 2 status changes, 3 published updates, 4 due date changes, 5 its publication
    "inspection_feed": (5, 5),
    # 1 organisation, 2 its predecessors, 3 whether any finding matches the words as typed,
    # 4 status changes, 5 published updates, 6 due date changes
    "search_feed": (6, 6),
}
if connection.vendor != "postgresql":
    # SQLite, the quick start, matches the words as typed without asking first whether any
    # finding does (it has no misspelling fallback), so "custdy" finds nothing: no page of items.
    QUERIES |= {
        # no versions: 1 stamp, 2 items by kind and status, 3 closures per quarter,
        # 4 organisations, 5 counts by body; warm: the stamp only
        "overview": (5, 1),
        "overview_filtered": (5, 1),
        # no versions: 1 stamp, 2 count, 3-11 one grouped count per facet, 12 successions,
        # 13 page of items, 14-16 options; warm: without 2-12
        "finding_list": (16, 5),
        "finding_list_deep_page": (16, 5),
        # as "finding_list", plus the organisation looked up and its predecessors
        "finding_list_two_facets": (18, 7),
        "finding_list_filtered": (20, 9),
        "finding_list_search": (16, 5),
        "finding_list_misspelt": (15, 4),
        "search_feed": (5, 5),
    }


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(QUERIES))
def test_page_query_count_is_pinned_and_does_not_grow(
    page, client, public_world, met, mopac, django_assert_num_queries
):
    from django.core.cache import cache

    from public.counts_cache import PARTS_KEPT

    cold, warm = QUERIES[page]
    url = page_urls(public_world)[page]
    add_findings(public_world["inspection"], 2, [met, mopac])
    fetch(client, url)  # warm what is not per request (content types and the like)
    for grow in (False, True):
        if grow:
            add_findings(public_world["inspection"], 30, [met, mopac], start=200)
            add_inspected_forces(public_world["inspection"], 3)
        cache.clear()
        PARTS_KEPT.clear()  # and this process's own copies
        with django_assert_num_queries(cold):
            fetch(client, url)
        with django_assert_num_queries(warm):
            fetch(client, url)


@pytest.mark.django_db
def test_cached_counts_follow_a_status_change_and_a_publication(client, public_world, inspector):
    from recommendations.services import inspection_set_publication

    url = reverse("public:finding-list")
    assert fetch(client, url).context["paginator"].count == 3
    item = public_world["afi"].items.get()
    item_start(item=item, note="Started.")
    statuses = {o["value"]: o["count"] for o in fetch(client, url).context["options"]["status"]}
    assert statuses["in_progress"] == 2
    inspection_set_publication(inspection=public_world["embargoed"], published_at=timezone.now())
    assert fetch(client, url).context["paginator"].count == 5
    assert fetch(client, reverse("public:overview")).context["breakdown"].total() == 5


@pytest.mark.django_db
def test_overview_counts_items_by_status_and_organisation(client, public_world, met):
    response = fetch(client, reverse("public:overview"))
    assert response.context["recommendations_total"] == 2
    assert response.context["areas_total"] == 1
    rows = {row["organisation"].slug: row for row in response.context["rows"]}
    assert (
        rows["metropolitan-police-service"]["total"],
        rows["metropolitan-police-service"]["active"],
    ) == (2, 2)
    assert "Metropolitan Police Service" in response.content.decode()


@pytest.mark.django_db
def test_overview_table_filters_by_kind_and_region_and_sorts(client, public_world):
    response = fetch(client, reverse("public:overview") + "?kind=local_policing_body")
    kinds = {row["organisation"].kind for row in response.context["rows"]}
    assert kinds == {OrganisationKind.LOCAL_POLICING_BODY}

    response = fetch(client, reverse("public:overview") + "?region=London")
    names = [row["organisation"].name for row in response.context["rows"]]
    assert names == ["Mayor's Office for Policing and Crime", "Metropolitan Police Service"]

    response = fetch(client, reverse("public:overview") + "?sort=open&order=desc")
    opens = [row["active"] for row in response.context["rows"]]
    assert opens == sorted(opens, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()


@pytest.mark.django_db
def test_overview_counts_closures_per_quarter(client, public_world, inspector):
    item = public_world["afi"].items.get()
    item_start(item=item, note="Started.")
    item_submit_for_closure(item=item, note="Done.")
    item_close(item=item, user=inspector, outcome=Status.CLOSED_COMPLETE, note="Seen.")
    quarters = fetch(client, reverse("public:overview")).context["quarters"]
    assert len(quarters) == 12
    assert quarters[-1] == {
        "label": f"{timezone.localdate().year} Q{(timezone.localdate().month - 1) // 3 + 1}",
        "total": 1,
        "complete": 1,
    }


@pytest.mark.django_db
def test_finding_list_filters_and_counts(client, public_world, met, mopac):
    url = reverse("public:finding-list")
    response = fetch(client, url)
    assert response.context["paginator"].count == 3

    response = fetch(client, url + "?organisation=mayors-office-for-policing-and-crime")
    assert [i.organisation.slug for i in response.context["page"]] == [
        "mayors-office-for-policing-and-crime"
    ]

    response = fetch(client, url + "?kind=area_for_improvement")
    assert [i.finding.reference for i in response.context["page"]] == ["AFI1"]

    response = fetch(client, url + "?status=in_progress")
    assert response.context["paginator"].count == 1
    # The status facet ignores its own choice: it says what each status would give.
    statuses = {o["value"]: o["count"] for o in response.context["options"]["status"]}
    assert statuses["open"] == 2 and statuses["in_progress"] == 1
    # Other facets count within the chosen status.
    kinds = {o["value"]: o["count"] for o in response.context["options"]["kind"]}
    assert kinds == {"recommendation": 1, "area_for_improvement": 0}

    response = fetch(client, url + "?q=self-harm")
    assert [i.finding.reference for i in response.context["page"]] == ["AFI1"]


@pytest.mark.django_db
def test_finding_list_due_dates_and_overdue(client, public_world, met):
    item = public_world["afi"].items.get()
    item.due_date = timezone.localdate() - timedelta(days=3)
    item.save(update_fields=["due_date"])
    url = reverse("public:finding-list")
    response = fetch(client, url + "?overdue=yes")
    assert [i.finding.reference for i in response.context["page"]] == ["AFI1"]
    overdue = {o["value"]: o["count"] for o in response.context["options"]["overdue"]}
    assert overdue == {"yes": 1, "no": 2}
    before = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    response = fetch(client, url + f"?due_before={before}")
    assert response.context["paginator"].count == 1
    response = fetch(client, url + f"?due_after={before}")
    assert response.context["paginator"].count == 2


@pytest.mark.django_db
def test_finding_list_bad_input_gets_an_error_and_keeps_what_was_typed(client, public_world):
    response = fetch(client, reverse("public:finding-list") + "?due_before=31/02/2026&q=self-harm")
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'value="31/02/2026"' in html
    assert 'value="self-harm"' in html
    # The valid filter still applies.
    assert [i.finding.reference for i in response.context["page"]] == ["AFI1"]


@pytest.mark.django_db
def test_finding_list_paginates_and_keeps_the_query(client, public_world, met):
    add_findings(public_world["inspection"], 60, [met])
    response = fetch(
        client, reverse("public:finding-list") + "?organisation=metropolitan-police-service"
    )
    assert response.context["paginator"].num_pages == 2
    assert "?organisation=metropolitan-police-service&amp;page=2" in response.content.decode()
    second = fetch(
        client, reverse("public:finding-list") + "?organisation=metropolitan-police-service&page=2"
    )
    first_ids = {i.pk for i in response.context["page"]}
    assert first_ids.isdisjoint({i.pk for i in second.context["page"]})


@pytest.mark.django_db
def test_successor_carries_its_predecessors_items(client, public_world, met, mopac, hmicfrs):
    successor = Organisation.objects.create(
        slug="met-and-city",
        name="Metropolitan and City Police",
        kind=OrganisationKind.POLICE_FORCE,
        country="England",
        region="London",
        local_policing_body=mopac,
    )
    organisation_set_successor(
        organisation=met, successor=successor, ceased_on=timezone.localdate()
    )
    response = fetch(client, reverse("public:organisation-detail", args=[successor.slug]))
    assert response.context["breakdown"].total() == 2
    assert reverse("public:organisation-detail", args=[met.slug]) in response.content.decode()
    old = fetch(client, reverse("public:organisation-detail", args=[met.slug]))
    assert reverse("public:organisation-detail", args=[successor.slug]) in old.content.decode()
    listed = fetch(client, reverse("public:finding-list") + f"?organisation={successor.slug}")
    assert listed.context["paginator"].count == 2
    overview = fetch(client, reverse("public:overview"))
    slugs = [row["organisation"].slug for row in overview.context["rows"]]
    assert met.slug not in slugs
    row = next(r for r in overview.context["rows"] if r["organisation"] == successor)
    assert row["total"] == 2


@pytest.mark.django_db
def test_organisation_page_shows_engage_judgements_and_section55(
    client, public_world, met, mopac, inspector
):
    engage_enter(
        organisation=met,
        entered_on=timezone.localdate() - timedelta(days=30),
        reasons="Concerns about crime recording.",
        user=inspector,
    )
    public_world["inspection"].judgements.create(
        question_area="Recording data about crime", scale=GradingScale.PEEL_FIVE_POINT, grade="good"
    )
    (awaited,) = section55_open_responses(inspection=public_world["inspection"])
    response = section55_record_response(
        response=awaited,
        received_on=timezone.localdate(),
        url="https://example.org/mopac-response",
    )
    html = fetch(client, reverse("public:organisation-detail", args=[met.slug])).content.decode()
    assert "Concerns about crime recording." in html
    assert "Still in Engage" in html
    assert "Recording data about crime" in html and "PEEL five-point" in html
    assert response.url in html
    overview = fetch(client, reverse("public:overview"))
    row = next(r for r in overview.context["rows"] if r["organisation"] == met)
    assert row["in_engage"] is True


@pytest.mark.django_db
def test_inspection_page_shows_findings_statuses_and_section55_clock(client, public_world):
    inspection = public_world["inspection"]
    response = fetch(client, reverse("public:inspection-detail", args=[inspection.slug]))
    html = response.content.decode()
    assert "CoC1" in html and "R1" in html and "AFI1" in html
    assert "64" in html and "CCTV cases reviewed" in html
    assert "In progress" in html and "Self-reported by the organisation" in html
    due = response.context["section55"][0]["due_on"]
    assert due == inspection.published_on + timedelta(days=55)
    assert "Awaited" in html


@pytest.mark.django_db
def test_inspection_series_lists_only_published_members(client, public_world, hmicfrs, custody):
    inspection = public_world["inspection"]
    follow_up = Inspection.objects.create(
        title="Post-inspection update 1",
        slug="update-1",
        programme=custody,
        lead_inspectorate=hmicfrs,
        follows_up=inspection,
        published_at=timezone.now() - timedelta(days=1),
    )
    Inspection.objects.create(
        title="Post-inspection update 2 not yet out",
        slug="update-2",
        programme=custody,
        lead_inspectorate=hmicfrs,
        follows_up=follow_up,
        published_at=timezone.now() + timedelta(days=3),
    )
    html = fetch(client, reverse("public:inspection-detail", args=["update-1"])).content.decode()
    assert inspection.title in html
    assert "not yet out" not in html


@pytest.mark.django_db
def test_finding_page_timeline_separates_self_reported_from_verified(
    client, public_world, inspector
):
    finding = public_world["recommendation"]
    mopac_item = finding.items.get(organisation__slug="mayors-office-for-policing-and-crime")
    item_close(
        item=mopac_item,
        user=inspector,
        outcome=Status.CLOSED_NO_LONGER_RELEVANT,
        note="Authorised for closure on the basis of the new oversight board.",
    )
    html = fetch(client, reverse("public:finding-detail", args=[finding.pk])).content.decode()
    assert "A new use of force board met in March." in html
    assert "INTERNAL-ONLY" not in html
    # Only a closure as complete is a verification: "no longer relevant" is a decision.
    assert "Decided by the inspectorate" in html
    assert "Verified by the inspectorate" not in html
    assert "Self-reported by the organisation" in html
    assert "Authorised for closure on the basis of the new oversight board." in html


@pytest.mark.django_db
def test_not_found_page_is_styled(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "govuk-template" in response.content.decode()
    assert "Page not found" in response.content.decode()


def test_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-template" in html


@pytest.mark.django_db
def test_forbidden_page_is_styled(client, kent_user):
    client.force_login(kent_user)
    response = client.get(reverse("workspace:queue"))
    assert response.status_code == 403
    assert "govuk-template" in response.content.decode()
    assert "You cannot do this" in response.content.decode()
