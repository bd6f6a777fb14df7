"""The reader as it was before it was made faster (kpi/reading.py at commit 38f2586), kept
unchanged as the reference the differential tests hold :mod:`kpi.reading` to: any file
must read the same (cells, rows, decimal mark, findings and their texts). Only this
docstring and the import of the reference :mod:`tests.kpi.reference_parsing` differ.

The original docstring follows.

Reading the files factories really produce: Excel and LibreOffice on Belgian machines.

Accepted (see docs/files.md): ``.xlsx`` (the sheet named as the dataset, else the first
sheet) and ``.csv`` with ``;``, ``,`` or tab separators, in UTF-8 (with or without BOM),
UTF-16 with BOM (Excel's "Unicode text") or Windows-1252; header names in any order and
case; title rows, blank rows and ``#`` comment lines above the header row; a final
Ctrl-Z. Columns that are not the contract's are ignored with a warning. Rows keep the
number the user sees in the sheet or editor.

Everything is read as text here, together with the file's decimal mark (decided once per
file); turning text into numbers and months is the contract's business
(:mod:`kpi.parsing`). Reading never raises for bad input: any failure is the file's
refusal, with a finding in both languages.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from kpi.contracts import DatasetContract, all_contracts
from kpi.findings import Finding, finding
from kpi.i18n import LANGUAGES, message

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
OTHER_FORMATS = {
    ".xls": "Excel 97-2003 (.xls)",
    ".xlsb": "Excel binary (.xlsb)",
    ".ods": "OpenDocument (.ods)",
}
"""Spreadsheet formats that are refused with a message naming them (save as .xlsx)."""
ROW_COLUMN = "_row"
DECIMAL_COLUMN = "_decimal_mark"
HEADER_SEARCH_ROWS = 50
"""The header row is looked for among the first this many non-blank rows."""
MAX_ZIP_MEMBERS = 1_000
"""More parts than any spreadsheet has: a zip listing this long is not read."""
RATIO_CHECKED_FROM = 1024 * 1024
"""Parts smaller than this are not held to the compression ratio (tiny parts vary)."""

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other Office 97-2003 files
_log = logging.getLogger(__name__)

Cell = object
Rows = list[tuple[int, list[Cell]]]


@dataclass(frozen=True)
class ReadLimits:
    """What one file may hold; checked before parsing (zip listing) and while reading."""

    max_bytes: int = 10 * 1024 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_zip_ratio: float = 100.0
    max_rows: int = 10_000
    max_cells: int = 500_000

    @classmethod
    def from_settings(cls, max_bytes: int | None = None) -> ReadLimits:
        from kpi.settings import get_settings

        settings = get_settings()
        return cls(
            max_bytes=settings.max_file_bytes if max_bytes is None else max_bytes,
            max_unpacked_bytes=int(settings.max_unpacked_mb * 1024 * 1024),
            max_zip_ratio=settings.max_zip_ratio,
            max_rows=settings.max_rows,
            max_cells=settings.max_cells,
        )


@dataclass
class RawTable:
    """The text cells of one file under the contract's column names, with the file row
    number of each row and the file's decimal mark; or the findings that stopped the
    reading. Plain lists: a batch of files becomes one frame per dataset (a frame per
    file costs more than its rows)."""

    columns: dict[str, list[str | None]] | None
    rows: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    decimal_mark: str = ","

    @property
    def cells(self) -> pl.DataFrame | None:
        """The cells as a frame of text columns plus ``_row`` and ``_decimal_mark``."""
        if self.columns is None:
            return None
        return pl.DataFrame(
            {
                ROW_COLUMN: self.rows,
                DECIMAL_COLUMN: [self.decimal_mark] * len(self.rows),
                **self.columns,
            },
            schema={
                ROW_COLUMN: pl.Int64,
                DECIMAL_COLUMN: pl.String,
                **{name: pl.String for name in self.columns},
            },
        )


def normalise_header(name: object) -> str:
    """``' Planned Busy Time H '`` -> ``'planned_busy_time_h'``."""
    text = "" if name is None else str(name)
    return _normalised(text) if len(text) <= 64 else _normalise(text)


def _normalise(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


# every file repeats the same few dozen header texts (a history load asks about a million
# times, to find the header row and the separator); short texts only, so that the cache
# stays small and holds no long cell of anybody's file
_normalised = lru_cache(maxsize=4096)(_normalise)


def _text(value: Cell, decimal_mark: str = ",") -> str | None:
    """A cell as the user sees it: text as written (spaces tidied), a number typed in a
    spreadsheet in the file's decimal mark, a date as Belgian Excel shows it."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = repr(value).replace(".", decimal_mark)
    elif isinstance(value, dt.datetime):
        has_time = value.time() != dt.time(0)
        text = f"{value:%d/%m/%Y %H:%M}" if has_time else f"{value:%d/%m/%Y}"
    elif isinstance(value, dt.date):
        text = f"{value:%d/%m/%Y}"
    else:
        text = str(value)
    text = text.strip()
    if "\u00a0" in text or "\u202f" in text or "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text).strip()
    return text or None


def _error(rule: str, key: str | None = None, **params: object) -> RawTable:
    return RawTable(columns=None, findings=[finding("error", rule, key or rule, **params)])


def read_upload(
    path: Path, contract: DatasetContract, max_bytes: int, limits: ReadLimits | None = None
) -> RawTable:
    """Read ``path`` as an upload of ``contract``'s dataset. Never raises for a bad file:
    whatever goes wrong becomes the file's refusal (the details go to the log)."""
    try:
        limits = limits or ReadLimits.from_settings(max_bytes)
        return _read(path, contract, limits)
    except Exception as exc:  # a file must never stop the batch it arrived in
        _log.exception("reading %s as %s failed", path.name, contract.name)
        return _error("file_unreadable", detail=type(exc).__name__)


def _read(path: Path, contract: DatasetContract, limits: ReadLimits) -> RawTable:
    extension = path.suffix.lower()
    if extension in OTHER_FORMATS:
        return _error("file_format", format=OTHER_FORMATS[extension])
    if extension not in ACCEPTED_EXTENSIONS:
        return _error("file_type", ext=extension or "(geen)")
    size = path.stat().st_size
    if size == 0:
        return _error("file_empty")
    if size > limits.max_bytes:
        return _error(
            "file_too_large",
            size_mb=f"{size / 1024 / 1024:.1f}",
            limit_mb=f"{limits.max_bytes / 1024 / 1024:g}",
        )
    data = path.read_bytes()
    if extension == ".xlsx":
        rows = _xlsx_rows(data, contract.name, limits)
        default_mark = ","  # what a Belgian Excel shows, for numbers typed as text
    else:
        rows, delimiter = _csv_rows(data, limits)
        default_mark = "." if delimiter == "," else ","
    if isinstance(rows, RawTable):
        return rows
    return _table(rows, contract, default_mark)


# --- xlsx ------------------------------------------------------------------------------


def _check_zip(archive: zipfile.ZipFile, limits: ReadLimits) -> RawTable | None:
    """Refuse, from the zip listing alone, what would unpack to too much; refuse XML parts
    that declare a DTD (Excel never writes one; entities are how XML bombs work)."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        return _error("file_zip_members", count=len(members), limit=MAX_ZIP_MEMBERS)
    total = 0
    limit_mb = f"{limits.max_unpacked_bytes / 1024 / 1024:g}"
    for member in members:
        total += member.file_size
        if total > limits.max_unpacked_bytes:
            return _error(
                "file_unpacked_too_large",
                size_mb=f"{sum(m.file_size for m in members) / 1024 / 1024:.0f}",
                limit_mb=limit_mb,
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM and ratio > limits.max_zip_ratio:
            return _error(
                "file_zip_ratio",
                member=member.filename,
                ratio=f"{ratio:.0f}",
                limit=f"{limits.max_zip_ratio:g}",
            )
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as part:
                head = part.read(64 * 1024)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                head = head.decode("utf-16", errors="replace").encode()
            root = re.search(rb"<[A-Za-z_]", head)
            prolog = head if root is None else head[: root.start()]
            if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
                return _error("file_xml_dtd", member=member.filename)
    return None


def _xlsx_rows(data: bytes, dataset: str, limits: ReadLimits) -> Rows | RawTable:
    # openpyxl keeps the real sheet row numbers (empty leading rows included), which is
    # what the uploader sees in Excel.
    from openpyxl import load_workbook

    if data.startswith(_OLE_MAGIC):
        return _error("file_format", format=OTHER_FORMATS[".xls"])
    if not data.startswith(b"PK\x03\x04"):
        return _error("file_not_xlsx", detail="no zip/OOXML")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        refusal = _check_zip(archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        return _error("file_not_xlsx", detail=type(exc).__name__)
    except (ValueError, OSError, zlib.error) as exc:  # a damaged zip, found while listing
        return _error("file_not_xlsx", detail=type(exc).__name__)
    if refusal is not None:
        return refusal
    if "mimetype" in archive.namelist() and b"opendocument" in archive.read("mimetype"):
        return _error("file_format", format=OTHER_FORMATS[".ods"])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return _error("file_not_xlsx", detail=type(exc).__name__)
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
        if not sheets:
            return _error("no_header", **_header_params(dataset))
        sheet = sheets.get(dataset, workbook.worksheets[0])
        sheet.reset_dimensions()  # a sheet's stated size may lie; read what is there
        rows: Rows = []
        cells = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > limits.max_rows:
                return _error("too_many_rows", limit=limits.max_rows)
            cells += len(values)
            if cells > limits.max_cells:
                return _error("too_many_cells", limit=limits.max_cells)
            rows.append((number, list(values)))
    finally:
        workbook.close()
    return rows


# --- csv -------------------------------------------------------------------------------


def _decode(data: bytes) -> str | RawTable:
    """The text of a CSV file: by its byte order mark, else UTF-8, else Windows-1252."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return _error("file_encoding", "file_encoding_named", encoding=codec.upper())
    if b"\x00" in data[:8192]:
        # UTF-16 without its mark looks like binary content: let charset detection decide
        from charset_normalizer import from_bytes

        guess = from_bytes(data[:65536]).best()
        if guess is None or not guess.encoding.startswith(("utf_16", "utf_32")):
            return _error("file_binary")
        try:
            return data.decode(guess.encoding)
        except UnicodeDecodeError:
            return _error("file_encoding", "file_encoding_named", encoding=guess.encoding.upper())
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        guess = from_bytes(data[:65536]).best()
        if guess is None:
            return _error("file_encoding")
        return _error("file_encoding", "file_encoding_named", encoding=guess.encoding.upper())


def _delimiter(lines: list[str]) -> str:
    """The separator that makes a header row of some dataset out of one of the first
    lines; else the one the lines hold most of (outside quotes)."""
    names = {name for contract in all_contracts() for name in contract.column_names}
    candidates = (";", ",", "\t")

    def header_score(delimiter: str) -> int:
        best = 0
        try:
            for record in csv.reader(lines, delimiter=delimiter):
                best = max(best, sum(normalise_header(cell) in names for cell in record))
        except csv.Error:  # the real reading reports it, with its line
            pass
        return best

    def count(delimiter: str) -> int:
        return max((re.sub(r'"[^"]*"', "", line).count(delimiter) for line in lines), default=0)

    return max(candidates, key=lambda d: (header_score(d), count(d)))


def _csv_rows(data: bytes, limits: ReadLimits) -> tuple[Rows | RawTable, str]:
    if data.startswith(b"PK\x03\x04") or data.startswith(_OLE_MAGIC):
        return _error("file_binary"), ","
    text = _decode(data)
    if isinstance(text, RawTable):
        return text, ","
    # Ctrl-Z: the end-of-file mark some Windows tools still write; not a row of data
    text = re.sub(r"\x1a+\s*\Z", "", text)
    lines = [
        line
        for line in text.splitlines()[: HEADER_SEARCH_ROWS * 2]
        if line.strip() and not line.lstrip().startswith("#")
    ][:HEADER_SEARCH_ROWS]
    delimiter = _delimiter(lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: Rows = []
    cells = 0
    try:
        start = 1
        for record in reader:
            if len(rows) >= limits.max_rows:
                return _error("too_many_rows", limit=limits.max_rows), delimiter
            cells += len(record)
            if cells > limits.max_cells:
                return _error("too_many_cells", limit=limits.max_cells), delimiter
            rows.append((start, list(record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        return _error("file_csv_syntax", line=reader.line_num, detail=str(exc)), delimiter
    return rows, delimiter


# --- the header row and the columns ----------------------------------------------------


def _header_params(dataset: str) -> dict[str, object]:
    return {"dataset": dataset, "rows": HEADER_SEARCH_ROWS}


def _is_blank(cells: list[Cell]) -> bool:
    return all(_text(c) is None for c in cells)


def _is_comment(cells: list[Cell]) -> bool:
    first = _text(cells[0]) if cells else None
    return first is not None and first.startswith("#")


def _score(cells: list[Cell], names: list[str]) -> int:
    wanted = set(names)
    return len({normalise_header(c) for c in cells if c is not None} & wanted)


def _other_dataset(cells: list[Cell], contract: DatasetContract) -> DatasetContract | None:
    """The dataset whose columns a header row names best, when that is not ``contract``."""
    own = _score(cells, contract.column_names)
    best, best_score = None, own
    for other in all_contracts():
        score = _score(cells, other.column_names)
        if other.name != contract.name and score > best_score:
            best, best_score = other, score
    return best


def _wrong_dataset(found: DatasetContract, contract: DatasetContract) -> RawTable:
    texts = {
        lang: message(
            "wrong_dataset",
            lang,
            title=found.title(lang),
            found=found.name,
            dataset=contract.name,
            expected=contract.title(lang),
        )
        for lang in LANGUAGES
    }
    return RawTable(
        columns=None, findings=[Finding("error", "wrong_dataset", None, None, None, texts)]
    )


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _table(rows: Rows, contract: DatasetContract, default_mark: str) -> RawTable:
    expected = contract.column_names
    candidates = [
        (position, number, cells)
        for position, (number, cells) in enumerate(rows)
        if not _is_blank(cells) and not _is_comment(cells)
    ][:HEADER_SEARCH_ROWS]
    needed = min(2, len(expected))
    header = next((c for c in candidates if _score(c[2], expected) >= needed), None)
    if header is None:
        for _, _, cells in candidates:
            other = _other_dataset(cells, contract)
            if other is not None and _score(cells, other.column_names) >= 2:
                return _wrong_dataset(other, contract)
        return _error("no_header", **_header_params(contract.name))
    position, _, header_cells = header

    written = [_text(h) or "" for h in header_cells]
    headers = [normalise_header(h) for h in written]
    while headers and headers[-1] == "":
        headers.pop()
    missing = [name for name in expected if name not in headers]
    other = _other_dataset(header_cells, contract)
    if missing and other is not None:
        return _wrong_dataset(other, contract)

    problems: list[Finding] = []
    notes: list[Finding] = []
    seen: set[str] = set()
    for name, as_written in zip(headers, written, strict=False):
        if name in seen and name:
            problems.append(finding("error", "duplicate_column", "duplicate_column", column=name))
        seen.add(name)
        if name and name not in expected:
            notes.append(_unknown_column(as_written, name, contract))
    for name in missing:
        problems.append(
            finding("error", "missing_column", "missing_column", column=name, dataset=contract.name)
        )
    if problems:
        return RawTable(columns=None, findings=problems + notes)

    body = [
        (number, cells)
        for number, cells in rows[position + 1 :]
        if not _is_blank(cells) and not _is_comment(cells)
    ]
    index_of = {name: headers.index(name) for name in expected}
    unnamed = [i for i, name in enumerate(headers) if name == ""]
    for index in unnamed:
        if any(index < len(cells) and _text(cells[index]) is not None for _, cells in body):
            notes.append(_unknown_column(_column_letter(index), "", contract, unnamed=True))
    for number, cells in body:
        if len(cells) > len(headers) and any(_text(c) is not None for c in cells[len(headers) :]):
            problems.append(finding("error", "extra_cells", "extra_cells", row=number))
    if not body:
        return _error("no_rows")

    numeric = [c.name for c in contract.columns if c.logical_type in ("number", "integer")]
    typed_as_text = (
        cells[index_of[name]]
        for _, cells in body
        for name in numeric
        if index_of[name] < len(cells) and isinstance(cells[index_of[name]], str)
    )
    from tests.kpi.reference_parsing import decimal_mark_of

    mark = decimal_mark_of(typed_as_text, default_mark)
    columns: dict[str, list[str | None]] = {
        name: [
            _text(cells[index_of[name]], mark) if index_of[name] < len(cells) else None
            for _, cells in body
        ]
        for name in expected
    }
    return RawTable(
        columns=columns,
        rows=[number for number, _ in body],
        findings=problems + notes,
        decimal_mark=mark,
    )


def _unknown_column(
    as_written: str, name: str, contract: DatasetContract, unnamed: bool = False
) -> Finding:
    """A warning: a column the contract does not know is left out, named as written."""
    guess = [] if unnamed else difflib.get_close_matches(name, contract.column_names, n=1)
    key = "unnamed_column" if unnamed else "unknown_column"
    texts = {
        lang: message(
            key,
            lang,
            column=as_written,
            dataset=contract.name,
            hint=message("unknown_column_hint", lang, guess=guess[0]) if guess else "",
        )
        for lang in LANGUAGES
    }
    return Finding("warning", "unknown_column", None, as_written, None, texts)
