"""Anonymous reads of the API served from the page cache (api/views.py: CachedReads), after the
rate limits: every request still counts, token holders are never served from it, and a write
gives the next client the new data at once."""

import pytest
from django.core.cache import caches

from api import views
from recommendations.models import Item
from recommendations.services import item_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def built(monkeypatch):
    """How many times the items' list was worked out from the database."""
    calls = []
    original = views.items

    def counted():
        calls.append(1)
        return original()

    monkeypatch.setattr(views, "items", counted)
    return calls


def test_an_anonymous_read_is_served_from_the_cache(client, api_world, built):
    first = client.get("/api/v1/items/")
    again = client.get("/api/v1/items/")
    assert len(built) == 1
    assert again.status_code == 200 and again.json() == first.json()
    for header in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Allow", "Content-Type"):
        assert again[header] == first[header], header
    assert int(again["Content-Length"]) == len(again.content)
    assert client.get("/api/v1/items/", headers={"if-none-match": first["ETag"]}).status_code == 304
    since = {"if-modified-since": first["Last-Modified"]}
    assert client.get("/api/v1/items/", headers=since).status_code == 304


def test_the_query_the_language_and_the_media_type_are_in_the_key(client, api_world, built):
    english = client.get("/api/v1/items/")
    welsh = client.get("/api/v1/items/?lang=cy")
    indented = client.get("/api/v1/items/", headers={"accept": "application/json; indent=4"})
    assert len(built) == 3
    assert welsh.content != english.content
    assert indented.content != english.content and indented.json() == english.json()
    assert client.get("/api/v1/items/?lang=cy").content == welsh.content
    assert len(built) == 3


def test_the_rate_limit_counts_cached_answers(client, api_world, settings, built):
    settings.API_ANON_RATE = "3/minute"
    caches["shared"].clear()
    assert [client.get("/api/v1/items/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert len(built) == 1


def test_token_holders_are_never_served_from_the_cache_nor_stored(
    client, api_world, met_user, bearer, built
):
    assert client.get("/api/v1/items/", **bearer(met_user)).status_code == 200
    assert client.get("/api/v1/items/", **bearer(met_user)).status_code == 200
    assert len(built) == 2
    client.get("/api/v1/items/")
    assert len(built) == 3, "what the token holder read was not stored"


def test_a_write_gives_the_next_anonymous_client_the_new_data(
    client, transactional_db, api_world, inspector, mopac
):
    """Committed (``transactional_db``): the generation moves when the write commits."""
    item = Item.objects.get(finding=api_world["recommendation"], organisation=mopac)
    url = f"/api/v1/items/{item.pk}/"
    before = client.get(url)
    assert before.json()["status"] == "open"
    assert client.get(url).content == before.content  # cached
    item_start(item=item, user=inspector, note="Begun.")
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after.json()["status"] == "in_progress"
