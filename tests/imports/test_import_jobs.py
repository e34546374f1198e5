"""Large imports applied by a background job: confirming queues it, a worker applies it once
with the confirming inspector as the actor, a failure is reported with the upload kept, and
only the inspector who confirmed it (or whoever may import into the report) follows it."""

import os
import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import ActionLog
from imports import services as importing
from imports.admin import SESSION_KEY, STASH_DIR, _delete_stale_stashes
from imports.choices import ImportJobStatus
from imports.models import ImportJob
from imports.tasks import apply_import_job
from inspections.models import Inspectorate
from recommendations.models import Finding, Theme

HEADER = "Reference,Kind,Text,Cause of concern,Cause of concern text,Addressees,Due date,Deadline wording,Themes"  # noqa: E501
ROWS = (
    "R1,Recommendation,The force and MOPAC should improve the governance of the use of force.,"
    "CoC1,Governance and oversight of the use of force is poor.,"
    "metropolitan-police-service; Mayor's Office for Policing and Crime,2026-03-31,"
    "By 31 March 2026,use-of-force",
    "AFI1,area for improvement,Pre-release risk assessments lack detail.,,,"
    "metropolitan-police-service,30/9/2026,Within six months,custody",
    "AFI2,AFI,Detainees wait too long for appropriate adults.,,,metropolitan-police-service,,,",
)
IMPORT_PERMISSIONS = (
    "view_inspection",
    "change_inspection",
    "add_finding",
    "change_finding",
    "view_finding",
    "add_causeofconcern",
)


@pytest.fixture(autouse=True)
def _media_and_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Files of more than two rows go to the background: the three rows above do.
    settings.IMPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def world(inspection, met, mopac):
    Theme.objects.create(slug="custody", name="Custody")
    Theme.objects.create(slug="use-of-force", name="Use of force")
    return inspection


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def starter(inspector):
    """The inspector who uploads and confirms the import."""
    return grant(inspector, *IMPORT_PERMISSIONS)


def csv_upload(*rows, name="findings.csv"):
    data = ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def import_url(inspection):
    return reverse("admin:inspections_inspection_import_findings", args=[inspection.pk])


def job_url(job):
    return reverse("admin:inspections_inspection_import_job", args=[job.inspection_id, job.pk])


def upload_url(job):
    return reverse(
        "admin:inspections_inspection_import_job_upload", args=[job.inspection_id, job.pk]
    )


def preview_and_confirm(client, inspection, upload):
    shown = client.post(import_url(inspection), {"file": upload, "_preview": "1"})
    assert shown.status_code == 200, shown.content.decode()
    html = shown.content.decode()
    fields = {
        "token": re.search(r'name="token" value="([^"]+)"', html).group(1),
        "digest": re.search(r'name="digest" value="([^"]+)"', html).group(1),
        "_confirm": "1",
    }
    return client.post(import_url(inspection), fields), fields


@pytest.fixture
def queued(client, starter, world, job_queue):
    """A three-row import confirmed by ``starter``, waiting in the database queue."""
    client.force_login(starter)
    response, fields = preview_and_confirm(client, world, csv_upload(*ROWS))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert job.key == fields["token"]
    return job


def page(response) -> str:
    return response.content.decode()


# Queued, then applied by a worker -------------------------------------------------------------


def test_confirming_a_large_import_queues_it_and_saves_nothing_yet(client, queued, job_queue):
    assert queued.status == ImportJobStatus.QUEUED
    assert queued.rows == 3
    assert not Finding.objects.exists()
    (waiting,) = job_queue.waiting()
    assert waiting.task_path == "imports.tasks.apply_import_job"
    assert waiting.args_kwargs["args"] == [queued.pk]
    assert client.session[SESSION_KEY] == {}  # The preview is used up.
    assert default_storage.exists(queued.stored_file)  # Its file is the job's now.
    assert ActionLog.objects.get(action="imports.import_job.queued").actor == queued.user

    status = client.get(job_url(queued))

    assert status.status_code == 200
    assert "Your import of findings.csv is queued" in page(status)
    assert '<meta http-equiv="refresh" content="5">' in page(status)
    assert f'href="{job_url(queued)}" class="button" id="import-refresh"' in page(status)
    assert "no-store" in status["Cache-Control"]


def test_the_worker_applies_it_as_the_inspector_who_confirmed_it(
    client, queued, job_queue, starter, met, mopac, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (result,) = job_queue.run()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {
        "job": queued.pk,
        "ran": True,
        "status": "finished",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    queued.refresh_from_db()
    assert queued.status == ImportJobStatus.FINISHED
    assert (queued.created, queued.updated, queued.unchanged) == (3, 0, 0)
    assert queued.started_at <= queued.finished_at
    r1 = Finding.objects.get(reference="R1")
    assert {item.organisation for item in r1.items.all()} == {met, mopac}
    summary = ActionLog.objects.get(action="recommendations.inspection.findings_imported")
    assert summary.actor == starter
    assert summary.data["file"] == "findings.csv"
    assert {
        log.actor for log in ActionLog.objects.filter(action__startswith="recommendations")
    } == {starter}
    assert not default_storage.exists(queued.stored_file)

    status = client.get(job_url(queued))

    assert "Your import of findings.csv has finished" in page(status)
    assert "Findings added: <strong>3</strong>" in page(status)
    assert "http-equiv" not in page(status)
    assert 'id="import-refresh"' not in page(status)
    change = reverse("admin:inspections_inspection_change", args=[queued.inspection_id])
    assert f'<a href="{change}">See the report</a>' in page(status)
    assert client.get(upload_url(queued)).status_code == 404  # Finished: not kept.


def test_the_status_page_says_running_while_a_worker_has_it(client, queued, monkeypatch):
    seen = []
    real = importing.apply_import

    def look_at_the_page(**kwargs):
        seen.append(page(client.get(job_url(queued))))
        return real(**kwargs)

    monkeypatch.setattr(importing, "apply_import", look_at_the_page)
    apply_import_job.call(queued.pk)

    assert "Your import of findings.csv is running" in seen[0]
    assert '<meta http-equiv="refresh"' in seen[0]


@pytest.mark.parametrize(("threshold", "said"), [(2, True), (3, False)])
def test_the_preview_says_when_the_import_will_run_in_the_background(
    client, starter, world, settings, threshold, said
):
    settings.IMPORT_BACKGROUND_ROWS = threshold
    client.force_login(starter)

    shown = client.post(import_url(world), {"file": csv_upload(*ROWS), "_preview": "1"})

    assert ('id="import-in-background"' in page(shown)) is said
    assert "Confirm and import 3 rows" in page(shown)


def test_a_small_import_is_still_applied_by_the_request(client, starter, world, settings):
    settings.IMPORT_BACKGROUND_ROWS = 500
    client.force_login(starter)

    response, _ = preview_and_confirm(client, world, csv_upload(*ROWS))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inspections_inspection_change", args=[world.pk])
    assert Finding.objects.filter(inspection=world).count() == 3
    assert not ImportJob.objects.exists()


def test_with_the_immediate_backend_the_job_runs_at_once(client, starter, world):
    """The tests' (and ``make run``'s) backend runs the job in the confirming request."""
    client.force_login(starter)

    response, _ = preview_and_confirm(client, world, csv_upload(*ROWS))

    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FINISHED
    assert Finding.objects.filter(inspection=world).count() == 3
    assert "has finished" in page(client.get(response["Location"]))


# Once, however often it runs --------------------------------------------------------------------


def snapshot():
    return (
        Finding.objects.count(),
        ActionLog.objects.count(),
        sorted(Finding.objects.values_list("reference", "text")),
    )


def test_running_the_job_again_applies_nothing_twice(queued, job_queue):
    job_queue.run()
    before = snapshot()

    again = apply_import_job.call(queued.pk)

    assert again == {"job": queued.pk, "ran": False}
    assert snapshot() == before
    queued.refresh_from_db()
    assert queued.status == ImportJobStatus.FINISHED


def test_the_job_queued_twice_is_applied_once(queued, job_queue):
    apply_import_job.enqueue(queued.pk)

    results = job_queue.run()

    assert [r.status for r in results] == [TaskResultStatus.SUCCESSFUL] * 2
    assert sorted(r.return_value["ran"] for r in results) == [False, True]
    assert Finding.objects.count() == 3
    assert ActionLog.objects.filter(action="recommendations.finding.imported").count() == 3


def test_the_same_preview_confirmed_twice_is_one_job(queued, starter, world):
    """Two confirmations racing past the session check meet the unique key."""
    job, created = importing.import_job_queue(
        key=queued.key,
        inspection=world,
        user=starter,
        filename="findings.csv",
        stored_file=queued.stored_file,
        sha256=queued.sha256,
        digest=queued.digest,
        rows=3,
    )

    assert (job, created) == (queued, False)
    assert ImportJob.objects.count() == 1


def test_a_preview_confirmed_again_after_queueing_is_refused(client, starter, world, job_queue):
    client.force_login(starter)
    _, fields = preview_and_confirm(client, world, csv_upload(*ROWS))

    again = client.post(import_url(world), fields)

    assert again.status_code == 400
    assert ImportJob.objects.count() == 1
    assert len(job_queue.waiting()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_the_import_another_is_applying(
    client, starter, world, settings, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL; SQLite locks the whole file.")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(starter)
    preview_and_confirm(client, world, csv_upload(*ROWS))
    job = ImportJob.objects.get()
    applying, release = threading.Event(), threading.Event()
    real = importing.apply_import

    def hold(**kwargs):
        applying.set()
        assert release.wait(timeout=10)
        return real(**kwargs)

    monkeypatch.setattr(importing, "apply_import", hold)
    outcome = []

    def first_worker():
        try:
            outcome.append(importing.import_job_run(job_id=job.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    assert applying.wait(timeout=10)

    second = importing.import_job_run(job_id=job.pk)  # Does not wait: SKIP LOCKED.
    assert ImportJob.objects.get().status == ImportJobStatus.RUNNING
    release.set()
    thread.join(timeout=30)

    assert second is None
    assert outcome[0].status == ImportJobStatus.FINISHED
    assert Finding.objects.count() == 3
    assert ActionLog.objects.filter(action="recommendations.finding.imported").count() == 3


# Failures: reported, nothing saved, the upload kept -------------------------------------------


def test_findings_changed_since_the_preview_fail_the_job_and_keep_the_upload(
    client, queued, job_queue, starter, met
):
    Finding.objects.create(
        inspection=queued.inspection, kind="recommendation", reference="R1", text="Another R1."
    )
    uploaded = default_storage.open(queued.stored_file).read()

    (result,) = job_queue.run()

    assert result.status == TaskResultStatus.SUCCESSFUL  # Refused, not broken.
    queued.refresh_from_db()
    assert queued.status == ImportJobStatus.FAILED
    assert queued.problems[0].startswith("The findings of this report changed after the preview")
    assert list(Finding.objects.values_list("reference", flat=True)) == ["R1"]
    failed = ActionLog.objects.get(action="imports.import_job.failed")
    assert failed.actor == starter
    assert failed.data["job"] == queued.pk

    status = client.get(job_url(queued))

    assert "Your import of findings.csv failed: nothing was saved" in page(status)
    assert "changed after the preview" in page(status)
    assert "http-equiv" not in page(status)
    assert f'href="{upload_url(queued)}" id="import-upload"' in page(status)
    download = client.get(upload_url(queued))
    assert download.status_code == 200
    assert download.content == uploaded
    assert download["Content-Disposition"] == 'attachment; filename="findings.csv"'


def test_an_unexpected_error_fails_the_job_saves_nothing_and_keeps_the_upload(
    client, queued, job_queue, monkeypatch
):
    real = importing.findings_add_addressees

    def break_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("The database went away.")

    monkeypatch.setattr(importing, "findings_add_addressees", break_after_writing)

    (result,) = job_queue.run()

    assert result.status == TaskResultStatus.FAILED
    assert "The database went away." in result.errors[0].traceback
    queued.refresh_from_db()
    assert queued.status == ImportJobStatus.FAILED
    assert "unexpected error: nothing was saved" in queued.problems[0]
    assert not Finding.objects.exists()
    assert default_storage.exists(queued.stored_file)
    assert "failed: nothing was saved" in page(client.get(job_url(queued)))
    assert client.get(upload_url(queued)).status_code == 200


def test_an_inspector_who_may_no_longer_edit_the_report_imports_nothing(queued, job_queue):
    User.objects.filter(pk=queued.user_id).update(inspectorate=None)

    job_queue.run()

    queued.refresh_from_db()
    assert queued.status == ImportJobStatus.FAILED
    assert "may no longer edit this report" in queued.problems[0]
    assert not Finding.objects.exists()


def test_an_inspector_who_lost_the_permission_to_add_causes_imports_nothing(queued, job_queue):
    queued.user.user_permissions.remove(Permission.objects.get(codename="add_causeofconcern"))

    job_queue.run()

    queued.refresh_from_db()
    assert queued.status == ImportJobStatus.FAILED
    assert "may no longer import these findings" in queued.problems[0]
    assert not Finding.objects.exists()


def test_the_sweep_of_old_previews_keeps_the_files_of_waiting_and_failed_jobs(queued, tmp_path):
    stale = default_storage.save(f"{STASH_DIR}/stale.upload", ContentFile(b"old"))
    old = time.time() - 13 * 3600
    for name in (stale, queued.stored_file):
        os.utime(tmp_path / name, (old, old))

    _delete_stale_stashes()

    assert not default_storage.exists(stale)
    assert default_storage.exists(queued.stored_file)


def test_a_failed_imports_upload_is_kept_30_days_then_swept(client, queued, job_queue, tmp_path):
    Finding.objects.create(
        inspection=queued.inspection, kind="recommendation", reference="R1", text="Another R1."
    )
    job_queue.run()
    queued.refresh_from_db()
    assert queued.status == ImportJobStatus.FAILED
    old = time.time() - 13 * 3600  # older than any preview is kept
    os.utime(tmp_path / queued.stored_file, (old, old))
    until = timezone.localdate(queued.finished_at + timedelta(days=30))

    _delete_stale_stashes()  # failed just now: kept

    assert default_storage.exists(queued.stored_file)
    status = page(client.get(job_url(queued)))
    assert f"The file you uploaded is kept until {until:%-d %B %Y}" in status
    assert client.get(upload_url(queued)).status_code == 200

    ImportJob.objects.filter(pk=queued.pk).update(
        finished_at=timezone.now() - timedelta(days=30, minutes=1)
    )
    _delete_stale_stashes()

    assert not default_storage.exists(queued.stored_file)
    status = page(client.get(job_url(queued)))
    assert "is no longer kept: it was kept for 30 days after the import failed" in status
    assert 'id="import-upload"' not in status
    assert client.get(upload_url(queued)).status_code == 404


# Who may follow an import ---------------------------------------------------------------------


@pytest.fixture
def personas(starter, admin_user, hmicfrs, met_user):
    colleague = grant(
        User.objects.create_user(
            username="colleague", password="pw-colleague-1", is_staff=True, inspectorate=hmicfrs
        ),
        *IMPORT_PERMISSIONS,
    )
    clerk = grant(
        User.objects.create_user(
            username="clerk", password="pw-clerk-1", is_staff=True, inspectorate=hmicfrs
        ),
        "view_inspection",
        "change_inspection",
    )
    other = Inspectorate.objects.create(
        slug="hmiprobation", name="HM Inspectorate of Probation", abbreviation="HMIP"
    )
    outsider = grant(
        User.objects.create_user(
            username="outsider", password="pw-outsider-1", is_staff=True, inspectorate=other
        ),
        *IMPORT_PERMISSIONS,
    )
    return {
        "starter": starter,
        "administrator": admin_user,
        "colleague who may import": colleague,
        "staff who may not import": clerk,
        "inspector of another inspectorate": outsider,
        "organisation user": met_user,
        "anonymous": None,
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("starter", 200),
        ("administrator", 200),
        ("colleague who may import", 200),
        ("staff who may not import", 403),
        ("inspector of another inspectorate", 404),
        ("organisation user", 302),
        ("anonymous", 302),
    ],
)
def test_who_may_see_the_status_page_and_the_upload(client, queued, personas, persona, expected):
    Finding.objects.create(
        inspection=queued.inspection, kind="recommendation", reference="R1", text="Another R1."
    )
    apply_import_job.call(queued.pk)  # Failed: its upload is kept, to download.
    client.logout()
    if personas[persona] is not None:
        client.force_login(personas[persona])

    status = client.get(job_url(queued))
    download = client.get(upload_url(queued))

    assert (status.status_code, download.status_code) == (expected, expected)
    if expected == 302:
        assert "/admin/login/" in status["Location"]
    if expected == 200:
        assert "findings.csv" in page(status)


def test_the_starter_sees_the_page_after_losing_the_import_permissions(client, queued):
    user = queued.user
    user.user_permissions.remove(*Permission.objects.filter(codename__endswith="finding"))
    client.force_login(User.objects.get(pk=user.pk))

    assert client.get(job_url(queued)).status_code == 200


def test_a_job_is_not_found_under_another_report(client, queued, admin_user, hmicfrs, custody):
    from inspections.models import Inspection

    other = Inspection.objects.create(
        title="Kent custody", slug="kent-custody", programme=custody, lead_inspectorate=hmicfrs
    )
    client.force_login(admin_user)

    url = reverse("admin:inspections_inspection_import_job", args=[other.pk, queued.pk])

    assert client.get(url).status_code == 404


def test_the_status_page_in_queries(client, queued, django_assert_num_queries):
    # 1 session, 2 user, 3 the report (through the admin's scope), 4 the job with who confirmed
    # it, 5-6 the person's permissions, user and group (the admin's menu of apps). The starter
    # is asked no more: the import permissions are asked only of someone else.
    with django_assert_num_queries(6):
        assert client.get(job_url(queued)).status_code == 200
