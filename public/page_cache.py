"""Whole-page caching of the public pages for anonymous readers, with validators every server
agrees on.

A page is cached under its *version* and its address: the version is a hash of the data stamp
(``counts_cache.data_stamp``: published reports at this moment, the newest status change, item,
logged edit and admin edit, today's date, and a generation number in the shared cache that every
committed save or delete of the public data bumps). A report whose embargo lifts changes the
stamp at that moment, so a page cached before then is never served after; an embargoed report is
never in a cached page, since pages are only cached as the public sees them. A write through a
service changes the version as soon as it commits; the cached pages of older versions are simply
never asked for again and expire.

The key also holds the active language and the full address with its query, so a Welsh page
(/cy/...) or another filter is its own entry.

Only what is the same for every anonymous reader is cached: GET or HEAD, no session cookie, no
messages waiting, and a response that did not use the session, a CSRF token or a message, nor
set a cookie. The CSP nonce of the page that was rendered is replaced by a placeholder when it is
stored and by this response's own nonce when it is served, so no two responses share one.

``ETag`` (weak: the nonce differs) and ``Last-Modified`` come from the version, kept in the shared
cache, so every process and server gives the same ones for the same data (tests/scale/
test_two_servers.py); a client's ``If-None-Match`` or ``If-Modified-Since`` is answered 304
without rendering or reading the cached body.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from public.counts_cache import data_stamp, stamp_cache

LATEST_KEY = "pages:latest"
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
CACHE_CONTROL = "public, max-age=0, must-revalidate"
# How long the shared cache remembers when a version was first seen.
SINCE_SECONDS = 7 * 24 * 60 * 60


def page_version() -> tuple[str, int]:
    """(The version of the public data, when it was first seen as a Unix time), the same for
    every process and server sharing the database and the cache."""
    shared = stamp_cache()
    token = hashlib.sha256(data_stamp().encode()).hexdigest()[:32]
    since_key = f"pages:since:{token}"
    since = shared.get(since_key)
    if since is None:
        # HTTP dates count whole seconds: a version must look newer than the one before it,
        # even within the same second, or If-Modified-Since would take it for the older.
        since = max(int(time.time()), (shared.get(LATEST_KEY) or 0) + 1)
        if shared.add(since_key, since, SINCE_SECONDS):
            shared.set(LATEST_KEY, since, SINCE_SECONDS)
        else:
            since = shared.get(since_key, since)
    return token, since


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _cacheable_response(request, response) -> bool:
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not (messages is not None and (messages.used or messages.added_new))
    )


def _stored(request, response) -> dict:
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    body = response.content
    nonce = get_nonce(request)
    if nonce:  # generated: the page uses it
        body = body.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
    return {
        "body": body,
        "headers": {
            name: response[name]
            for name in ("Content-Type", "Content-Language")
            if response.has_header(name)
        },
    }


def _served(request, entry) -> HttpResponse:
    body = entry["body"]
    if NONCE_PLACEHOLDER in body:
        body = body.replace(NONCE_PLACEHOLDER, str(get_nonce(request)).encode())
    response = HttpResponse(body)
    for name, value in entry["headers"].items():
        response[name] = value
    return response


def cache_page_for_anonymous(view):
    """Serve ``view`` from the page cache to anonymous readers (see the module's notes)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        token, since = page_version()
        address = f"{translation.get_language()}|{request.build_absolute_uri()}"
        digest = hashlib.sha256(f"{token}|{address}".encode()).hexdigest()
        etag = f'W/"{digest[:40]}"'
        key = f"pages:{digest}"

        def validated(response):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(since)
            response["Cache-Control"] = CACHE_CONTROL
            patch_vary_headers(response, ["Cookie"])
            return response

        # The client's copy is of this version: nothing to render or read. A date alone says
        # nothing of the address, so it is believed only for a page that is cached.
        by_etag = "HTTP_IF_NONE_MATCH" in request.META
        entry = None if by_etag else cache.get(key)
        if by_etag or entry is not None:
            not_modified = get_conditional_response(request, etag=etag, last_modified=since)
            if not_modified is not None:
                return validated(not_modified)
            if by_etag:
                entry = cache.get(key)
        if entry is None:
            response = view(request, *args, **kwargs)
            if not _cacheable_response(request, response):
                return response
            entry = _stored(request, response)
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return validated(_served(request, entry))

    return wrapper
