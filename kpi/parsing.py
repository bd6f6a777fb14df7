"""From the text of a cell to the contract's type: numbers, whole numbers, months.

Numbers follow one convention per file (:func:`decimal_mark_of`): with a decimal comma,
``.`` groups thousands (``1.234,5``); with a decimal point, ``,`` does (``1,234.5``). A
cell that does not fit its file's convention is refused, never guessed. Euro columns may
carry the sign (``€ 2.481.350,00``). Months are ``2025-03``, ``03/2025``, a date on any
day of the month (``31/03/2025``) or a month name (``mrt 2025``, ``March 2025``).

A cell that does not parse becomes a finding naming row, column and value, and is left
empty for the later rules (so it is reported once, not twice).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import filterfalse

import polars as pl

from kpi.contracts import Column, DatasetContract
from kpi.findings import Finding, finding
from kpi.reading import DECIMAL_COLUMN, ROW_COLUMN

NUMBER_TYPES = ("number", "integer")
_LAYOUT = r"[\s\u00a0\u202f']"  # spaces and apostrophes a spreadsheet may group digits with
_CURRENCY = r"(?i)€|\beur\b"
_EXPONENT = r"(?:[eE][+-]?\d+)?"
_PATTERNS = {
    ",": rf"^[+-]?(?:\d+|\d{{1,3}}(?:\.\d{{3}})+)(?:,\d+)?{_EXPONENT}$",
    ".": rf"^[+-]?(?:\d+|\d{{1,3}}(?:,\d{{3}})+)(?:\.\d+)?{_EXPONENT}$",
}

MONTH_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "januari", "january", "janv", "janvier"),
            ("feb", "februari", "february", "fév", "févr", "février", "fev", "fevr"),
            ("mrt", "maart", "mar", "march", "mars"),
            ("apr", "april", "avr", "avril"),
            ("mei", "may", "mai"),
            ("jun", "juni", "june", "juin"),
            ("jul", "juli", "july", "juil", "juillet"),
            ("aug", "augustus", "august", "aoû", "août", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("okt", "oktober", "oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "déc", "décembre"),
        ],
        start=1,
    )
    for name in names
}
"""Month names and abbreviations in Dutch, English and French, as spreadsheets write a
month-formatted cell (``jan 2026``, ``mrt-26``, ``March 2026``)."""

REASON_RULES = {
    "number_convention_comma": "number_convention",
    "number_convention_point": "number_convention",
}
"""Message keys of unparsed cells whose rule has another name than the key."""


@dataclass
class TypedTable:
    values: pl.DataFrame
    """The contract's columns in their types, plus the columns carried along (``_row``...)."""
    unparsed: pl.DataFrame
    """One row per cell that did not parse: the carried columns, ``column``, ``reason``
    (the message key) and ``text``."""

    @property
    def findings(self) -> list[Finding]:
        """The unparsed cells as findings (row = the file row in ``_row``)."""
        return [unparsed_finding(row) for row in self.unparsed.iter_rows(named=True)]


def unparsed_finding(cell: dict) -> Finding:
    key = cell["reason"]
    return finding(
        "error",
        REASON_RULES.get(key, key),
        key,
        row=cell[ROW_COLUMN],
        column=cell["column"],
        value=cell["text"],
    )


_COMPACT = re.compile(rf"{_CURRENCY}|{_LAYOUT}")
_NUMBER_LIKE = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")
_PLAIN_DECIMAL = re.compile(r"[+-]?\d+([.,])(\d+)")
_PLAIN_NUMBERS = re.compile(r"(?:[+-]?+\d++(?:[.,]\d++)?+\n)*+[+-]?+\d++(?:[.,]\d++)?+")
"""Number cells one to a line, each digits with at most one mark: what most files hold."""
_PROVING_MARK = re.compile(r"[.,](?!\d{3}(?:\n|\Z))")
"""In such lines, a mark that proves itself: not followed by exactly three digits."""


def vote(text: str) -> str | None:
    """Which decimal mark one number cell proves, if any: ``1.234,5`` and ``0,75`` prove
    a comma, ``1,234.5`` and ``0.75`` a point; ``1.234`` proves nothing (it may be either),
    nor does a whole number or a cell that is not a number."""
    if text.isdigit():  # most cells of a file: nothing to prove, nothing to tidy
        return None
    plain = _PLAIN_DECIMAL.fullmatch(text)
    if plain:  # most of the others: one mark, nothing to tidy
        return plain[1] if len(plain[2]) != 3 else None
    compact = _COMPACT.sub("", text)
    if not _NUMBER_LIKE.fullmatch(compact):
        return None
    comma, point = compact.rfind(","), compact.rfind(".")
    if comma >= 0 and point >= 0:
        return "," if comma > point else "."
    if comma >= 0:
        return "." if compact.count(",") > 1 else ("," if len(compact) - comma != 4 else None)
    if point >= 0:
        return "," if compact.count(".") > 1 else ("." if len(compact) - point != 4 else None)
    return None


def decimal_mark_of(texts: Iterable[str], default: str) -> str:
    """The decimal mark of a file, from the text of its number cells: the mark its cells
    prove (a decimal comma anywhere means ``.`` groups thousands, and the reverse); the
    majority when cells disagree (the others are then refused); else ``default``."""
    # whole numbers and empty cells prove nothing: left out before any Python call per
    # cell; a history file holds a thousand number cells, and when the others are all
    # plain (digits and at most one mark, none holding a line break), one pass over
    # them all counts the votes
    texts = list(filterfalse(str.isdigit, filter(None, texts)))
    lines = "\n".join(texts)
    if lines.count("\n") == len(texts) - 1 and _PLAIN_NUMBERS.fullmatch(lines):
        marks = _PROVING_MARK.findall(lines)
        commas, points = marks.count(","), marks.count(".")
    else:
        votes = Counter(map(vote, texts))
        commas, points = votes[","], votes["."]
    if commas == points:
        return default
    return "," if commas > points else "."


_PLAIN_CELL = r"^[+-]?[0-9]+(?:[.,][0-9]+)?$"


def plain_mark_votes(cell: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The one pass of :func:`decimal_mark_of`, cell by cell, as expressions: whether
    the pass counts the cell (none, or ASCII digits, signed or not, with at most one
    mark; when all number cells of a file are counted, the pass decides its mark, else
    they are voted on one by one), and whether a counted cell proves a comma, a point
    (its mark is not followed by exactly three digits). Held to the pass by
    ``tests/kpi/test_reading_differential.py``."""
    counted = cell.is_null() | cell.str.contains(_PLAIN_CELL)
    length = cell.str.len_bytes()
    comma, point = (
        (length - cell.str.find(mark, literal=True) != 4).fill_null(False) for mark in ",."
    )
    return counted, comma, point


def _number(text: pl.Expr, mark: pl.Expr, euro: bool) -> tuple[pl.Expr, pl.Expr]:
    """The number a cell holds under its file's convention (null when it does not fit),
    and whether it would have fitted the other convention."""
    compact = text.str.replace_all(_CURRENCY, "") if euro else text
    compact = compact.str.replace_all(_LAYOUT, "")
    comma = mark == ","
    fits = pl.when(comma).then(compact.str.contains(_PATTERNS[","]))
    fits = fits.otherwise(compact.str.contains(_PATTERNS["."]))
    fits_other = pl.when(comma).then(compact.str.contains(_PATTERNS["."]))
    fits_other = fits_other.otherwise(compact.str.contains(_PATTERNS[","]))
    normalised = (
        pl.when(comma)
        .then(compact.str.replace_all(r"\.", "").str.replace(",", "."))
        .otherwise(compact.str.replace_all(",", ""))
    )
    value = pl.when(fits).then(normalised).cast(pl.Float64, strict=False)
    return value, fits_other


def _month(text: pl.Expr) -> pl.Expr:
    """The first day of the month a cell names: '2025-03', '2025/3', '03/2025', a date on
    any day ('2025-03-31', '31/03/2025', with or without a time), or a month name with
    its year ('mrt 2025', 'March 2025', 'jan-26')."""
    lower = text.str.to_lowercase()
    time = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    year_month = lower.str.extract_groups(
        rf"^(\d{{4}})[-/.](\d{{1,2}})(?:[-/.](\d{{1,2}}){time})?$"
    )
    month_year = lower.str.extract_groups(
        rf"^(?:(\d{{1,2}})[-/.])?(\d{{1,2}})[-/.](\d{{4}}){time}$"
    )
    named = lower.str.extract_groups(r"^(\p{L}+)\.?[\s\-/.]*(\d{4}|\d{2})$")
    named_year = named.struct.field("2").cast(pl.Int32, strict=False)
    year = pl.coalesce(
        year_month.struct.field("1").cast(pl.Int32, strict=False),
        month_year.struct.field("3").cast(pl.Int32, strict=False),
        pl.when(named_year < 100).then(named_year + 2000).otherwise(named_year),
    )
    month = pl.coalesce(
        year_month.struct.field("2").cast(pl.Int32, strict=False),
        month_year.struct.field("2").cast(pl.Int32, strict=False),
        named.struct.field("1").replace_strict(MONTH_NAMES, default=None, return_dtype=pl.Int32),
    )
    day = pl.coalesce(
        year_month.struct.field("3").cast(pl.Int32, strict=False),
        month_year.struct.field("1").cast(pl.Int32, strict=False),
        pl.lit(1),
    )
    return pl.when(month.is_between(1, 12) & day.is_between(1, 31)).then(pl.date(year, month, 1))


def _cell_number(column: Column, mark: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """:func:`_number` of a number column's cells."""
    return _number(pl.col(column.name), mark, euro=column.unit.upper() == "EUR")


def _parsed(
    column: Column, mark: pl.Expr, number: pl.Expr | None = None
) -> tuple[pl.Expr, pl.Expr]:
    """The typed value of ``column`` (null when the cell does not parse) and the message
    key saying why a non-empty cell did not parse. ``number``: the cell's number
    (:func:`_cell_number`), when worked out beforehand."""
    text = pl.col(column.name)
    match column.logical_type:
        case "number" | "integer":
            cell_number, fits_other = _cell_number(column, mark)
            number = cell_number if number is None else number
            finite = number.is_finite()
            whole = number == number.floor()
            if column.logical_type == "integer":
                value = pl.when(finite & whole).then(number).cast(pl.Int64, strict=False)
            else:
                value = pl.when(finite).then(number)
            other = (
                pl.when(mark == ",")
                .then(pl.lit("number_convention_comma"))
                .otherwise(pl.lit("number_convention_point"))
            )
            reason = (
                pl.when(number.is_not_null() & ~finite)
                .then(pl.lit("not_finite"))
                .when(number.is_null() & fits_other)
                .then(other)
                .otherwise(pl.lit(f"type_{column.logical_type}"))
            )
            return value, reason
        case "date":
            return _month(text), pl.lit("type_date")
        case _:
            value = text.str.to_uppercase() if column.pseudonymise else text
            return value, pl.lit(f"type_{column.logical_type}")


def _values(cells: pl.DataFrame, carried: list[str], contract: DatasetContract) -> pl.DataFrame:
    """The carried columns and the typed contract columns of ``cells``, typed per decimal
    mark: the rows of each mark with that mark as a constant, so that a number is held
    to its own convention's pattern only (with the mark a column, both conventions'
    patterns and normalisations ran on every cell, a third of the parsing for nothing).
    Every expression is per row: the same values as typing all rows at once. Each
    cell's number is worked out once, into a column of its own: as a part of the value's
    expression it was worked out again for each use (finite, whole, the value itself)."""
    numeric = [column for column in contract.columns if column.logical_type in NUMBER_TYPES]

    def typed(rows: pl.DataFrame, mark: pl.Expr, keep: list[str]) -> pl.DataFrame:
        numbers = {column.name: _unused(f"_{column.name}_number", rows) for column in numeric}
        rows = rows.with_columns(
            _cell_number(column, mark)[0].alias(numbers[column.name]) for column in numeric
        )
        parsed = {
            column.name: _parsed(column, mark, pl.col(numbers[column.name]))
            if column.name in numbers
            else _parsed(column, mark)
            for column in contract.columns
        }
        values = [value.alias(name) for name, (value, _) in parsed.items()]
        for index, column in enumerate(contract.columns):
            if column.logical_type == "date":  # a few months, each in many rows
                values[index] = _per_text(rows.get_column(column.name), _month).alias(column.name)
        return rows.select(*keep, *values)

    marks = cells.get_column(DECIMAL_COLUMN).unique(maintain_order=True).to_list()
    if not marks:
        return typed(cells, pl.col(DECIMAL_COLUMN), carried)
    if len(marks) == 1:  # one file, or a batch of files of one convention
        return typed(cells, pl.lit(marks[0], pl.String), carried)
    position = _unused("_position", cells)
    numbered = cells.with_row_index(position)
    parts = [
        typed(
            numbered.filter(pl.col(DECIMAL_COLUMN).eq_missing(mark)),
            pl.lit(mark, pl.String),
            [position, *carried],
        )
        for mark in marks
    ]
    return pl.concat(parts).sort(position).drop(position)


def _per_text(cells: pl.Series, parse: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """``parse`` of a column of cells, worked out once for each text the column holds
    (an expression per row gives each cell the value of its text alone)."""
    texts = cells.drop_nulls().unique()
    values = texts.to_frame().select(parse(pl.col(cells.name))).to_series()
    return pl.col(cells.name).replace_strict(texts, values, default=None, return_dtype=values.dtype)


def _unused(name: str, frame: pl.DataFrame) -> str:
    """``name``, with as many ``_`` in front as make it no column of ``frame``."""
    while name in frame.columns:
        name = f"_{name}"
    return name


def parse_cells(cells: pl.DataFrame, contract: DatasetContract) -> TypedTable:
    """Type every contract column of ``cells`` (text); other columns are carried along.
    Works on one file or on a whole batch of files at once; each row's decimal mark is in
    ``_decimal_mark`` (the reader decides it per file; a decimal comma when absent)."""
    names = set(contract.column_names)
    if DECIMAL_COLUMN not in cells.columns:
        cells = cells.with_columns(pl.lit(",").alias(DECIMAL_COLUMN))
    mark = pl.col(DECIMAL_COLUMN)
    carried = [name for name in cells.columns if name not in names and name != DECIMAL_COLUMN]
    parsed = {column.name: _parsed(column, mark) for column in contract.columns}
    values = _values(cells, carried, contract)
    # the reason is worked out for the cells that failed only: it parses a cell again (in
    # both conventions), which over every cell of a history load took four times as long
    # as the parsing itself; every expression is per row, so the reasons are the same
    failures = [
        cells.filter(
            cells.get_column(column.name).is_not_null() & values[column.name].is_null()
        ).select(
            *carried,
            pl.lit(column.name).alias("column"),
            parsed[column.name][1].alias("reason"),
            pl.col(column.name).alias("text"),
        )
        for column in contract.columns
    ]
    unparsed = pl.concat(failures).sort(ROW_COLUMN) if failures else pl.DataFrame()
    return TypedTable(values=values, unparsed=unparsed)
