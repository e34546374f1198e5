"""The API's anonymous limit keys on the real client address behind TRUSTED_PROXY_COUNT proxies
of our own, never on an X-Forwarded-For the client wrote, and holds across workers: the counts
live in the shared cache (a database table unless CACHE_URL names Redis)."""

import subprocess
import sys
import threading

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from rest_framework.request import Request

from api.throttling import AnonymousThrottle
from core.security import client_ip

URL = "/api/v1/programmes/"


@pytest.fixture
def three_a_minute(settings):
    settings.API_ANON_RATE = "3/minute"
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def _key(**meta):
    request = Request(RequestFactory().get(URL, **meta))
    return AnonymousThrottle().get_cache_key(request, view=None)


def test_a_forged_x_forwarded_for_does_not_change_the_key():
    assert _key(REMOTE_ADDR="203.0.113.9") == _key(
        REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1"
    )


def test_behind_one_proxy_the_key_is_the_address_the_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}

    forged = _key(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9")
    plain = _key(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = _key(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.4")

    assert forged == plain != other


@pytest.mark.parametrize(
    ("count", "forwarded", "address"),
    [
        (0, "192.0.2.1", "10.0.0.5"),
        (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        (2, "192.0.2.1, 203.0.113.9, 10.0.0.4", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),
        (1, "not-an-address", "10.0.0.5"),
        (1, "", "10.0.0.5"),
    ],
)
def test_client_ip(settings, count, forwarded, address):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == address


def test_forging_x_forwarded_for_does_not_earn_more_requests(client, db, three_a_minute):
    answers = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}").status_code for number in range(4)
    ]

    assert answers == [200, 200, 200, 429]


def test_the_limit_holds_across_workers(transactional_db, three_a_minute):
    """Two workers are two cache clients on two connections (to the database, or to Redis with
    CACHE_URL): a thread of its own has both, and still finds the first one's count.
    tests/scale/test_two_servers.py does the same with two servers."""
    first = [Client().get(URL).status_code for _ in range(3)]

    second = []

    def other_worker():
        from django.db import connection

        try:
            second.append(Client().get(URL).status_code)
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join(30)

    assert first == [200, 200, 200]
    assert second == [429]


def test_the_proxy_count_is_the_throttles(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0


def _settings_with(**env):
    """The caches the settings make from this environment, in a fresh process."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
            "from django.conf import settings; "
            "print(*(f\"{alias} {c['BACKEND']} {c.get('KEY_PREFIX')}\" "
            "for alias, c in settings.CACHES.items()), sep='\\n')",
        ],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_cache_url_the_shared_cache_is_the_database():
    result = _settings_with()

    assert result.stdout.splitlines() == [
        "default django.core.cache.backends.locmem.LocMemCache tracker:default",
        "shared django.core.cache.backends.db.DatabaseCache tracker:shared",
    ]


def test_a_cache_url_that_is_not_redis_is_refused():
    result = _settings_with(CACHE_URL="memcached://cache:11211")

    assert result.returncode != 0
    assert "CACHE_URL='memcached://cache:11211' cannot be understood" in result.stderr


def test_a_redis_cache_url_puts_both_caches_in_redis_apart_by_prefix():
    result = _settings_with(CACHE_URL="redis://cache:6379/0", CACHE_KEY_PREFIX="site-a:")

    assert result.stdout.splitlines() == [
        "default core.cache.PrefixedRedisCache site-a:default",
        "shared core.cache.PrefixedRedisCache site-a:shared",
    ]


def test_a_negative_proxy_count_is_refused():
    result = _settings_with(TRUSTED_PROXY_COUNT="-1")

    assert "TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr
