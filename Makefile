# Caseload: the commands the README names. `make run` and `make test` work on a fresh machine
# with Python 3.11 and the package registries.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint typecheck bench load install lock demo-db browser clean mutate

# requirements-dev.lock: the runtime lock's packages at the same versions, plus the test and
# development tools; every package pinned with its hashes.
$(STAMP): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## lock: rewrite both locks from pyproject.toml with uv, keeping every pin that still fits
## (LOCK_ARGS=--upgrade, or LOCK_ARGS="--upgrade-package django", to move pins).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --universal $(LOCK_ARGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --universal -c requirements.lock $(LOCK_ARGS) -o requirements-dev.lock

## run: virtualenv, dependencies, migrations, demo organisation, development server with the
## job worker and scheduler beside it (scripts/run-dev.sh).
run: $(STAMP)
	CASELOAD_DEBUG=1 $(BIN)/caseload migrate --no-input
	CASELOAD_DEBUG=1 $(BIN)/caseload seed_demo
	@echo "Caseload is starting on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	CASELOAD_DEBUG=1 CASELOAD_2FA_REQUIRED_FOR= BIN=$(BIN) bash scripts/run-dev.sh $(HOST) $(PORT)

## browser: Debian's Chromium for the browser tests (installed when missing and we are root).
browser:
	@bash scripts/ensure-chromium.sh

## test: the whole suite (unit, HTTP, access matrix, browser) on the configured database, with
## line coverage of src/caseload; it fails below COVERAGE_FLOOR per cent.
COVERAGE_FLOOR ?= 94
test: $(STAMP) browser
	$(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

test-fast: $(STAMP)
	$(BIN)/pytest -n 2 -m "not browser" -p no:cacheprovider

## lint: ruff, the floors of the code (import-linter contracts in pyproject.toml) and the
## client-data rule (semgrep, lint/semgrep.yml: no client-data manager outside its app's
## selectors and services).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports --no-cache
	$(BIN)/semgrep scan --metrics=off --disable-version-check --quiet --error --config lint/semgrep.yml src

typecheck: $(STAMP)
	$(BIN)/mypy src scripts

## bench: worklist and chart timings with 10,000 generated clients, SQLite then PostgreSQL.
bench: $(STAMP)
	$(BIN)/python bench/run.py --database sqlite
	$(BIN)/python bench/run.py --database postgres

## load: 50 care managers for 10 minutes (locust, loopback only) against gunicorn on PostgreSQL
## with 100,000 generated clients; figures into docs/benchmarks.md (bench/load.py; LOAD_ARGS).
load: $(STAMP)
	$(BIN)/python bench/load.py $(LOAD_ARGS)

## mutate: mutation testing of the rule modules in mutation/modules.toml (docs/testing.md); fails
## when a module scores under the floor. MODULES="src/…/x.py" picks some; MUTATE_ARGS="-j 2".
mutate: $(STAMP)
	nice $(BIN)/python scripts/mutate.py $(MODULES) $(MUTATE_ARGS)

clean:
	rm -rf $(VENV) var test-results
