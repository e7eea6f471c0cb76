# hackperf: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Tests and `make test` run on the real services of this machine unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hackperf
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hackperf_bench
CHROMIUM ?= /usr/bin/chromium

.PHONY: help install dirs run worker beat test coverage lint format migrations-check chromium assets bench load lock clean

help:
	@echo "make run     install, migrate, load demo data and serve http://127.0.0.1:8000 (SQLite, no Redis needed)"
	@echo "make test    lint, migration check and the whole test suite on PostgreSQL, Redis and Chromium"
	@echo "make worker  a Celery worker;  make beat  the Celery scheduler"
	@echo "make lint    ruff and mypy;  make bench  benchmarks;  make assets  rebuild static/ from npm packages"
	@echo "make load    50 connections for 30 s, three times, against gunicorn on the bench database (after make bench)"

# The virtualenv is rebuilt when the lock file changes.
$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed: install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Phony, not a file target: var/ may exist (the SQLite database) without the broker's folders.
dirs:
	mkdir -p var/celery/queue var/celery/control var/cache staticfiles

# Development server with a Celery worker and beat beside it, on SQLite and the filesystem
# broker unless DATABASE_URL / REDIS_URL say otherwise. Ctrl-C stops all three.
run: install dirs
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo --if-empty
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	DEBUG=true $(VENV)/bin/celery -A hackperf worker --beat --loglevel=WARNING --concurrency=1 \
		--without-mingle --without-gossip & worker=$$!; \
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

worker: install dirs
	$(VENV)/bin/celery -A hackperf worker --loglevel=INFO

beat: install dirs
	$(VENV)/bin/celery -A hackperf beat --loglevel=INFO

# mypy with django-stubs on the whole tree, strictly on the pure modules (the calculators hold
# the statutory and SLA rules): [tool.mypy] in pyproject.toml says which.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Checked against the server's own "postgres" database, which always exists (it is only read).
migrations-check: install
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_SETTINGS_MODULE=hackperf.settings_test \
		$(PY) manage.py makemigrations --check --dry-run

# Debian's chromium for the browser tests (Playwright's own browser download fails here).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM): run 'sudo apt-get install chromium'" \
				"or set CHROMIUM=/path/to/chromium"; exit 1; \
		fi; \
	fi

test: install chromium lint migrations-check
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CHROMIUM=$(CHROMIUM) \
		$(PY) -m pytest --create-db $(PYTEST_ARGS)

# The suite with coverage measured (pytest-cov), failing under the floor in pyproject.toml.
# Not part of `make test` yet: on Python 3.11 coverage traces every line and the suite takes
# two to three times as long.
coverage: install chromium
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CHROMIUM=$(CHROMIUM) \
		$(PY) -m pytest --create-db --cov --cov-report=term $(PYTEST_ARGS)

bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_SETTINGS_MODULE=hackperf.settings_test \
		$(PY) -m hackperf.bench $(BENCH_ARGS)

# Load: gunicorn as the Dockerfile runs it, on the bench database, driven by locust headless on
# 127.0.0.1 for LOAD_SECONDS; prints throughput, p50/p95/p99 and errors, and stops by itself.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 30
# Three runs in a row and their median: one run on a shared two-core machine varies by ±15%.
LOAD_RUNS ?= 3
load: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(PY) scripts/load_test.py --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) \
		--runs $(LOAD_RUNS) $(LOAD_ARGS)

# Rebuild static/ (Hackney's design system, fonts, plotly.js, htmx, axe-core) from npm.
assets:
	npm ci --no-audit --no-fund
	npm run build

# Re-pin every Python dependency from pyproject.toml into requirements.lock.
lock:
	rm -rf /tmp/hackperf-lock && $(PYTHON) -m venv /tmp/hackperf-lock
	/tmp/hackperf-lock/bin/pip install --quiet --upgrade pip
	/tmp/hackperf-lock/bin/pip install --quiet ".[dev]"
	( echo "# Generated by 'make lock' from pyproject.toml; install with pip install -r requirements.lock"; \
	  /tmp/hackperf-lock/bin/pip freeze --exclude hackperf ) > requirements.lock

clean:
	rm -rf $(VENV) var staticfiles
