# The two commands of the README: `make run` and `make test`. Everything they need is set up
# here, so a fresh machine with Python 3.12+ needs nothing else.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# The test settings: a throwaway key, DEBUG off as in production, and no persistent database
# connections (the live server's request threads would otherwise hold the test database open).
TEST_ENV := SECRET_KEY=insecure-test-only DEBUG=false DATABASE_CONN_MAX_AGE=0
RUN_ENV := DEBUG=true

.PHONY: help install run test lint format demo frontend benchmark

help:
	@echo "make run    set everything up, load demo data and serve on http://127.0.0.1:8000"
	@echo "make test   set everything up and run the whole test suite"
	@echo "make lint   ruff check, ruff format --check, manage.py check, makemigrations --check,"
	@echo "           check_translations (the Welsh catalogue is complete and compiled)"
	@echo "make frontend  rebuild the committed GOV.UK Frontend assets under static/ (needs npm)"
	@echo "make benchmark  time every public page against ten years of generated data (PostgreSQL,"
	@echo "               then under load: gunicorn, Redis, wrk)"

$(UV):
	@mkdir -p var
	"$$(scripts/find-python)" -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	UV_PYTHON="$$(scripts/find-python)" $(UV) sync --frozen
	@touch $@

install: $(VENV)/.installed

demo: install
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py load_reference_data
	$(RUN_ENV) $(PY) manage.py seed_demo

run: demo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The browser tests (tests/browser/) need a Chromium: scripts/ensure-chromium finds or installs one.
# The caches are in Redis, as on several servers: scripts/ensure-redis installs or starts one, and
# each run keeps its keys under a prefix of its own (tests/conftest.py), so runs can share it.
# Coverage is measured and its summary printed at the end ([tool.coverage.*] in pyproject.toml);
# below its floor the run fails. PYTEST_ARGS=--no-cov runs part of the suite without it.
# The tests run in one process per CPU core (pytest-xdist; each has its own test database and
# cache prefix), the next test going to whichever is free; PYTEST_WORKERS=0 runs them in this one.
PYTEST_WORKERS ?= auto
TEST_CACHE_URL := redis://127.0.0.1:6379/1
# The coverage floor holds on PostgreSQL, as CI runs: on SQLite (no DATABASE_URL, the quick
# start) the PostgreSQL-only code (COPY exports, triggers, full-text search) and its tests do not
# run, so the total is lower there and only printed.
COVERAGE_FLOOR := $(if $(findstring postgres,$(DATABASE_URL)),,--cov-fail-under=0)
test: install
	scripts/ensure-redis
	scripts/ensure-gettext
	chromium="$$(scripts/ensure-chromium)" && \
		CHROMIUM_PATH="$$chromium" CACHE_URL="$${CACHE_URL:-$(TEST_CACHE_URL)}" $(TEST_ENV) \
		$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal --cov --cov-report=term:skip-covered $(COVERAGE_FLOOR) \
		$(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) PYTHON=$(PY) scripts/check-translations

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs Node and npm; the output under static/ and tests/browser/vendor/ is committed.
frontend:
	scripts/build-frontend

# Ten years of generated data (about 100,000 findings) in PostgreSQL, and every public page timed
# against it, in process and under load (gunicorn, the caches in Redis, wrk): see
# benchmarks/national_scale.py. DATABASE_URL chooses the database (by default the one below,
# created if missing), CACHE_URL the Redis (by default database 2 of the one ensure-redis starts);
# BENCHMARK_ARGS passes options, e.g. --rebuild, --runs 9 or --duration 30.
BENCHMARK_DATABASE_URL := postgres://postgres@127.0.0.1:5432/tracker_benchmark
benchmark: install
	scripts/ensure-redis
	scripts/ensure-wrk
	DATABASE_URL="$${DATABASE_URL:-$(BENCHMARK_DATABASE_URL)}" $(PY) -m benchmarks.national_scale $(BENCHMARK_ARGS)
