"""The words search: ranked full-text search on PostgreSQL, a simple word match on SQLite."""

import pytest
from django.db import connection
from django.urls import reverse

from recommendations.choices import FindingKind
from recommendations.models import Finding
from recommendations.services import finding_add_addressees


def add(inspection, reference, text, organisations):
    finding = Finding.objects.create(
        inspection=inspection, kind=FindingKind.RECOMMENDATION, reference=reference, text=text
    )
    finding_add_addressees(finding=finding, organisations=organisations)
    return finding


def references(client, query):
    response = client.get(reverse("public:finding-list"), {"q": query})
    return [item.finding.reference for item in response.context["page"]]


@pytest.mark.django_db
def test_every_word_must_match(client, inspection, met):
    add(inspection, "R2", "Improve custody records and mental health referrals.", [met])
    add(inspection, "R3", "Improve custody staffing.", [met])
    assert references(client, "custody mental") == ["R2"]
    assert sorted(references(client, "custody")) == ["R2", "R3"]


@pytest.mark.django_db
def test_reference_is_found_exactly(client, inspection, met):
    add(inspection, "AFI17", "Something else entirely.", [met])
    assert references(client, "AFI17") == ["AFI17"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgresql_search_stems_and_ranks(client, inspection, met):
    add(inspection, "R2", "Inspections of custody should inspect custody and custody again.", [met])
    add(inspection, "R3", "The force should review how it inspects vetting, and custody.", [met])
    add(inspection, "R4", "Unrelated text about vehicles.", [met])
    # "inspecting" and "inspections" share a stem; the best match comes first.
    assert references(client, "inspecting custody") == ["R2", "R3"]
    # websearch syntax: a phrase and an excluded word.
    assert references(client, '"review how" -vehicles') == ["R3"]


@pytest.mark.django_db
def test_search_index_exists_on_postgresql(db):
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'finding_text_search_idx'")
            assert cursor.fetchall() == []  # SQLite has no full-text index of this kind
            return
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'finding_text_search_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "gin" in definition.lower() and "to_tsvector" in definition
