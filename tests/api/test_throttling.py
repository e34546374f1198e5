"""Anonymous clients are limited per address, token holders per person, with a clear 429."""

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings):
    settings.API_ANON_RATE = "3/minute"
    settings.API_TOKEN_RATE = "5/minute"
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def test_anonymous_client_gets_a_clear_429(client, api_world, low_rates):
    for _ in range(3):
        assert client.get("/api/v1/items/").status_code == 200

    response = client.get("/api/v1/organisations/")

    assert response.status_code == 429
    body = response.json()
    assert 1 <= body["retry_after"] <= 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert body["detail"].startswith(
        "Too many requests: each client without a token may make 3 requests per minute. "
        "Try again in "
    )


def test_each_address_has_its_own_allowance(client, api_world, low_rates):
    for _ in range(3):
        client.get("/api/v1/items/")
    assert client.get("/api/v1/items/").status_code == 429
    assert client.get("/api/v1/items/", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_token_has_its_own_higher_allowance(client, api_world, low_rates, bearer, met_user):
    for _ in range(3):
        client.get("/api/v1/items/")
    headers = bearer(met_user)
    for _ in range(5):
        assert client.get("/api/v1/items/", **headers).status_code == 200

    response = client.get("/api/v1/items/", **headers)

    assert response.status_code == 429
    assert "each token's owner may make 5 requests per minute" in response.json()["detail"]


def test_the_rate_comes_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config import settings as config_settings

    monkeypatch.setenv("API_ANON_RATE", "30/hour")
    assert config_settings._api_rate("API_ANON_RATE", "120/minute") == "30/hour"
    monkeypatch.setenv("API_ANON_RATE", "lots")
    with pytest.raises(ImproperlyConfigured, match="API_ANON_RATE='lots' is not a rate"):
        config_settings._api_rate("API_ANON_RATE", "120/minute")
