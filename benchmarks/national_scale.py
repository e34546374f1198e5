"""National-scale benchmark of the public pages: ten years of data, about 100,000 findings.

The guide says that ten years of data must not slow a page, and that speed is measured with a
benchmark, never with a timed test. This is that benchmark. It

1. refuses SQLite, creates the PostgreSQL database if needed, migrates it and loads the reference
   data;
2. unless the database already holds findings (or ``--rebuild`` is given), generates ten years of
   inspections, findings, items with their status history, progress updates and section 55
   responses from a fixed seed (``benchmarks/fixture.py``), then runs ``VACUUM ANALYZE`` and
   checks the history (in that order: without statistics the checks' plans take minutes);
3. requests every kind of public page through ``django.test.Client`` with DEBUG off: once to warm
   up (counting the SQL queries), then ``--runs`` times, timed;
4. serves the app with gunicorn and the caches in Redis, and measures the pages under load with
   wrk, the first request after a write, the CSV export and the workers' memory
   (``benchmarks/load.py``);
5. prints Markdown tables and writes them to ``benchmarks/RESULTS.md`` with the data sizes and
   the machine's load, and for every page slower than ``--slow-ms`` writes the
   ``EXPLAIN (ANALYZE, BUFFERS)`` plans of its slowest queries to ``var/benchmark-plans.txt``.

Run it with ``make benchmark`` against ``DATABASE_URL`` (by default
postgres://postgres@127.0.0.1:5432/tracker_benchmark), or
``.venv/bin/python -m benchmarks.national_scale --help``.
"""

import argparse
import io
import os
import platform
import re
import statistics
import sys
import time
import tracemalloc
import warnings
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_benchmark"
# The caches of the measured server, and of this process: Redis, as on several servers.
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/2"
MARKER = "Inspection Recommendations Tracker: national_scale benchmark data"
RESULTS_PATH = BASE_DIR / "benchmarks" / "RESULTS.md"
PLANS_PATH = BASE_DIR / "var" / "benchmark-plans.txt"
HOST = "127.0.0.1"
PLANNED_QUERIES = 3  # the slowest queries of a slow page whose plans are written


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.national_scale",
        description="Generate ten years of national data in PostgreSQL and time every public "
        "page against it. The database is DATABASE_URL, by default " + DEFAULT_DATABASE_URL,
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="drop and recreate the benchmark database first (only one this script made)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page (default 5)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default 2026)")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size of the generated data: 1 is about 100,000 findings (default 1)",
    )
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        help="measure the database as it is, without migrating it first: to compare figures "
        "before and after a migration (run `manage.py migrate APP MIGRATION` before)",
    )
    parser.add_argument(
        "--slow-ms",
        type=float,
        default=300,
        help="write the query plans of pages whose median is above this (default 300)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_PATH,
        help=f"where to write the Markdown results (default {RESULTS_PATH.relative_to(BASE_DIR)})",
    )
    load = parser.add_argument_group("under load (gunicorn and wrk)")
    load.add_argument(
        "--connections",
        type=lambda value: [int(n) for n in value.split(",")],
        default=[8, 64],
        help="wrk's numbers of connections, comma-separated (default 8,64)",
    )
    load.add_argument("--rounds", type=int, default=3, help="rounds through every page (3)")
    load.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (10)")
    load.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    load.add_argument("--no-load", action="store_true", help="skip the part under load")
    args = parser.parse_args(argv)
    if args.runs < 1 or not 0 < args.scale <= 10:
        parser.error("--runs must be at least 1 and --scale more than 0 and at most 10")
    if min(args.rounds, args.duration, args.workers, *args.connections) < 1:
        parser.error("--rounds, --duration, --workers and --connections must be at least 1")
    return args


# Before Django: the environment and the database itself ----------------------------------------


def configure_environment():
    """The settings of a production-like run: DEBUG off, this host allowed, our database."""
    from config.env import env_str

    url = env_str("DATABASE_URL") or DEFAULT_DATABASE_URL
    cache_url = env_str("CACHE_URL") or DEFAULT_CACHE_URL
    for name in ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "CACHE_URL", "CACHE_KEY_PREFIX"):
        os.environ.pop(f"{name}_FILE", None)
    os.environ["DATABASE_URL"] = url
    os.environ["CACHE_URL"] = cache_url
    # Its own keys: emptying the counts cache for a cold run leaves any other user of the
    # Redis alone (core/cache.py).
    os.environ["CACHE_KEY_PREFIX"] = "benchmark:"
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = HOST
    if not env_str("SECRET_KEY"):
        os.environ["SECRET_KEY"] = "benchmark-only-not-a-secret"  # noqa: S105
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return url


def database_settings(url):
    import dj_database_url

    try:
        database = dj_database_url.parse(url)
    except ValueError as exc:
        sys.exit(f"DATABASE_URL cannot be understood: {exc}")
    if database["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(
            "The benchmark runs on PostgreSQL only, the production database: its figures "
            f"would mean nothing on {database['ENGINE'].rsplit('.', 1)[-1]} ({url}). Set "
            "DATABASE_URL=postgres://user@host:5432/tracker_benchmark, or run `make benchmark` "
            f"for {DEFAULT_DATABASE_URL}."
        )
    return database


def connect(database, name):
    import psycopg

    options = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    return psycopg.connect(
        dbname=name, autocommit=True, **{k: v for k, v in options.items() if v is not None}
    )


def database_comment(database):
    with connect(database, database["NAME"]) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        ).fetchone()
        return row[0] or ""


def holds_findings(database):
    with connect(database, database["NAME"]) as conn:
        if conn.execute("SELECT to_regclass('recommendations_finding')").fetchone()[0] is None:
            return False
        return conn.execute("SELECT EXISTS (SELECT 1 FROM recommendations_finding)").fetchone()[0]


def prepare_database(database, *, rebuild):
    """Create the database if it is missing; with ``rebuild``, drop it first if it is ours."""
    from psycopg import sql

    name = database["NAME"]
    with connect(database, "postgres") as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            if not database_comment(database).startswith(MARKER) and holds_findings(database):
                sys.exit(
                    f"--rebuild refused: the database {name} holds findings that this benchmark "
                    "did not generate. Drop it yourself, or point DATABASE_URL elsewhere."
                )
            print(f"Dropping the database {name}.")
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            print(f"Creating the database {name}.")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# With Django: the data ----------------------------------------------------------------------


def ensure_data(args):
    """Migrate, load the reference data and generate the fixture unless findings exist.

    Returns what is known of the generation: its seconds and settings, or the database's note.
    """
    from django.core.management import call_command
    from django.db import connection, transaction

    from benchmarks import fixture
    from recommendations.models import Finding

    if args.no_migrate:
        print("Not migrating (--no-migrate): measuring the database as it is.")
    else:
        print("Migrating and loading the reference data.")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference_data", stdout=io.StringIO())
    if Finding.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, for instance after a new index
        note = comment_of(connection)
        if note.startswith(MARKER):
            print(f"The data already exists ({note.removeprefix(MARKER + ': ')}).")
        else:
            print(
                "WARNING: this database holds findings the benchmark did not generate; the "
                "figures describe that data. Use an empty database for comparable figures."
            )
        return note.removeprefix(MARKER + ": ") if note.startswith(MARKER) else "not generated"

    seed = fixture.DEFAULT_SEED if args.seed is None else args.seed
    print(f"Generating ten years of data (seed {seed}, scale {args.scale:g}).")
    started = time.monotonic()
    with transaction.atomic():
        counts = fixture.Generator(seed=seed, scale=args.scale).build()
    generated = time.monotonic() - started
    print(
        f"Generated in {generated:.1f} s: "
        + ", ".join(f"{n:,} {label}" for label, n in counts.items())
    )
    # Statistics first: without them the history checks' LATERAL join is planned as if the
    # tables were empty and filters row by row (minutes at 100,000 findings, not seconds).
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.monotonic() - started:.1f} s.")
    started = time.monotonic()
    check_history(connection)
    print(f"History checked in {time.monotonic() - started:.1f} s.")
    note = (
        f"seed {seed}, scale {args.scale:g}, generated in {generated:.0f} s on "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"COMMENT ON DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])} "
            "IS %s",
            [f"{MARKER}: {note}"],
        )
    return note


HISTORY_CHECKS = {
    "items not open without a status change": """
        SELECT count(*) FROM recommendations_item a
        WHERE a.status <> 'open' AND NOT EXISTS (
            SELECT 1 FROM recommendations_statuschange c WHERE c.item_id = a.id)""",
    "items whose last change is not their status or time": """
        SELECT count(*) FROM recommendations_item a
        JOIN LATERAL (
            SELECT to_status, changed_at FROM recommendations_statuschange c
            WHERE c.item_id = a.id ORDER BY changed_at DESC, id DESC LIMIT 1
        ) last ON true
        WHERE last.to_status <> a.status OR last.changed_at <> a.status_changed_at""",
    "changes that do not start where the previous one ended": """
        SELECT count(*) FROM (
            SELECT from_status, lag(to_status, 1, 'open') OVER (
                PARTITION BY item_id ORDER BY changed_at, id) AS previous
            FROM recommendations_statuschange) c
        WHERE c.from_status <> c.previous""",
}


def check_history(connection):
    """Stop if the generated history does not lead to each item's status."""
    with connection.cursor() as cursor:
        for problem, sql in HISTORY_CHECKS.items():
            cursor.execute(sql)
            if n := cursor.fetchone()[0]:
                sys.exit(f"The generated data is inconsistent: {n} {problem}.")


def comment_of(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        return cursor.fetchone()[0] or ""


def data_sizes():
    """(label, rows, detail) of every table the public pages read."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from inspections.models import EngagePeriod, Inspection, Judgement, Organisation
    from recommendations.choices import FindingKind
    from recommendations.models import (
        CauseOfConcern,
        Finding,
        Item,
        ProgressUpdate,
        Section55Response,
        Section55Statement,
        StatusChange,
    )

    now = timezone.now()
    inspections = Inspection.objects.aggregate(
        n=Count("pk"), published=Count("pk", filter=Q(published_at__lte=now))
    )
    findings = Finding.objects.aggregate(
        n=Count("pk"), recommendations=Count("pk", filter=Q(kind=FindingKind.RECOMMENDATION))
    )
    by_status = dict(
        Item.objects.order_by().values_list("status").annotate(n=Count("pk")).order_by()
    )
    updates = ProgressUpdate.objects.aggregate(
        n=Count("pk"), published=Count("pk", filter=Q(is_published=True))
    )
    responses = Section55Response.objects.aggregate(
        n=Count("pk"), received=Count("pk", filter=Q(received_on__isnull=False))
    )
    return [
        ("Organisations", Organisation.objects.count(), ""),
        (
            "Inspections",
            inspections["n"],
            f"{inspections['published']:,} published, "
            f"{inspections['n'] - inspections['published']:,} not",
        ),
        ("Graded judgements", Judgement.objects.count(), ""),
        ("Causes of concern", CauseOfConcern.objects.count(), ""),
        (
            "Findings",
            findings["n"],
            f"{findings['recommendations']:,} recommendations, "
            f"{findings['n'] - findings['recommendations']:,} areas for improvement",
        ),
        ("Finding themes", Finding.themes.through.objects.count(), ""),
        (
            "Items (one per finding and addressee)",
            sum(by_status.values()),
            ", ".join(f"{status} {n:,}" for status, n in sorted(by_status.items())),
        ),
        ("Status changes", StatusChange.objects.count(), ""),
        ("Progress updates", updates["n"], f"{updates['published']:,} published"),
        ("Section 55 responses", responses["n"], f"{responses['received']:,} received"),
        ("Section 55 statements", Section55Statement.objects.count(), ""),
        ("Engage periods", EngagePeriod.objects.count(), ""),
    ]


# With Django: the pages -----------------------------------------------------------------------


def pages():
    """(name, address) of every page measured; two are chosen from the data."""
    from django.db.models import Count

    from inspections.models import Inspection
    from recommendations.models import Finding

    big = (
        Inspection.objects.published()
        .annotate(items=Count("findings__items"))
        .order_by("-items", "pk")
        .first()
    )
    long = (
        Finding.objects.published()
        # Not the one the benchmark's own writes lengthen (status_writer), run after run.
        .exclude(items__status_changes__note=WRITE_NOTE)
        .annotate(changes=Count("items__status_changes"))
        .order_by("-changes", "pk")
        .first()
    )
    if big is None or long is None:
        sys.exit("No published data to measure.")
    updates = long.items.filter(updates__is_published=True).count()
    return [
        ("National overview", "/"),
        ("Overview, forces by overdue", "/?kind=police_force&sort=overdue&order=desc"),
        ("Browse, no filter", "/recommendations/"),
        ("Search “custody mental health”", "/recommendations/?q=custody+mental+health"),
        (
            "Browse, 4 filters, by due date",
            "/recommendations/?status=open&status=in_progress&organisation_kind=police_force"
            "&overdue=yes&sort=due",
        ),
        (
            "Browse, Met, page 3",
            "/recommendations/?organisation=metropolitan-police-service&page=3",
        ),
        ("Browse, page 1500", "/recommendations/?page=1500"),
        ("Organisation: Met", "/organisations/metropolitan-police-service/"),
        (f"Inspection: thematic, {big.items:,} items", f"/inspections/{big.slug}/"),
        (
            f"Finding: {long.changes} changes, {updates} updates",
            f"/recommendations/{long.pk}/",
        ),
        ("Feed, site", "/feeds/updates.atom"),
        ("Feed, Kent Police", "/organisations/kent-police/updates.atom"),
        ("CSV export, everything", "/recommendations/export.csv"),
    ]


def fetch(client, address):
    """Request the page and read all of it; returns (rows, bytes): for a streamed CSV, its
    lines ended with CRLF after the header (a newline inside a cell is a bare LF)."""
    response = client.get(address)
    if response.status_code != 200:
        sys.exit(f"{address} answered {response.status_code}.")
    chunks = size = 0
    if response.streaming:
        chunks = -1  # the header
        for chunk in response.streaming_content:
            chunks += chunk.count(b"\r\n")
            size += len(chunk)
    else:
        size = len(response.content)
    response.close()
    return chunks, size


def empty_caches():
    """The counts and pages cached, in Redis and in this process's memory (page_cache.KEPT,
    counts_cache.PARTS_KEPT)."""
    from django.core.cache import cache

    from public.counts_cache import PARTS_KEPT
    from public.page_cache import KEPT

    cache.clear()
    KEPT.clear()
    PARTS_KEPT.clear()


def measure(client, name, address, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    empty_caches()
    with CaptureQueriesContext(connection) as captured:  # the warm-up run
        chunks, size = fetch(client, address)
    # Read them now: the next request empties the connection's query log.
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    # Cold: as the first visit after a change, with the counts cache empty (counts_cache.py).
    # Warm: paging, sorting and revisits, which find the counts cached.
    timings, warm = [], []
    for _ in range(runs):
        empty_caches()
        started = time.perf_counter()
        fetch(client, address)
        timings.append((time.perf_counter() - started) * 1000)
    for _ in range(runs):
        started = time.perf_counter()
        fetch(client, address)
        warm.append((time.perf_counter() - started) * 1000)
    result = {
        "name": name,
        "address": address,
        "median": statistics.median(timings),
        "warm": statistics.median(warm),
        "max": max(timings),
        "queries": len(queries),
        "slowest_query": max((ms for ms, _ in queries), default=0.0),
        "sql": sorted(queries, reverse=True),
        "size": size,
        "note": f"{size / 1024:,.0f} KB",
    }
    if address.startswith("/recommendations/export"):
        tracemalloc.start()
        fetch(client, address)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        result["note"] = (
            f"{chunks:,} rows, {size / 1024 / 1024:,.1f} MB, "
            f"{result['median'] / 1000:.1f} s; peak Python memory {peak / 1024 / 1024:.1f} MB"
        )
    return result


# Words searched in "Search in parts": the commonest word of the generated findings, and the
# three words of the search page measured above.
SEARCHED = ("custody", "custody mental health")


def search_parts(runs):
    """For each of SEARCHED, with nothing from the app's caches: how many findings and items
    match, the best 20 matching items ranked and read (``RankedIds``: what the search
    documents serve) and the total and every facet counted (``FactsCounts``), each timed on
    its own, in ms."""
    from django.http import QueryDict

    from recommendations.filters import (
        FactsCounts,
        FindingItemFilterSet,
        ItemFactsFilterSet,
        RankedIds,
        published_items,
    )

    rows = []
    for words in SEARCHED:
        filterset = FindingItemFilterSet(QueryDict(urlencode({"q": words})), published_items())
        filterset.cleaned_data()
        facts = ItemFactsFilterSet(filterset)
        ranked = RankedIds(facts)
        ranking, counting = [], []
        for _ in range(runs):
            started = time.perf_counter()
            ranked[0:20]
            ranking.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            total, _facets = FactsCounts(facts).counts()
            counting.append((time.perf_counter() - started) * 1000)
        findings = facts.without().values("finding_id").distinct().count()
        rows.append(
            {
                "words": words,
                "findings": findings,
                "items": total,
                "ranked": statistics.median(ranking),
                "counted": statistics.median(counting),
            }
        )
    return rows


def search_table(rows):
    lines = [
        "| Words | Matching findings | Matching items | Best 20 ranked ms | Total and facets ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['words']} | {r['findings']:,} | {r['items']:,} | {r['ranked']:,.0f} "
            f"| {r['counted']:,.0f} |"
        )
    return "\n".join(lines)


def explain(sql):
    from django.db import connection

    # A streamed export reads through a server-side cursor: explain its query.
    declared = re.match(r"DECLARE\s.*?\sCURSOR\s.*?\bFOR\s(.*)", sql, re.DOTALL | re.IGNORECASE)
    if declared:
        sql = declared.group(1)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def write_plans(results, slow_ms):
    slow = [r for r in results if r["median"] > slow_ms]
    PLANS_PATH.parent.mkdir(parents=True, exist_ok=True)
    with PLANS_PATH.open("w", encoding="utf-8") as out:
        out.write(f"Query plans of the pages slower than {slow_ms:g} ms (median)\n\n")
        for result in slow:
            out.write("=" * 100 + "\n")
            out.write(
                f"{result['name']}: {result['address']}\n"
                f"median {result['median']:.0f} ms, {result['queries']} queries\n\n"
            )
            for ms, sql in result["sql"][:PLANNED_QUERIES]:
                out.write(f"--- {ms:.1f} ms in the warm-up run\n{sql}\n\n{explain(sql)}\n\n")
    return slow


# Results --------------------------------------------------------------------------------------


def table(results):
    lines = [
        "| Page | Address | Cold median ms | Cold max ms | Warm median ms | Queries (cold) "
        "| Slowest query ms | Notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | `{r['address']}` | {r['median']:,.0f} | {r['max']:,.0f} | "
            f"{r['warm']:,.0f} | "
            f"{r['queries']} | {r['slowest_query']:,.0f} | {r['note']} |"
        )
    return "\n".join(lines)


def environment():
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        settings = {}
        for name in ("server_version", "shared_buffers", "work_mem", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    memory = ""
    try:
        pages_, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages_ * page_size / 1024**3:.0f} GB memory"
    except (ValueError, OSError, AttributeError):
        pass
    try:
        load = ", load average {:.1f} {:.1f} {:.1f} at the end".format(*os.getloadavg())
    except (OSError, AttributeError):
        load = ""
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{memory}{load}; "
        f"Python {platform.python_version()}, Django {django.get_version()}",
        f"PostgreSQL {settings['server_version']} on the same machine "
        f"(shared_buffers {settings['shared_buffers']}, work_mem {settings['work_mem']}, "
        f"jit {settings['jit']})",
    )


WRITE_NOTE = "Benchmark: a write before timing the first request after it."


def status_writer():
    """A write as the public pages see one: an item's status changing through its services,
    to submitted for closure and back to in progress, each change in its history."""
    from recommendations.choices import Status
    from recommendations.models import Item
    from recommendations.services import item_return, item_submit_for_closure

    item = Item.objects.filter(status=Status.IN_PROGRESS).order_by("pk").first()
    if item is None:
        sys.exit("No item in progress to change.")

    def write():
        nonlocal item
        item = item_submit_for_closure(item=item, note=WRITE_NOTE)
        item = item_return(item=item, note=WRITE_NOTE)

    return write


def load_pages(measured):
    """The pages measured under load: the ones above but the export, and the API's list."""
    pages_ = [(r["name"], r["address"]) for r in measured if "export" not in r["address"]]
    export = next(r["address"] for r in measured if "export" in r["address"])
    return [*pages_, ("API, items, first page", "/api/v1/items/")], export


def write_results(path, results, sizes, generation, runs, load=None, searches=()):
    from benchmarks.load import tables

    machine, database = environment()
    size_lines = ["| Table | Rows | Detail |", "| --- | ---: | --- |"] + [
        f"| {label} | {rows:,} | {detail} |" for label, rows, detail in sizes
    ]
    text = f"""# National-scale benchmark results

Written by `make benchmark` (`benchmarks/national_scale.py`) on {datetime.now(UTC):%Y-%m-%d %H:%M}
UTC. Each page was requested through `django.test.Client` in one process, with DEBUG off: once to
warm up (the query count and the slowest query come from that run), then {runs} times, timed from
the request to the last byte ("Pages in process": no web server or network in those figures).
"Under load" then measures the real server: gunicorn, with the caches in Redis, under wrk.

- Machine: {machine}
- Database: {database}
- Data: {generation}

## Data sizes

{chr(10).join(size_lines)}

## Pages in process

{table(results)}
"""
    if searches:
        text += f"""
## Search in parts

A words search in its two parts, each timed {runs} times (medians), with nothing taken from the
app's caches (the database's own buffers are warm after the first run): the best 20 matching
items, ranked through the stored search documents (what a results page lists), and the total
and every facet counted over the matching item facts (which the page then caches per
organisation and words; public/stats.py).

{search_table(searches)}
"""
    if load is not None:
        text += f"\n## Under load\n\n{tables(load)}\n"
    path.write_text(text, encoding="utf-8")


def main(argv=None):
    args = parse_args(argv)
    url = configure_environment()
    database = database_settings(url)
    print(f"Benchmark database: {database['NAME']} on {database['HOST'] or 'local socket'}")
    prepare_database(database, rebuild=args.rebuild)

    import django

    # WhiteNoise warns that there is no collected static directory: the pages need none here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()
    from django.db import connection
    from django.test import Client, override_settings

    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL only.")
    generation = ensure_data(args)
    sizes = data_sizes()
    for label, rows, detail in sizes:
        print(f"  {label:<24} {rows:>9,}  {detail}")

    # Pages render without a collectstatic run, as in the tests; the rest is production's.
    storages = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    client = Client(HTTP_HOST=HOST)
    results = []
    with override_settings(STORAGES={**django.conf.settings.STORAGES, **storages}):
        for name, address in pages():
            result = measure(client, name, address, args.runs)
            results.append(result)
            print(
                f"  {result['median']:8.0f} ms median {result['max']:8.0f} ms max "
                f"{result['queries']:4} queries  {name}"
            )
        searches = search_parts(args.runs)
    print()
    print(table(results))
    print()
    print(search_table(searches))
    slow = write_plans(results, args.slow_ms)
    if slow:
        print(
            f"\n{len(slow)} page(s) slower than {args.slow_ms:g} ms: their query plans are in "
            f"{PLANS_PATH.relative_to(BASE_DIR)}"
        )
    load = None
    if not args.no_load:
        from benchmarks import load as under_load

        print()
        pages_, export = load_pages(results)
        load = under_load.run(args, pages_, status_writer(), export)
        print()
        print(under_load.tables(load))
    write_results(args.results, results, sizes, generation, args.runs, load, searches)
    print(f"Results written to {args.results}")


if __name__ == "__main__":
    main()
