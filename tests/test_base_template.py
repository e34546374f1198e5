"""base.html renders with and without a request, and marks the current page in the navigation."""

import pytest
from django.template import Context, Template, engines
from django.test import RequestFactory
from django.urls import resolve

PAGE = '{% extends "base.html" %}{% block title %}A page{% endblock %}'


@pytest.fixture(autouse=True)
def _base_template_urls(settings):
    settings.ROOT_URLCONF = "tests.browser.urls_base"


def test_renders_without_a_request_as_500_html_does():
    html = Template(PAGE).render(Context())

    assert "<title>A page \N{EN DASH} Inspection Recommendations Tracker</title>" in html
    assert 'aria-current="page"' not in html
    assert 'href="/findings/">Find findings</a>' in html


def test_marks_only_the_current_page():
    request = RequestFactory().get("/about/")
    request.resolver_match = resolve("/about/")

    html = engines["django"].from_string(PAGE).render(request=request)

    assert html.count('aria-current="page"') == 1
    assert 'href="/about/" aria-current="page">' in html


def test_renders_when_the_public_pages_do_not_exist(settings):
    settings.ROOT_URLCONF = "tests.urls_empty"

    html = Template(PAGE).render(Context())

    assert "Inspection Recommendations Tracker" in html
