"""Reading the files factories really produce: Excel on Belgian machines.

Accepted: ``.xlsx`` (the sheet named as the dataset, else the first sheet) and ``.csv``
with ``,`` or ``;`` separators, UTF-8 with or without BOM or Windows-1252, header names in
any order and case, surrounding spaces, blank rows, and leading comment lines starting
with ``#`` (the CSV template's help). Everything is read as text here; turning text into
numbers and months is the contract's business (:mod:`kpi.parsing`).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kpi.contracts import DatasetContract
from kpi.findings import Finding, finding
from kpi.i18n import LANGUAGES, message

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
ROW_COLUMN = "_row"
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@dataclass
class RawTable:
    """The text cells of one file under the contract's column names, with the file row
    number of each row; or the findings that stopped the reading. Plain lists: a batch
    of files becomes one frame per dataset (a frame per file costs more than its rows)."""

    columns: dict[str, list[str | None]] | None
    rows: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def cells(self) -> pl.DataFrame | None:
        """The cells as a frame of text columns plus ``_row``."""
        if self.columns is None:
            return None
        return pl.DataFrame(
            {ROW_COLUMN: self.rows, **self.columns},
            schema={ROW_COLUMN: pl.Int64, **{name: pl.String for name in self.columns}},
        )


def normalise_header(name: object) -> str:
    """``' Planned Busy Time H '`` -> ``'planned_busy_time_h'``."""
    text = "" if name is None else str(name)
    text = text.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _clean_cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, float):
        text = repr(value)
        text = text[:-2] if text.endswith(".0") else text
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip()
    if "\u00a0" in text or "\u202f" in text or "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text).strip()
    return text or None


def _error(rule: str, **params: object) -> RawTable:
    return RawTable(columns=None, findings=[finding("error", rule, rule, **params)])


def read_upload(path: Path, contract: DatasetContract, max_bytes: int) -> RawTable:
    """Read ``path`` as an upload of ``contract``'s dataset; never raises for bad input."""
    extension = path.suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        return _error("file_type", ext=extension or "(geen)")
    size = path.stat().st_size
    if size == 0:
        return _error("file_empty")
    if size > max_bytes:
        return _error(
            "file_too_large",
            size_mb=f"{size / 1024 / 1024:.1f}",
            limit_mb=f"{max_bytes / 1024 / 1024:g}",
        )
    data = path.read_bytes()
    rows = _xlsx_rows(data, contract.name) if extension == ".xlsx" else _csv_rows(data)
    if isinstance(rows, RawTable):
        return rows
    return _table(rows, contract)


def _xlsx_rows(data: bytes, dataset: str) -> list[tuple[int, list[str | None]]] | RawTable:
    # openpyxl keeps the real sheet row numbers (empty leading rows included), which is
    # what the uploader sees in Excel.
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        return _error("file_not_xlsx", detail="no zip/OOXML")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return _error("file_not_xlsx", detail=type(exc).__name__)
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        sheet = workbook[names.get(dataset, workbook.sheetnames[0])]
        rows = [
            (number, [_clean_cell(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return rows


def _decode(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _csv_rows(data: bytes) -> list[tuple[int, list[str | None]]] | RawTable:
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:8192]:
        return _error("file_binary")
    text = _decode(data)
    if text is None:
        return _error("file_encoding")
    lines = text.splitlines()
    header_line = next(
        (line for line in lines if line.strip() and not line.lstrip().startswith("#")), ""
    )
    # The header row names the columns and never contains a separator itself, so the
    # separator is the candidate it holds most of (what csv.Sniffer would also conclude,
    # at a fraction of the cost per file). Quoting and line breaks are the csv module's.
    delimiter = max((";", ",", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str | None]]] = []
    try:
        start = 1
        for record in reader:
            rows.append((start, [_clean_cell(v) for v in record]))
            start = reader.line_num + 1
    except csv.Error as exc:
        return _error("file_csv_syntax", line=reader.line_num, detail=str(exc))
    return rows


def _table(rows: list[tuple[int, list[str | None]]], contract: DatasetContract) -> RawTable:
    def is_blank(cells: list[str | None]) -> bool:
        return all(c is None for c in cells)

    def is_comment(cells: list[str | None]) -> bool:
        return bool(cells) and cells[0] is not None and cells[0].startswith("#")

    body = iter(row for row in rows if not is_blank(row[1]) and not is_comment(row[1]))
    header_row = next(body, None)
    if header_row is None:
        return _error("no_header")
    headers = [normalise_header(h) for h in header_row[1]]
    while headers and headers[-1] == "":
        headers.pop()

    expected = contract.column_names
    problems: list[Finding] = []
    seen: set[str] = set()
    for name in headers:
        if name in seen and name:
            problems.append(finding("error", "duplicate_column", "duplicate_column", column=name))
        seen.add(name)
        if name not in expected:
            guess = difflib.get_close_matches(name, expected, n=1)
            label = name or "(leeg)"
            texts = {
                lang: message(
                    "unknown_column",
                    lang,
                    column=label,
                    dataset=contract.name,
                    hint=message("unknown_column_hint", lang, guess=guess[0]) if guess else "",
                )
                for lang in LANGUAGES
            }
            problems.append(Finding("error", "unknown_column", None, label, None, texts))
    for name in expected:
        if name not in seen:
            problems.append(
                finding(
                    "error", "missing_column", "missing_column", column=name, dataset=contract.name
                )
            )
    if problems:
        return RawTable(columns=None, findings=problems)

    columns: dict[str, list[str | None]] = {name: [] for name in expected}
    row_numbers: list[int] = []
    for number, cells in body:
        if len(cells) > len(headers) and any(c is not None for c in cells[len(headers) :]):
            problems.append(finding("error", "extra_cells", "extra_cells", row=number))
        padded = cells + [None] * (len(headers) - len(cells))
        for name, value in zip(headers, padded, strict=False):
            columns[name].append(value)
        row_numbers.append(number)
    if not row_numbers:
        return _error("no_rows")
    return RawTable(columns=columns, rows=row_numbers, findings=problems)
