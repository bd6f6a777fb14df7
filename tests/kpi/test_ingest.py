"""Storing files: all or nothing, later months replace earlier ones, every file audited."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from kpi import ingest as kpi_ingest
from kpi import warehouse
from kpi.ingest import ingest_pending
from kpi.landing import anything_waiting, list_pending, submit
from kpi.pseudonym import load_or_create_key, pseudonymise
from kpi.settings import Settings

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def con(settings: Settings):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        yield connection


def ingest(con, settings):
    return ingest_pending(con, settings, run_id="test-run", today=TODAY)


def audit(con) -> list[dict]:
    return (
        con.sql(
            "SELECT file_name, dataset, status, periods, superseded_by, submission_id, "
            "warnings, errors, factory_pseudonym FROM submissions ORDER BY received_at"
        )
        .pl()
        .to_dicts()
    )


def pseudonym(settings: Settings, code: str = "F01") -> str:
    return pseudonymise(code, load_or_create_key(settings))


def test_accepted_file_is_stored_under_a_pseudonym_and_audited(settings, con, make_file):
    path = make_file("quality")
    assert not anything_waiting(settings)
    submission = submit(path, "quality", "F01", settings, submitted_by="kwaliteit@f01.example")
    assert anything_waiting(settings)
    result = ingest(con, settings)
    assert result.summary() == {"accepted": 1}

    rows = con.sql("SELECT * FROM quality ORDER BY period").pl()
    assert rows.height == 3
    assert set(rows["factory_pseudonym"]) == {pseudonym(settings)}
    assert "factory_code" not in rows.columns
    (entry,) = audit(con)
    assert entry["status"] == "accepted"
    assert entry["periods"] == ["2025-10", "2025-11", "2025-12"]
    assert entry["file_name"] == "F01_quality.csv"
    stored = con.execute("SELECT sha256, submitted_by, run_id FROM submissions").fetchone()
    assert stored == (submission.sha256, "kwaliteit@f01.example", "test-run")
    assert list_pending(settings) == [] and not anything_waiting(settings)
    assert len(list((settings.archive_dir / "quality" / "F01").glob("*.csv"))) == 1


def test_no_table_holds_a_factory_code(settings, con, make_file):
    for dataset in ("efficiency", "quality", "people", "regional"):
        submit(make_file(dataset, "F04"), dataset, "F04", settings)
    ingest(con, settings)
    for (table,) in con.sql("SHOW TABLES").fetchall():
        # The audit log keeps the uploader's own file name and findings as written (they
        # may name the plant): for the factory itself and the coordinator, never published.
        hidden = ", ".join(("file_name", "warnings", "errors")) if table == "submissions" else ""
        query = f"SELECT * EXCLUDE ({hidden}) FROM {table}" if hidden else f"SELECT * FROM {table}"
        text = str(con.sql(query).pl().to_dicts())
        assert "F04" not in text, table


def test_refused_file_stores_nothing_and_keeps_earlier_data(settings, con, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    ingest(con, settings)
    before = con.sql("SELECT * FROM quality ORDER BY period").pl()

    def spoil(rows: pl.DataFrame) -> pl.DataFrame:
        return rows.with_columns(
            pl.when(pl.int_range(pl.len()) == 2)
            .then(pl.col("parts_shipped") * 0 - 1)
            .otherwise(pl.col("parts_shipped") + 1)
            .alias("parts_shipped")
        )

    submit(make_file("quality", change=spoil, name="corrected"), "quality", "F01", settings)
    result = ingest(con, settings)
    assert result.summary() == {"refused": 1}
    # all or nothing: rows 2 and 3 of the file were fine, yet nothing of it is stored
    assert con.sql("SELECT * FROM quality ORDER BY period").pl().equals(before)
    refused = audit(con)[-1]
    # the months the refused file tried to cover, for the coordinator's overview
    assert refused["status"] == "refused"
    assert refused["periods"] == ["2025-10", "2025-11", "2025-12"]
    errors = json.loads(refused["errors"])
    assert (4, "parts_shipped", "minimum") in {(e["row"], e["column"], e["rule"]) for e in errors}
    assert {e["row"] for e in errors} == {4}
    assert all(e["message"]["nl"] and e["message"]["en"] for e in errors)
    (report,) = (settings.quarantine_dir / "quality" / "F01").glob("*.report.txt")
    text = report.read_text()
    assert "rij 4, kolom parts_shipped" in text and "row 4, column parts_shipped" in text
    assert len(list((settings.quarantine_dir / "quality" / "F01").glob("*.csv"))) == 1


def test_later_upload_replaces_its_months_and_supersedes_the_earlier_file(settings, con, make_file):
    submit(make_file("efficiency", months=3, name="history"), "efficiency", "F01", settings)
    ingest(con, settings)

    def fewer_good(rows: pl.DataFrame) -> pl.DataFrame:
        return rows.with_columns(
            (pl.col("good_quantity") - 10).alias("good_quantity"),
            (pl.col("scrap_quantity") + 10).alias("scrap_quantity"),
        )

    december_only = make_file("efficiency", months=1, name="december", change=fewer_good)
    submit(december_only, "efficiency", "F01", settings)
    ingest(con, settings)
    history, december = audit(con)
    assert history["status"] == "accepted"  # October and November still come from it
    assert december["status"] == "accepted"
    stored = con.sql(
        "SELECT strftime(period, '%Y-%m') AS month, submission_id FROM efficiency ORDER BY 1"
    ).fetchall()
    assert stored == [
        ("2025-10", history["submission_id"]),
        ("2025-11", history["submission_id"]),
        ("2025-12", december["submission_id"]),
    ]

    submit(
        make_file("efficiency", months=3, name="all", change=fewer_good),
        "efficiency",
        "F01",
        settings,
    )
    ingest(con, settings)
    history, december, full = audit(con)
    assert (history["status"], december["status"], full["status"]) == (
        "superseded",
        "superseded",
        "accepted",
    )
    assert history["superseded_by"] == full["submission_id"]
    assert con.execute("SELECT count(*) FROM efficiency").fetchone() == (3,)


def test_one_batch_supersedes_the_files_of_every_factory_it_replaces(settings, con, make_file):
    """Several factories and datasets in one batch: each earlier file whose months all
    come from a new one is superseded, and no other file."""
    for code in ("F01", "F02", "F03"):
        for dataset in ("efficiency", "people"):
            submit(make_file(dataset, code, name=f"{code}-{dataset}-old"), dataset, code, settings)
    ingest(con, settings)
    replaced = {("F02", "efficiency"), ("F03", "efficiency"), ("F01", "people")}
    changed = {  # other figures, so that the new files are not the old ones again
        "efficiency": lambda rows: rows.with_columns(pl.col("energy_kwh") + 1),
        "people": lambda rows: rows.with_columns(pl.lit(999.5).alias("training_hours")),
    }
    for code, dataset in sorted(replaced):
        new = make_file(dataset, code, name=f"{code}-{dataset}-new", change=changed[dataset])
        submit(new, dataset, code, settings)
    ingest(con, settings)
    status = {Path(e["file_name"]).stem: e["status"] for e in audit(con)}
    expected_old = {
        f"{code}-{dataset}-old": "superseded" if (code, dataset) in replaced else "accepted"
        for code in ("F01", "F02", "F03")
        for dataset in ("efficiency", "people")
    }
    assert {name: s for name, s in status.items() if name.endswith("-old")} == expected_old
    assert {s for name, s in status.items() if name.endswith("-new")} == {"accepted"}


def test_an_upload_never_supersedes_another_factorys_file(settings, con, make_file):
    """An attempt to learn whether another factory reported a month, by uploading the
    same months beside its file: the other file stays accepted, with its rows."""
    submit(make_file("efficiency", "F02", name="theirs"), "efficiency", "F02", settings)
    ingest(con, settings)
    for attempt in range(2):  # alone, then in one batch with another file of theirs
        if attempt:
            more = make_file("people", "F02", name="theirs-people")
            submit(more, "people", "F02", settings)
        mine = make_file(
            "efficiency",
            "F01",
            name=f"mine-{attempt}",
            change=lambda rows, n=attempt: rows.with_columns(pl.col("energy_kwh") + n),
        )
        submit(mine, "efficiency", "F01", settings)
        ingest(con, settings)
        theirs = [e for e in audit(con) if e["file_name"].startswith("theirs")]
        assert {e["status"] for e in theirs} == {"accepted"}
    ((rows,),) = con.execute(
        "SELECT count(*) FROM efficiency WHERE factory_pseudonym = ?",
        [pseudonym(settings, "F02")],
    ).fetchall()
    assert rows == 3


def test_the_latest_of_two_files_in_one_batch_wins(settings, con, make_file):
    submit(make_file("people", months=1, name="first"), "people", "F01", settings)
    time.sleep(0.01)

    def more_training(rows):
        return rows.with_columns(pl.lit(999.5).alias("training_hours"))

    second = submit(
        make_file("people", months=1, name="second", change=more_training),
        "people",
        "F01",
        settings,
    )
    ingest(con, settings)
    assert [e["status"] for e in audit(con)] == ["superseded", "accepted"]
    assert con.sql("SELECT training_hours, submission_id FROM people").fetchall() == [
        (999.5, second.submission_id)
    ]


def test_identical_file_dropped_twice_is_processed_once(settings, con, make_file):
    path = make_file("regional")
    first = submit(path, "regional", "F01", settings)
    again = submit(path, "regional", "F01", settings)
    assert again.submission_id == first.submission_id
    assert len(list_pending(settings)) == 1
    ingest(con, settings)
    stored = con.sql("SELECT * FROM regional ORDER BY period").pl()

    submit(path, "regional", "F01", settings)  # the same file after it was processed
    result = ingest(con, settings)
    assert result.summary() == {"unchanged": 1}
    assert con.sql("SELECT * FROM regional ORDER BY period").pl().equals(stored)
    assert [e["status"] for e in audit(con)] == ["accepted", "unchanged"]


def test_a_failing_store_rolls_back_everything_and_keeps_the_files(
    settings, con, make_file, monkeypatch
):
    submit(make_file("quality"), "quality", "F01", settings)
    submit(make_file("people"), "people", "F01", settings)
    real_record = warehouse._record_submissions

    def failing(*args, **kwargs):  # the rows of both files are in by now
        raise OSError("disk full")

    monkeypatch.setattr(warehouse, "_record_submissions", failing)
    with pytest.raises(OSError, match="disk full"):
        ingest(con, settings)
    assert con.execute("SELECT count(*) FROM quality").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM people").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM submissions").fetchone() == (0,)
    assert len(list_pending(settings)) == 2

    monkeypatch.setattr(warehouse, "_record_submissions", real_record)
    assert ingest(con, settings).summary() == {"accepted": 2}


def test_regional_figures_are_checked_against_the_people_of_that_month(settings, con, make_file):
    submit(make_file("people"), "people", "F01", settings)

    def too_many_locals(rows):
        return rows.with_columns(
            pl.when(pl.int_range(pl.len()) == 1)
            .then(pl.lit(100_000))
            .otherwise(pl.col("employees_resident_in_region"))
            .alias("employees_resident_in_region")
        )

    submit(make_file("regional", change=too_many_locals), "regional", "F01", settings)
    result = ingest(con, settings)
    assert result.summary() == {"accepted": 2}
    regional = next(f for f in result.files if f.submission.dataset == "regional")
    (warning,) = regional.report.warnings
    assert (warning.row, warning.column, warning.rule) == (
        3,
        "employees_resident_in_region",
        "resident_employees_within_headcount",
    )
    stored = json.loads(audit(con)[-1]["warnings"])
    assert stored[0]["rule"] == "resident_employees_within_headcount"


def test_file_dropped_by_hand_and_unknown_factory(settings, con, make_file):
    by_hand = settings.pending_dir / "quality" / "F02"
    by_hand.mkdir(parents=True)
    path = make_file("quality", "F02")
    target = by_hand / path.name
    target.write_bytes(path.read_bytes())
    old = time.time() - 60
    os.utime(target, (old, old))
    stranger = settings.pending_dir / "quality" / "X99"
    stranger.mkdir(parents=True)
    (stranger / "q.csv").write_bytes(path.read_bytes())
    os.utime(stranger / "q.csv", (old, old))

    result = ingest(con, settings)
    assert sorted((f.submission.factory_code, f.status) for f in result.files) == [
        ("F02", "accepted"),
        ("X99", "refused"),
    ]
    refused = next(f for f in result.files if f.status == "refused")
    assert refused.report.errors[0].rule == "unknown_factory"


def test_pseudonym_key_is_generated_once_privately_or_read_from_env(settings, monkeypatch):
    key = load_or_create_key(settings)
    key_file = settings.data_dir / "pseudonym.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_or_create_key(settings) == key
    assert pseudonymise("f01", key) == pseudonymise("F01", key)
    assert pseudonymise("F01", key) != pseudonymise("F02", key)
    monkeypatch.setenv("KPI_PSEUDONYM_KEY", "from-the-environment")
    assert load_or_create_key(Settings()) == b"from-the-environment"
    assert pseudonymise("F01", b"from-the-environment") != pseudonymise("F01", key)


def test_a_backlog_is_stored_in_chunks_of_whole_factories(settings, con, make_file, monkeypatch):
    """A whole network's months waiting at once are validated and stored a few files at a
    time (bounded memory), each factory's files together, with the same outcome."""
    monkeypatch.setattr(kpi_ingest, "INGEST_CHUNK_BYTES", 1)  # as little as one factory
    factories = ("F01", "F04", "F09")

    def too_many_locals(rows):
        return rows.with_columns(
            pl.when(pl.int_range(pl.len()) == 1)
            .then(pl.lit(100_000))
            .otherwise(pl.col("employees_resident_in_region"))
            .alias("employees_resident_in_region")
        )

    # every factory's regional file first, its people file later: a chunk of the first
    # three files would check the regional figures without the people of their month
    for code in factories:
        submit(make_file("regional", code, change=too_many_locals), "regional", code, settings)
    for dataset in ("people", "quality"):
        for code in factories:
            submit(make_file(dataset, code), dataset, code, settings)
    counted = _Counted(kpi_ingest.validate_uploads)
    monkeypatch.setattr(kpi_ingest, "validate_uploads", counted)
    result = ingest(con, settings)

    assert counted.batches == [3, 3, 3]  # one chunk per factory here
    assert result.summary() == {"accepted": 9}
    for dataset in ("regional", "people", "quality"):
        stored = con.sql(f"SELECT count(DISTINCT factory_pseudonym), count(*) FROM {dataset}")
        assert stored.fetchall() == [(3, 9)], dataset
    warned = [f for f in result.files if f.submission.dataset == "regional"]
    assert [w.report.warnings[0].rule for w in warned] == [
        "resident_employees_within_headcount"
    ] * 3
    assert list_pending(settings) == []


class _Counted:
    def __init__(self, function) -> None:
        self.function, self.batches = function, []

    def __call__(self, uploads, *args, **kwargs):
        self.batches.append(len(uploads))
        return self.function(uploads, *args, **kwargs)
