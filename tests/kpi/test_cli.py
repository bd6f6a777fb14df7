"""The `kpi` command as a factory user and a coordinator use it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from kpi.cli import app
from kpi.contracts import DATASETS, load_contract
from kpi.reading import read_upload

runner = CliRunner()


def kpi(*args: str):
    return runner.invoke(app, list(args))


def test_validate_accepts_a_good_file(settings, make_file):
    result = kpi(
        "validate", str(make_file("efficiency")), "--dataset", "efficiency", "--factory", "F01"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("AANVAARD: F01_efficiency.csv (efficiency, F01), 3 rij(en)")


def test_validate_refuses_naming_row_and_column_in_json(settings, make_file):
    path = make_file(
        "people", change=lambda rows: rows.with_columns(pl.lit(-4).alias("hires")), kind="xlsx"
    )
    result = kpi(
        "validate", str(path), "--dataset", "people", "--factory", "F01", "--json", "--lang", "en"
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["accepted"] is False
    assert set(report) >= {"accepted", "errors", "warnings"}
    first = report["errors"][0]
    assert set(first) >= {"row", "column", "rule", "value", "message"}
    assert (first["row"], first["column"], first["rule"], first["value"]) == (
        2,
        "hires",
        "minimum",
        "-4",
    )
    assert first["message"] == "-4 is below the minimum 0."
    assert [e["row"] for e in report["errors"] if e["column"] == "hires"] == [2, 3, 4]


def test_validate_stores_nothing(settings, make_file):
    kpi("validate", str(make_file("quality")), "-d", "quality", "-f", "F01")
    assert not settings.warehouse_path.exists()
    assert not settings.pending_dir.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "missing.csv", "--dataset", "quality", "--factory", "F01"],
        ["validate", "{file}", "--dataset", "kwaliteit", "--factory", "F01"],
        ["validate", "{file}", "--dataset", "quality", "--factory", "F99"],
        ["validate", "{file}", "--dataset", "quality"],
        ["validate", "{file}", "--dataset", "quality", "--factory", "F01", "--lang", "fr"],
        ["template", "--dataset", "quality", "--format", "pdf", "--output", "x.pdf"],
    ],
)
def test_wrong_use_exits_2_with_a_message(settings, make_file, args):
    path = str(make_file("quality"))
    result = kpi(*[a.replace("{file}", path) for a in args])
    assert result.exit_code == 2
    assert result.output.strip()


def test_validate_as_a_whole_process(settings, make_file):
    path = make_file("regional", change=lambda r: r.with_columns(pl.lit("veel").alias("interns")))
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi.cli",
            "validate",
            str(path),
            "--dataset",
            "regional",
            "--factory",
            "F01",
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
    )
    assert process.returncode == 1, process.stderr
    errors = json.loads(process.stdout)["errors"]
    assert {(e["row"], e["column"], e["rule"]) for e in errors} == {
        (row, "interns", "type_integer") for row in (2, 3, 4)
    }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_template_has_the_contract_columns_and_reads_back(settings, tmp_path, dataset, fmt):
    output = tmp_path / f"template.{fmt}"
    result = kpi("template", "--dataset", dataset, "--format", fmt, "--output", str(output))
    assert result.exit_code == 0, result.output
    contract = load_contract(dataset)
    table = read_upload(output, contract, 10_000_000)
    # the header is recognised; an empty template just has no rows yet
    assert [f.rule for f in table.findings] == ["no_rows"]
    if fmt == "csv":
        text = output.read_text(encoding="utf-8-sig")
        assert "# " + contract.measure_columns[0].name in text
        assert contract.measure_columns[0].unit in text
    else:
        from openpyxl import load_workbook

        workbook = load_workbook(output)
        header = [c.value for c in workbook[dataset][1]]
        assert header == contract.column_names
        assert workbook[dataset]["C1"].comment is not None
        assert "Uitleg" in workbook.sheetnames


def test_template_then_filled_in_is_accepted(settings, tmp_path):
    output = tmp_path / "regional.csv"
    kpi("template", "--dataset", "regional", "--format", "csv", "--output", str(output))
    with output.open("a", encoding="utf-8") as handle:
        handle.write("F02;2025-06;310;4;9;2;1250000,50;410000;15000\n")
    result = kpi("validate", str(output), "-d", "regional", "-f", "F02")
    assert result.exit_code == 0, result.output


def test_submit_then_run_processes_and_reports(settings, make_file):
    good = make_file("quality")
    bad = make_file(
        "efficiency", change=lambda r: r.with_columns(pl.lit(0.0).alias("planned_busy_time_h"))
    )
    assert kpi("submit", str(good), "-d", "quality", "-f", "F01", "--by", "qa@f01").exit_code == 0
    assert kpi("submit", str(bad), "-d", "efficiency", "-f", "F01").exit_code == 0
    result = kpi("run", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "accepted    quality" in result.output
    assert "refused     efficiency" in result.output
    assert "row 2, planned_busy_time_h: 0 must be greater than 0." in result.output
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quality").fetchone() == (3,)
    # the run is recorded in the local Dagster instance, visible in the UI
    assert (Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml").exists()
    again = kpi("run")
    assert "Geen bestanden" in again.output


def test_run_as_a_whole_process_says_all_and_exits_with_its_outcome(settings, make_file):
    """`kpi run` ends without the interpreter's teardown once it has done all it does:
    what it printed is all there, and a run that failed still exits 1."""
    bad = make_file(
        "efficiency", change=lambda r: r.with_columns(pl.lit(0.0).alias("planned_busy_time_h"))
    )
    assert kpi("submit", str(make_file("quality")), "-d", "quality", "-f", "F01").exit_code == 0
    assert kpi("submit", str(bad), "-d", "efficiency", "-f", "F01").exit_code == 0

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "kpi.cli", "run", "--lang", "en"],
            capture_output=True,
            text=True,
            env={**os.environ},
            timeout=300,
        )

    done = run()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines if not line.startswith(" ")] == [
        ["accepted", "quality"],
        ["refused", "efficiency"],
    ]
    assert lines[-1].endswith("row 4, planned_busy_time_h: 0 must be greater than 0.")

    shutil.rmtree(settings.serving_path.parent)  # no snapshot can be published now
    settings.serving_path.parent.write_text("not a folder")
    assert kpi("submit", str(make_file("people")), "-d", "people", "-f", "F01").exit_code == 0
    failed = run()
    assert failed.returncode == 1
    assert "the run failed" in failed.stderr


def test_a_missing_or_broken_setting_is_named_not_a_traceback(settings, make_file, tmp_path):
    path = str(make_file("quality"))
    missing = subprocess.run(
        [sys.executable, "-m", "kpi.cli", "validate", path, "-d", "quality", "-f", "F01"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KPI_FACTORY_REGISTER": str(tmp_path / "nope.yaml")},
    )
    assert missing.returncode == 2
    assert "KPI_FACTORY_REGISTER" in missing.stderr and "bestaat niet" in missing.stderr
    assert "Traceback" not in missing.stderr

    broken = tmp_path / "disclosure.yaml"
    broken.write_text("threshold: -3\n")
    from kpi.disclosure import load_disclosure
    from kpi.settings import ConfigurationError

    with pytest.raises(ConfigurationError, match="KPI_DISCLOSURE_CONFIG"):
        load_disclosure(broken)


def test_the_coordinator_closes_a_month_early_then_revises_it(settings, make_file, monkeypatch):
    """`kpi release close` publishes a month before its close day; a later correction by
    one factory is held back by `kpi release revise`, and `kpi release list` shows both."""
    monkeypatch.setenv("KPI_TODAY", "2026-01-05")  # December 2025 closes on 20 January
    for code in ("F01", "F02", "F04", "F05", "F08", "F09"):
        for dataset in ("efficiency", "quality", "people", "regional"):
            path = make_file(dataset, code, name=f"{code}-{dataset}")
            assert kpi("submit", str(path), "--dataset", dataset, "--factory", code).exit_code == 0
    assert kpi("run").exit_code == 0
    closed = kpi("release", "close", "2025-12", "--by", "coordinator@test.example")
    assert closed.exit_code == 0, closed.output
    assert "2025-12: vrijgegeven / released" in closed.output

    scrapped = make_file(
        "efficiency",
        "F01",
        months=1,
        name="F01-v2",
        change=lambda rows: rows.with_columns(pl.lit(0).alias("rework_quantity")),
    )
    kpi("submit", str(scrapped), "--dataset", "efficiency", "--factory", "F01")
    revised = kpi("release", "revise", "2025-12")
    assert revised.exit_code == 0, revised.output
    assert "2025-12: wijzigingen niet publiceerbaar, vrijgave blijft" in revised.output

    history = kpi("release", "list")
    lines = [line for line in history.output.splitlines() if line.startswith("2025-12")]
    assert lines[0].startswith("2025-12 r0 release") and "coordinator@test.example" in lines[0]
    assert lines[1].startswith("2025-12 r1 revision")
    assert kpi("release", "close", "2025-13").exit_code == 2
