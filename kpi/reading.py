"""Reading the files factories really produce: Excel and LibreOffice on Belgian machines.

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

A batch of files (:func:`read_uploads`) reads its plain CSV files together: files in
ASCII (a UTF-8 BOM allowed), without quotes, control characters or blank lines, whose
first line names the contract's columns and nothing else, separated by one ``;`` or
``,`` that no other reading of the separator vote could beat. Those are what scripts and
the bench write, and a history load holds thousands of them; the Python reader spent a
millisecond on each, Polars splits them all in a few table operations. Every other file,
and every plain file whose cells the table operations cannot vouch for (a row with more
cells than the header, a number cell that is not plain, no row of data), is read by the
reader below, one by one. The two give the same table for any file both can read
(``tests/kpi/test_reading_differential.py`` holds them to the reader they replaced).
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
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, zip_longest
from pathlib import Path
from typing import TypeVar

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
FILE_COLUMN = "_file"
"""In the cells of a batch's plain files: the file's position in the batch."""
HEADER_SEARCH_ROWS = 50
"""The header row is looked for among the first this many non-blank rows."""
MAX_ZIP_MEMBERS = 1_000
"""More parts than any spreadsheet has: a zip listing this long is not read."""
RATIO_CHECKED_FROM = 1024 * 1024
"""Parts smaller than this are not held to the compression ratio (tiny parts vary)."""

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_QUOTED = re.compile(r'"[^"]*"')
_has_letter = re.compile(r"[^\W\d_]").search
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other Office 97-2003 files
_log = logging.getLogger(__name__)
_T = TypeVar("_T")

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
    return read_uploads([(path, contract)], max_bytes, limits).table(0, contract)


@dataclass
class ReadBatch:
    """What a batch of files read to."""

    tables: list[RawTable | None]
    """Per file, what the reader made of it; None for a plain file (its cells are in
    ``plain``, and it has no findings)."""
    plain: dict[str, pl.DataFrame]
    """Per dataset, the cells of its plain files: ``_file``, ``_row``, ``_decimal_mark``
    and the contract's columns; the rows of a file together and in order."""

    def table(self, index: int, contract: DatasetContract) -> RawTable:
        """File ``index`` (an upload of ``contract``) as a table of its own."""
        table = self.tables[index]
        if table is not None:
            return table
        cells = self.plain[contract.name].filter(pl.col(FILE_COLUMN) == index)
        return RawTable(
            columns={name: cells.get_column(name).to_list() for name in contract.column_names},
            rows=cells.get_column(ROW_COLUMN).to_list(),
            decimal_mark=cells.get_column(DECIMAL_COLUMN)[0],
        )


def read_uploads(
    files: Sequence[tuple[Path, DatasetContract]],
    max_bytes: int,
    limits: ReadLimits | None = None,
) -> ReadBatch:
    """Read each ``(path, contract)`` as :func:`read_upload` does, the plain CSV files
    together (see the module's docstring). Never raises for a bad file."""
    limits = limits or ReadLimits.from_settings(max_bytes)
    tables: list[RawTable | None] = [None] * len(files)
    contents: dict[int, bytes] = {}
    groups: dict[tuple[str, str, tuple[str, ...]], list[tuple[int, str]]] = defaultdict(list)
    for index, (path, contract) in enumerate(files):
        data = _guarded(path, contract, _load, path, limits)
        if isinstance(data, RawTable):
            tables[index] = data
            continue
        try:
            plain = _plain_csv(data, contract, limits) if path.suffix.lower() == ".csv" else None
        except _FAULTS:  # a fault of the fast path: the reader for any file decides
            _log.exception("checking %s for a plain CSV file failed", path.name)
            plain = None
        if plain is not None:
            contents[index] = data
            groups[(contract.name, plain.separator, plain.order)].append((index, plain.text))
        else:
            tables[index] = _guarded(path, contract, _parse, path, data, contract, limits)
    frames: dict[str, list[pl.DataFrame]] = defaultdict(list)
    for (_, separator, order), members in groups.items():
        contract = files[members[0][0]][1]
        try:
            frame = _plain_cells(members, separator, order, contract)
        except _FAULTS:  # the file by file reader decides, as for any other file
            _log.exception("reading %d plain files as %s failed", len(members), contract.name)
            frame = None
        read = set() if frame is None else set(frame.get_column(FILE_COLUMN).unique())
        for index, _ in members:
            if index not in read:
                path = files[index][0]
                tables[index] = _guarded(
                    path, contract, _parse, path, contents[index], contract, limits
                )
        if read:
            frames[contract.name].append(frame)
    return ReadBatch(tables, {name: pl.concat(parts) for name, parts in frames.items()})


_FAULTS = (Exception, pl.exceptions.PanicException)
"""What reading a file may raise and the file's refusal (or the reader of any file)
takes in: Python's errors, and a Polars panic (a ``BaseException``, not an ``Exception``)."""


def _guarded(
    path: Path, contract: DatasetContract, read: Callable[..., _T], *args: object
) -> _T | RawTable:
    """``read(*args)``, or the file's refusal when it raises: a file must never stop the
    batch it arrived in (the details go to the log)."""
    try:
        return read(*args)
    except _FAULTS as exc:
        _log.exception("reading %s as %s failed", path.name, contract.name)
        return _error("file_unreadable", detail=type(exc).__name__)


def _load(path: Path, limits: ReadLimits) -> bytes | RawTable:
    """The bytes of a file of an accepted type and size; else its refusal."""
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
    return path.read_bytes()


def _parse(path: Path, data: bytes, contract: DatasetContract, limits: ReadLimits) -> RawTable:
    """The table of a file's bytes, read by the reader for any file."""
    if path.suffix.lower() == ".xlsx":
        rows = _xlsx_rows(data, contract.name, limits)
        default_mark = ","  # what a Belgian Excel shows, for numbers typed as text
    else:
        rows, delimiter = _csv_rows(data, limits)
        default_mark = _default_mark(delimiter)
    if isinstance(rows, RawTable):
        return rows
    return _table(rows, contract, default_mark, text_only=path.suffix.lower() == ".csv")


def _default_mark(delimiter: str) -> str:
    """A CSV file's decimal mark when its cells prove none: a point where ``,`` separates."""
    return "." if delimiter == "," else ","


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
    # Without quotes, each line is one record of at most one cell more than the line
    # has separators, so no record from a line on can score more than the most cells
    # of the lines from there on. The lines that can neither raise the best score nor
    # reach the score to beat (another separator's) are not looked at: most files have
    # their header row looked at, with the separator they hold most of, and nothing
    # else. The choice is the one that scoring every line with every separator makes.
    quoted = any('"' in line for line in lines)

    def header_score(delimiter: str, to_beat: int) -> int:
        most_cells = [line.count(delimiter) + 1 for line in lines]
        most_cells_from = list(accumulate(reversed(most_cells), max))[::-1]
        records = csv.reader(lines, delimiter=delimiter)
        best = 0
        try:
            for record, most in zip(records, most_cells_from, strict=False):
                if not quoted and max(best, to_beat - 1) >= most:
                    break
                named = [cell for cell in filter(_has_letter, record) if _may_be_a_name(cell)]
                if named:
                    best = max(best, sum(normalise_header(cell) in names for cell in named))
        except csv.Error:  # the real reading reports it, with its line
            pass
        return best

    unquoted = [_QUOTED.sub("", line) if '"' in line else line for line in lines]
    counts = {d: max((line.count(d) for line in unquoted), default=0) for d in candidates}
    scores: dict[str, int] = {}
    for delimiter in sorted(candidates, key=counts.__getitem__, reverse=True):
        scores[delimiter] = header_score(delimiter, max(scores.values(), default=0))
    return max(candidates, key=lambda d: (scores[d], counts[d]))


def _may_be_a_name(cell: str) -> bool:
    """Whether a CSV cell can be a column name once normalised: names are snake_case
    (``tests/kpi/test_reading_differential.py`` holds the contracts to it), so they have a
    letter and no ``,`` or ``;``; normalising keeps ``,`` and ``;`` and makes a letter only
    of a letter. Numbers and lines split at the wrong separator (most of the cells the
    separator vote sees, each a new text the cache of names does not hold) are thereby
    left out without normalising them; the vote comes out the same."""
    return "," not in cell and ";" not in cell and _has_letter(cell) is not None


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
            rows.append((start, record))  # a new list for every record already
            start = reader.line_num + 1
    except csv.Error as exc:
        return _error("file_csv_syntax", line=reader.line_num, detail=str(exc)), delimiter
    return rows, delimiter


# --- plain CSV files, many at once --------------------------------------------------

_PLAIN_BYTES = bytes(range(0x20, 0x7F)).replace(b'"', b"") + b"\r\n"
"""The bytes of a plain file: printable ASCII but the quote, and line ends. The only
white space a cell can hold is then the space, Python's and Polars' alike."""
_LINE = "_line"


@dataclass(frozen=True)
class _PlainCsv:
    separator: str
    order: tuple[str, ...]
    """The contract's columns in the file's order."""
    text: str
    """The file's text: no BOM, lines ended by ``\\n``."""


def _plain_csv(data: bytes, contract: DatasetContract, limits: ReadLimits) -> _PlainCsv | None:
    """The file as a plain CSV file, or None when it is not one (then :func:`_parse`
    reads it). Plain is what lets a file's table be read by splitting its lines at the
    separator, with the outcome of :func:`_csv_rows` and :func:`_table`:

    - printable ASCII, a UTF-8 BOM allowed: UTF-8 decodes it, as :func:`_decode` would;
      no quote, so a record is a line split at the separator; no control character (no
      tab, no Ctrl-Z, no NUL), so the only white space a cell can hold is the space;
    - lines ended by ``\\n`` or ``\\r\\n`` (no ``\\r`` alone), none blank, none longer
      than the csv module's field limit: the record on line ``n`` is row ``n``, and the
      rows and cells are counted from the line ends and separators;
    - no two spaces in a row: tidying a cell is stripping it;
    - a first line that names each of the contract's columns once and nothing else,
      with ``;`` or ``,`` between the names and not the other: the header row, which
      scores the contract's two or more names in the separator vote (that no other
      separator scores as much, :func:`_plain_cells` makes sure);
    - within the limits of rows and cells.
    """
    body = data.removeprefix(codecs.BOM_UTF8)
    if body.translate(None, _PLAIN_BYTES) or body.count(b"\r") != body.count(b"\r\n"):
        return None
    if body.startswith((b"\n", b"\r\n")) or b"\n\n" in body or b"\n\r\n" in body:
        return None
    end = body.find(b"\n")
    if b"  " in body or end < 0:
        return None
    header = body[:end].removesuffix(b"\r").decode("ascii")
    separators = [separator for separator in ";," if separator in header]
    expected = contract.column_names
    if len(separators) != 1 or len(expected) < 2:
        return None
    separator = separators[0]
    order = tuple(normalise_header(_text(cell) or "") for cell in header.split(separator))
    if sorted(order) != sorted(expected):
        return None
    records = body.count(b"\n") + (not body.endswith(b"\n"))
    cells = body.count(separator.encode()) + records
    if records > limits.max_rows or cells > limits.max_cells:
        return None
    field_limit = csv.field_size_limit()
    if len(body) > field_limit and max(map(len, body.split(b"\n"))) > field_limit:
        return None
    return _PlainCsv(separator, order, body.replace(b"\r", b"").decode("ascii"))


_OTHER_MARK = {",": ".", ".": ","}
_OTHER_NAME = {
    separator: rf"(?:^|{other})[^;,]*[A-Za-z][^;,]*(?:{other}|$)"
    for separator, other in ((";", ","), (",", ";"))
}
"""In a line of a plain file with this separator: a piece without either separator and
with a letter, between two of the other separator or between one and the line's start
or end. Only such a piece can name a column when the line is split at the other
separator: a name has a letter and no ``;`` or ``,`` (and a tab is no plain byte).
Without one in any line, the other separators score at most one (a whole line), and the
file's separator wins the vote."""


def _plain_cells(
    members: list[tuple[int, str]],
    separator: str,
    order: tuple[str, ...],
    contract: DatasetContract,
) -> pl.DataFrame:
    """The cells of plain files of one dataset, separator and column order, as
    :func:`_table` reads them one by one: the rows after the header that are not blank
    and no comment, their cells tidied, and each file's decimal mark. A file with a line
    the other separator could make a header of, a row of more cells than the header, a
    number cell that is not plain (the one pass of :func:`~kpi.parsing.decimal_mark_of`)
    or no row is left out, for the reader of any file."""
    from kpi.parsing import NUMBER_TYPES, plain_mark_votes

    spaced = any(" " in text for _, text in members)  # most files have no space to strip
    cells = {
        name: _tidy(pl.col(f"field_{index}"), spaced).alias(name)
        for index, name in enumerate(order)
    }
    first = pl.col("field_0").str.strip_chars_start(" ")
    is_filled = (
        pl.when(first != "")
        .then(~first.str.starts_with("#"))
        .otherwise(pl.col(_LINE).str.contains(f"[^ {separator}]"))
    )
    too_long = pl.col(f"field_{len(order)}").is_not_null()  # more cells than the header
    # a cell votes for a decimal mark as it is tidied: the spaces around a number cell
    # are taken out before it is looked at
    votes = [
        plain_mark_votes(pl.col(c.name)) for c in contract.columns if c.logical_type in NUMBER_TYPES
    ]
    counted = pl.all_horizontal(pl.lit(True), *(counted for counted, _, _ in votes))
    default = _default_mark(separator)
    commas = pl.sum_horizontal(pl.lit(0), *(comma.cast(pl.Int64) for _, comma, _ in votes))
    points = pl.sum_horizontal(pl.lit(0), *(point.cast(pl.Int64) for _, _, point in votes))
    commas, points = commas.sum().over(FILE_COLUMN), points.sum().over(FILE_COLUMN)
    mark = pl.when(commas > points).then(pl.lit(",")).when(points > commas).then(pl.lit("."))
    mark = mark.otherwise(pl.lit(default))
    other = _OTHER_MARK[default]
    if other == separator or not any(other in text for _, text in members):
        # no cell holds the other mark, and a counted cell (one mark at most) without it
        # votes for the default or for none: the mark is the default, nothing to count
        mark = pl.lit(default)
    left_out = pl.col(_LINE).str.contains(_OTHER_NAME[separator]) | (
        is_filled & (too_long | ~counted)
    )
    files, texts = zip(*members, strict=True)
    lines = pl.DataFrame(
        {FILE_COLUMN: files, _LINE: texts}, schema={FILE_COLUMN: pl.Int64, _LINE: pl.String}
    ).with_columns(pl.col(_LINE).str.split("\n"))
    rows = (
        lines.with_columns(pl.int_ranges(1, pl.col(_LINE).list.len() + 1).alias(ROW_COLUMN))
        .explode(_LINE, ROW_COLUMN)
        .filter(pl.col(ROW_COLUMN) > 1, pl.col(_LINE) != "")  # the header, the last line end
        .with_columns(pl.col(_LINE).str.splitn(separator, len(order) + 1).alias("_fields"))
        .unnest("_fields")
        .with_columns(*cells.values())
        .filter(~left_out.any().over(FILE_COLUMN))
        .filter(is_filled)
    )
    return rows.select(
        FILE_COLUMN,
        ROW_COLUMN,
        mark.alias(DECIMAL_COLUMN),
        *contract.column_names,
    )


def _tidy(cell: pl.Expr, spaced: bool = True) -> pl.Expr:
    """:func:`_text` of a plain file's cell: stripped of its spaces (when the file has
    any), None when empty."""
    text = cell.str.strip_chars(" ") if spaced else cell
    return pl.when(text != "").then(text)


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


def _is_filled(cells: list[Cell]) -> bool:
    return not _is_blank(cells) and not _is_comment(cells)


def _is_filled_text(cells: list[str]) -> bool:
    """:func:`_is_filled` for a row of text cells, without tidying every cell: a cell's
    text is empty only when the cell is all spaces, and starts as the cell does once the
    leading spaces are gone."""
    first = cells[0].lstrip() if cells else ""
    if first:
        return first[0] != "#"
    return bool("".join(cells).strip())


def _text_column(cells: tuple[str | None, ...]) -> list[str | None]:
    """:func:`_text` of every cell of a column of text cells (None: no cell), in bulk:
    stripped, and tidied cell by cell only when some cell of the column has spaces to
    tidy (joined by a line break, stripped cells cannot make ``"  "`` between them)."""
    if None in cells:
        return [_text(cell) for cell in cells]
    stripped = list(map(str.strip, cells))
    joined = "\n".join(stripped)
    if "\u00a0" in joined or "\u202f" in joined or "  " in joined or "\t" in joined:
        return [_text(cell) for cell in cells]
    return stripped if all(stripped) else [text or None for text in stripped]


def _table(
    rows: Rows, contract: DatasetContract, default_mark: str, text_only: bool = False
) -> RawTable:
    """The contract's columns of ``rows``. ``text_only``: every cell is a ``str`` (a CSV
    file), so rows and columns are tidied in bulk (a history load reads millions of
    cells); the result is the same as cell by cell."""
    expected = contract.column_names
    is_filled = _is_filled_text if text_only else _is_filled
    # each row is looked at once: title, blank and comment rows are left out here
    filled = [(number, cells) for number, cells in rows if is_filled(cells)]
    candidates = filled[:HEADER_SEARCH_ROWS]
    needed = min(2, len(expected))
    found = next((i for i, c in enumerate(candidates) if _score(c[1], expected) >= needed), None)
    if found is None:
        for _, cells in candidates:
            other = _other_dataset(cells, contract)
            if other is not None and _score(cells, other.column_names) >= 2:
                return _wrong_dataset(other, contract)
        return _error("no_header", **_header_params(contract.name))
    _, header_cells = candidates[found]

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

    body = filled[found + 1 :]
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

    from kpi.parsing import decimal_mark_of

    numeric = [c.name for c in contract.columns if c.logical_type in ("number", "integer")]
    if text_only:
        # the columns are the rows transposed, None where a row stops short
        by_index = list(zip_longest(*(cells for _, cells in body)))
        by_index += [(None,) * len(body)] * (max(index_of.values()) + 1 - len(by_index))
        texts = chain.from_iterable(by_index[index_of[name]] for name in numeric)
        mark = decimal_mark_of(filter(None, texts), default_mark)  # no cell: no vote
        columns = {name: _text_column(by_index[index_of[name]]) for name in expected}
    else:
        typed_as_text = (
            cells[index_of[name]]
            for _, cells in body
            for name in numeric
            if index_of[name] < len(cells) and isinstance(cells[index_of[name]], str)
        )
        mark = decimal_mark_of(typed_as_text, default_mark)
        columns = {
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
