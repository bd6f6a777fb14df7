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
        "SELECT n, p25, median, p75, suppressed FROM peer_stats "
        "WHERE peer_group = 'network' AND kpi = ? AND period = ?",
        [kpi, DECEMBER],
    )[0]


@pytest.fixture
def network(settings, make_file):
    for code in FACTORIES:
        for dataset in ("efficiency", "quality", "people", "regional"):
            submit(make_file(dataset, code, name=f"{code}-{dataset}"), dataset, code, settings)
    result = run_cycle(settings)
    return settings, make_file, result


def test_cycle_materialises_everything_and_every_check_passes(network):
    settings, _, result = network
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {
        "marts/factory_kpis",
        "marts/peer_stats",
        "marts/region_indicators",
        "serving/benchmark_snapshot",
    } <= materialised
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 11
    assert [c.check_name for c in checks if not c.passed] == []

    n, p25, median, p75, suppressed = network_stats(settings, "oee")
    assert (n, suppressed) == (6, False) and p25 <= median <= p75
    sectors = snapshot(
        settings,
        "SELECT DISTINCT suppressed, suppressed_reason FROM peer_stats "
        "WHERE peer_group LIKE 'sector:%'",
    )
    assert sectors == [(True, "threshold")]  # two plants per sector: never published
    (employment,) = snapshot(
        settings,
        "SELECT value FROM region_indicators WHERE indicator = 'employment' AND period = ?",
        [DECEMBER],
    )[0]
    assert employment > 0
    (run_id,) = snapshot(settings, "SELECT source_run_id FROM snapshot_info")[0]
    assert run_id == result.run_id


def test_a_corrected_month_changes_kpis_and_statistics_in_the_next_snapshot(network):
    settings, make_file, _ = network
    pseudonym_of_f01 = snapshot(
        settings,
        "SELECT DISTINCT factory_pseudonym FROM factory_kpis EXCEPT "
        "SELECT DISTINCT factory_pseudonym FROM factory_kpis WHERE factory_pseudonym IS NULL",
    )
    assert len(pseudonym_of_f01) == len(FACTORIES)
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

    after = network_stats(settings, "quality_ratio")
    assert after[0] == 6
    assert after[1:4] != before[1:4]
    values = [
        v
        for (v,) in snapshot(
            settings,
            "SELECT value FROM factory_kpis WHERE kpi = 'quality_ratio' AND period = ?",
            [DECEMBER],
        )
    ]
    assert min(values) == pytest.approx(0.5, abs=0.001)


def test_changing_the_disclosure_settings_changes_what_is_published(network, tmp_path, monkeypatch):
    settings, _, _ = network
    assert network_stats(settings, "oee")[4] is False
    strict = tmp_path / "disclosure.yaml"
    strict.write_text("threshold: 7\np_percent: 10\npeer_groups: [network]\n")
    monkeypatch.setenv("KPI_DISCLOSURE_CONFIG", str(strict))
    reset_settings_cache()
    run_cycle(get_settings())
    n, p25, median, p75, suppressed = network_stats(settings, "oee")
    assert (n, p25, median, p75, suppressed) == (6, None, None, None, True)
    groups = snapshot(settings, "SELECT DISTINCT peer_group FROM peer_stats")
    assert groups == [("network",)]
    assert snapshot(settings, "SELECT threshold FROM snapshot_info") == [(7,)]
    published = snapshot(settings, "SELECT count(*) FROM region_indicators WHERE NOT suppressed")
    assert published == [(0,)]
