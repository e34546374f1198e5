"""Paging by cursor sees every result once, and no list costs a query per row."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection, Organisation
from inspections.services import engage_enter
from recommendations.choices import FindingKind, Section55Action
from recommendations.models import CauseOfConcern, Finding, Section55Response
from recommendations.services import (
    finding_add_addressees,
    item_set_due_date,
    progress_update_add,
    section55_record_response,
)
from tests.api.conftest import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(api_world, met, mopac, kent, hmicfrs, custody, inspector):
    """Add ``count`` published reports on the Met, each with everything a list shows."""
    theme = api_world["theme"]
    partner = api_world["inspection"].partner_inspectorates.get()

    def add(count, start=0):
        for n in range(start, start + count):
            inspection = Inspection.objects.create(
                title=f"Report {n}",
                slug=f"report-{n}",
                programme=custody,
                lead_inspectorate=hmicfrs,
                published_at=timezone.now() - timedelta(days=30 + n),
            )
            inspection.organisations.add(met, kent)
            inspection.partner_inspectorates.add(partner)
            inspection.figures.create(label="Cases", value=5, out_of=10)
            inspection.judgements.create(question_area="Leadership", scale="peel_5", grade="good")
            cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="X")
            for kind, reference in [
                (FindingKind.RECOMMENDATION, "R1"),
                ("area_for_improvement", "AFI1"),
            ]:
                finding = Finding.objects.create(
                    inspection=inspection,
                    kind=kind,
                    reference=reference,
                    text=f"Finding {reference} of report {n}.",
                    cause_of_concern=cause if kind == FindingKind.RECOMMENDATION else None,
                )
                finding.themes.add(theme)
                addressees = [met, mopac, kent] if kind == FindingKind.RECOMMENDATION else [met]
                for item in finding_add_addressees(finding=finding, organisations=addressees):
                    progress_update_add(
                        item=item,
                        narrative="Started.",
                        self_assessment="on_track",
                        publish=True,
                    )
                    item_set_due_date(
                        item=item,
                        due_date=timezone.localdate() + timedelta(days=n + 1),
                        user=inspector,
                        reason="Agreed.",
                    )
            response = Section55Response.objects.create(
                inspection=inspection, local_policing_body=mopac
            )
            section55_record_response(
                response=response,
                received_on=timezone.localdate(),
                text="Noted.",
                statements=dict.fromkeys(
                    inspection.findings.filter(kind=FindingKind.RECOMMENDATION),
                    (Section55Action.TAKEN, "Done."),
                ),
            )
            body = Organisation.objects.create(
                slug=f"force-{n}",
                name=f"Force {n}",
                kind="police_force",
                successor=kent,
                ceased_on=timezone.localdate(),
            )
            engage_enter(
                organisation=body,
                entered_on=timezone.localdate(),
                reasons="Concerns.",
                inspection=inspection,
            )

    return add


# What each list costs, whatever its length (anonymous, one page):
QUERIES = {
    # 1 organisations with policing body and successor, 2 their predecessors
    "/api/v1/organisations/": 2,
    # 1 inspections with programme, lead inspectorate and report followed up; 2 partners,
    # 3 organisations, 4 key figures, 5 judgements, 6 causes of concern
    "/api/v1/inspections/": 6,
    # 1 findings with report and cause of concern, 2 their items with addressees, 3 themes
    "/api/v1/findings/": 3,
    # 1 the organisation chosen, 2 every succession (one walk, however many generations),
    # 3 the findings, 4 their items, 5 themes
    "/api/v1/findings/?organisation=kent-police": 5,
    # 1 items with finding, report, addressee and superseding finding
    "/api/v1/items/": 1,
    # 1 the organisation chosen, 2 its predecessors, 3 the items
    "/api/v1/items/?organisation=metropolitan-police-service": 3,
    # 1 updates with their organisation
    "/api/v1/updates/": 1,
    # 1 changes with their item's organisation
    "/api/v1/status-changes/": 1,
    # 1 due date changes with their item's organisation and who agreed (their inspectorate)
    "/api/v1/due-date-changes/": 1,
    # 1 responses with report and body, 2 their statements with the recommendation
    "/api/v1/section-55-responses/": 2,
    # 1 periods with organisation and inspection
    "/api/v1/engage-periods/": 1,
}


@pytest.mark.parametrize("url", sorted(QUERIES))
def test_list_queries_do_not_grow_with_rows(client, grow, django_assert_num_queries, url):
    page = url + ("&" if "?" in url else "?") + "page_size=500"
    grow(2)
    with django_assert_num_queries(QUERIES[url]):
        small = client.get(page)
    grow(10, start=2)
    with django_assert_num_queries(QUERIES[url]):
        large = client.get(page)
    assert len(large.json()["results"]) > len(small.json()["results"])


def test_item_timeline_queries_do_not_grow(client, grow, django_assert_num_queries, api_world):
    item = api_world["recommendation"].items.get(organisation__slug="metropolitan-police-service")
    for _ in range(5):
        progress_update_add(item=item, narrative="More.", self_assessment="on_track", publish=True)
    # 1 the item (published?), 2 its updates with their organisation
    with django_assert_num_queries(2):
        client.get(f"/api/v1/items/{item.pk}/updates/")


@pytest.mark.parametrize(
    "query",
    [{}, {"organisation": "metropolitan-police-service"}, {"kind": "area_for_improvement"}],
    ids=repr,
)
def test_walking_every_page_gives_the_browse_page_count(client, grow, query):
    grow(30)
    browse = client.get(reverse("public:finding-list"), query)
    items, pages = walk(client, "/api/v1/items/", page_size=5, **query)
    assert pages > 5
    assert len(items) == browse.context["paginator"].count
    assert len({item["id"] for item in items}) == len(items)
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)


def test_walking_findings_sees_every_published_finding(client, grow):
    grow(12)
    findings, _ = walk(client, "/api/v1/findings/", page_size=5)
    assert len(findings) == Finding.objects.published().count()


def test_a_record_added_while_walking_is_seen_once(client, grow, met, api_world):
    grow(3)
    first = client.get("/api/v1/items/", {"page_size": 4}).json()
    finding = Finding.objects.create(
        inspection=api_world["inspection"], kind="recommendation", reference="R77", text="New."
    )
    finding_add_addressees(finding=finding, organisations=[met])
    rest, _ = walk(client, first["next"])
    ids = [item["id"] for item in first["results"] + rest]
    assert len(ids) == len(set(ids))
    assert ids[-1] == finding.items.get().pk
