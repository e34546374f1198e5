"""``ETag`` and ``Last-Modified`` on every successful read, and 304 for conditional requests.

The ETag is a hash of the body, so it changes exactly when what the client would receive
changes: an edit, a status change, or a report reaching its publication time alike.

No single column says when a response last changed (organisations and findings have no
timestamp, and publication happens by the clock), so ``Last-Modified`` is the time this body
was first served for this URL, remembered in Django's cache beside its ETag. A different body
gets a new time; a forgotten entry also gets a new time, later than the truth, so a client
revalidating with ``If-Modified-Since`` may download again. A body is answered 304 on its date
only once it has been served before, and the time of a new body is always after the previous
one's, so a change within a second is not mistaken for the copy before it.

With ``CACHE_URL`` (Redis) every process and server shares the cache, so they give one body one
date (tests/scale/test_two_servers.py). Without it, as in the quick start, each process has its
own, and two may give one body different dates; ETags are exact everywhere, and clients should
prefer ``If-None-Match``.
"""

import hashlib
import time

from django.core.cache import cache
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

# How long the cache remembers when a body was first served.
REMEMBER_SECONDS = 30 * 24 * 60 * 60
CACHE_CONTROL = "public, max-age=0, must-revalidate"


def _first_served(url: str, etag: str) -> tuple[int, bool]:
    """When this body was first served for this URL, and whether that was before this request."""
    key = "api:served:" + hashlib.sha256(url.encode()).hexdigest()
    remembered = cache.get(key)
    if remembered and remembered[0] == etag:
        return remembered[1], True
    now = int(time.time())
    if remembered:
        # HTTP dates count whole seconds: a body changed within the second it was served must
        # still look newer than the one before.
        now = max(now, remembered[1] + 1)
    cache.set(key, (etag, now), REMEMBER_SECONDS)
    return now, False


def conditional(request, response):
    """Add the validators to a rendered 200 response; answer 304 when the client has it."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if getattr(response, "streaming", False):
        return response
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    last_modified, known = _first_served(request.build_absolute_uri(), etag)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = CACHE_CONTROL
    # A body this process had not served before may be newer than the client's copy from the
    # same second (or from another process): only its ETag can tell, not a date.
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified if known else None, response=response
    )
