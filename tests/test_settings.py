import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list, env_str


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on"])
def test_env_bool_true(monkeypatch, value):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG") is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_env_bool_false(monkeypatch, value):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG", default=True) is False


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_secret_read_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SECRET_FILE", str(secret))
    assert env_str("SECRET") == "from-a-file"


def test_unreadable_secret_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="SECRET_FILE"):
        env_str("SECRET")


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.asgi"])
def test_site_refuses_to_serve_without_secret_key_when_not_debug(entry_point):
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-c", f"import {entry_point}"],
        env={"DEBUG": "false", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_commands_run_without_secret_key_on_a_throwaway_key(tmp_path):
    """`makemigrations --check` and the like sign nothing, so they need no SECRET_KEY."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        env={
            "DEBUG": "false",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


# The production environment README.md documents ("Production settings for the defences"):
# TLS ends at a proxy of our own in front of gunicorn.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "tracker.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.gov.uk",
    "BEHIND_TLS_PROXY": "true",
    "TRUSTED_PROXY_COUNT": "1",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def _check_deploy(tmp_path, **env):
    import secrets
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_documented_production_settings_pass_check_deploy(tmp_path):
    result = _check_deploy(tmp_path, **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("left_out", "warning"),
    [
        ("SECURE_SSL_REDIRECT", "security.W008"),
        ("SECURE_HSTS_PRELOAD", "security.W021"),
        ("ALLOWED_HOSTS", "security.W020"),
    ],
)
def test_check_deploy_warns_when_a_production_setting_is_left_out(tmp_path, left_out, warning):
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != left_out}

    result = _check_deploy(tmp_path, **env)

    assert result.returncode != 0
    assert warning in result.stderr


def test_production_answers_carry_hsts_and_a_content_security_policy(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/about/")
    secure = client.get("/about/", HTTP_X_FORWARDED_PROTO="https")

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/about/"
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in secure["Content-Security-Policy"]


def test_the_content_security_policy_only_reports_with_debug(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("DEBUG", "true")
    debug = importlib.reload(config.settings)
    debug_policy = (debug.SECURE_CSP, debug.SECURE_CSP_REPORT_ONLY)
    monkeypatch.setenv("DEBUG", "false")
    production = importlib.reload(config.settings)

    assert debug_policy == ({}, production.SECURE_CSP)
    assert production.SECURE_CSP_REPORT_ONLY == {}
    assert production.SECURE_CSP["default-src"] == ["'self'"]


def _postgresql_options(**env):
    """The connection options the settings give a PostgreSQL DATABASE_URL, or the error."""
    import subprocess
    import sys

    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; print(settings.DATABASES['default']['OPTIONS'])",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgres://tracker@db.example:5432/tracker",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_postgresql_connections_get_the_working_memory_the_search_counts_need():
    result = _postgresql_options()
    assert result.returncode == 0, result.stderr
    assert "-c work_mem=32MB" in result.stdout
    assert "-c pg_trgm.word_similarity_threshold=0.5" in result.stdout

    result = _postgresql_options(DATABASE_WORK_MEM="64MB")
    assert "-c work_mem=64MB" in result.stdout


def test_options_in_the_database_url_are_kept_beside_the_apps():
    result = _postgresql_options(
        DATABASE_URL="postgres://tracker@db.example:5432/tracker?options=-c%20statement_timeout%3D5000"
    )
    assert result.returncode == 0, result.stderr
    assert "-c statement_timeout=5000 -c pg_trgm.word_similarity_threshold=0.5" in result.stdout
    assert "-c work_mem=32MB" in result.stdout


@pytest.mark.parametrize(
    "value", ["lots", "32 MB -c statement_timeout=0", "-1", "0", "63kB", "32", "1TB"]
)
def test_a_working_memory_not_like_32mb_is_refused(value):
    result = _postgresql_options(DATABASE_WORK_MEM=value)
    assert result.returncode != 0
    assert "DATABASE_WORK_MEM" in result.stderr
    assert "work_mem" not in result.stdout
