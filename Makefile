# Tandem's vocabulary: `make run` serves the demo, `make test` runs the suite, `make lint` checks the code.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.DEFAULT_GOAL := help
.PHONY: help install messages system-run system-test run test lint format makemessages lock clean bench backup restore load

help:
	@echo "make run      set up .venv, migrate, load the demo and serve http://127.0.0.1:8000 (web, worker, beat)"
	@echo "make test     run the whole test suite, browser journeys included (creates .venv when missing)"
	@echo "make lint     ruff, mypy, migrations check, deploy check, OpenAPI validation, compose schema"
	@echo "make makemessages  refresh the Chinese catalogue after changing strings (needs GNU gettext)"
	@echo "make backup   dump the database (PostgreSQL) and copy the media files, with their SHA-256, into var/backups"
	@echo "make restore BACKUP=var/backups/tandem-...  restore into an empty database and media folder, then check it"
	@echo "make load     50 users for 3 minutes against gunicorn + PostgreSQL + Redis; p50/p95 per page (docs/bench.md)"
	@echo "make bench    load 10,000 students, 1,000,000 practice-hour entries and 100,000 fund expenditures into PostgreSQL and print read/floor ratios; issue #19's table read over HTTP from gunicorn with production settings (docs/bench.md)"

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

# The Chinese catalogue is compiled by the build (pure Python, no gettext needed).
messages: install
	$(PY) manage.py compile_catalogues

# Debian packages beside the Python ones: the CJK font and HarfBuzz's subsetter for PDFs (run), and Chromium
# for the browser journeys (test). Installed when this user can; otherwise the script says the one command.
system-run:
	@bin/system-deps.sh run

system-test:
	@bin/system-deps.sh test

run: system-run messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) bin/run_all.py

# Parallel workers (pytest-xdist), one per core; PYTEST_WORKERS=0 runs in this process (for pdb).
PYTEST_WORKERS ?= auto
test: system-test messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: system-run messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/mypy .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=lint-only-$$(printf 'x%.0s' $$(seq 1 60)) \
	  DATABASE_URL=postgres://lint@127.0.0.1:5432/lint CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	  ALLOWED_HOSTS=tandem.example WELLBEING_ENCRYPTION_KEYS=bGludC1vbmx5LWtleS1saW50LW9ubHkta2V5LWxpbnQ= \
	  $(PY) manage.py check --deploy --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(PY) manage.py check_catalogue

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

makemessages: install
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'bin/*'

# PostgreSQL only. The bench owns its database (dropped and created again each run; BENCH_ARGS=--keep reuses it).
# Issue #19's table starts gunicorn (2 workers, production settings) on that database, its cache and broker a
# Redis database of the bench's own, flushed at start (BENCH_CACHE_URL, default redis://127.0.0.1:6379/15);
# BENCH_ARGS="--client in-process" reads the table through the test client instead.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tandem_bench
bench: messages
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m bench $(BENCH_ARGS)

# Re-pin requirements*.txt from requirements*.in in a throw-away environment.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet -r requirements.in -r requirements-dev.in
	var/lock-venv/bin/python bin/pin_requirements.py

clean:
	rm -rf $(VENV) var staticfiles

# Backups (PostgreSQL: DATABASE_URL; README, "Production"). Each is a folder with the dump, the media files,
# the rows per table and SHA256SUMS. A restore goes into an empty database and media folder and is checked.
BACKUP_DIR ?= var/backups
backup: install
	$(PY) manage.py backup --to $(BACKUP_DIR)

restore: install
	@test -n "$(BACKUP)" || { echo "Name the backup folder: make restore BACKUP=$(BACKUP_DIR)/tandem-..."; exit 1; }
	$(PY) manage.py restore --from $(BACKUP)

# 50 people on the hot journeys for 3 minutes against gunicorn, PostgreSQL and Redis on loopback (not in CI).
# The database is the load's own (dropped and seeded with the demo each run); figures go into docs/bench.md.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tandem_load
LOAD_BROKER_URL ?= redis://127.0.0.1:6379/0
load: messages
	LOAD_DATABASE_URL=$(LOAD_DATABASE_URL) LOAD_BROKER_URL=$(LOAD_BROKER_URL) $(PY) -m bench.load $(LOAD_ARGS)
