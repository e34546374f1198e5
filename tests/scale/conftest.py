"""The tests of several servers need the Redis that `make test` and .ci/run start
(scripts/ensure-redis) and name in CACHE_URL."""

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def redis_url():
    if settings.CACHES["default"]["BACKEND"] != "core.cache.PrefixedRedisCache":
        pytest.fail(
            "These tests need a Redis: run them with `make test`, or start one with "
            "scripts/ensure-redis and set CACHE_URL=redis://127.0.0.1:6379/1."
        )
    return settings.CACHE_URL
