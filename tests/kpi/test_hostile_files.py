"""No bad file stops the batch or the machine (issue 9, items 1, 4 and 5, reader part):
a file that breaks the reader is that file's refusal; bombs and giant files are refused
quickly, from the zip listing or a row cap, with bounded memory; reports stay readable."""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from kpi.contracts import load_contract
from kpi.ingest import ingest_pending
from kpi.landing import submit
from kpi.reading import ReadLimits, read_upload
from kpi.validation import FileReport, Upload, validate_uploads
from tests.conftest import valid_rows
from tests.kpi.hand_built_xlsx import MAIN, row_xml, write_xlsx

TODAY = dt.date(2026, 1, 15)
QUALITY = load_contract("quality")
MB = 1024 * 1024


def quality_rows(count: int = 2, start: int = 2) -> Iterator[bytes]:
    rows = valid_rows("quality", months=count)
    yield row_xml(start - 1, rows.columns)
    for number, row in enumerate(rows.iter_rows(), start=start):
        yield row_xml(number, [f"{v:%Y-%m}" if isinstance(v, dt.date) else v for v in row])


def check(*paths: Path, **options) -> list[FileReport]:
    uploads = [Upload(path, "quality", "F01") for path in paths]
    return validate_uploads(uploads, 10 * MB, today=TODAY, engine="polars", **options)


def good_file(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "goed.xlsx", quality_rows())


def dtd_file(tmp_path: Path) -> Path:
    prolog = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY code "F01">]>'
    parts = [
        *quality_rows(),
        b'<row r="9"><c r="A9" t="inlineStr"><is><t>&code;</t></is></c></row>',
    ]
    return write_xlsx(tmp_path / "dtd.xlsx", parts, sheet_prolog=prolog)


def undefined_entity_file(tmp_path: Path) -> Path:
    parts = [
        *quality_rows(),
        b'<row r="9"><c r="A9" t="inlineStr"><is><t>&nbsp;</t></is></c></row>',
    ]
    return write_xlsx(tmp_path / "entity.xlsx", parts)


# item 1: a file that breaks the reader is that file's refusal --------------------------


def test_an_xlsx_with_a_dtd_is_refused_and_the_batch_goes_on(tmp_path):
    bad, good = check(dtd_file(tmp_path), good_file(tmp_path))
    assert [(f.rule, f.row, f.column) for f in bad.errors] == [("file_xml_dtd", None, None)]
    assert "xl/worksheets/sheet1.xml" in bad.errors[0].message("nl")
    assert "DTD" in bad.errors[0].message("en")
    assert good.accepted, good.to_text("en")


def test_an_undefined_entity_is_a_refusal_not_a_traceback(tmp_path, caplog):
    bad, good = check(undefined_entity_file(tmp_path), good_file(tmp_path))
    assert [f.rule for f in bad.errors] == ["file_unreadable"]
    assert "kon niet gelezen worden" in bad.errors[0].message("nl")
    assert "could not be read (ParseError)" in bad.errors[0].message("en")
    assert "Traceback" not in bad.to_text("nl")
    assert good.accepted
    assert "entity.xlsx" in caplog.text  # the details go to the log


def test_the_pipeline_refuses_the_broken_file_and_stores_the_others(settings, tmp_path):
    submit(dtd_file(tmp_path), "quality", "F01", settings)
    submit(undefined_entity_file(tmp_path), "quality", "F04", settings)
    efficiency = tmp_path / "e.xlsx"
    rows = valid_rows("efficiency", "F08", months=1)
    write_xlsx(
        efficiency,
        [row_xml(1, rows.columns)]
        + [row_xml(2, [f"{v:%Y-%m}" if isinstance(v, dt.date) else v for v in rows.row(0)])],
    )
    submit(efficiency, "efficiency", "F08", settings)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        result = ingest_pending(con, settings, run_id="t", today=TODAY)
        assert sorted((f.submission.file_name, f.status) for f in result.files) == [
            ("dtd.xlsx", "refused"),
            ("e.xlsx", "accepted"),
            ("entity.xlsx", "refused"),
        ]
        assert con.sql("SELECT count(*) FROM efficiency").fetchall() == [(1,)]


# item 4: bombs and giant files ---------------------------------------------------------


def timed(read) -> tuple[object, float, int]:
    """What ``read()`` returns, the seconds it took and its peak of Python memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = read()
        return result, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A 4.5 MB xlsx whose shared-strings part unpacks to 1 GB (one string of 'A's)."""

    def one_gigabyte() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        chunk = b"A" * MB
        for _ in range(1024):
            yield chunk
        yield b"</t></si></sst>"

    path = tmp_path_factory.mktemp("bomb") / "bom.xlsx"
    return write_xlsx(path, quality_rows(), one_gigabyte(), compresslevel=1)


def test_a_decompression_bomb_is_refused_from_the_zip_listing(bomb):
    assert bomb.stat().st_size < 10 * MB  # under the upload limit: only the listing tells
    (report,), seconds, peak = timed(lambda: check(bomb))
    assert [f.rule for f in report.errors] == ["file_unpacked_too_large"]
    assert "1024 MB" in report.errors[0].message("en") and "50 MB" in report.errors[0].message("en")
    assert seconds < 2
    assert peak < 20 * MB


def test_a_part_compressed_beyond_any_spreadsheet_is_refused(tmp_path):
    zeros = (b"0" * MB for _ in range(20))  # 20 MB of one byte: compressed ~1000 times
    path = write_xlsx(tmp_path / "ratio.xlsx", zeros)
    (report,) = check(path)
    assert [f.rule for f in report.errors] == ["file_zip_ratio"]
    assert "xl/worksheets/sheet1.xml" in report.errors[0].message("nl")


def test_a_file_of_many_rows_is_refused_quickly_with_bounded_memory(tmp_path):
    def rows() -> Iterator[bytes]:
        yield from quality_rows(count=1)
        row = valid_rows("quality", months=1).row(0)
        for number in range(3, 50_003):
            yield row_xml(number, ["F01", "2025-12", *row[2:]])

    path = write_xlsx(tmp_path / "veel.xlsx", rows())
    (report,), seconds, _ = timed(lambda: check(path))
    assert [f.rule for f in report.errors] == ["too_many_rows"]
    assert "10000" in report.errors[0].message("en")
    assert seconds < 60  # generous: the machine is shared; unbounded reading took minutes
    # the memory of reading grows with the cap, not the file (traced: slower, so a lower cap)
    (report,), _, peak = timed(lambda: check(path, limits=ReadLimits(max_rows=2_000)))
    assert [f.rule for f in report.errors] == ["too_many_rows"]
    assert peak < 20 * MB


def test_a_csv_of_many_rows_is_refused(tmp_path):
    header = ";".join(QUALITY.column_names)
    path = tmp_path / "veel.csv"
    path.write_text(header + "\n" + "F01;2025-12;1;0;0;1;1;1;1\n" * 50_000)
    (report,) = check(path)
    assert [f.rule for f in report.errors] == ["too_many_rows"]


def test_limits_are_settings(settings, tmp_path, monkeypatch):
    from kpi.settings import reset_settings_cache

    monkeypatch.setenv("KPI_MAX_ROWS", "2")
    reset_settings_cache()
    (report,) = check(good_file(tmp_path))  # header and two rows: three rows
    assert [f.rule for f in report.errors] == ["too_many_rows"]
    table = read_upload(good_file(tmp_path), QUALITY, 10 * MB, ReadLimits(max_cells=5))
    assert [f.rule for f in table.findings] == ["too_many_cells"]


def test_findings_are_capped_per_rule_with_the_number_left_out(tmp_path):
    header = ";".join(QUALITY.column_names)
    path = tmp_path / "fout.csv"
    path.write_text(
        header + "\n" + "".join(f"F01;2025-{m:02d};x;0;0;1;1;1;1\n" for m in range(1, 13)) * 10
    )
    (report,) = check(path, max_findings_per_rule=5)
    shown = [f for f in report.errors if f.rule == "type_integer"]
    assert [f.row for f in shown] == [2, 3, 4, 5, 6, None]
    assert "115 more" in shown[-1].message("en") and "first 5" in shown[-1].message("en")
    assert "nog 115 andere" in shown[-1].message("nl")
    assert len(report.errors) < 20  # the period rule is capped too


# item 5: non-finite numbers --------------------------------------------------------------


@pytest.mark.parametrize("engine", ["polars", "gx"])
def test_nan_inf_and_1e400_in_a_file_are_refused_by_both_engines(tmp_path, engine):
    rows = valid_rows("efficiency", months=4)
    header = rows.columns
    lines = [",".join(header)]
    written = ["NaN", "inf", "-inf", "1e400"]
    for text, row in zip(written, rows.iter_rows(named=True), strict=True):
        cells = [f"{v:%Y-%m}" if isinstance(v, dt.date) else str(v) for v in row.values()]
        cells[header.index("energy_kwh")] = text
        lines.append(",".join(cells))
    path = tmp_path / "e.csv"
    path.write_text("\n".join(lines) + "\n")
    (report,) = validate_uploads([Upload(path, "efficiency", "F01")], 10 * MB, TODAY, engine)
    assert [(f.row, f.column, f.rule, f.value) for f in report.errors] == [
        (2, "energy_kwh", "type_number", "NaN"),
        (3, "energy_kwh", "type_number", "inf"),
        (4, "energy_kwh", "type_number", "-inf"),
        (5, "energy_kwh", "not_finite", "1e400"),
    ]
    assert "'1e400' is geen eindig getal" in report.errors[-1].message("nl")
