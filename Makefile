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

.PHONY: setup demo test lint clean-data

## setup: create .venv from the pinned lock file (uv.lock), nothing by hand
setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install --quiet uv==$(UV_VERSION); }
	$(VENV)/bin/uv sync --frozen
	@touch $@

## demo: demo data of 12 fictional factories, processed, then the Dagster UI on :3000
demo: setup
	$(KPI) demo
	@echo "Dagster UI: http://localhost:3000  (data in $(KPI_DATA_DIR); stop with Ctrl-C)"
	$(VENV)/bin/dagster dev -w workspace.yaml -p 3000

## test: the test suite
test: setup
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean-data:
	rm -rf "$(KPI_DATA_DIR)"
