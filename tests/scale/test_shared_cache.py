"""With CACHE_URL naming Redis, both caches live there, apart by key prefix, and clearing one
deletes its own keys only, never another cache's, site's or test run's (core/cache.py)."""

from django.core.cache import caches

from core.cache import PrefixedRedisCache


def _cache(url, prefix):
    return PrefixedRedisCache(url, {"KEY_PREFIX": prefix})


def test_both_caches_are_redis_apart_by_prefix(redis_url):
    default, shared = caches["default"], caches["shared"]

    assert isinstance(default, PrefixedRedisCache)
    assert isinstance(shared, PrefixedRedisCache)
    assert default.key_prefix != shared.key_prefix
    default.set("same-name", "counts")
    shared.set("same-name", "rate limit")
    assert (default.get("same-name"), shared.get("same-name")) == ("counts", "rate limit")


def test_clearing_a_cache_leaves_other_prefixes_alone(redis_url, _own_cache_keys):
    mine = _cache(redis_url, f"{_own_cache_keys}mine")
    # Unescaped, this prefix's pattern would match the two others' keys as well.
    globbing = _cache(redis_url, f"{_own_cache_keys}mi*")
    neighbour = _cache(redis_url, f"{_own_cache_keys}mine-too")
    for cache in (mine, globbing, neighbour):
        cache.set_many({f"key-{n}": n for n in range(1200)})  # more than one SCAN batch

    globbing.clear()

    assert globbing.get_many(["key-0", "key-1199"]) == {}
    assert (mine.get("key-1199"), neighbour.get("key-1199")) == (1199, 1199)

    mine.clear()

    assert mine.get("key-0") is None
    assert neighbour.get("key-0") == 0
    neighbour.clear()
