"""The settings of several servers: the queue of background jobs (TASKS_BACKEND) and where
evidence is kept (STORAGE_BACKEND), as each environment makes them. The S3 option cannot reach
a bucket here: it is checked as far as the storage Django builds from the settings."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]

SHOW = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
from django.tasks import task_backends
storage = storages["default"]
print(json.dumps({
    "tasks": settings.TASKS,
    "tasks_class": type(task_backends["default"]).__module__,
    "storage": settings.STORAGES["default"],
    "storage_class": f"{type(storage).__module__}.{type(storage).__name__}",
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "acl": getattr(storage, "default_acl", None),
    "expire": getattr(storage, "querystring_expire", None),
}))
"""


def settings_with(**env):
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SHOW],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        return result.stderr
    return json.loads(result.stdout)


def test_production_queues_jobs_in_the_database_and_keeps_evidence_on_disk():
    shown = settings_with(DEBUG="false")

    assert shown["tasks"] == {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert shown["tasks_class"] == "django_tasks_db.backend"
    assert shown["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_the_quick_start_runs_jobs_at_once_without_a_worker():
    shown = settings_with(DEBUG="true")

    assert shown["tasks"]["default"]["BACKEND"].endswith("ImmediateBackend")


def test_an_s3_compatible_bucket_keeps_evidence_private():
    shown = settings_with(
        DEBUG="false",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="tracker-evidence",
        AWS_ACCESS_KEY_ID="key-id",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_REGION_NAME="eu-west-2",
        AWS_S3_ENDPOINT_URL="https://objects.example.gov.uk",
    )

    assert shown["storage"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "tracker-evidence",
            "access_key": "key-id",
            "secret_key": "secret",
            "region_name": "eu-west-2",
            "endpoint_url": "https://objects.example.gov.uk",
            "location": "",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
    assert shown["storage_class"] == "storages.backends.s3.S3Storage"
    assert (shown["bucket"], shown["endpoint"]) == (
        "tracker-evidence",
        "https://objects.example.gov.uk",
    )
    assert (shown["acl"], shown["expire"]) == ("private", 60)


def test_s3_credentials_may_come_from_the_environment_of_the_machine():
    """Without keys, boto3 finds its own (an instance role): they are not passed at all."""
    shown = settings_with(
        DEBUG="false", STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="tracker-evidence"
    )

    assert set(shown["storage"]["OPTIONS"]) == {
        "bucket_name",
        "location",
        "default_acl",
        "querystring_auth",
        "querystring_expire",
        "file_overwrite",
    }


@pytest.mark.parametrize(
    "env,error",
    [
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND='ftp' cannot be understood"),
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND='celery' cannot be understood"),
    ],
)
def test_a_setting_that_cannot_be_understood_stops_the_app(env, error):
    assert error in settings_with(DEBUG="false", **env)
