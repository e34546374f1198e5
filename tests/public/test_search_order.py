"""The order of a words search, and searches that name no word."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection
from tests.public.test_search import add

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the misspelling fallback is PostgreSQL's"
)


def _listed(client, **query):
    response = client.get(reverse("public:finding-list"), query)
    assert response.status_code == 200
    return response, [item.finding.reference for item in response.context["page"]]


@pytest.fixture
def newer_report(inspection):
    return Inspection.objects.create(
        title="Kent custody",
        slug="kent-custody",
        programme=inspection.programme,
        lead_inspectorate=inspection.lead_inspectorate,
        published_at=timezone.now() - timedelta(days=1),
    )


@pytest.mark.django_db
@postgresql_only
def test_a_misspelt_search_lists_the_nearest_spelling_first(client, inspection, newer_report, met):
    """ "detension" is nearer "detention" than "detentions": the nearer comes first, though
    the other is in a newer report, unless the reader asks for the newest first."""
    add(inspection, "R2", "Detention records must improve.", [met])
    add(newer_report, "R3", "Detentions of children must be reviewed.", [met])

    response, by_default = _listed(client, q="detension")
    _, by_relevance = _listed(client, q="detension", sort="relevance")
    _, by_newest = _listed(client, q="detension", sort="newest")

    assert "close matches" in response.content.decode()
    assert by_default == by_relevance == ["R2", "R3"]
    assert by_newest == ["R3", "R2"]


@pytest.mark.django_db
def test_best_match_without_words_lists_the_newest_first(client, inspection, newer_report, met):
    add(inspection, "R2", "Detention records must improve.", [met])
    add(newer_report, "R3", "Detentions of children must be reviewed.", [met])

    _, listed = _listed(client, sort="relevance")

    assert listed == ["R3", "R2"]


@pytest.mark.django_db
@postgresql_only
def test_a_search_of_punctuation_only_finds_nothing(client, inspection, met):
    add(inspection, "R2", "Detention records must improve.", [met])

    _, listed = _listed(client, q="!!! ???")

    assert listed == []
