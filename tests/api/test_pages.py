"""The API's pages for people: overview, reference and data dictionary, drawn from the schema,
GOV.UK-styled and working without any external asset."""

import re

import pytest
from django.utils.html import escape

from api.pages import RESOURCE_ORDER, api_schema, plain

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-template__body"' in html
    # Everything it loads comes from this site: no CDN, no network needed.
    for asset in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert asset.startswith("/"), asset
    return html


def test_overview_explains_the_api_and_its_licence(client, settings):
    settings.API_ANON_RATE = "120/minute"
    html = page(client, "/api/")
    assert '<h1 class="govuk-heading-xl">Open data API</h1>' in html
    assert "http://testserver/api/v1/" in html
    assert "Open Government Licence v3.0" in html
    assert "each address may make 120 requests a minute" in html
    for link in ('href="/api/docs/"', 'href="/api/data-dictionary/"', 'href="/api/schema/"'):
        assert link in html


def test_reference_lists_every_operation(client):
    html = page(client, "/api/docs/")
    for path, methods in api_schema()["paths"].items():
        for operation in methods.values():
            assert f"<code>{path}</code>" in html, path
            assert f'id="{operation["operationId"]}"' in html
    assert "If-None-Match" in html
    assert "<code>organisation</code>" in html  # a browse filter


def test_data_dictionary_describes_every_field_of_every_resource(client):
    html = page(client, "/api/data-dictionary/")
    components = api_schema()["components"]["schemas"]
    for name in RESOURCE_ORDER:
        assert f'id="{name}"' in html, name
        for field, prop in components[name]["properties"].items():
            assert f"<code>{field}</code>" in html, (name, field)
            assert escape(plain(prop["description"]))[:40] in html, (name, field)
            assert "* `" not in plain(prop["description"])
    # Codes come with their words.
    assert "<code>closed_complete</code>: Closed: complete" in html
    assert "Open Government Licence v3.0" in html


def test_about_page_links_to_the_api(client):
    html = client.get("/about/").content.decode()
    assert '<a class="govuk-link" href="/api/">open data API</a>' in html


def test_the_schema_is_served_as_yaml_and_json(client):
    assert client.get("/api/schema/").status_code == 200
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["license"]["name"] == "Open Government Licence v3.0"
