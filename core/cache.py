"""Django's own Redis cache, with a ``clear()`` that empties this cache only.

Django's ``RedisCache.clear()`` runs FLUSHDB, which empties the whole Redis database: the other
cache of this site (config/settings.py keeps "default" and "shared" apart by key prefix), other
sites sharing the server, and other test runs going on at the same time. Here it deletes the keys
under this cache's ``KEY_PREFIX`` and nothing else.
"""

import re
from itertools import batched

from django.core.cache.backends.redis import RedisCache

# Characters that mean something in a Redis MATCH pattern.
_GLOB = re.compile(r"([*?\[\]\\])")
_BATCH = 500


class PrefixedRedisCache(RedisCache):
    def clear(self):
        client = self._cache.get_client(write=True)
        # Django's key function writes "<prefix>:<version>:<key>" (django.core.cache.backends.base).
        pattern = _GLOB.sub(r"\\\1", self.key_prefix) + ":*"
        for keys in batched(client.scan_iter(match=pattern, count=_BATCH), _BATCH):
            client.delete(*keys)
        return True
