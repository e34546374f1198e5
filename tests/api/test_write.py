"""Writing through the API: the portal's services and rules, with the API as the channel."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from api.models import ApiToken
from recommendations.choices import Channel, Status
from recommendations.models import ProgressUpdate, StatusChange
from recommendations.services import item_start

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


def post_update(client, item, headers, **fields):
    data = {"narrative": "Training done.", "self_assessment": "on_track", **fields}
    return client.post(
        f"/api/v1/items/{item.pk}/updates/",
        json.dumps(data),
        content_type="application/json",
        **headers,
    )


def submit(client, item, headers, *, files=None, **fields):
    if files is None:
        files = [SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")]
    data = {"note": "Board in place: minutes attached.", **fields}
    if files:
        data["evidence"] = files
    return client.post(f"/api/v1/items/{item.pk}/submit-for-closure/", data, **headers)


def test_first_update_moves_the_item_to_in_progress_through_the_api_channel(
    client, item, met_user, bearer
):
    response = post_update(client, item, bearer(met_user))

    assert response.status_code == 201
    body = response.json()
    assert body["is_published"] is False
    assert (body["item_status"], body["item_version"]) == ("in_progress", 2)
    update = ProgressUpdate.objects.get(pk=body["id"])
    assert update.author == met_user
    change = StatusChange.objects.get(item=item)
    assert (change.to_status, change.channel, change.changed_by) == (
        Status.IN_PROGRESS,
        Channel.API,
        met_user,
    )


def test_internal_update_stays_out_of_the_public_api(client, item, met_user, bearer):
    post_update(client, item, bearer(met_user), narrative="Internal only.")
    post_update(client, item, bearer(met_user), narrative="For everyone.", publish=True)

    public = client.get(f"/api/v1/items/{item.pk}/updates/").json()["results"]

    assert [u["narrative"] for u in public] == ["For everyone."]


def test_an_update_against_a_stale_version_is_refused_with_what_changed(
    client, item, met_user, inspector, bearer
):
    item_start(item=item, user=inspector, note="")
    before = ProgressUpdate.objects.count()

    response = post_update(client, item, bearer(met_user), expected_version=1)

    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert body["detail"].startswith("Someone else changed this item while you were working on it")
    assert "In progress" in body["detail"]
    assert ProgressUpdate.objects.count() == before
    assert (
        post_update(client, item, bearer(met_user, "again"), expected_version=2).status_code == 201
    )


def test_a_blank_update_names_the_field(client, item, met_user, bearer):
    response = post_update(client, item, bearer(met_user), narrative="  ")
    assert response.status_code == 400
    assert "narrative" in response.json()
    response = post_update(client, item, bearer(met_user), self_assessment="great")
    assert response.status_code == 400
    assert "self_assessment" in response.json()


def test_an_update_may_carry_evidence_checked_by_content(client, item, met_user, bearer):
    headers = bearer(met_user)
    url = f"/api/v1/items/{item.pk}/updates/"
    fields = {"narrative": "Minutes.", "self_assessment": "on_track"}

    fake = SimpleUploadedFile("minutes.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = client.post(url, {**fields, "evidence": [fake]}, **headers)
    assert refused.status_code == 400
    assert refused.json()["evidence"]
    assert not ProgressUpdate.objects.exists()

    pdf = SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")
    recorded = client.post(url, {**fields, "evidence": [pdf]}, **headers)
    assert recorded.status_code == 201
    assert recorded.json()["evidence"] == ["minutes.pdf"]


def test_lead_submits_for_closure_with_evidence(client, item, met_lead, bearer):
    response = submit(client, item, bearer(met_lead), expected_version=1)

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["self_reported"], body["version"]) == ("submitted", True, 3)
    changes = StatusChange.objects.filter(item=item).order_by("pk")
    assert [(c.to_status, c.channel) for c in changes] == [
        (Status.IN_PROGRESS, Channel.API),
        (Status.SUBMITTED, Channel.API),
    ]
    update = ProgressUpdate.objects.get(item=item)
    assert update.is_published
    assert update.evidence.get().original_name == "minutes.pdf"
    public = client.get(f"/api/v1/items/{item.pk}/status-changes/").json()["results"]
    assert public[-1]["note"] == "Board in place: minutes attached."
    assert "minutes.pdf" not in client.get(f"/api/v1/items/{item.pk}/updates/").content.decode()


def test_a_stale_submission_is_refused_and_changes_nothing(
    client, item, met_lead, inspector, bearer
):
    item_start(item=item, user=inspector, note="")

    response = submit(client, item, bearer(met_lead), expected_version=1)

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "Someone else changed this item" in response.json()["detail"]
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert not ProgressUpdate.objects.filter(item=item).exists()


@pytest.mark.parametrize(
    ("files", "fields", "field"),
    [
        ([], {}, "evidence"),
        (
            [
                SimpleUploadedFile(
                    "minutes.pdf", b"not a pdf at all", content_type="application/pdf"
                )
            ],
            {},
            "evidence",
        ),
        (None, {"note": ""}, "note"),
        (None, {"expected_version": "first"}, "expected_version"),
    ],
    ids=["no evidence", "fake pdf", "no note", "bad version"],
)
def test_a_bad_submission_names_its_field_and_changes_nothing(
    client, item, met_lead, bearer, files, fields, field
):
    response = submit(client, item, bearer(met_lead), files=files, **fields)

    assert response.status_code == 400
    assert field in response.json()
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_json_submission_without_files_is_refused(client, item, met_lead, bearer):
    response = client.post(
        f"/api/v1/items/{item.pk}/submit-for-closure/",
        json.dumps({"note": "Done."}),
        content_type="application/json",
        **bearer(met_lead),
    )
    assert response.status_code == 400
    assert response.json()["evidence"]


def test_no_csrf_token_is_needed_and_a_session_is_not_enough(item, met_user, bearer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(met_user)
    assert post_update(client, item, {}).status_code == 401
    assert post_update(client, item, bearer(met_user)).status_code == 201


def test_revoked_token_and_inactive_user_are_refused(client, item, met_user, bearer):
    from api.services import token_revoke

    headers = bearer(met_user)
    assert client.get("/api/v1/", **headers).status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None

    token_revoke(token=token, user=met_user)
    assert post_update(client, item, headers).status_code == 401

    other = bearer(met_user, "second")
    met_user.is_active = False
    met_user.save()
    assert post_update(client, item, other).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer two words", "Bearer \u00e9t\u00e9"],
    ids=["no token", "two tokens", "not ascii"],
)
def test_a_malformed_authorization_header_is_a_401(client, item, header):
    response = client.get("/api/v1/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_other_schemes_are_ignored_as_anonymous(client, item):
    assert client.get("/api/v1/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").status_code == 200
    response = post_update(client, item, {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
