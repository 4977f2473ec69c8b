# OrgPortal — `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY := .venv/bin/python
ADDR ?= 127.0.0.1:8000

.PHONY: run test test-sqlite test-postgres lint format bench venv venv-dev clean browser screenshots backup restore

.venv/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

.venv/.dev: .venv/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: .venv/.runtime
venv-dev: .venv/.dev

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py demo_login
	$(PY) manage.py runserver $(ADDR)

# The two databases' runs go side by side (2 cores; each run's output is printed when it ends).
test: lint venv-dev browser
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: venv-dev browser
	env -u DATABASE_URL $(PY) -m pytest

test-postgres: venv-dev browser
	scripts/with-postgres $(PY) -m pytest

# The real-browser tests (tests/browser/) drive Debian's chromium through chromium-driver, with
# fonts-noto-cjk for the Chinese pages: installed here when missing (as root). Without them the tests
# skip, unless REQUIRE_BROWSER=1 (.ci/run), which makes a browser that cannot start a failure.
browser:
	scripts/install-browser

# The README's screenshots of the dashboard, the charts and an import preview (docs/screenshots/),
# taken by the browser tests (each overwrites its own file).
screenshots: venv-dev browser
	SCREENSHOTS_DIR=docs/screenshots env -u DATABASE_URL $(PY) -m pytest -q -p no:randomly tests/browser

lint: venv-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run

format: venv-dev
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# Benchmarks on a throwaway PostgreSQL: seeds 100 000 cadres (QUICK=1: 10 000), and 1 000 in a second
# database (orgportal_small) for the web benchmarks' size ratios; prints medians and ratios to
# baselines measured in the same run, writes bench/results/latest.md.
BENCH_CADRES := $(if $(QUICK),10000,100000)
BENCH_SMALL := 1000
bench: venv-dev
	scripts/with-postgres bash -c 'set -e; small="$${DATABASE_URL%/*}/orgportal_small"; \
	  psql -q "$$DATABASE_URL" -c "CREATE DATABASE orgportal_small"; \
	  DATABASE_URL="$$small" $(PY) manage.py migrate -v0; \
	  DATABASE_URL="$$small" $(PY) manage.py seed_demo --cadres $(BENCH_SMALL); \
	  $(PY) manage.py migrate -v0; $(PY) manage.py seed_demo --cadres $(BENCH_CADRES); \
	  $(PY) bench/run.py --small-db "$$small"'

# Backup and restore (PostgreSQL, DATABASE_URL; README "Backup and restore"):
#   make backup [FILE=backups/x.dump]          pg_dump -Fc of the whole database
#   make restore FILE=backups/x.dump [TARGET=postgres://…/orgportal_new]   into an EMPTY database
backup: venv
	$(PY) manage.py backup $(FILE)

restore: venv
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/….dump [TARGET=postgres://…]"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(TARGET),--target "$(TARGET)")

clean:
	rm -rf .venv db.sqlite3 staticfiles
