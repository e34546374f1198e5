"""The schema matches what the API really returns: schemathesis sends what the schema allows
(and what it does not) to every operation and checks every answer against it.

It runs on the WSGI application in this process, against the test database holding the API's
test world, so lists and details are not empty. Its size is bounded by ``MAX_EXAMPLES``.
"""

import json
from io import BytesIO
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from api.filters import ItemFilterSet
from api.pages import api_schema

MAX_EXAMPLES = 25
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def load_schema():
    """The schema as /api/schema/ serves it, with the WSGI application to send requests to.

    It is loaded when the tests are collected (one test per operation), before any database
    exists; the application then answers from the test database of each test.
    """
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(api_schema())))
    loaded.app = get_wsgi_application()
    return loaded


schema = load_schema()


@pytest.fixture
def wsgi_world(api_world, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: a request must not close the connection that holds the
    # test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield api_world
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_as_its_schema_says(case, wsgi_world):
    case.call_and_validate(checks=CHECKS)


def test_schema_has_no_warnings(db, capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_every_field_of_every_resource_is_described():
    components = api_schema()["components"]["schemas"]
    missing = [
        f"{name}.{field}"
        for name, component in components.items()
        for field, prop in component.get("properties", {}).items()
        if not prop.get("description", "").strip()
        and not name.startswith("Paginated")  # DRF's own: next, previous, results
    ]
    assert missing == []


@pytest.mark.parametrize("path", ["/api/v1/items/", "/api/v1/findings/"])
def test_every_browse_filter_is_a_documented_parameter(path):
    parameters = api_schema()["paths"][path]["get"]["parameters"]
    documented = {p["name"] for p in parameters if p.get("description")}
    assert set(ItemFilterSet.base_filters) <= documented
    assert "sort" not in documented  # the API pages in id order


def test_every_operation_documents_its_refusals():
    for path, methods in api_schema()["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"401", "429"} <= codes, (method, path)
            if method == "get":
                assert {"200", "304", "404"} <= codes, path
            else:
                assert {"400", "403", "404", "409"} <= codes, (method, path)


def _validate(response, method="GET"):
    path = urlsplit(response.request.url).path
    operation = schema.find_operation_by_path(method, path)
    assert operation is not None, path
    operation.validate_response(response)
    return response


def test_every_published_object_answers_as_the_schema_says(wsgi_world, bearer, met_lead):
    """Every page of every list and every object in them, as they really are: schemathesis
    above makes up identifiers, which rarely name an object that exists."""
    client = WerkzeugClient(get_wsgi_application())
    lists = [path for path in schema.raw_schema["paths"] if "{" not in path]
    seen = 0
    for path in lists:
        url = f"http://localhost{path}?page_size=2" if path != "/api/v1/" else path
        while url:
            page = _validate(client.get(url)).get_json()
            url = page.get("next")
            for result in page.get("results", []):
                for key in ("url", "updates_url", "status_changes_url"):
                    if key in result:
                        _validate(client.get(result[key]))
                        seen += 1
    assert seen > 20

    item = wsgi_world["recommendation"].items.get(organisation__slug="metropolitan-police-service")
    headers = {"Authorization": bearer(met_lead)["HTTP_AUTHORIZATION"]}
    base = f"/api/v1/items/{item.pk}"
    recorded = client.post(
        f"{base}/updates/",
        json={"narrative": "Done more.", "self_assessment": "on_track", "publish": True},
        headers=headers,
    )
    assert _validate(recorded, "POST").status_code == 201
    stale = client.post(
        f"{base}/submit-for-closure/",
        data={
            "note": "All done.",
            "evidence": (BytesIO(PDF), "minutes.pdf"),
            "expected_version": 1,
        },
        headers=headers,
    )
    assert _validate(stale, "POST").status_code == 409
    submitted = client.post(
        f"{base}/submit-for-closure/",
        data={"note": "All done.", "evidence": (BytesIO(PDF), "minutes.pdf")},
        headers=headers,
    )
    assert _validate(submitted, "POST").status_code == 200
    again = client.post(
        f"{base}/submit-for-closure/",
        data={"note": "All done.", "evidence": (BytesIO(PDF), "minutes.pdf")},
        headers=headers,
    )
    assert _validate(again, "POST").status_code == 403
    refused = client.post(f"{base}/updates/", json={"narrative": ""}, headers=headers)
    assert _validate(refused, "POST").status_code == 400
    anonymous = client.post(f"{base}/updates/", json={})
    assert _validate(anonymous, "POST").status_code == 401
