"""Regressions found in review: feed escaping, labels of inspectorate decisions, facet counts of
successors, and option lists that could tell of an embargoed report."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.choices import OrganisationKind
from inspections.models import Organisation
from inspections.services import organisation_set_successor
from recommendations.models import Theme
from recommendations.services import (
    item_return,
    item_submit_for_closure,
    progress_update_add,
)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.django_db
def test_feed_escapes_what_people_wrote(client, public_world):
    item = public_world["afi"].items.get()
    progress_update_add(
        item=item,
        narrative="Fewer than <5 cases <img src=x onerror=alert(1)>",
        self_assessment="on_track",
        publish=True,
    )
    root = ET.fromstring(client.get(reverse("public:feed")).content)
    (summary,) = [
        text
        for text in (e.findtext(f"{ATOM}summary") for e in root.iter(f"{ATOM}entry"))
        if text and "Fewer than" in text
    ]
    # The summary is HTML: what was written shows as text, never as markup.
    assert "<img" not in summary
    assert "Fewer than &lt;5 cases &lt;img src=x onerror=alert(1)&gt;" in summary


@pytest.mark.django_db
def test_a_return_is_decided_not_verified(client, public_world, inspector):
    item = public_world["afi"].items.get()
    item = item_submit_for_closure(item=item, note="Done.")
    item_return(item=item, user=inspector, note="Not yet: training is missing.")
    html = client.get(reverse("public:finding-detail", args=[item.finding_id])).content.decode()
    assert "Decided by the inspectorate" in html
    assert "Verified by the inspectorate" not in html


@pytest.mark.django_db
def test_successor_option_counts_its_predecessors_items(client, public_world, met, mopac):
    successor = Organisation.objects.create(
        slug="met-and-city",
        name="Metropolitan and City Police",
        kind=OrganisationKind.POLICE_FORCE,
        country="England",
        region="London",
    )
    organisation_set_successor(
        organisation=met, successor=successor, ceased_on=timezone.localdate()
    )
    response = client.get(reverse("public:finding-list"))
    options = {o["value"]: o["count"] for o in response.context["options"]["organisation"]}
    chosen = client.get(reverse("public:finding-list"), {"organisation": "met-and-city"})
    assert options["met-and-city"] == chosen.context["paginator"].count == 2


@pytest.mark.django_db
def test_theme_of_an_embargoed_report_is_not_offered(client, public_world):
    secret_theme = Theme.objects.create(slug="secret-theme", name="Secret subject")
    public_world["secret"].themes.add(secret_theme)
    html = client.get(reverse("public:finding-list")).content.decode()
    assert "Secret subject" not in html
    refused = client.get(reverse("public:finding-list"), {"theme": "secret-theme"})
    assert "There is a problem" in refused.content.decode()
