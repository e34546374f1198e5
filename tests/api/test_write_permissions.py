"""Who may write what through the API, per object: the portal's rules (tests/portal/
test_permissions.py), with a token instead of a session.

401 without a (valid) token, 404 for items the person may not see, 403 for what they may see but
not do (or a role without writing), 2xx otherwise. Nothing is recorded unless 2xx.
"""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections.models import Inspection
from recommendations.choices import Status
from recommendations.models import Finding, ProgressUpdate, StatusChange
from recommendations.services import (
    finding_add_addressees,
    inspection_set_publication,
    item_close,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PERSONAS = [
    "anonymous",
    "bad_token",
    "met_user",
    "met_lead",
    "mopac_lead",
    "kent_user",
    "inspector",
    "other_inspector",
    "admin_user",
]


@pytest.fixture
def world(
    inspection,
    item,
    kent_item,
    met,
    hmicfrs,
    custody,
    met_user,
    met_lead,
    mopac_lead,
    kent_user,
    inspector,
    other_inspector,
    admin_user,
):
    embargoed = Inspection.objects.create(
        title="Not yet published", slug="embargoed", programme=custody, lead_inspectorate=hmicfrs
    )
    inspection_set_publication(
        inspection=embargoed, published_at=timezone.now() + timedelta(days=3)
    )
    secret = Finding.objects.create(
        inspection=embargoed, kind="recommendation", reference="S1", text="Secret."
    )
    (secret_item,) = finding_add_addressees(finding=secret, organisations=[met])
    closed_finding = Finding.objects.create(
        inspection=inspection, kind="area_for_improvement", reference="AFI9", text="Done."
    )
    (closed_item,) = finding_add_addressees(finding=closed_finding, organisations=[met])
    item_close(item=closed_item, outcome=Status.CLOSED_NO_LONGER_RELEVANT, note="The law changed.")
    return {
        "items": {
            "own": item,
            "other": kent_item,
            "unpublished": secret_item,
            "closed own": closed_item,
        },
        "users": {
            "met_user": met_user,
            "met_lead": met_lead,
            "mopac_lead": mopac_lead,
            "kent_user": kent_user,
            "inspector": inspector,
            "other_inspector": other_inspector,
            "admin_user": admin_user,
        },
    }


def headers_for(persona, world, bearer):
    if persona == "anonymous":
        return {}
    if persona == "bad_token":
        return {"HTTP_AUTHORIZATION": "Bearer irt_not-a-token"}
    return bearer(world["users"][persona])


def send(client, action, item, headers):
    if action == "update":
        return client.post(
            f"/api/v1/items/{item.pk}/updates/",
            json.dumps({"narrative": "Training done.", "self_assessment": "on_track"}),
            content_type="application/json",
            **headers,
        )
    return client.post(
        f"/api/v1/items/{item.pk}/submit-for-closure/",
        {
            "note": "All done, see the minutes.",
            "evidence": SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf"),
        },
        **headers,
    )


# Expected status codes: one row per action, one column per persona (in PERSONAS order).
#                            anon bad  met  lead mopac kent insp other admin
MATRIX = {
    "update own":              (401, 401, 201, 201, 404, 404, 403, 403, 403),
    "update other":            (401, 401, 404, 404, 404, 201, 403, 403, 403),
    "update unpublished":      (401, 401, 404, 404, 404, 404, 403, 403, 403),
    "update closed own":       (401, 401, 403, 403, 404, 404, 403, 403, 403),
    "submit own":              (401, 401, 403, 200, 404, 404, 403, 403, 403),
    "submit other":            (401, 401, 404, 404, 404, 403, 403, 403, 403),
    "submit unpublished":      (401, 401, 404, 404, 404, 404, 403, 403, 403),
    "submit closed own":       (401, 401, 403, 403, 404, 404, 403, 403, 403),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_write_permission_matrix(client, world, bearer, case, persona):
    expected = MATRIX[case][PERSONAS.index(persona)]
    action, which = case.split(" ", 1)
    item = world["items"][which]
    updates, changes = ProgressUpdate.objects.count(), StatusChange.objects.count()

    response = send(client, action, item, headers_for(persona, world, bearer))

    assert response.status_code == expected, (case, persona, response.content[:200])
    assert response["Content-Type"] == "application/json"
    if expected >= 400:
        assert response.json()["detail"]
        assert ProgressUpdate.objects.count() == updates
        assert StatusChange.objects.count() == changes
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS[2:])
def test_every_token_reads_the_public_api_and_nothing_more(client, world, bearer, persona):
    headers = headers_for(persona, world, bearer)
    assert client.get("/api/v1/items/", **headers).status_code == 200
    unpublished = world["items"]["unpublished"]
    assert client.get(f"/api/v1/items/{unpublished.pk}/", **headers).status_code == 404


@pytest.mark.django_db
def test_a_bad_token_is_refused_even_for_reading(client, world):
    response = client.get("/api/v1/items/", HTTP_AUTHORIZATION="Bearer irt_nope")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token is not valid, or it was revoked."


@pytest.mark.django_db
def test_nothing_else_is_writable(client, world, bearer):
    """Only the two writes exist: every other method on every address is refused."""
    headers = bearer(world["users"]["met_lead"])
    own = world["items"]["own"]
    for url in [
        "/api/v1/items/",
        f"/api/v1/items/{own.pk}/",
        f"/api/v1/items/{own.pk}/status-changes/",
        f"/api/v1/findings/{own.finding_id}/",
        "/api/v1/organisations/metropolitan-police-service/",
        "/api/v1/section-55-responses/",
        "/api/v1/engage-periods/",
    ]:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, {}, content_type="application/json", **headers)
            assert response.status_code == 405, (method, url)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(
            f"/api/v1/items/{own.pk}/updates/", {}, content_type="application/json", **headers
        )
        assert response.status_code == 405, method
    own.refresh_from_db()
    assert own.status == Status.OPEN
