"""Whole-page caching of the public pages and feeds for anonymous readers, with validators every
server agrees on, served before most of the middleware.

**The version.** What a cached page was made from is named by a *version*: a hash of the data
stamp (``counts_cache.data_stamp``: published reports at that moment, the newest status change,
item, logged edit and admin edit, today's date, and a generation number in the shared cache that
every committed save or delete of the public data bumps). Working the stamp out costs a query,
so the version is kept in the shared cache (``VERSION_KEY``) with the generation it was made
under and a time it is good until: the earliest of the next embargo lifting (the soonest
publication time still in the future), the next local midnight (overdue changes by the day), and
``PAGE_VERSION_SECONDS`` from when it was made. A page request reads it with the generation, in
one round trip; the version is worked out again (two small queries) when it is missing, past its
time, or of another generation, and if the data is the same, so is the version: the pages
cached for it are still served. So:

- a write through the app (a service, the admin) bumps the generation when it commits, and the
  next request makes a new version at once, on every server. The generation is read *before*
  the data, so a version made from data older than a write is never taken for the newer one;
- a report whose embargo lifts changes the version at that moment: the version in the cache
  ends then, and the new stamp counts the report. An embargoed report is never in a cached
  page, since pages are only cached as the public sees them;
- a change that sends no signal (a bulk update, SQL from elsewhere) shows within
  ``PAGE_VERSION_SECONDS``, when the stamp is read again.

**The entries.** A page is cached under its address (the language, from the address's /cy/
prefix, and the full address with its query, so a Welsh page or another filter is its own
entry), and the entry says which version it was made for: it is served only while that is the
current version. Entries of older versions are simply never served again and expire.

**Serving.** ``PageCacheMiddleware`` sits just after WhiteNoise: for an anonymous GET or HEAD it
reads the version and the generation in one round trip to the shared cache, takes the page's
entry from this process's memory (``KEPT``, the pages it served lately) or else from the page
cache, and for a hit answers at once, before the session, the language, the URL's view and
sign-in are looked at. The entry holds every header the inner middleware had added
(Content-Language, Vary, X-Frame-Options...), and the outer middleware adds the rest (the
security headers, the CSP with its nonce) to a hit as to any response. On a miss the request
goes on; a view decorated with ``cache_page_for_anonymous`` marks its response cacheable and the
middleware stores it on the way out.

Only what is the same for every anonymous reader is cached: GET (HEAD is served from it), no
session cookie, no messages waiting, and a response that did not use the session, a CSRF token
or a message, nor set a cookie, nor varies on anything but the cookie and the language. The CSP
nonce of the page that was rendered is cut out when it is stored and this response's own nonce
is put in when it is served, so no two responses share one.

``ETag`` (weak: the nonce differs) and ``Last-Modified`` come from the version, kept in the shared
cache, so every process and server gives the same ones for the same data (tests/scale/
test_two_servers.py); a client's ``If-None-Match`` or ``If-Modified-Since`` is answered 304
without rendering. A date alone is believed only for a page that is cached.

The API (api/views.py) caches its anonymous reads with the same version and entries, after its
rate limits.
"""

import hashlib
import math
import threading
import time
import weakref
from collections import OrderedDict
from datetime import datetime, timedelta
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import DisallowedHost
from django.db.models import Min
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from inspections.models import Inspection
from public.counts_cache import GENERATION_KEY, data_stamp, stamp_cache

VERSION_KEY = "pages:version"
LATEST_KEY = "pages:latest"
CACHE_CONTROL = "public, max-age=0, must-revalidate"
# How long the shared cache remembers when a version was first seen.
SINCE_SECONDS = 7 * 24 * 60 * 60
# Headers a stored page does not keep: each response's own, or set again when it is served.
UNSTORED_HEADERS = {"content-length", "etag", "last-modified", "set-cookie", "date"}
# What a cached page may vary on: the cookie (none, or it is not served from the cache) and the
# language (fixed by the address, which is in the key).
VARY_ALLOWED = {"cookie", "accept-language"}


class Version(NamedTuple):
    token: str
    since: int  # when it was first seen, as a Unix time
    valid_until: float  # a Unix time
    generation: object


def _redis(backend):
    """A Redis client for ``backend`` (Django's RedisCache), made once: Django makes a new one,
    with its table of reply handlers, for every command, which costs a hit more than its read."""
    backend_client = backend._cache
    client = _REDIS_CLIENTS.get(backend_client)
    if client is None:
        client = _REDIS_CLIENTS[backend_client] = backend_client.get_client()
    return client


_REDIS_CLIENTS = weakref.WeakKeyDictionary()


def read(shared_keys, page_keys=()) -> tuple[dict, dict]:
    """``shared_keys`` from the cache that holds the generation and ``page_keys`` from the page
    cache, in one round trip when both are one Redis (or one cache)."""
    shared, pages = stamp_cache(), caches["default"]
    if shared is pages:
        found = pages.get_many([*shared_keys, *page_keys])
        return (
            {key: found[key] for key in shared_keys if key in found},
            {key: found[key] for key in page_keys if key in found},
        )
    if (
        isinstance(shared, RedisCache)
        and isinstance(pages, RedisCache)
        and shared._servers == pages._servers
    ):
        # Two caches, each with its key prefix, on one server: one MGET of both's keys.
        names = [shared.make_key(key) for key in shared_keys]
        names += [pages.make_key(key) for key in page_keys]
        values = _redis(pages).mget(names)
        loads = pages._cache._serializer.loads
        parts = ({}, {})
        for index, value in enumerate(values):
            if value is not None:
                if index < len(shared_keys):
                    parts[0][shared_keys[index]] = loads(value)
                else:
                    parts[1][page_keys[index - len(shared_keys)]] = loads(value)
        return parts
    return shared.get_many(shared_keys), pages.get_many(page_keys) if page_keys else {}


class _Kept:
    """The entries this process served lately, up to PAGE_CACHE_LOCAL_MB: a hit on one of them
    reads only the version and the generation from the shared cache, not the page. An entry
    kept here is served only while its version is the current one, as one from the cache."""

    def __init__(self):
        self.entries = OrderedDict()  # key: (entry, its size, when it was kept)
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key, token):
        with self.lock:
            kept = self.entries.get(key)
            if kept is None:
                return None
            entry, _size, at = kept
            if entry["token"] != token or time.monotonic() - at > settings.PAGE_CACHE_SECONDS:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        size = sum(len(part) for part in entry["parts"])
        limit = settings.PAGE_CACHE_LOCAL_MB * 1024 * 1024
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            if size > limit:
                return
            self.entries[key] = (entry, size, time.monotonic())
            self.size += size
            while self.size > limit:
                _key, (_entry, dropped, _at) = self.entries.popitem(last=False)
                self.size -= dropped

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


KEPT = _Kept()


def cached_entry(key: str, version) -> dict | None:
    """The entry stored under ``key`` for ``version``, from this process's memory or else the
    page cache (one more round trip), or None."""
    entry = KEPT.get(key, version.token)
    if entry is None:
        _found, pages = read([], [key])
        entry = pages.get(key)
        if entry is None or entry["token"] != version.token:
            return None
        KEPT.put(key, entry)
    return entry


def store(key: str, entry: dict) -> None:
    caches["default"].set(key, entry, settings.PAGE_CACHE_SECONDS)
    KEPT.put(key, entry)


def _valid(version, generation) -> bool:
    return (
        isinstance(version, Version)
        and version.generation == generation
        and timezone.now().timestamp() < version.valid_until
    )


def _next_midnight(now) -> datetime:
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    return datetime.combine(tomorrow, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def _made(generation) -> Version:
    """Work the version out from the database, and keep it for the next requests."""
    shared = stamp_cache()
    now = timezone.now()
    # The soonest embargo to lift (a report published later is not counted yet).
    lifting = Inspection.objects.unpublished(at=now).aggregate(at=Min("published_at"))["at"]
    token = hashlib.sha256(data_stamp(generation=generation).encode()).hexdigest()[:32]
    valid_until = min(
        now.timestamp() + settings.PAGE_VERSION_SECONDS,
        _next_midnight(now).timestamp(),
        lifting.timestamp() if lifting is not None else math.inf,
    )
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
    version = Version(token, since, valid_until, generation)
    seconds = valid_until - timezone.now().timestamp()
    if seconds > 0:
        shared.set(VERSION_KEY, version, math.ceil(seconds))
    return version


def current_version(found=None) -> Version:
    """The version of the public data now, the same for every process and server sharing the
    database and the cache. ``found``: what ``read`` gave for VERSION_KEY and GENERATION_KEY."""
    if found is None:
        found, _pages = read([VERSION_KEY, GENERATION_KEY])
    generation = found.get(GENERATION_KEY, 0)
    version = found.get(VERSION_KEY)
    return version if _valid(version, generation) else _made(generation)


def page_version() -> tuple[str, int]:
    """(The version of the public data, when it was first seen as a Unix time)."""
    version = current_version()
    return version.token, version.since


def entry_key(address: str) -> str:
    return "pages:at:" + hashlib.sha256(address.encode()).hexdigest()


def weak_etag(token: str, address: str) -> str:
    return 'W/"' + hashlib.sha256(f"{token}|{address}".encode()).hexdigest()[:40] + '"'


def cacheable_request(request) -> bool:
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


def _varies_only_as_allowed(response) -> bool:
    vary = response.get("Vary", "")
    return all(name.strip().lower() in VARY_ALLOWED for name in vary.split(",") if name.strip())


def stored(request, response, *, token: str, etag: str) -> dict:
    """What the cache keeps of a page: its body cut at its CSP nonce, and its headers."""
    body = response.content
    nonce = get_nonce(request)
    return {
        "token": token,
        "etag": etag,
        # A nonce that was generated is one the page uses.
        "parts": body.split(str(nonce).encode()) if nonce else [body],
        "headers": [
            (name, value)
            for name, value in response.items()
            if name.lower() not in UNSTORED_HEADERS
        ],
    }


def served(request, entry, *, since: int):
    """The stored page, with this response's own nonce, or a 304 when the client has it."""
    parts = entry["parts"]
    body = parts[0] if len(parts) == 1 else str(get_nonce(request)).encode().join(parts)
    response = HttpResponse(body)
    for name, value in entry["headers"]:
        response.headers[name] = value
    response.headers["Content-Length"] = str(len(body))
    response.headers["ETag"] = entry["etag"]
    response.headers["Last-Modified"] = http_date(since)
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=since, response=response
    )


def _address(request, language: str) -> str:
    return f"{language}|{request.build_absolute_uri()}"


class PageCacheMiddleware:
    """Serve a cached page with one round trip to the cache, and store the pages of views
    decorated with ``cache_page_for_anonymous`` (see the module's notes). Just after
    WhiteNoise: the security and CSP middleware before it handle a hit as any response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API caches its reads itself, after its rate limits (api/views.py: CachedReads).
        if not cacheable_request(request) or request.path_info.startswith("/api/"):
            return self.get_response(request)
        # i18n_patterns(prefix_default_language=False): /cy/... is Welsh, the rest English.
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        try:
            address = _address(request, language)
        except DisallowedHost:  # answered 400 further in, as without the cache
            return self.get_response(request)
        key = entry_key(address)
        found, _pages = read([VERSION_KEY, GENERATION_KEY])
        # Worked out again (one query) when it has ended: the pages of the same data still hold.
        version = current_version(found)
        entry = cached_entry(key, version)
        if entry is not None:
            # As LocaleMiddleware would: this thread is in the language of what it answers.
            translation.activate(language)
            return served(request, entry, since=version.since)
        # The view's decorator needs the version: no second read.
        request.page_version = version
        response = self.get_response(request)
        marked = getattr(response, "page_cache", None)
        if (
            marked is not None
            and marked[0] == address  # the language the view was in is the address's
            and request.method == "GET"
            and _cacheable_response(request, response)
            and _varies_only_as_allowed(response)
        ):
            _, token, etag = marked
            store(key, stored(request, response, token=token, etag=etag))
        return response


def cache_page_for_anonymous(view):
    """Cache ``view``'s page for anonymous readers (see the module's notes): its validators,
    304s without rendering, and the mark that has ``PageCacheMiddleware`` store it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not cacheable_request(request):
            return view(request, *args, **kwargs)
        version = getattr(request, "page_version", None) or current_version()
        address = _address(request, translation.get_language())
        etag = weak_etag(version.token, address)

        def validated(response):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(version.since)
            response["Cache-Control"] = CACHE_CONTROL
            patch_vary_headers(response, ["Cookie"])
            return response

        # The client's copy is of this version: nothing to render. (A date alone says nothing
        # of the address: it is believed only for a page that is cached, by the middleware.)
        if "HTTP_IF_NONE_MATCH" in request.META:
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return validated(not_modified)
        response = view(request, *args, **kwargs)
        if not _cacheable_response(request, response):
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        response.page_cache = (address, version.token, etag)
        return validated(response)

    return wrapper
