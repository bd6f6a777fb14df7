"""From the text of a cell to the contract's type: numbers with a decimal comma or point,
whole numbers, months. A cell that does not parse becomes a finding naming row, column
and value, and is left empty for the later rules (so it is reported once, not twice)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kpi.contracts import Column, DatasetContract
from kpi.findings import Finding, finding
from kpi.reading import ROW_COLUMN

_DIGIT_GROUPS = r"^[+-]?\d{1,3}(\.\d{3})+$"  # 1.234.567: Belgian thousands separators


@dataclass
class TypedTable:
    values: pl.DataFrame
    """The contract's columns in their types, plus the columns carried along (``_row``...)."""
    unparsed: pl.DataFrame
    """One row per cell that did not parse: the carried columns, ``column``, ``text``."""

    @property
    def findings(self) -> list[Finding]:
        """The unparsed cells as findings (row = the file row in ``_row``)."""
        return [unparsed_finding(row) for row in self.unparsed.iter_rows(named=True)]


def unparsed_finding(cell: dict) -> Finding:
    rule = f"type_{cell['logical_type']}"
    return finding(
        "error", rule, rule, row=cell[ROW_COLUMN], column=cell["column"], value=cell["text"]
    )


def _number_text(text: pl.Expr, whole: bool) -> pl.Expr:
    """Normalise '1 234,5' / '1.234,5' / '1,234.5' / '0,75' to '1234.5'-style text."""
    compact = text.str.replace_all(r"[\s\u00a0\u202f']", "")
    has_both = compact.str.contains(r"\.") & compact.str.contains(",")
    comma_is_decimal = compact.str.contains(r",[^.]*$")
    expression = (
        pl.when(has_both & comma_is_decimal)
        .then(compact.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(has_both)
        .then(compact.str.replace_all(",", ""))
        .otherwise(compact.str.replace(",", "."))
    )
    if whole:
        expression = (
            pl.when(compact.str.contains(_DIGIT_GROUPS))
            .then(compact.str.replace_all(r"\.", ""))
            .otherwise(expression)
        )
    return expression


def _month(text: pl.Expr) -> pl.Expr:
    """'2025-03', '2025/3', '03/2025' or an Excel date on the 1st ('2025-03-01T00:00:00')."""
    year_first = text.str.extract_groups(
        r"^(\d{4})[-/](\d{1,2})(?:[-/]0?1(?:[T ]00:00(?::00)?)?)?$"
    )
    month_first = text.str.extract_groups(r"^(\d{1,2})[-/](\d{4})$")
    year = pl.coalesce(
        year_first.struct.field("1").cast(pl.Int32, strict=False),
        month_first.struct.field("2").cast(pl.Int32, strict=False),
    )
    month = pl.coalesce(
        year_first.struct.field("2").cast(pl.Int32, strict=False),
        month_first.struct.field("1").cast(pl.Int32, strict=False),
    )
    return pl.when(month.is_between(1, 12)).then(pl.date(year, month, 1))


def _parsed(column: Column) -> pl.Expr:
    text = pl.col(column.name)
    match column.logical_type:
        case "number":
            return _number_text(text, whole=False).cast(pl.Float64, strict=False)
        case "integer":
            number = _number_text(text, whole=True).cast(pl.Float64, strict=False)
            return pl.when(number == number.floor()).then(number).cast(pl.Int64, strict=False)
        case "date":
            return _month(text)
        case _:
            return text.str.to_uppercase() if column.pseudonymise else text


def parse_cells(cells: pl.DataFrame, contract: DatasetContract) -> TypedTable:
    """Type every contract column of ``cells`` (text); other columns are carried along.
    Works on one file or on a whole batch of files at once."""
    names = set(contract.column_names)
    carried = [name for name in cells.columns if name not in names]
    values = cells.select(*carried, *[_parsed(c).alias(c.name) for c in contract.columns])
    failures = [
        cells.select(
            *carried,
            pl.lit(column.name).alias("column"),
            pl.lit(column.logical_type).alias("logical_type"),
            pl.col(column.name).alias("text"),
        ).filter(pl.col("text").is_not_null() & values[column.name].is_null())
        for column in contract.columns
    ]
    unparsed = pl.concat(failures).sort(ROW_COLUMN) if failures else pl.DataFrame()
    return TypedTable(values=values, unparsed=unparsed)
