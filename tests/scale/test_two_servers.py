"""Two app servers, as two machines behind a load balancer would run them: two gunicorn
processes on their own ports, on one PostgreSQL database and one Redis. What one does, the other
sees at once: counts on the public pages, the API's ETag and Last-Modified, and the rate limit,
which requests split between the two reach together. Each machine also runs a worker for
background jobs: a reminder queued on both is sent once. Evidence uploaded through one downloads
through the other, from the storage they share (here a folder both mount, as a network file
system would be; or an S3 bucket).

The servers read the test database, so the data is committed (``transactional_db``), and they
share the test run's cache key prefix (tests/conftest.py), so that the test clears their keys too.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from api.services import token_create
from recommendations.choices import FindingKind
from recommendations.models import Finding
from recommendations.services import finding_add_addressees

BASE_DIR = Path(__file__).resolve().parents[2]
ANON_RATE = 4
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two processes cannot share SQLite's in-memory test database",
)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url():
    database = connection.settings_dict
    user = database["USER"] or ""
    if database["PASSWORD"]:
        user += ":" + urllib.parse.quote(database["PASSWORD"], safe="")
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{database['NAME']}"


def _server_environment(redis_url, cache_key_prefix, shared):
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.endswith("_FILE") and name not in {"DJANGO_SETTINGS_MODULE"}
    }
    return {
        **environment,
        "DJANGO_SETTINGS_MODULE": "tests.scale.server_settings",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CACHE_URL": redis_url,
        "CACHE_KEY_PREFIX": cache_key_prefix,
        "SECRET_KEY": "two-servers-test-only",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_ANON_RATE": f"{ANON_RATE}/minute",
        "API_TOKEN_RATE": "1000/minute",
        # Each scenario below is its own client, named by the X-Forwarded-For a proxy would add.
        "TRUSTED_PROXY_COUNT": "1",
        "MEDIA_ROOT": str(shared / "media"),
        "STORAGE_BACKEND": "filesystem",
        "TASKS_BACKEND": "database",
        "TEST_EMAIL_DIR": str(shared / "emails"),
    }


def _wait_until_serving(process, base, log):
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"The server at {base} stopped:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"The server at {base} did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """What both machines reach: the evidence storage, and (for the test) the emails sent."""
    return tmp_path_factory.mktemp("shared")


@pytest.fixture(scope="module")
def environment(redis_url, _own_cache_keys, shared):
    return _server_environment(redis_url, _own_cache_keys, shared)


@pytest.fixture(scope="module")
def servers(django_db_setup, environment, tmp_path_factory):
    """Two gunicorn processes, one worker each, on the test database and Redis."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = []
    for name in ("a", "b"):
        base = f"http://127.0.0.1:{_free_port()}"
        log = tmp_path_factory.mktemp("servers") / f"{name}.log"
        with log.open("w") as out:
            command = [gunicorn, "config.wsgi:application", "--bind", base.removeprefix("http://")]
            process = subprocess.Popen(  # noqa: S603 (our own gunicorn, our own arguments)
                [*command, "--workers", "1", "--access-logfile", "-"],
                cwd=BASE_DIR,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append((process, base, log))
    try:
        for process, base, log in started:
            _wait_until_serving(process, base, log)
        yield [base for _process, base, _log in started]
    finally:
        for process, _base, _log in started:
            process.terminate()
            process.wait(30)


def request(base, path, *, client, data=None, headers=None):
    """(status, headers, body) of one request, as the client at address ``client``."""
    sent = urllib.request.Request(  # noqa: S310 (http:// to our own servers)
        base + path,
        data=None if data is None else json.dumps(data).encode(),
        headers={
            # One site name for both, as behind a load balancer: links in the API's answers
            # (and so their ETags) are absolute.
            "Host": "127.0.0.1",
            "X-Forwarded-For": client,
            **({"Content-Type": "application/json"} if data is not None else {}),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:  # noqa: S310
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read().decode()


def results(body):
    """The number of results the browse page says it found."""
    return int(re.search(r"([\d,]+) results?</h2>", body).group(1).replace(",", ""))


def test_a_change_through_one_server_shows_at_once_on_the_other(
    servers, transactional_db, public_world, met_user
):
    a, b = servers
    in_progress = "/recommendations/?status=in_progress"
    before = [results(request(server, in_progress, client="192.0.2.1")[2]) for server in servers]
    assert before == [1, 1]  # R1 for the Met; its counts are now cached
    _status, _headers, body = request(
        a, "/api/v1/items/?organisation=metropolitan-police-service&status=open", client="192.0.2.1"
    )
    [item] = json.loads(body)["results"]  # AFI1 for the Met
    _row, token = token_create(user=met_user, name="two servers")

    status, _headers, body = request(
        a,
        f"/api/v1/items/{item['id']}/updates/",
        client="192.0.2.1",
        data={"narrative": "Started.", "self_assessment": "on_track", "publish": True},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert status == 201, body
    assert json.loads(body)["item_status"] == "in_progress"
    assert results(request(b, in_progress, client="192.0.2.1")[2]) == 2
    assert results(request(a, in_progress, client="192.0.2.1")[2]) == 2
    _status, _headers, overview = request(b, "/", client="192.0.2.1")
    assert "Metropolitan Police Service" in overview


def test_etag_and_last_modified_agree_across_servers(servers, transactional_db, public_world):
    a, b = servers
    path = "/api/v1/organisations/metropolitan-police-service/"
    status, first, _body = request(a, path, client="192.0.2.2")
    assert status == 200
    # A second later, a server with a cache of its own would give the body a date of its own.
    time.sleep(1.1)

    status, second, _body = request(b, path, client="192.0.2.2")

    assert status == 200
    assert (second["ETag"], second["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    # The date alone is enough for the other server to know the client's copy is current.
    status, _headers, body = request(
        b, path, client="192.0.2.2", headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert (status, body) == (304, "")
    status, _headers, _body = request(
        a, path, client="192.0.2.2", headers={"If-None-Match": second["ETag"]}
    )
    assert status == 304


def test_the_rate_limit_holds_across_both_servers(servers, transactional_db, public_world):
    a, b = servers
    path = "/api/v1/programmes/"
    answers = [request(server, path, client="192.0.2.3")[0] for server in (a, b) * (ANON_RATE // 2)]
    assert answers == [200] * ANON_RATE

    late = [request(server, path, client="192.0.2.3") for server in (a, b)]

    assert [status for status, _headers, _body in late] == [429, 429]
    assert all(1 <= int(headers["Retry-After"]) <= 60 for _status, headers, _body in late)
    # Another client still has its whole allowance, on either server.
    assert request(b, path, client="192.0.2.4")[0] == 200


def _manage(environment, *arguments, **popen):
    return subprocess.Popen(  # noqa: S603 (our own interpreter, our own arguments)
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def _finish(process, timeout=120):
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def test_a_reminder_is_sent_once_although_both_machines_queue_it_and_run_workers(
    servers, environment, shared, transactional_db, inspection, met, met_user
):
    from django_tasks_db.models import DBTaskResult

    from reminders.models import Digest

    met_user.email = "met@example.org"
    met_user.save(update_fields=["email"])
    finding = Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        reference="R7",
        text="The force should review custody records.",
        due_date=timezone.localdate() + timedelta(days=3),
    )
    finding_add_addressees(finding=finding, organisations=[met])

    # Each machine's cron queues the day's reminders...
    for _machine in ("a", "b"):
        _finish(_manage(environment, "send_reminders", "--queue"))
    assert DBTaskResult.objects.ready().count() == 2
    # ...and each machine's worker takes one job: the row lock with SKIP LOCKED gives them
    # different jobs, and the digest's record, unique per person and day, lets one email out.
    workers = [
        _manage(
            environment,
            "db_worker",
            "--max-tasks=1",
            "--interval=0.1",
            "--no-startup-delay",
            "--no-reload",
            f"--worker-id=machine-{machine}",
        )
        for machine in ("a", "b")
    ]
    for worker in workers:
        _finish(worker)

    jobs = list(DBTaskResult.objects.order_by("finished_at"))
    assert [job.status for job in jobs] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sorted(worker for job in jobs for worker in job.worker_ids) == [
        "machine-a",
        "machine-b",
    ]
    assert sorted(job.return_value["emailed"] for job in jobs) == [0, 1]
    assert Digest.objects.get().user == met_user
    sent = [
        line
        for email in (shared / "emails").iterdir()
        for line in email.read_text().splitlines()
        if line.startswith("To: ")
    ]
    assert sent == ["To: met@example.org"]


def _multipart(fields, files):
    boundary = "----two-servers-boundary"
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _session_cookie(user, secret_key):
    """A signed-in session of ``user``, in the database both servers read, as their sign-in
    page would make it (signed with their key)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    with override_settings(SECRET_KEY=secret_key):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return f"sessionid={session.session_key}"


def test_evidence_uploaded_through_one_server_downloads_through_the_other(
    servers, environment, shared, transactional_db, public_world, met, met_user, kent_user
):
    from recommendations.models import EvidenceFile

    a, b = servers
    item = public_world["recommendation"].items.get(organisation=met)
    _row, token = token_create(user=met_user, name="two servers evidence")
    content = b"%PDF-1.4\n% the board's minutes\n" + os.urandom(2048)
    body, content_type = _multipart(
        {"narrative": "Minutes attached.", "self_assessment": "on_track"},
        {"evidence": ("minutes.pdf", content, "application/pdf")},
    )

    sent = urllib.request.Request(  # noqa: S310 (http:// to our own server)
        f"{a}/api/v1/items/{item.pk}/updates/",
        data=body,
        headers={
            "Host": "127.0.0.1",
            "X-Forwarded-For": "192.0.2.5",
            "Content-Type": content_type,
            "Authorization": f"Bearer {token}",
        },
    )
    with urllib.request.urlopen(sent, timeout=30) as answer:  # noqa: S310
        assert answer.status == 201

    evidence = EvidenceFile.objects.get()
    assert (shared / "media" / evidence.file.name).read_bytes() == content
    path = f"/portal/evidence/{evidence.pk}/"
    secret_key = environment["SECRET_KEY"]

    status, headers, _body = _download(b, path, cookie=_session_cookie(met_user, secret_key))
    assert status == 200
    assert headers["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
    assert headers["Cache-Control"] == "private, no-store"
    assert _body == content
    # The other server asks the same access policy: not for another force, nor anyone signed out.
    assert _download(b, path, cookie=_session_cookie(kent_user, secret_key))[0] == 404
    status, headers, _body = _download(b, path, cookie="")
    assert status == 302
    assert headers["Location"].startswith("/account/sign-in/")


def _download(base, path, *, cookie):
    """(status, headers, bytes) of a GET that does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    sent = urllib.request.Request(  # noqa: S310 (http:// to our own server)
        base + path,
        headers={"Host": "127.0.0.1", "X-Forwarded-For": "192.0.2.6", "Cookie": cookie},
    )
    try:
        with opener.open(sent, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read()


# --- The whole-page cache across servers (public/page_cache.py) ---------------------------------


def test_page_validators_agree_across_servers_and_move_on_both_after_a_write(
    servers, transactional_db, public_world, inspector, met
):
    """An anonymous public page has one ETag and one Last-Modified on both servers, each answers
    304 to what the other sent, and a write made anywhere gives both a new one at once."""
    from recommendations.models import Item
    from recommendations.services import item_start

    a, b = servers
    path = f"/inspections/{public_world['inspection'].slug}/"
    _status, first, _body = request(a, path, client="192.0.2.5")
    time.sleep(1.1)  # a date of its own would now differ
    _status, second, _body = request(b, path, client="192.0.2.5")
    assert first["ETag"] and (second["ETag"], second["Last-Modified"]) == (
        first["ETag"],
        first["Last-Modified"],
    )
    assert request(b, path, client="192.0.2.5", headers={"If-None-Match": first["ETag"]})[0] == 304
    since = {"If-Modified-Since": second["Last-Modified"]}
    assert request(a, path, client="192.0.2.5", headers=since)[0] == 304

    # A status change through its service, in this process: neither server is told.
    item_start(item=Item.objects.get(finding=public_world["afi"]), user=inspector, note="Begun.")

    after = [request(server, path, client="192.0.2.5") for server in (a, b)]
    assert [status for status, _headers, _body in after] == [200, 200]
    etags = {headers["ETag"] for _status, headers, _body in after}
    assert len(etags) == 1 and first["ETag"] not in etags
    assert request(b, path, client="192.0.2.5", headers={"If-None-Match": first["ETag"]})[0] == 200

    # An edit that leaves no history row (a renamed organisation) moves both as well.
    etag = etags.pop()
    met.name = "Metropolitan Police Service (renamed)"
    met.save()
    renamed = [request(server, path, client="192.0.2.5") for server in (b, a)]
    assert all("(renamed)" in body for _status, _headers, body in renamed)
    renamed_etags = {headers["ETag"] for _status, headers, _body in renamed}
    assert len(renamed_etags) == 1 and etag not in renamed_etags


# --- end of the whole-page cache across servers ---------------------------------------------------
