"""What an interrupted run or upload leaves behind is cleaned up by the next run, and a
file an interrupted run had stored is moved out, not stored twice."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import duckdb
import pytest

from kpi.ingest import ingest_pending
from kpi.landing import STALE_SECONDS, list_pending, submit
from kpi.serving import clean_staging
from kpi.warehouse import (
    ProcessedFile,
    ensure_schema,
    mark_published,
    mark_unpublished,
    store,
    unpublished_change,
)

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def con(settings):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        yield connection


def test_debris_is_removed_and_an_upload_in_progress_is_not(settings, con, make_file):
    done = submit(make_file("quality"), "quality", "F01", settings)
    folder = done.path.parent
    # a half-written archive record, and landing metadata of a file already moved out
    archive = settings.archive_dir / "quality" / "F01"
    archive.mkdir(parents=True)
    (archive / ".tmp-abc123").write_text("{")
    orphan = folder / "20250101T000000000000-0123456789.json"
    orphan.write_text(json.dumps({"submission_id": orphan.stem}))
    # an upload that died copying an hour ago, and one being copied right now
    dead = folder / ".20250101T000000000001-aaaaaaaaaa.csv"
    dead.write_text("period;")
    old = time.time() - STALE_SECONDS - 60
    os.utime(dead, (old, old))
    busy = folder / ".20250101T000000000002-bbbbbbbbbb.csv"
    busy.write_text("period;")
    # a file that is no submission's metadata is not touched
    unrelated = folder / "notes.json"
    unrelated.write_text("[]")

    result = ingest_pending(con, settings, run_id="next", today=TODAY)

    assert sorted(p.name for p in result.debris) == sorted([".tmp-abc123", orphan.name, dead.name])
    assert busy.exists() and unrelated.exists()
    assert not orphan.exists() and not dead.exists()
    assert result.summary() == {"accepted": 1}


def test_a_file_stored_by_a_run_that_died_before_moving_it_is_moved_once(settings, con, make_file):
    good = submit(make_file("quality"), "quality", "F01", settings)
    submit(make_file("people", change=lambda r: r.with_columns(hires=-r["hires"] - 1)),
           "people", "F01", settings)  # fmt: skip
    # the run stored the batch and died before settling: replay that by storing only
    from kpi.pseudonym import load_or_create_key, pseudonymise
    from kpi.validation import Upload, validate_uploads

    waiting = list_pending(settings)
    pseudonym = pseudonymise("F01", load_or_create_key(settings))
    reports = validate_uploads(
        [Upload(s.path, s.dataset, s.factory_code, s.file_name) for s in waiting],
        settings.max_file_bytes,
        today=TODAY,
    )
    files = [
        ProcessedFile(s, pseudonym, "accepted" if r.accepted else "refused", r)
        for s, r in zip(waiting, reports, strict=True)
    ]
    ensure_schema(con)
    store(con, files, run_id="died", processed_at=dt.datetime.now(dt.UTC))

    result = ingest_pending(con, settings, run_id="next", today=TODAY)

    assert result.files == []
    assert sorted((i.submission.dataset, i.status) for i in result.recovered) == [
        ("people", "refused"),
        ("quality", "accepted"),
    ]
    assert list_pending(settings) == []
    assert con.execute(
        "SELECT dataset, status, run_id FROM submissions ORDER BY dataset"
    ).fetchall() == [("people", "refused", "died"), ("quality", "accepted", "died")]
    (report,) = settings.quarantine_dir.rglob("*.report.txt")
    assert "rij 2, kolom hires:" in report.read_text() and "row 2, column hires:" in (
        report.read_text()
    )
    assert [p.name for p in (settings.archive_dir / "quality" / "F01").glob("*.csv")] == [
        f"{good.submission_id}__F01_quality.csv"
    ]


def test_a_snapshot_a_run_never_swapped_in_is_removed(settings):
    target = settings.serving_path
    target.parent.mkdir(parents=True)
    target.write_bytes(b"current")
    staged = target.with_name(f".{target.stem}.0123abcd.tmp")
    staged.write_bytes(b"half")
    wal = staged.with_name(staged.name + ".wal")
    wal.write_bytes(b"")
    assert sorted(p.name for p in clean_staging(target)) == sorted([staged.name, wal.name])
    assert target.read_bytes() == b"current"
    assert not staged.exists() and not wal.exists()


def test_the_unpublished_note_is_removed_only_for_the_change_published(settings):
    mark_unpublished(settings)
    published = unpublished_change(settings)
    mark_unpublished(settings)  # another change arrived while publishing
    mark_published(settings, published)
    assert unpublished_change(settings) not in (None, published)
    mark_published(settings, unpublished_change(settings))
    assert unpublished_change(settings) is None


def test_a_warehouse_without_a_snapshot_counts_as_unpublished(settings):
    assert unpublished_change(settings) is None
    settings.warehouse_path.parent.mkdir(parents=True)
    settings.warehouse_path.write_bytes(b"")
    assert unpublished_change(settings) == "no-snapshot"
    settings.serving_path.parent.mkdir(parents=True)
    settings.serving_path.write_bytes(b"")
    assert unpublished_change(settings) is None


@pytest.mark.parametrize("fails", ["store", "settle"])
def test_a_backlog_that_fails_half_way_is_finished_by_the_next_run(
    settings, con, make_file, monkeypatch, fails
):
    """Chunks are validated a chunk ahead and moved out on a thread of their own: when
    the second chunk's storing or moving fails, the run fails; the chunks stored before
    are moved out all the same or by the next run, which stores the rest, each file
    once."""
    from kpi import ingest as kpi_ingest
    from kpi import warehouse

    monkeypatch.setattr(kpi_ingest, "INGEST_CHUNK_BYTES", 1)  # a chunk per factory
    factories = ("F01", "F04", "F08")
    for code in factories:
        for dataset in ("quality", "people"):
            submit(make_file(dataset, code), dataset, code, settings)
    calls = []
    real = {"store": warehouse.store, "settle": kpi_ingest.settle_all}[fails]

    def second_fails(*args, **kwargs):
        calls.append(fails)
        if len(calls) == 2:
            raise OSError(f"the second {fails} fails")
        return real(*args, **kwargs)

    target = {"store": "store", "settle": "settle_all"}[fails]
    monkeypatch.setattr(kpi_ingest, target, second_fails)
    with pytest.raises(OSError, match="second"):
        ingest_pending(con, settings, run_id="failed", today=TODAY)
    monkeypatch.undo()

    result = ingest_pending(con, settings, run_id="next", today=TODAY)

    assert list_pending(settings) == []
    logged = con.execute(
        "SELECT submission_id, status, run_id FROM submissions ORDER BY submission_id"
    ).fetchall()
    assert len(logged) == len({row[0] for row in logged}) == 6  # each file logged once
    assert {row[1] for row in logged} == {"accepted"}
    by_run = {run: sum(row[2] == run for row in logged) for run in ("failed", "next")}
    # the first chunk (and, when moving failed, the second) was stored by the failed run
    assert by_run == ({"failed": 2, "next": 4} if fails == "store" else {"failed": 6, "next": 0})
    assert len(result.files) + len(result.recovered) == by_run["next"] + (
        0 if fails == "store" else 2
    )
    archived = [p for p in settings.archive_dir.rglob("*.csv")]
    assert len(archived) == 6
    assert con.execute("SELECT count(*) FROM quality").fetchone() == (9,)


def test_a_failed_move_is_logged_when_a_later_store_fails_first(
    settings, con, make_file, monkeypatch, caplog
):
    """The store's error is the run's; a move that failed meanwhile is not lost."""
    from kpi import ingest as kpi_ingest
    from kpi import warehouse

    monkeypatch.setattr(kpi_ingest, "INGEST_CHUNK_BYTES", 1)  # a chunk per factory
    for code in ("F01", "F04"):
        submit(make_file("quality", code), "quality", code, settings)
    stores = []

    def second_store_fails(*args, **kwargs):
        stores.append(1)
        if len(stores) == 2:
            raise OSError("the second store fails")
        return warehouse.store(*args, **kwargs)

    def move_fails(items, settings):
        if items:  # not the (empty) files recovered from an earlier run
            raise PermissionError("the first move fails")

    monkeypatch.setattr(kpi_ingest, "store", second_store_fails)
    monkeypatch.setattr(kpi_ingest, "settle_all", move_fails)
    with pytest.raises(OSError, match="second store"):
        ingest_pending(con, settings, run_id="failed", today=TODAY)
    assert "the first move fails" in caplog.text


def test_a_factory_is_one_chunk_however_its_folder_is_written(tmp_path):
    """A file dropped by hand in a folder ``f01 `` is F01's (its pseudonym is): it is in
    F01's chunk, where it is found to be the same file as one stored, or not."""
    from kpi.ingest import _chunks
    from kpi.landing import Submission

    def waiting(number: int, code: str) -> Submission:
        return Submission(
            f"2026010{number}T000000000000-000000000{number}",
            "quality",
            code,
            f"{number}.csv",
            "0" * 64,
            "2026-01-01T00:00:00+00:00",
            None,
            tmp_path / f"{number}.csv",
        )

    files = [waiting(1, "F01"), waiting(2, "F04"), waiting(3, "f01 ")]
    assert [[s.path.name for s in chunk] for chunk in _chunks(files, 1)] == [
        ["1.csv", "3.csv"],
        ["2.csv"],
    ]
