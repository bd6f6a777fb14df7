"""The whole monthly cycle, run as `kpi run` runs it: files in, snapshot out."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import pytest

from assets.names import MONTHLY_JOB
from kpi.landing import submit
from kpi.serving import open_snapshot
from kpi.settings import get_settings, reset_settings_cache
from pipelines.definitions import build_definitions

FACTORIES = ["F01", "F02", "F04", "F05", "F08", "F09"]  # six plants, three sectors
DECEMBER = dt.date(2025, 12, 1)


def run_cycle(settings) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_job_def(MONTHLY_JOB)
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance)
    assert result.success
    return result


def snapshot(settings, sql: str, params=None) -> list[tuple]:
    with open_snapshot(settings.serving_path) as con:
        return con.execute(sql, params or []).fetchall()


def network_stats(settings, kpi: str) -> tuple:
    return snapshot(
        settings,
        "SELECT n_band, p25, median, p75, suppressed, status FROM peer_stats "
        "WHERE peer_group = 'network' AND kpi = ? AND period = ?",
        [kpi, DECEMBER],
    )[0]


def submit_network(settings, make_file) -> None:
    for code in FACTORIES:
        for dataset in ("efficiency", "quality", "people", "regional"):
            submit(make_file(dataset, code, name=f"{code}-{dataset}"), dataset, code, settings)


@pytest.fixture
def network(settings, make_file):
    submit_network(settings, make_file)
    result = run_cycle(settings)
    return settings, make_file, result


def test_cycle_materialises_everything_and_every_check_passes(network):
    settings, _, result = network
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {
        "marts/factory_kpis",
        "marts/releases",
        "marts/peer_stats",
        "marts/region_indicators",
        "serving/benchmark_snapshot",
    } <= materialised
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 13  # 11, and the self-scan's contract suite and threshold check
    assert [c.check_name for c in checks if not c.passed] == []

    # the test months are long past their close day: released by the run itself
    n_band, p25, median, p75, suppressed, status = network_stats(settings, "oee")
    assert (n_band, suppressed, status) == ("5-9", False, "released")
    assert median is not None and p25 is None and p75 is None  # quartiles from 10 on
    sectors = snapshot(
        settings,
        "SELECT DISTINCT suppressed, suppressed_reason, n_band FROM peer_stats "
        "WHERE peer_group LIKE 'sector:%'",
    )
    assert sectors == [(True, "threshold", None)]  # too few per sector, and n not shown
    (employment,) = snapshot(
        settings,
        "SELECT value FROM region_indicators WHERE indicator = 'employment' AND period = ?",
        [DECEMBER],
    )[0]
    assert employment > 0
    (run_id,) = snapshot(settings, "SELECT source_run_id FROM snapshot_info")[0]
    assert run_id == result.run_id
    tables = {t for (t,) in snapshot(settings, "SELECT table_name FROM duckdb_tables()")}
    assert "factory_kpis" not in tables and "factory_peer_groups" not in tables
    columns = snapshot(
        settings,
        "SELECT DISTINCT column_name FROM information_schema.columns "
        "WHERE column_name LIKE '%pseudonym%'",
    )
    assert columns == []


def test_a_correction_after_the_release_changes_only_the_factorys_own_figures(network):
    settings, make_file, _ = network
    before = network_stats(settings, "quality_ratio")

    def half_good(rows: pl.DataFrame) -> pl.DataFrame:
        good = (pl.col("produced_quantity") / 2).cast(pl.Int64)
        return rows.with_columns(
            good.alias("good_quantity"),
            (pl.col("produced_quantity") - good).alias("scrap_quantity"),
            pl.lit(0).alias("rework_quantity"),
        )

    corrected = make_file("efficiency", "F01", months=1, name="F01-december-v2", change=half_good)
    submit(corrected, "efficiency", "F01", settings)
    run_cycle(settings)

    # F01 sees its corrected month at once ...
    (own,) = snapshot(
        settings,
        "SELECT value FROM own_kpis WHERE factory_code = 'F01' AND kpi = 'quality_ratio' "
        "AND period = ?",
        [DECEMBER],
    )[0]
    assert own == pytest.approx(0.5, abs=0.001)
    # ... the released statistics stay frozen, and the month waits for a revision
    assert network_stats(settings, "quality_ratio") == before
    assert snapshot(
        settings, "SELECT changes_pending FROM months WHERE period = ?", [DECEMBER]
    ) == [(1,)]

    # one factory's change is no publishable figure of its own: not revised
    from kpi.disclosure.requests import place_request

    place_request(settings, "revise", DECEMBER, "coordinator@test.example")
    run_cycle(settings)
    after = network_stats(settings, "quality_ratio")
    assert after[:5] == before[:5] and after[5] == "not_revised"
    assert snapshot(
        settings, "SELECT revision, kind FROM releases WHERE period = ? ORDER BY 1", [DECEMBER]
    ) == [(0, "release"), (1, "revision")]


def test_the_disclosure_settings_decide_what_a_release_publishes(
    settings, make_file, tmp_path, monkeypatch
):
    strict = tmp_path / "disclosure.yaml"
    strict.write_text("threshold: 7\np_percent: 10\npeer_groups: [network]\n")
    monkeypatch.setenv("KPI_DISCLOSURE_CONFIG", str(strict))
    reset_settings_cache()
    submit_network(get_settings(), make_file)
    run_cycle(get_settings())
    # six factories, threshold seven: no month has enough contributors to be released
    assert snapshot(settings, "SELECT count(*) FROM releases") == [(0,)]
    assert snapshot(settings, "SELECT count(*) FROM peer_stats") == [(0,)]
    assert snapshot(settings, "SELECT count(*) FROM region_indicators") == [(0,)]
    assert snapshot(settings, "SELECT threshold FROM snapshot_info") == [(7,)]
    # the factories still see their own figures
    assert snapshot(settings, "SELECT count(DISTINCT factory_code) FROM own_kpis") == [(6,)]
