"""Holding the reader and the parsing to the code they replaced (kept in
``tests/kpi/reference_reading.py`` and ``reference_parsing.py``): a file must read the
same, cell for cell, finding for finding, and its cells must parse the same.

Used by ``test_reading_differential.py``, and as a pytest plugin
(``-p tests.kpi.same_as_reference``), which checks every file that other tests validate
(the office-file, hostile-file and fuzz tests) against the reference as they run.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import kpi.validation
from kpi.contracts import DatasetContract
from kpi.parsing import TypedTable, parse_cells
from kpi.reading import RawTable, ReadBatch, ReadLimits, read_upload, read_uploads
from tests.kpi import reference_parsing, reference_reading


def assert_same_table(new: RawTable, old: reference_reading.RawTable) -> None:
    """The same cells under the same column names in the same order, the same row
    numbers, decimal mark and findings (texts in both languages included)."""
    assert new.findings == old.findings
    assert [f.texts for f in new.findings] == [f.texts for f in old.findings]
    assert new.decimal_mark == old.decimal_mark
    assert new.rows == old.rows
    if old.columns is None:
        assert new.columns is None
    else:
        assert new.columns is not None
        assert list(new.columns) == list(old.columns)
        for name, cells in old.columns.items():
            assert new.columns[name] == cells, name


def assert_same_parse(cells: pl.DataFrame, contract: DatasetContract) -> TypedTable:
    """``parse_cells`` of ``cells`` gives the values and unparsed cells of the reference."""
    new = parse_cells(cells, contract)
    old = reference_parsing.parse_cells(cells, contract)
    assert_frame_equal(new.values, old.values)
    assert_frame_equal(new.unparsed, old.unparsed)
    assert [(f, f.texts) for f in new.findings] == [(f, f.texts) for f in old.findings]
    return new


def read_both(
    path: Path, contract: DatasetContract, max_bytes: int, limits: ReadLimits | None = None
) -> RawTable:
    """``read_upload``, checked against the reference (and the parsing of what it read)."""
    new = read_upload(path, contract, max_bytes, limits)
    _same_as_reference(new, path, contract, max_bytes, limits)
    return new


def read_batch_both(
    files: list[tuple[Path, DatasetContract]], max_bytes: int, limits: ReadLimits | None = None
) -> ReadBatch:
    """``read_uploads``, every file of the batch (plain or not) checked against the
    reference."""
    batch = read_uploads(files, max_bytes, limits)
    for index, (path, contract) in enumerate(files):
        _same_as_reference(batch.table(index, contract), path, contract, max_bytes, limits)
    return batch


def _same_as_reference(
    new: RawTable,
    path: Path,
    contract: DatasetContract,
    max_bytes: int,
    limits: ReadLimits | None,
) -> None:
    old_limits = None if limits is None else reference_reading.ReadLimits(**vars(limits))
    old = reference_reading.read_upload(path, contract, max_bytes, old_limits)
    assert_same_table(new, old)
    if new.cells is not None:
        assert_frame_equal(new.cells, old.cells)
        assert_same_parse(new.cells, contract)


@pytest.fixture(autouse=True)
def _every_read_checked_against_the_reference(monkeypatch):
    """As a plugin: every file that ``validate_uploads`` reads, and every batch it
    parses, is compared with the reference on the way."""
    monkeypatch.setattr(kpi.validation, "read_uploads", read_batch_both)
    monkeypatch.setattr(kpi.validation, "parse_cells", assert_same_parse)
