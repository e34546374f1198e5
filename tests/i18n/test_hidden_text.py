"""What the page-wide check of test_welsh cannot see, because the phrase carries a name or a
title: visually hidden link text and the labels of scrolling tables, in Welsh on Welsh pages."""

import re

import pytest
from django.urls import reverse as django_reverse
from django.utils import translation

from inspections.models import Inspection, Organisation
from recommendations.models import Section55Response


def reverse(*args, **kwargs):
    with translation.override("en-gb"):
        return django_reverse(*args, **kwargs)


def hidden_texts(html: str) -> list[str]:
    return [
        " ".join(text.split())
        for text in re.findall(r'<span class="govuk-visually-hidden">([^<]*)</span>', html)
    ]


def aria_labels(html: str) -> list[str]:
    return re.findall(r'aria-label="([^"]*)"', html)


@pytest.fixture
def received(public_world, mopac):
    """MOPAC's section 55 response to the Met custody report, received and linked, with Welsh
    names for both."""
    inspection = public_world["inspection"]
    Inspection.objects.filter(pk=inspection.pk).update(title_cy="Dalfa Heddlu Metropolitan")
    Organisation.objects.filter(pk=mopac.pk).update(name_cy="Swyddfa’r Maer dros Blismona")
    response = Section55Response.objects.get(inspection=inspection, local_policing_body=mopac)
    Section55Response.objects.filter(pk=response.pk).update(
        received_on=inspection.published_at.date(), url="https://example.org/response"
    )
    return public_world


@pytest.mark.django_db
def test_the_section_55_links_say_what_they_are_of_in_welsh(client, received, mopac):
    organisation_page = client.get(
        "/cy" + reverse("public:organisation-detail", args=[mopac.slug])
    ).content.decode()
    assert "i Dalfa Heddlu Metropolitan" in hidden_texts(organisation_page)
    assert not any(text.startswith("to ") for text in hidden_texts(organisation_page))

    inspection_page = client.get(
        "/cy" + reverse("public:inspection-detail", args=[received["inspection"].slug])
    ).content.decode()
    assert "gan Swyddfa’r Maer dros Blismona" in hidden_texts(inspection_page)
    assert ">Swyddfa’r Maer dros Blismona</a></th>" in inspection_page

    english = client.get(reverse("public:organisation-detail", args=[mopac.slug])).content.decode()
    assert f"to {received['inspection'].title}" in hidden_texts(english)


@pytest.mark.django_db
def test_scrolling_tables_are_labelled_in_welsh(client, received, met):
    for path in (
        reverse("public:overview"),
        reverse("public:organisation-detail", args=[met.slug]),
    ):
        html = client.get("/cy" + path).content.decode()
        labels = aria_labels(html)
        assert "Eitemau yn ôl statws a math, yn sgrolio i’r ochr ar sgriniau bach" in labels
        assert not [label for label in labels if "scrolls sideways" in label], path


@pytest.mark.django_db
def test_a_date_that_is_not_one_is_an_error_in_good_welsh(client, public_world):
    url = reverse("public:finding-list") + "?due_after=31-31-2020"
    welsh = client.get("/cy" + url).content.decode()
    assert "Rhowch ddyddiad go iawn, er enghraifft 31/3/2026" in welsh
    assert "Rhif ddyddiad dilys" not in welsh
    english = client.get(url).content.decode()
    assert "Enter a real date, for example 31/3/2026" in english


@pytest.mark.django_db
def test_the_pages_of_results_are_named_in_welsh(client, public_world, monkeypatch):
    monkeypatch.setattr("public.views.RESULTS_PER_PAGE", 1)
    welsh = client.get("/cy" + reverse("public:finding-list")).content.decode()
    assert 'class="govuk-pagination" aria-label="Tudalennau canlyniadau"' in welsh
    assert "Results pages" not in welsh
    english = client.get(reverse("public:finding-list")).content.decode()
    assert 'class="govuk-pagination" aria-label="Results pages"' in english
