"""Feeds that read well: titles name the report, the author is who made the change, a feed
per inspection and per browse search, and autodiscovery links on the pages that have one."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection
from recommendations.services import item_close, item_submit_for_closure
from tests.conftest import EMBARGOED

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [
        (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}author/{ATOM}name"))
        for entry in root.iter(f"{ATOM}entry")
    ]


@pytest.fixture
def closed_afi(public_world, inspector):
    item = public_world["afi"].items.get()
    item_submit_for_closure(item=item, note="Done.")
    item_close(item=item, user=inspector, outcome="closed_complete", note="Verified.")
    return item


@pytest.mark.django_db
def test_titles_name_the_inspection_and_authors_are_who_made_the_change(
    client, public_world, closed_afi
):
    found = entries(client, reverse("public:feed"))
    report = "Metropolitan Police Service custody"
    assert (
        f"{report}, AFI1 for Metropolitan Police Service: Closed: complete",
        "HM Inspectorate of Constabulary and Fire & Rescue Services",
    ) in found
    assert (
        f"{report}, AFI1 for Metropolitan Police Service: Submitted for closure",
        "Metropolitan Police Service",
    ) in found
    # Every entry names its report: a finding's by "report, reference", a publication by
    # "report: report published".
    assert all(title.startswith(f"{report}") for title, _ in found)
    assert (
        f"{report}: report published",
        "HM Inspectorate of Constabulary and Fire & Rescue Services",
    ) in found


@pytest.mark.django_db
def test_the_inspection_feed_holds_that_reports_changes_only(client, public_world, closed_afi):
    url = reverse("public:inspection-feed", args=[public_world["inspection"].slug])
    found = entries(client, url)
    report = "Metropolitan Police Service custody"
    assert found and all(title.startswith(report) for title, _ in found)
    embargoed = reverse("public:inspection-feed", args=["embargoed-report"])
    assert client.get(embargoed).status_code == 404
    assert EMBARGOED not in client.get(url).content.decode()


@pytest.mark.django_db
def test_any_browse_query_has_a_feed_of_what_changes_in_it(client, public_world, closed_afi):
    url = reverse("public:search-feed")
    everything = entries(client, url)
    self_harm = entries(client, url + "?q=self-harm")
    assert self_harm and all(", AFI1 for " in title for title, _ in self_harm)
    assert any(", R1 for " in title for title, _ in everything)
    closed = entries(
        client, url + "?status=closed_complete&organisation=metropolitan-police-service"
    )
    assert {title.split(":")[0] for title, _ in closed} == {
        "Metropolitan Police Service custody, AFI1 for Metropolitan Police Service"
    }
    assert entries(client, url + f"?q={EMBARGOED}") == []
    # A bad filter value is left out, as the browse page leaves it out.
    assert entries(client, url + "?status=nonsense") == everything


def alternate_links(html):
    pattern = r'<link rel="alternate" type="application/atom\+xml" [^>]*href="([^"]+)"'
    return re.findall(pattern, html)


@pytest.mark.django_db
def test_every_page_with_a_feed_names_it_for_autodiscovery(client, public_world, met):
    inspection = public_world["inspection"]
    pages = {
        reverse("public:overview"): reverse("public:feed"),
        reverse("public:inspection-detail", args=[inspection.slug]): reverse(
            "public:inspection-feed", args=[inspection.slug]
        ),
        reverse("public:organisation-detail", args=[met.slug]): reverse(
            "public:organisation-feed", args=[met.slug]
        ),
        reverse("public:finding-list") + "?q=custody&amp;status=open": reverse("public:search-feed")
        + "?q=custody&amp;status=open",
    }
    for page, feed in pages.items():
        html = client.get(page.replace("&amp;", "&")).content.decode()
        assert alternate_links(html) == [feed], page


@pytest.mark.django_db
def test_a_report_is_announced_when_its_embargo_lifts(client, public_world):
    # The site feed, the inspection's and its addressees' announce a report at the moment it
    # goes public, never before: a scheduled report appears when its embargo lifts.
    def titles(url):
        return [title for title, _ in entries(client, url)]

    published = "Metropolitan Police Service custody: report published"
    assert published in titles(reverse("public:feed"))
    assert published in titles(
        reverse("public:inspection-feed", args=[public_world["inspection"].slug])
    )
    assert published in titles(
        reverse("public:organisation-feed", args=["metropolitan-police-service"])
    )
    feed = client.get(reverse("public:feed")).content.decode()
    assert EMBARGOED not in feed
    assert f"/inspections/{public_world['inspection'].slug}/" in feed

    embargoed = public_world["embargoed"]
    Inspection.objects.filter(pk=embargoed.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    assert f"{embargoed.title}: report published" in titles(reverse("public:feed"))
