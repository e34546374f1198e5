"""Finding a report in the editor (/workspace/reports/find/): every report the person may edit,
draft or published, by title, slug or inspected organisation; a GET form, paginated; scoped by
``policy.reports_in_editor``; a fixed number of queries whatever the number of reports."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection, Inspectorate

pytestmark = pytest.mark.django_db

URL = reverse("workspace:report-search")


def editor_url(report):
    return reverse("workspace:report", args=[report.pk])


@pytest.fixture
def others_draft(custody, met):
    """A draft of another inspectorate about the same force: never found by HMICFRS."""
    fire = Inspectorate.objects.create(slug="fire", name="Fire Inspectorate")
    report = Inspection.objects.create(
        title="Metropolitan Police Service custody (secret)",
        slug="met-custody-secret",
        programme=custody,
        lead_inspectorate=fire,
    )
    report.organisations.add(met)
    return report


def test_the_reports_page_offers_the_search(client, inspector):
    client.force_login(inspector)
    page = client.get(reverse("workspace:reports")).content.decode()
    assert f'action="{URL}"' in page and 'name="q"' in page and 'method="get"' in page


def test_an_inspector_finds_drafts_and_published_reports_by_title_slug_or_organisation(
    client, inspector, inspection, draft, others_draft, kent, custody, hmicfrs
):
    kents = Inspection.objects.create(
        title="Kent crime data integrity",
        slug="kent-cdi",
        programme=custody,
        lead_inspectorate=hmicfrs,
        published_at=timezone.now() + timedelta(days=3),
    )
    kents.organisations.add(kent)
    client.force_login(inspector)

    everything = client.get(URL)
    assert everything.status_code == 200
    assert everything.context["reports"] == [draft, kents, inspection]
    text = everything.content.decode()
    assert "All 3 reports" in text
    assert "Draft</strong>" in text and "Scheduled</strong>" in text
    assert "Published</strong>" in text
    assert others_draft.title not in text and editor_url(others_draft) not in text

    def found(query):
        return client.get(URL, {"q": query}).context["reports"]

    assert found("custody") == [draft, inspection]  # title; never the other inspectorate's
    assert found("met-custody-2025") == [inspection]  # slug
    assert found("kent") == [kents]  # an inspected organisation's name
    assert found("metropolitan draft") == [draft]  # every word matches something
    assert found("kent custody") == []
    assert found("secret") == []
    page = client.get(URL, {"q": "Kent police"}).content.decode()
    assert "1 report matching “Kent police”" in page
    assert f'href="{editor_url(kents)}"' in page
    assert 'value="Kent police"' in page  # the search box keeps the words


@pytest.mark.parametrize(
    ("persona", "expected"), [("other_inspector", 200), ("met_user", 403), (None, 302)]
)
def test_only_inspectors_search_and_only_their_own_reports(
    client, request, persona, expected, inspection, draft
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(URL, {"q": "custody"})
    assert response.status_code == expected
    if expected == 200:
        assert response.context["reports"] == []
        assert editor_url(inspection) not in response.content.decode()
    if persona is None:
        assert response.url.startswith(reverse("accounts:sign-in"))


def make_reports(total, programme, lead, organisation):
    have = Inspection.objects.filter(slug__startswith="bulk-").count()
    now = timezone.now()
    reports = Inspection.objects.bulk_create(
        Inspection(
            title=f"Bulk report {n}",
            slug=f"bulk-{n}",
            programme=programme,
            lead_inspectorate=lead,
            published_at=now - timedelta(days=n + 1),
        )
        for n in range(have, total)
    )
    Inspection.organisations.through.objects.bulk_create(
        Inspection.organisations.through(inspection=report, organisation=organisation)
        for report in reports
    )


def test_the_results_are_paginated(client, inspector, custody, hmicfrs, met):
    make_reports(45, custody, hmicfrs, met)
    client.force_login(inspector)
    first = client.get(URL, {"q": "bulk"})
    assert len(first.context["reports"]) == 20
    assert first.context["reports"][0].slug == "bulk-0"
    text = first.content.decode()
    assert "45 reports matching" in text
    assert 'class="govuk-pagination"' in text
    assert 'href="?q=bulk&amp;page=2"' in text  # the words are kept from page to page
    last = client.get(URL, {"q": "bulk", "page": 3})
    assert [r.slug for r in last.context["reports"]] == [f"bulk-{n}" for n in range(40, 45)]
    assert "(page 3 of 3)" in last.content.decode()


def test_the_search_takes_the_same_queries_at_5_and_60_reports(
    client, inspector, custody, hmicfrs, met, mopac, django_assert_num_queries
):
    client.force_login(inspector)
    for total in (5, 60):
        make_reports(total, custody, hmicfrs, met)
        # 1 session, 2 user, 3 count, 4 the page of reports with their lead inspectorates,
        # 5 their inspected organisations, 6 memberships (navigation)
        with django_assert_num_queries(6):
            response = client.get(URL, {"q": "bulk Metropolitan", "page": 2})
        assert response.status_code == 200
        assert response.context["paginator"].count == total
        assert all(r.organisations.all()[0] == met for r in response.context["reports"])
