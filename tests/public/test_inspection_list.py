"""The list of published reports, /inspections/: filters, order, progress, query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.choices import ProgrammeKind
from inspections.models import Inspection, Inspectorate, Programme
from recommendations.choices import FindingKind
from recommendations.models import Finding
from recommendations.services import (
    finding_add_addressees,
    item_close,
    item_start,
    item_submit_for_closure,
)
from tests.conftest import EMBARGOED


def report(slug, *, programme, inspectorate, organisations, days_ago, title=None):
    inspection = Inspection.objects.create(
        title=title or slug.replace("-", " ").capitalize(),
        slug=slug,
        programme=programme,
        lead_inspectorate=inspectorate,
        published_at=timezone.now() - timedelta(days=days_ago),
    )
    inspection.organisations.add(*organisations)
    return inspection


def add_finding(inspection, reference, organisations, *, overdue=False):
    finding = Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        reference=reference,
        text=f"Finding {reference}.",
        due_date=timezone.localdate() + timedelta(days=-5 if overdue else 90),
    )
    return finding_add_addressees(finding=finding, organisations=organisations)


def listed(client, **filters):
    response = client.get(reverse("public:inspection-list"), filters)
    assert response.status_code == 200
    return [inspection.slug for inspection in response.context["inspections"]]


@pytest.fixture
def reports(public_world, met, kent, hmicfrs, custody):
    fire = Programme.objects.create(
        slug="fire", name="Fire and rescue", kind=ProgrammeKind.FIRE_AND_RESCUE
    )
    cqc = Inspectorate.objects.create(slug="cqc", name="Care Quality Commission")
    kent_report = report(
        "kent-fire", programme=fire, inspectorate=hmicfrs, organisations=[kent], days_ago=400
    )
    kent_report.partner_inspectorates.add(cqc)
    old = report(
        "met-old", programme=custody, inspectorate=hmicfrs, organisations=[met], days_ago=800
    )
    return {"kent": kent_report, "old": old, "met": public_world["inspection"], "cqc": cqc}


@pytest.mark.django_db
def test_every_published_report_newest_first_and_never_an_embargoed_one(client, reports):
    assert listed(client) == ["met-custody-2025", "kent-fire", "met-old"]
    html = client.get(reverse("public:inspection-list")).content.decode()
    assert EMBARGOED not in html and "embargoed-report" not in html


@pytest.mark.django_db
def test_reports_filter_by_organisation_programme_inspectorate_and_year(client, reports, kent):
    assert listed(client, organisation=kent.slug) == ["kent-fire"]
    assert listed(client, programme="fire") == ["kent-fire"]
    assert listed(client, programme="police-custody") == ["met-custody-2025", "met-old"]
    # A joint report is listed under its partner inspectorate too.
    assert listed(client, inspectorate="cqc") == ["kent-fire"]
    assert listed(client, inspectorate="hmicfrs") == ["met-custody-2025", "kent-fire", "met-old"]
    year = reports["old"].published_at.year
    assert "met-old" in listed(client, year=str(year))
    assert "met-custody-2025" not in listed(client, year=str(year))


@pytest.mark.django_db
def test_an_unknown_filter_value_is_an_error_and_the_rest_still_applies(client, reports):
    response = client.get(
        reverse("public:inspection-list"), {"programme": "no-such", "inspectorate": "cqc"}
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert [i.slug for i in response.context["inspections"]] == ["kent-fire"]


@pytest.mark.django_db
def test_each_report_shows_its_progress(client, reports, met, kent, inspector):
    items = add_finding(reports["old"], "R1", [met]) + add_finding(
        reports["old"], "R2", [met], overdue=True
    )
    item_start(item=items[0], note="Started.")
    item_submit_for_closure(item=items[0], note="Done.")
    item_close(item=items[0], user=inspector, outcome="closed_complete", note="Verified.")
    response = client.get(reverse("public:inspection-list"))
    progress = {i.slug: i.progress for i in response.context["inspections"]}
    assert progress["met-old"].total == 2
    assert progress["met-old"].verified == 1
    assert progress["met-old"].overdue == 1
    assert progress["kent-fire"] is None
    html = response.content.decode()
    assert "Of 2 items: 1 open, 1 closed: complete. <strong>1 overdue.</strong>" in html
    assert "No findings recorded yet." in html


@pytest.mark.django_db
def test_the_list_is_linked_from_the_navigation_and_the_home_page(client, reports):
    html = client.get(reverse("public:overview")).content.decode()
    url = reverse("public:inspection-list")
    assert html.count(f'href="{url}"') == 2  # the menu and the page


# 1 count, 2 page of reports, 3 their items by status, 4-6 the organisation, programme and
# inspectorate options; with filters, 7-8 the chosen organisation and inspectorate looked up,
# 9 the organisation's predecessors (its lineage)
QUERIES = {"": 6, "?organisation=metropolitan-police-service&inspectorate=hmicfrs&page=1": 9}


@pytest.mark.django_db
@pytest.mark.parametrize("query", sorted(QUERIES))
def test_query_count_is_pinned_and_does_not_grow(
    query, client, reports, met, hmicfrs, custody, django_assert_num_queries
):
    url = reverse("public:inspection-list") + query
    client.get(url)  # warm what is not per request
    for grow in (False, True):
        if grow:
            for number in range(30):
                more = report(
                    f"more-{number}",
                    programme=custody,
                    inspectorate=hmicfrs,
                    organisations=[met],
                    days_ago=number + 1,
                )
                add_finding(more, "R1", [met], overdue=number % 2 == 0)
        with django_assert_num_queries(QUERIES[query]):
            response = client.get(url)
        assert response.status_code == 200
