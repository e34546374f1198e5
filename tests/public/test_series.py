"""A report series on one page: per finding, how its status moved from report to report."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection
from recommendations.choices import FindingKind, Status
from recommendations.models import Finding
from recommendations.services import finding_add_addressees, item_change_status


def day(year, month, date):
    return timezone.make_aware(datetime(year, month, date, 10))


def build_series(programme, inspectorate, met, *, findings=1):
    """A 2016 report and four post-inspection updates; R4 closed after update 2 and reopened
    after update 4, as in the Met's child protection series."""
    dates = [day(2016, 11, 25), day(2017, 4, 27), day(2017, 8, 24), day(2017, 12, 14)]
    dates.append(day(2018, 6, 28))
    reports, previous = [], None
    for number, published_at in enumerate(dates):
        report = Inspection.objects.create(
            title="Child protection" + (f", update {number}" if number else ""),
            slug=f"child-protection-{number}",
            programme=programme,
            lead_inspectorate=inspectorate,
            published_at=published_at,
            follows_up=previous,
        )
        report.organisations.add(met)
        reports.append(report)
        previous = report
    (r4,) = add(reports[0], "R4", met)
    for extra in range(findings - 1):
        add(reports[0], f"R{10 + extra}", met)
    for to_status, at in [
        (Status.IN_PROGRESS, day(2017, 1, 10)),
        (Status.SUBMITTED, day(2017, 7, 2)),
        (Status.CLOSED_COMPLETE, day(2017, 7, 20)),
        (Status.IN_PROGRESS, day(2018, 7, 10)),
    ]:
        r4 = item_change_status(item=r4, to_status=to_status, note="Step.", at=at)
    add(reports[4], "R1", met)
    return reports


def add(report, reference, met):
    finding = Finding.objects.create(
        inspection=report, kind=FindingKind.RECOMMENDATION, reference=reference, text="Text."
    )
    return finding_add_addressees(finding=finding, organisations=[met])


@pytest.mark.django_db
def test_the_series_shows_r4_closed_after_update_1_and_reopened_after_update_4(
    client, custody, hmicfrs, met
):
    reports = build_series(custody, hmicfrs, met)
    for report in (reports[0], reports[3]):  # the same timeline from any report of the series
        response = client.get(reverse("public:inspection-detail", args=[report.slug]))
        rows = {row["finding"].reference: row for row in response.context["series_timeline"]}
        r4 = [(cell.status, [m.to_status for m in cell.moves]) for cell in rows["R4"]["cells"]]
        assert r4 == [
            (Status.IN_PROGRESS, [Status.IN_PROGRESS]),
            (Status.CLOSED_COMPLETE, [Status.SUBMITTED, Status.CLOSED_COMPLETE]),
            (Status.CLOSED_COMPLETE, []),
            (Status.CLOSED_COMPLETE, []),
            (Status.IN_PROGRESS, [Status.IN_PROGRESS]),
        ]
        assert rows["R4"]["cells"][4].moves[0].reopened
        # R1 of the last update did not exist before it.
        assert [cell.status for cell in rows["R1"]["cells"]] == [None] * 4 + [Status.OPEN]
        html = response.content.decode()
        assert "Reopened: in progress, 10 Jul 2018" in html
        assert "Closed: complete, 20 Jul 2017" in html
        assert "Not yet made" in html


@pytest.mark.django_db
def test_an_embargoed_follow_up_is_not_in_the_series(client, custody, hmicfrs, met):
    reports = build_series(custody, hmicfrs, met)
    reports[4].published_at = timezone.now() + timedelta(days=3)
    reports[4].save()
    response = client.get(reverse("public:inspection-detail", args=[reports[0].slug]))
    assert len(response.context["series"]) == 4
    references = {row["finding"].reference for row in response.context["series_timeline"]}
    assert references == {"R4"}
    assert reports[4].slug not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("findings", [1, 12])
def test_the_series_page_costs_the_same_whatever_its_size(
    client, custody, hmicfrs, met, findings, django_assert_num_queries
):
    reports = build_series(custody, hmicfrs, met, findings=findings)
    url = reverse("public:inspection-detail", args=[reports[2].slug])
    client.get(url)
    # The inspection page's queries (see test_pages) with this series walked (one per report
    # up to its first, one per generation down), and the timeline's two: the items and their
    # status changes, however many findings the reports hold.
    with django_assert_num_queries(18):
        client.get(url)
