"""How long the admin's bulk import takes for a large file: 5,000 findings by default.

Speed is measured here, never with a timed test. In a throwaway test database (``test_`` plus
the name in DATABASE_URL, or a SQLite file under var/ without one) it loads the reference data,
makes an empty inspection, writes a CSV of ``--rows`` findings (one in twenty a recommendation
answering one of 50 causes of concern, each to one to three real organisations, with themes
and due dates) and goes through the admin as an inspector would, with Django's test client:

1. upload and preview (read, check every row, render the page listing every row);
2. confirm (the stored upload read and planned again, then saved in one transaction): over
   ``IMPORT_BACKGROUND_ROWS`` the request only queues the job, and the job (planned again and
   saved, as a worker runs it) is timed as a step of its own;
3. the same file again, previewed and confirmed: everything unchanged;
4. the same rows as an Excel workbook, previewed.

It prints each step's time and SQL queries, then drops the database. Figures depend on the
machine and the database: compare runs on one machine while it is otherwise idle.

    .venv/bin/python -m benchmarks.bulk_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_import .venv/bin/python -m benchmarks.bulk_import
"""  # noqa: E501

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bulk_import",
        description="Time the admin's bulk import of findings for a large file.",
    )
    parser.add_argument("--rows", type=int, default=5000, help="findings in the file (5000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
    return parser.parse_args(argv)


def make_rows(count, *, organisations, themes, seed):
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    rows = []
    for n in range(1, count + 1):
        recommendation = n % 20 == 1
        cause = f"CoC{(n // 20) % 50 + 1}" if recommendation else ""
        due = date(2026, 1, 1) + timedelta(days=rng.randint(0, 700))
        rows.append(
            [
                f"{'R' if recommendation else 'AFI'}{n}",
                "Recommendation" if recommendation else "Area for improvement",
                f"Finding {n}: the force should improve how it records and reviews its work, "
                f"with supervision and checks of quality ({rng.random():.6f}).",
                cause,
                f"Cause of concern {cause[3:]}: a systemic shortcoming." if cause else "",
                "; ".join(rng.sample(organisations, rng.randint(1, 3))),
                due if rng.random() < 0.7 else None,
                "Within six months" if rng.random() < 0.3 else "",
                "; ".join(rng.sample(themes, rng.randint(0, 2))),
            ]
        )
    return rows


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    media = tempfile.TemporaryDirectory(prefix="tracker-import-benchmark-")
    settings.MEDIA_ROOT = media.name
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
    # Production's queue, whatever TASKS_BACKEND says: the job is run below, and timed apart.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if connection.vendor == "sqlite":
        # A file, as in use, rather than the test runner's in-memory database.
        (BASE_DIR / "var").mkdir(exist_ok=True)
        connection.settings_dict["TEST"]["NAME"] = str(BASE_DIR / "var/benchmark-import.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return run(args, Client, SimpleUploadedFile, call_command, reverse)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        media.cleanup()


def check(condition, detail):
    if not condition:
        raise SystemExit(f"The benchmark went wrong:\n{detail[:3000]}")


class QueryCounter:
    """Counts the SQL statements run inside it (the debug log keeps only the last 9,000)."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)

    def __len__(self):
        return self.count


def run(args, Client, SimpleUploadedFile, call_command, reverse):
    import re

    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from imports import services as importing
    from imports.models import ImportJob
    from inspections.models import Inspection, Inspectorate, Organisation, Programme
    from recommendations.models import Finding, Item, Theme

    call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    organisations = list(
        Organisation.objects.filter(successor__isnull=True).values_list("slug", flat=True)
    )
    themes = list(Theme.objects.values_list("slug", flat=True))
    inspection = Inspection.objects.create(
        title="Bulk import benchmark",
        slug="bulk-import-benchmark",
        programme=Programme.objects.get(slug="thematic"),
        lead_inspectorate=Inspectorate.objects.get(slug="hmicfrs"),
        published_at=timezone.now(),
    )
    admin = User.objects.create_superuser(username="benchmark", password=None)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:inspections_inspection_import_findings", args=[inspection.pk])

    rows = make_rows(args.rows, organisations=organisations, themes=themes, seed=args.seed)
    csv_data = importing.write_csv(rows)
    xlsx_data = importing.write_xlsx(rows)
    results = []

    def step(label, data, *, name):
        with QueryCounter(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, {"file": SimpleUploadedFile(name, data), "_preview": "1"})
            previewed = time.perf_counter() - started
        html = response.content.decode()
        check(response.status_code == 200 and 'name="token"' in html, html)
        results.append((f"{label}: upload and preview", previewed, len(queries)))
        token = re.search(r'name="token" value="([^"]+)"', html)
        digest = re.search(r'name="digest" value="([^"]+)"', html)
        return {"token": token.group(1), "digest": digest.group(1), "_confirm": "1"}

    def confirm(label, fields):
        with QueryCounter(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, fields)
            elapsed = time.perf_counter() - started
        check(response.status_code == 302, response.content.decode())
        if "/import-findings/jobs/" not in response["Location"]:
            results.append((f"{label}: confirm and save", elapsed, len(queries)))
            return
        results.append((f"{label}: confirm (queues the job)", elapsed, len(queries)))
        job = ImportJob.objects.latest("pk")
        with QueryCounter(connection) as queries:
            started = time.perf_counter()
            importing.import_job_run(job_id=job.pk)
            elapsed = time.perf_counter() - started
        job.refresh_from_db()
        check(job.status == "finished", job.problems)
        results.append((f"{label}: the background job saves", elapsed, len(queries)))

    fields = step("First import", csv_data, name="findings.csv")
    confirm("First import", fields)
    findings = Finding.objects.filter(inspection=inspection)
    check(findings.count() == args.rows, "not every row was imported")
    items = Item.objects.filter(finding__inspection=inspection).count()
    fields = step("Same file again", csv_data, name="findings.csv")
    confirm("Same file again", fields)
    check(findings.count() == args.rows, "the second import duplicated findings")
    for row in rows:
        row[2] = row[2].replace("Finding", "Revised finding")
        row[6] = (row[6] or date(2027, 1, 1)) + timedelta(days=1)
    fields = step("Every row changed", importing.write_csv(rows), name="findings.csv")
    confirm("Every row changed", fields)
    check(findings.filter(text__startswith="Revised").count() == args.rows, "not all updated")
    step("As Excel (.xlsx)", xlsx_data, name="findings.xlsx")

    database = connection.vendor
    if database == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database += " " + cursor.fetchone()[0]
    else:
        import sqlite3

        database += " " + sqlite3.sqlite_version
    print(
        f"\nBulk import of {args.rows:,} findings ({items:,} addressee items; CSV "
        f"{len(csv_data) / 1_048_576:.1f} MB, .xlsx {len(xlsx_data) / 1_048_576:.1f} MB)"
    )
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {database}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs\n"
    )
    print("| Step | Seconds | SQL queries |")
    print("| --- | ---: | ---: |")
    for label, seconds, queries in results:
        print(f"| {label} | {seconds:.2f} | {queries:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
