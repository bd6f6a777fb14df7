# The two commands of README.md: `make demo` (platform on demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.8
export KPI_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(KPI_DATA_DIR)/dagster
export UV_PYTHON_DOWNLOADS := never
export GX_ANALYTICS_ENABLED := False
KPI := $(VENV)/bin/kpi
SOURCES := kpi assets pipelines dashboards

.PHONY: setup browser postgres demo test bench lint clean-data

## setup: create .venv from the pinned lock file (uv.lock), nothing by hand; the packages'
## bytecode is compiled once here, so that no process (a run, the worker, a page, a test)
## compiles Dagster's or Great Expectations' sources again when it starts (seconds each,
## and every time where PYTHONDONTWRITEBYTECODE is set). The platform's own modules are
## compiled at every setup (only those changed since: ~0.2 s less for each process that
## imports them where PYTHONDONTWRITEBYTECODE is set; a stale file is never used)
setup: $(VENV)/.synced
	$(VENV)/bin/python -m compileall -q $(SOURCES)

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install --quiet uv==$(UV_VERSION); }
	$(VENV)/bin/uv sync --frozen --compile-bytecode
	@touch $@

## demo: demo data of 12 fictional factories, processed; then the Dagster UI on :3000
## and the dashboards on :8501 (the demo accounts are printed)
demo: setup
	$(KPI) demo
	@echo "Data in $(KPI_DATA_DIR); stop with Ctrl-C"
	$(KPI) serve --dagster-port 3000 --app-port 8501

## browser: Debian's Chromium for the end-to-end test (tools that download browsers fail here)
## and poppler-utils (pdftoppm, pdftotext) for the test that renders the PDF reports' pages
browser:
	@{ command -v chromium && command -v pdftoppm; } >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils; }

## postgres: Debian's PostgreSQL server programs (initdb, pg_ctl) for the test that runs the
## sensor and a run on a PostgreSQL-backed Dagster instance; the test starts its own server
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }

## test: the test suite (including the browser tests in headless Chromium and the
## PostgreSQL-backed Dagster instance)
test: setup browser postgres
	$(VENV)/bin/pytest

## bench: measure a full monthly cycle at 1000 factories x 12 months, the history load and the
## dashboards' queries at 1000 x 120 months, single-file feedback and a 10000 x 12 load; prints
## tables and old/new/target (docs/bench-baseline.json), writes data/bench/results.json
bench: setup
	$(KPI) bench --output $(KPI_DATA_DIR)/bench/results.json

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean-data:
	rm -rf "$(KPI_DATA_DIR)"
