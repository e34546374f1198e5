"""A short-lived cache for the public pages' counts, which cost most of their time at scale.

Counting 130,000 items nine ways takes about 0.4 s on PostgreSQL (benchmarks/RESULTS.md), and
paging through results or changing the sort order does not change the counts. They are cached
under a key made of the question and a *data stamp* that moves whenever what is counted may have
moved: a report reaching its publication time, a status change, a new item, a logged edit. The
stamp costs one small query on indexed columns. Counts never include an unpublished report: they
are computed with ``published()`` at the time, and a report published since changes the stamp.

A write used to recompute every count, since it moves the stamp. On PostgreSQL the costly
counts are now also kept per organisation (``organisation_parts``), each under its organisation's
*version* (``CountsVersion``, moved by database triggers whenever one of its items' counted facts
or its status history changes): after a status change only that body's part is counted again,
and the page adds up the parts of the others from the cache.

The stamp also holds a *generation*, a number in the shared cache that every committed save or
delete of the public data bumps (``bump_generation``, connected in public/apps.py): an edit that
leaves no row in the tables above (an organisation renamed) still makes a new stamp at once, for
the counts and for the page cache (public/page_cache.py). Without CACHE_URL (the quick start)
the generation is each process's own, and the rest of the stamp still moves for every server.
"""

import hashlib
import json
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.utils import timezone, translation

from inspections.models import Inspection

STAMP_SQL = """
SELECT
    (SELECT MAX(published_at) FROM ({published}) AS published),
    (SELECT COUNT(*) FROM ({published}) AS published),
    (SELECT MAX(id) FROM recommendations_statuschange),
    (SELECT MAX(id) FROM recommendations_item),
    (SELECT MAX(id) FROM audit_actionlog),
    (SELECT MAX(id) FROM django_admin_log)
"""


GENERATION_KEY = "pages:generation"


def stamp_cache():
    """The cache that holds the generation: Redis when there is one, shared by every server."""
    return caches["shared"] if settings.CACHE_URL else cache


def _bump():
    try:
        stamp_cache().incr(GENERATION_KEY)
    except ValueError:  # not there yet (or expired): any new value is a new generation
        stamp_cache().set(GENERATION_KEY, time.time_ns(), None)


def bump_generation(**kwargs):
    """Something the public pages show was saved or deleted: once the transaction commits, the
    stamp moves. Several saves in one transaction make one bump; one rolled back makes none."""
    if connection.in_atomic_block and any(entry[1] is _bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(_bump, robust=True)


def current_generation():
    """The generation now: read it *before* the data it is to vouch for (page_cache.py)."""
    return stamp_cache().get(GENERATION_KEY, 0)


def data_stamp(*, generation=None) -> str:
    """What the counts depend on, in one query: it changes when any of it changes.

    ``generation``: the one read before this call (``current_generation``), by a caller that
    keeps it beside the stamp; by default it is read after the query."""
    # The published reports come from their public scope, not a comparison written here.
    published = Inspection.objects.published(at=timezone.now()).order_by().values("published_at")
    published_sql, params = published.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(STAMP_SQL.format(published=published_sql), [*params, *params])
        row = cursor.fetchone()
    # Overdue depends on the day as well.
    return json.dumps(
        [str(value) for value in row]
        + [
            str(timezone.localdate()),
            str(current_generation() if generation is None else generation),
        ]
    )


def cached_counts(name: str, question, compute, *, stamp: str):
    """``compute()``'s result for ``question`` under ``stamp``, from the cache when it can be.

    The language is part of the key: what is cached may hold labels (statuses, kinds, regions)
    in the language of the page that computed it, and a Welsh page must not show English ones.
    """
    key_parts = [name, question, stamp, translation.get_language()]
    digest = hashlib.sha256(json.dumps(key_parts, sort_keys=True, default=str).encode()).hexdigest()
    key = f"counts:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.COUNTS_CACHE_SECONDS)
    return value


# The published reports at this moment (as in the stamp) and every organisation's versions.
VERSIONS_SQL = """
SELECT
    (SELECT MAX(published_at) FROM ({published}) AS published),
    (SELECT COUNT(*) FROM ({published}) AS published),
    (SELECT json_object_agg(organisation_id, json_build_array(version, closures_version))
     FROM recommendations_countsversion)
"""
# A part is cached under its organisation's version, which a change of what it counts replaces:
# it cannot go stale, so it may stay longer than the counts cached under the stamp.
PART_SECONDS = 24 * 60 * 60


def counts_versions() -> tuple[str, dict[int, int], dict[int, int]]:
    """PostgreSQL only, in one query: (what every organisation's part depends on besides its
    own items: the published reports, the day; each organisation's version; each
    organisation's closures version)."""
    published = Inspection.objects.published(at=timezone.now()).order_by().values("published_at")
    published_sql, params = published.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(VERSIONS_SQL.format(published=published_sql), [*params, *params])
        latest, count, versions = cursor.fetchone()
    if isinstance(versions, str):  # a driver that does not decode JSON
        versions = json.loads(versions)
    base = json.dumps([str(latest), count, str(timezone.localdate())])
    versions = {int(pk): numbers for pk, numbers in (versions or {}).items()}
    return (
        base,
        {pk: version for pk, (version, _closures) in versions.items()},
        {pk: closures for pk, (_version, closures) in versions.items()},
    )


class _KeptParts:
    """The organisations' parts this process read or counted lately, up to ``limit``: a part
    is stored under its organisation's version, which no later change reuses, so a part kept
    here is never stale. After a write, a page reads the one or two parts the write replaced
    from the shared cache rather than all of them (282 for the overview: 2-7 ms). The parts
    are shared between requests: nothing may change one."""

    def __init__(self, limit=4096):
        self.limit = limit
        self.parts = OrderedDict()
        self.lock = threading.Lock()

    def get_many(self, keys) -> dict:
        with self.lock:
            found = {key: self.parts[key] for key in keys if key in self.parts}
            for key in found:
                self.parts.move_to_end(key)
        return found

    def put_many(self, parts: dict) -> None:
        with self.lock:
            self.parts.update(parts)
            for key in parts:
                self.parts.move_to_end(key)
            while len(self.parts) > self.limit:
                self.parts.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.parts.clear()


PARTS_KEPT = _KeptParts()


def organisation_parts(name: str, compute, *, base: str, versions: dict, empty) -> dict:
    """{organisation id: its part of the counts called ``name``}, each from this process's
    memory (``PARTS_KEPT``) or else the cache, under its version and ``base``, when it can be.
    ``compute(ids)`` counts the parts of the organisations ``ids`` (``None``: all of them, in
    the same few queries) as {id: part}; an organisation without published items has none and
    gets ``empty``."""
    digest = hashlib.sha256(base.encode()).hexdigest()[:24]
    keys = {pk: f"counts:{name}:{pk}:{version}:{digest}" for pk, version in versions.items()}
    found = PARTS_KEPT.get_many(keys.values())
    unknown = [key for key in keys.values() if key not in found]
    if unknown:
        shared = cache.get_many(unknown)
        PARTS_KEPT.put_many(shared)
        found |= shared
    parts = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in parts]
    if missing:
        computed = compute(None if len(missing) == len(keys) else missing)
        counted = {pk: computed.get(pk, empty) for pk in missing}
        cache.set_many({keys[pk]: part for pk, part in counted.items()}, PART_SECONDS)
        PARTS_KEPT.put_many({keys[pk]: part for pk, part in counted.items()})
        parts |= counted
    return parts
