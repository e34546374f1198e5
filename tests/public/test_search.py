"""The words search: ranked full-text search on PostgreSQL, a simple word match on SQLite."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from inspections.choices import OrganisationKind
from inspections.models import Inspection, Organisation, Programme
from inspections.services import inspection_update
from recommendations.choices import FindingKind
from recommendations.models import Finding, FindingSearch, Theme
from recommendations.services import (
    finding_add_addressees,
    finding_remove_addressee,
    finding_update,
)
from tests.conftest import EMBARGOED


def add(inspection, reference, text, organisations):
    finding = Finding.objects.create(
        inspection=inspection, kind=FindingKind.RECOMMENDATION, reference=reference, text=text
    )
    finding_add_addressees(finding=finding, organisations=organisations)
    return finding


def references(client, query, **filters):
    response = client.get(reverse("public:finding-list"), {"q": query, **filters})
    return [item.finding.reference for item in response.context["page"]]


def vetting_report(beside):
    """A published report of another programme, whose words say nothing of custody."""
    programme = Programme.objects.create(slug="vetting", name="Vetting", kind=beside.programme.kind)
    return Inspection.objects.create(
        title="Kent Police vetting",
        slug="kent-vetting",
        programme=programme,
        lead_inspectorate=beside.lead_inspectorate,
        published_at=beside.published_at,
    )


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored search document is PostgreSQL's"
)


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
def test_custody_filtered_to_the_met_finds_every_item_of_the_custody_report(
    client, inspection, met, mopac, kent
):
    # Only one finding of the report says "custody": the title names the others.
    add(inspection, "R2", "Improve custody records.", [met])
    add(inspection, "R3", "Review the use of force training.", [met, mopac])
    add(inspection, "AFI1", "Strip searches should be recorded.", [met])
    add(vetting_report(inspection), "R1", "Review the vetting of officers.", [kent])
    found = references(client, "custody", organisation=met.slug)
    assert sorted(found) == ["AFI1", "R2", "R3"]


@pytest.mark.django_db
@postgresql_only
@pytest.mark.parametrize(
    ("stored", "typed"),
    [("Tāmaki", "Tamaki"), ("Tamaki", "Tāmaki"), ("Ōtāhuhu", "Otahuhu"), ("Otahuhu", "Ōtāhuhu")],
)
def test_accents_do_not_matter(client, inspection, met, stored, typed):
    add(inspection, "R2", f"Open a new custody suite in {stored}.", [met])
    add(inspection, "R3", "Something else entirely.", [met])
    assert references(client, typed) == ["R2"]


@pytest.mark.django_db
@postgresql_only
def test_a_small_misspelling_finds_the_word(client, inspection, met):
    add(inspection, "R2", "Improve detention records.", [met])
    add(vetting_report(inspection), "R1", "Review the vetting of officers.", [met])
    # "custody" is in the Met report's title only; "detension" in nothing as typed.
    response = client.get(reverse("public:finding-list"), {"q": "custdy"})
    assert [item.finding.reference for item in response.context["page"]] == ["R2"]
    assert "close matches" in response.content.decode()
    assert references(client, "detension records") == ["R2"]
    assert references(client, "vettting") == ["R1"]


@pytest.mark.django_db
def test_references_and_organisation_names_are_found(client, inspection, met):
    dyfed = Organisation.objects.create(
        slug="dyfed-powys-police",
        name="Dyfed-Powys Police",
        name_cy="Heddlu Dyfed-Powys",
        kind=OrganisationKind.POLICE_FORCE,
        country="Wales",
        region="Wales",
    )
    add(inspection, "AFI3", "Something about records.", [met])
    add(inspection, "R7", "Something about training.", [dyfed])
    assert references(client, "AFI3") == ["AFI3"]
    assert references(client, "afi3") == ["AFI3"]
    assert references(client, "Dyfed-Powys") == ["R7"]
    assert references(client, "Heddlu") == ["R7"]
    assert references(client, "Dyfed records") == []
    assert references(client, "Heddlu training") == ["R7"]


@pytest.mark.django_db
def test_an_embargoed_reports_words_are_never_found(client, public_world):
    assert references(client, EMBARGOED) == []
    assert references(client, "Child protection") == []
    assert references(client, "R9") == []
    # Nor by a near spelling: the fallback searches published findings only.
    assert references(client, EMBARGOED.replace("WORDS", "WORD")) == []
    assert references(client, "Chlid protecton") == []


@pytest.mark.django_db
@postgresql_only
def test_the_write_paths_keep_the_stored_document_current(client, inspection, met, mopac):
    finding = add(inspection, "R2", "Improve records.", [met])

    def document():
        return FindingSearch.objects.get(finding=finding).text

    assert "metropolitan police service custody" in document()
    inspection_update(inspection=inspection, changes={"title": "Met cells"}, reason="Typo.")
    assert "met cells" in document()
    assert "metropolitan police service custody" not in document()
    assert references(client, "cells") == ["R2"]
    finding_update(finding=finding, changes={"text": "Improve lighting."}, reason="Typo.")
    assert references(client, "lighting") == ["R2"]
    assert references(client, "records") == []
    theme = Theme.objects.create(slug="estates", name="Estates")
    finding_update(finding=finding, changes={"themes": [theme]}, reason="Tagged.")
    assert references(client, "estates") == ["R2"]
    Theme.objects.filter(pk=theme.pk).update(name="Buildings")
    assert references(client, "buildings") == ["R2"]
    finding_add_addressees(finding=finding, organisations=[mopac])
    assert "mayor" in document()
    # An addressee removed by mistake (only possible before publication).
    draft = Inspection.objects.create(
        title="Draft",
        slug="draft",
        programme=inspection.programme,
        lead_inspectorate=inspection.lead_inspectorate,
    )
    draft_finding = add(draft, "R1", "Draft text.", [met, mopac])
    assert "mayor" in FindingSearch.objects.get(finding=draft_finding).text
    item = draft_finding.items.get(organisation=mopac)
    finding_remove_addressee(item=item, reason="Wrong body.")
    assert "mayor" not in FindingSearch.objects.get(finding=draft_finding).text
    met.name_cy = "Heddlu Llundain"
    met.save()
    assert references(client, "Llundain") == ["R2", "R2"]  # to the Met and to MOPAC
    inspection.programme.name = "Detention"
    inspection.programme.save()
    assert references(client, "detention") == ["R2", "R2"]
    draft_finding.delete()
    assert not FindingSearch.objects.filter(finding_id=draft_finding.pk).exists()


@pytest.mark.django_db
@postgresql_only
def test_the_document_lists_names_in_alphabetical_order_whatever_the_order_they_came(
    inspection,
):
    # Made in the other order: the table's order is not the alphabet's.
    ystrad, aber = (
        Organisation.objects.create(
            slug=name.lower().replace(" ", "-"),
            name=name,
            kind=OrganisationKind.POLICE_FORCE,
            country="Wales",
            region="Wales",
        )
        for name in ("Ystrad Police", "Aber Police")
    )
    estates = Theme.objects.create(slug="estates", name="Estates")
    custody = Theme.objects.create(slug="custody-theme", name="Custody")
    first = add(inspection, "R2", "Improve records.", [ystrad, aber])
    second = add(inspection, "R3", "Improve records.", [aber, ystrad])
    finding_update(finding=first, changes={"themes": [estates, custody]}, reason="Tagged.")
    finding_update(finding=second, changes={"themes": [custody, estates]}, reason="Tagged.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recommendations_item, recommendations_finding_themes")
    Theme.objects.filter(pk=custody.pk).update(name="Cells")  # rewrites both documents
    documents = {
        row.finding.reference: row.text.removeprefix(row.finding.reference.lower())
        for row in FindingSearch.objects.select_related("finding")
    }
    assert documents["R2"] == documents["R3"]
    assert "aber police ystrad police" in documents["R2"]
    assert documents["R2"].endswith("cells estates")


@pytest.mark.django_db
@postgresql_only
def test_ranking_reads_the_stored_document_through_its_indexes(client, inspection, met):
    from django.test.utils import CaptureQueriesContext

    add(inspection, "R2", "Improve custody records.", [met])
    with CaptureQueriesContext(connection) as queries:
        references(client, "custody")
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert "recommendations_findingsearch" in sql
    assert "to_tsvector" not in sql  # nothing parsed per row
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'recommendations_findingsearch' ORDER BY indexname"
        )
        indexes = dict(cursor.fetchall())
    assert "gin (document)" in indexes["findingsearch_document_idx"]
    assert "gin_trgm_ops" in indexes["findingsearch_text_trgm_idx"]


def search_forms(html):
    """The GET forms to the browse page whose words field is labelled."""
    action = reverse("public:finding-list")
    return [
        form
        for form in re.findall(r"<form[^>]*role=\"search\".*?</form>", html, re.S)
        if f'action="{action}"' in form and 'method="get"' in form
    ]


@pytest.mark.django_db
def test_the_home_page_and_the_public_pages_have_a_search_box(client, public_world, met):
    home = client.get(reverse("public:overview")).content.decode()
    (form,) = search_forms(home)
    assert '<label class="govuk-label govuk-label--m" for="home-search">' in form
    assert 'id="home-search" name="q" type="search"' in form
    for url in [
        reverse("public:organisation-detail", args=[met.slug]),
        reverse("public:inspection-detail", args=[public_world["inspection"].slug]),
        reverse("public:finding-detail", args=[public_world["recommendation"].pk]),
        reverse("public:about"),
    ]:
        (form,) = search_forms(client.get(url).content.decode())
        # A label for screen readers, hidden from sight: the button says what the box is for.
        assert 'class="govuk-label govuk-visually-hidden" for="header-search"' in form
        assert 'name="q" type="search"' in form
    # The browse page has its own words field, and no second box.
    assert search_forms(client.get(reverse("public:finding-list")).content.decode()) == []


@pytest.mark.django_db
def test_the_search_box_submits_to_the_browse_page(client, public_world):
    response = client.get(reverse("public:finding-list"), {"q": "self-harm"})
    assert [item.finding.reference for item in response.context["page"]] == ["AFI1"]
