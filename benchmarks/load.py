"""The pages under load, as production serves them: gunicorn, DEBUG off, the caches in Redis.

Part of ``make benchmark`` (benchmarks/national_scale.py calls ``run``). It

1. collects the static files (WhiteNoise serves them, as in production) and starts gunicorn on a
   free port against the benchmark database, with ``CACHE_URL`` naming Redis;
2. runs wrk against each page at each number of connections (8 and 64 by default), in rounds
   that go through every page in turn, so that a slow minute of the shared machine falls on every
   page rather than on one; each round starts with a static file, and every page's rate is also
   given as a ratio to that file's rate in the same round, which says more than a bare figure
   on a machine whose speed changes with its load;
3. times the first request to each page after a write (an item's status changing through its
   service), one at a time, against two warm figures: a *warm render* and a *page-cache hit*.
   A page-cache hit (a few milliseconds: the stored page is sent) says nothing of how fast the
   page renders, so the yardstick of the first request is a warm render: the same page rendered
   with the counts cache (public/counts_cache.py) warm but the whole-page cache bypassed. It is
   asked of a second gunicorn that runs with ``PAGE_CACHE_SECONDS=0`` (the page cache off, see
   config/settings.py) against the same database and Redis, with the same cache key prefix: it
   reads the counts the first request cached, renders the whole page, and its requests are
   exactly the measured page's (no header, cookie or query parameter that the main server
   would see differently, and no cache key of the counts changed). Issue 14's target is a
   first request at most twice a warm render;
4. downloads the full CSV export once and reads the workers' peak memory.

wrk prints its own summary; a small Lua ``done`` hook (WRK_SCRIPT) prints the figures read here
as one JSON line: requests, duration, errors and the 50th, 95th and 99th latency percentiles.
"""

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOG_PATH = BASE_DIR / "var" / "benchmark-gunicorn.log"
# The second server's log: the one that renders every request (PAGE_CACHE_SECONDS=0).
RENDER_LOG_PATH = BASE_DIR / "var" / "benchmark-gunicorn-render.log"
WRK_SCRIPT = BASE_DIR / "benchmarks" / "wrk_summary.lua"
STATIC_FILE = "tracker/tracker.css"
# The API's rate limits would answer most of wrk's requests with 429: not what is measured.
UNLIMITED = "100000000/minute"
WARM_REQUESTS = 3
SETTLED_SECONDS = 0.05


def loadavg() -> str:
    """The machine's load average over 1, 5 and 15 minutes, as /proc/loadavg gives it."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def check_tools():
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run scripts/ensure-wrk (make benchmark does).")
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        sys.exit("gunicorn is not installed in this environment: run `make install`.")


def collect_static(environment):
    print("Collecting the static files for WhiteNoise.")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=environment,
        check=True,
    )
    manifest = json.loads((BASE_DIR / "var" / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"][STATIC_FILE]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(process, port, log_path):
    for _ in range(600):
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped: see {log_path}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    sys.exit(f"gunicorn did not start: see {log_path}")


@contextlib.contextmanager
def gunicorn(environment, workers, log_path=LOG_PATH):
    """A gunicorn serving the app on a free port: yields (base address, master's pid)."""
    port = _free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        # A full CSV export takes seconds; wrk waits as long as gunicorn allows.
        "--timeout=60",
        # Its own control socket, not the one in the home directory shared with other servers.
        "--no-control-socket",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, our own arguments)
            command, cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_serving(process, port, log_path)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(60)


def fetch(url):
    """Seconds to the last byte of one request, and the number of bytes."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310 (our own server)
        size = 0
        while chunk := answer.read(1 << 16):
            size += len(chunk)
        if answer.status != 200:
            sys.exit(f"{url} answered {answer.status}.")
    return time.perf_counter() - started, size


def settle(url):
    """Wait until the server has finished the requests wrk left behind.

    wrk stops by closing its connections, but a sync worker still answers every request it had
    queued, which would slow the next page's figures: wait until a static file is quick again.
    """
    for _ in range(1200):
        if fetch(url)[0] < SETTLED_SECONDS and fetch(url)[0] < SETTLED_SECONDS:
            return
        time.sleep(0.1)
    sys.exit(f"The server at {url} stays slow after wrk: see {LOG_PATH}")


def wrk(url, connections, seconds):
    """wrk's figures for ``seconds`` of ``connections`` connections to ``url``."""
    result = subprocess.run(  # noqa: S603 (wrk from PATH, found by check_tools)
        [
            shutil.which("wrk"),
            f"--threads={min(2, connections)}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=30s",
            f"--script={WRK_SCRIPT}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(ln for ln in reversed(result.stdout.splitlines()) if ln.startswith("{"))
    figures = json.loads(line)
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[name] for name in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": figures["requests"] / seconds,
        "p50": figures["p50_us"] / 1000,
        "p95": figures["p95_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "errors": errors,
        "timeouts": figures["timeout"],
    }


def under_load(base, static, pages, *, connections, rounds, seconds):
    """Every page under wrk, in rounds; each round's figures with its static file's rate."""
    samples = {(c, name): [] for c in connections for name, _address in pages}
    static_rates = {c: [] for c in connections}
    loads = [loadavg()]
    for number in range(1, rounds + 1):
        for count in connections:
            settle(base + static)
            reference = wrk(base + static, count, seconds)
            if not reference["rps"]:
                sys.exit(f"The static file was not served under load: see {LOG_PATH}")
            static_rates[count].append(reference["rps"])
            print(f"  round {number}, {count} connections: static file {reference['rps']:,.0f}/s")
            for name, address in pages:
                settle(base + static)
                figures = wrk(base + address, count, seconds)
                figures["ratio"] = figures["rps"] / reference["rps"]
                samples[count, name].append(figures)
                print(
                    f"    {figures['rps']:8.1f}/s  p50 {figures['p50']:7.0f} ms  "
                    f"p95 {figures['p95']:7.0f} ms  ÷ static {figures['ratio']:.3f}  "
                    f"errors {figures['errors']}  {name}"
                )
        loads.append(loadavg())
    return summarise(samples, static_rates, pages, connections), loads


def summarise(samples, static_rates, pages, connections):
    """The median of the rounds for each page and number of connections."""
    rows = []
    for count in connections:
        rows.append(
            {
                "connections": count,
                "name": "Static file (WhiteNoise)",
                "rps": statistics.median(static_rates[count]),
                "p50": None,
                "p95": None,
                "ratio": 1.0,
                "errors": 0,
            }
        )
        for name, _address in pages:
            runs = samples[count, name]
            rows.append(
                {
                    "connections": count,
                    "name": name,
                    **{
                        key: statistics.median(run[key] for run in runs)
                        for key in ("rps", "p50", "p95", "ratio")
                    },
                    "errors": sum(run["errors"] for run in runs),
                }
            )
    return rows


def cold_after_write(base, render_base, pages, write):
    """For each page, WARM_REQUESTS times in turn: one write, then the first request (the page
    cache and the counts cold), a warm render from the server without a page cache
    (``render_base``: the counts the first request cached, the page rendered again), and a
    page-cache hit; the medians of each. Taken in turn, each first request and its warm render
    run under the same load of a shared machine, and one slow moment moves one sample only."""
    rows = []
    for name, address in pages:
        colds, renders, hits = [], [], []
        for _ in range(WARM_REQUESTS):
            write()
            colds.append(fetch(base + address)[0])
            renders.append(fetch(render_base + address)[0])
            hits.append(fetch(base + address)[0])
        cold, render, hit = (statistics.median(times) for times in (colds, renders, hits))
        rows.append({"name": name, "cold": cold * 1000, "render": render * 1000, "hit": hit * 1000})
        print(
            f"  first {cold * 1000:7.0f} ms, warm render {render * 1000:7.0f} ms, "
            f"page-cache hit {hit * 1000:5.0f} ms, ratio {cold / render:5.1f}  {name}"
        )
    return rows


def worker_peak_memory(master_pid):
    """The largest resident memory any gunicorn worker reached (VmHWM), in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    peak = 0
    with contextlib.suppress(OSError):
        for pid in children.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak / 1024


def run(args, pages, write, export_address):
    """The whole of the part under load; returns what the results file shows of it."""
    check_tools()
    environment = {
        **os.environ,
        "API_ANON_RATE": UNLIMITED,
        "API_TOKEN_RATE": UNLIMITED,
        "DATABASE_CONN_MAX_AGE": "60",
    }
    static = collect_static(environment)
    connections = args.connections
    print(
        f"Under load: gunicorn with {args.workers} workers, wrk for {args.duration} s per page "
        f"at {', '.join(map(str, connections))} connections, {args.rounds} rounds."
    )
    # The second server: the same app, database and Redis (the same cache key prefix, so the
    # same counts), with the page cache off, for the warm renders of ``cold_after_write``.
    render_environment = {**environment, "PAGE_CACHE_SECONDS": "0"}
    with (
        gunicorn(environment, args.workers) as (base, master_pid),
        gunicorn(render_environment, 1, RENDER_LOG_PATH) as (render_base, _render_pid),
    ):
        for _name, address in pages:  # the first request of each page fills the caches
            fetch(base + address)
        rows, loads = under_load(
            base,
            static,
            pages,
            connections=connections,
            rounds=args.rounds,
            seconds=args.duration,
        )
        print(
            "First request after a write, against warm renders (the page cache bypassed, "
            "the counts warm) and page-cache hits, one at a time:"
        )
        settle(base + static)
        for _name, address in pages:  # the second server's first requests load its code
            fetch(render_base + address)
        cold = cold_after_write(base, render_base, pages, write)
        export_seconds, export_bytes = fetch(base + export_address)
        peak = worker_peak_memory(master_pid)
    print(
        f"CSV export over HTTP: {export_seconds:.1f} s, {export_bytes / 1024 / 1024:.1f} MB; "
        f"workers' peak memory {peak:.0f} MB"
    )
    return {
        "rows": rows,
        "cold": cold,
        "loads": loads,
        "export": (export_seconds, export_bytes),
        "peak_mb": peak,
        "settings": (args.workers, connections, args.rounds, args.duration),
    }


def _ms(value):
    return "" if value is None else f"{value:,.0f}"


def tables(load):
    """The Markdown of the part under load."""
    workers, _connections, rounds, seconds = load["settings"]
    lines = [
        f"gunicorn with {workers} threaded workers (gunicorn.conf.py), DEBUG off, the caches "
        "and the anonymous pages' cache in Redis; wrk for "
        f"{seconds} s per page and number of connections, {rounds} rounds through every page "
        "(medians of the rounds). ÷ static is the page's rate over the static file's in the "
        "same round. Latencies come from the requests answered while wrk ran: at 64 "
        "connections the slowest wait longer than the run and are not counted (run with "
        "`--duration 60` for the 60-second target). Load average (1, 5, 15 min) at the start "
        "and after each round: " + "; ".join(load["loads"]) + ".",
        "",
        "| Connections | Page | req/s | p50 ms | p95 ms | ÷ static | Errors |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in load["rows"]:
        lines.append(
            f"| {row['connections']} | {row['name']} | {row['rps']:,.1f} | {_ms(row['p50'])} | "
            f"{_ms(row['p95'])} | {row['ratio']:.3f} | {row['errors']} |"
        )
    lines += [
        "",
        "First request after a write (an item's status changed through its service just "
        "before), one at a time, against a warm render (a second gunicorn with "
        "`PAGE_CACHE_SECONDS=0`, the same database and Redis: the counts cache warm, the page "
        "rendered) and a page-cache hit, each taken right after the first request; medians of "
        f"{WARM_REQUESTS} writes per page. The ratio is the first request over a warm render "
        "(issue 14: at most 2):",
        "",
        "| Page | First after a write ms | Warm render ms | Page-cache hit ms | Ratio |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in load["cold"]:
        lines.append(
            f"| {row['name']} | {row['cold']:,.0f} | {row['render']:,.0f} | "
            f"{row['hit']:,.0f} | {row['cold'] / row['render']:.1f} |"
        )
    export_seconds, export_bytes = load["export"]
    lines += [
        "",
        f"Full CSV export over HTTP: {export_seconds:.1f} s for "
        f"{export_bytes / 1024 / 1024:,.1f} MB. Peak resident memory of a gunicorn worker over "
        f"the whole run: {load['peak_mb']:,.0f} MB.",
    ]
    return "\n".join(lines)
