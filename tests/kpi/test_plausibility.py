"""Plausibility (KPI-CATALOGUE.md): a value far from the factory's own last 12 months is
a warning when the file is stored, naming row, column, the value and the usual range."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl
import pytest

from kpi.ingest import ingest_pending
from kpi.landing import submit
from kpi.settings import Settings

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def con(settings: Settings):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        yield connection


def store(con, settings, path, dataset="efficiency", factory="F01"):
    submit(path, dataset, factory, settings)
    (item,) = ingest_pending(con, settings, run_id="t", today=TODAY).files
    return item


def plausibility(item) -> list:
    return [f for f in item.report.findings if f.rule == "plausibility"]


def test_a_value_a_thousand_times_too_low_is_warned_with_the_usual_range(settings, con, make_file):
    history = make_file("efficiency", months=12, name="history")
    assert plausibility(store(con, settings, history)) == []
    usual = con.sql(
        "SELECT min(energy_kwh), max(energy_kwh), median(energy_kwh) FROM efficiency"
    ).fetchall()[0]

    # a thousands separator read as a decimal point: 462.300 kWh became 462.3
    slip = make_file(
        "efficiency",
        months=1,
        last=dt.date(2026, 1, 1),
        name="januari",
        change=lambda rows: rows.with_columns(pl.col("energy_kwh") / 1000),
    )
    item = store(con, settings, slip)
    assert item.status == "accepted"  # a warning, never a refusal
    (warning,) = plausibility(item)
    assert (warning.severity, warning.row, warning.column) == ("warning", 2, "energy_kwh")
    low, high, median = (str(int(v)) if float(v).is_integer() else f"{v:.2f}" for v in usual)
    text = warning.message("nl")
    assert f"tussen {low} en {high}" in text and f"mediaan ({median})" in text
    assert "factor 3" in warning.message("en") and warning.value in text
    logged = con.sql("SELECT warnings FROM submissions WHERE file_name LIKE 'januari%'").fetchall()
    assert [w["rule"] for w in json.loads(logged[0][0])] == ["plausibility"]


def test_an_ordinary_month_gets_no_warning(settings, con, make_file):
    store(con, settings, make_file("efficiency", months=12, name="history"))
    item = store(con, settings, make_file("efficiency", months=1, last=dt.date(2026, 1, 1)))
    assert item.status == "accepted" and plausibility(item) == []


def test_without_three_months_of_history_there_is_no_usual_range(settings, con, make_file):
    store(con, settings, make_file("efficiency", months=2, name="history"))
    slip = make_file(
        "efficiency",
        months=1,
        last=dt.date(2026, 1, 1),
        change=lambda rows: rows.with_columns(pl.col("energy_kwh") * 1000),
    )
    assert plausibility(store(con, settings, slip)) == []


def test_plausibility_warnings_are_capped_like_every_rule(settings, con, make_file, monkeypatch):
    from kpi.settings import reset_settings_cache

    store(con, settings, make_file("efficiency", months=12, name="history"))
    monkeypatch.setenv("KPI_MAX_FINDINGS_PER_RULE", "1")
    reset_settings_cache()
    slip = make_file(
        "efficiency",
        months=1,
        last=dt.date(2026, 1, 1),
        change=lambda rows: rows.with_columns(pl.col("energy_kwh", "direct_labour_h") / 1000),
    )
    first, more = plausibility(store(con, settings, slip))
    assert first.column == "direct_labour_h" and first.row == 2
    assert (more.row, more.severity) == (None, "warning")
    assert "and 1 more with the same rule (plausibility)" in more.message("en")
