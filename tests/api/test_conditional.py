"""ETag and Last-Modified on every read, and 304 when the client's copy is current."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date

from recommendations.services import progress_update_add

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/",
    "/api/v1/items/",
    "/api/v1/items/?organisation=metropolitan-police-service",
    "/api/v1/organisations/kent-police/",
    "/api/v1/inspections/met-custody-2025/",
]


@pytest.mark.parametrize("url", URLS)
def test_if_none_match_gives_304_without_a_body(client, api_world, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]


@pytest.mark.parametrize("url", URLS)
def test_if_modified_since_gives_304(client, api_world, url):
    first = client.get(url)

    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304
    assert again.content == b""


def test_a_change_gives_the_new_answer_with_new_validators(client, api_world):
    item = api_world["recommendation"].items.get(organisation__slug="metropolitan-police-service")
    url = f"/api/v1/items/{item.pk}/updates/"
    first = client.get(url)

    progress_update_add(
        item=item, narrative="Training finished.", self_assessment="on_track", publish=True
    )

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    for response in (by_etag, by_date):
        assert response.status_code == 200
        assert b"Training finished." in response.content
        assert response["ETag"] != first["ETag"]


def test_an_internal_update_changes_nothing_public(client, api_world):
    item = api_world["recommendation"].items.get(organisation__slug="metropolitan-police-service")
    url = f"/api/v1/items/{item.pk}/updates/"
    first = client.get(url)

    progress_update_add(item=item, narrative="Internal.", self_assessment="on_track")

    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_date_from_a_body_never_served_here_is_not_trusted(client, api_world):
    """After a restart (or from another process) only the ETag can say the copy is current."""
    first = client.get("/api/v1/items/")
    cache.clear()

    assert (
        client.get("/api/v1/items/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code
        == 200
    )
    assert client.get("/api/v1/items/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_an_older_copy_is_sent_again(client, api_world):
    first = client.get("/api/v1/items/")
    long_ago = http_date(timezone.now().timestamp() - 86400)

    again = client.get("/api/v1/items/", HTTP_IF_MODIFIED_SINCE=long_ago)

    assert again.status_code == 200
    assert again.content == first.content


def test_head_and_errors_carry_no_validators_of_their_own(client, api_world):
    assert client.head("/api/v1/items/")["ETag"] == client.get("/api/v1/items/")["ETag"]
    missing = client.get("/api/v1/items/999999/")
    assert missing.status_code == 404
    assert not missing.has_header("ETag")
