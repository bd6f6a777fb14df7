"""The serving snapshot: what dashboards and exports read, published after every run.

Peers and the city see only what a release published (``kpi.disclosure.releases``); each
factory's own figures are there as soon as its file is stored, by factory code, for the
data layer to serve to that factory alone. No pseudonym is published.

A new DuckDB file is written beside the current one and swapped in with ``os.replace``,
so a reader always opens a complete snapshot, and a reader that has the old one open
keeps reading it. Readers open it read-only with short-lived connections; the warehouse
itself is never opened by a dashboard (DuckDB has one writer).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from kpi.contracts import indicator_definitions, kpi_definitions, serving_tables
from kpi.disclosure.peers import FACTORY_PEER_GROUPS
from kpi.disclosure.releases import (
    PEER_STATS,
    REGION_INDICATORS,
    RELEASES,
    ensure_release_tables,
    pending_changes,
)
from kpi.disclosure.rules import N_BANDS, DisclosureSettings
from kpi.faults import fault_point
from kpi.kpis import FACTORY_KPIS
from kpi.maturity import serving as maturity
from kpi.register import FactoryRegister
from kpi.timing import stage
from kpi.warehouse import PSEUDONYM_COLUMN, SUBMISSIONS_TABLE

IDENTIFIED_TABLES = (
    "own_kpis",
    "own_peer_groups",
    "coordinator_submissions",
    *maturity.IDENTIFIED_TABLES,
)
"""The only snapshot tables that hold factory codes (and names): the data layer serves a
factory only its own rows of them, and the coordinator no values."""


def definitions_frame() -> pl.DataFrame:
    rows = [
        {
            "kpi": d.name,
            "domain": d.domain,
            "formula": d.formula,
            "unit": d.unit,
            "direction": d.direction,
            "label_nl": d.label_nl,
            "label_en": d.label_en,
            "description_nl": d.description_nl,
            "description_en": d.description_en,
            "decimals": d.decimals,
        }
        for d in (*kpi_definitions(), *indicator_definitions())
    ]
    return pl.DataFrame(rows)


_REASON_FIELDS = json.dumps([{field: "JSON" for field in ("severity", "rule", "row", "column")}])
"""The fields of an audit-log finding that the coordinator may see (where and which
rule, no value), as DuckDB's ``from_json`` keeps them, each as it was written."""


def _reasons_sql(errors: str, warnings: str) -> str:
    """A file's findings as the coordinator may see them (:data:`_REASON_FIELDS`), errors
    first: one JSON array, a missing field as null."""
    return (
        f"to_json(from_json({errors}, '{_REASON_FIELDS}') "
        f"|| from_json({warnings}, '{_REASON_FIELDS}'))"
    )


def _n_band_sql(column: str) -> str:
    cases = " ".join(f"WHEN {column} >= {low} THEN '{label}'" for low, label in N_BANDS)
    return f"CASE {cases} END"


def _sources(run_id: str | None, disclosure: DisclosureSettings) -> dict[str, str]:
    """The SELECT that fills each snapshot table (columns in contract order)."""
    return {
        "own_kpis": f"""
            SELECT d.factory_code, k.period, k.kpi, k.value FROM {FACTORY_KPIS} AS k
            JOIN serving_directory AS d USING ({PSEUDONYM_COLUMN})""",
        "own_peer_groups": f"""
            SELECT d.factory_code, g.period, g.peer_group FROM {FACTORY_PEER_GROUPS} AS g
            JOIN serving_directory AS d USING ({PSEUDONYM_COLUMN})""",
        "peer_stats": f"""
            SELECT period, peer_group, kpi,
                   CASE WHEN NOT suppressed THEN {_n_band_sql("n")} END,
                   median, p25, p75, top_quartile_boundary, suppressed, suppressed_reason,
                   revision, status
            FROM {PEER_STATS}""",
        "region_indicators": f"""
            SELECT period, indicator, scope, value, CASE WHEN NOT suppressed THEN n END,
                   coverage_of, suppressed, suppressed_reason, revision, status
            FROM {REGION_INDICATORS}""",
        "releases": f"SELECT period, revision, kind, released_at FROM {RELEASES}",
        "months": "SELECT * FROM serving_months",
        "kpi_definitions": "SELECT * FROM serving_definitions",
        "snapshot_info": f"""
            SELECT now(), ?, min(period), max(period), {int(disclosure.threshold)}::INTEGER,
                   {float(disclosure.p_percent)}::DOUBLE,
                   {int(disclosure.median_min_n)}::INTEGER,
                   {int(disclosure.quartiles_min_n)}::INTEGER
            FROM {RELEASES}""",
        "coordinator_submissions": f"""
            SELECT s.submission_id, coalesce(d.factory_code, '?'),
                   coalesce(d.factory_name, '(niet in het register / not in the register)'),
                   s.dataset, s.file_name,
                   s.periods, s.status, s.received_at, s.processed_at, s.submitted_by,
                   json_array_length(s.errors)::INTEGER AS error_count,
                   json_array_length(s.warnings)::INTEGER AS warning_count,
                   s.errors, s.warnings,
                   {_reasons_sql("s.errors", "s.warnings")}
            FROM {SUBMISSIONS_TABLE} AS s
            LEFT JOIN serving_directory AS d USING ({PSEUDONYM_COLUMN})
        """,
    }


def months_frame(
    con: duckdb.DuckDBPyConnection,
    disclosure: DisclosureSettings,
    expected: int | Callable[[dt.date], int],
) -> pl.DataFrame:
    """Every month with stored figures: released (and its latest revision) or open.
    ``expected``: how many factories should report a month (a count, or per month: a
    factory that joined later or left is not expected)."""
    expected_in = expected if callable(expected) else (lambda _period: expected)
    ensure_release_tables(con)
    rows = con.execute(
        f"""
        SELECT k.period, r.revision, count(DISTINCT k.{PSEUDONYM_COLUMN})::INTEGER
        FROM {FACTORY_KPIS} AS k
        LEFT JOIN (SELECT period, max(revision) AS revision FROM {RELEASES} GROUP BY 1) AS r
          USING (period)
        GROUP BY ALL ORDER BY 1
        """
    ).fetchall()
    waiting = pending_changes(con)
    return pl.DataFrame(
        [
            {
                "period": period,
                "status": "open" if revision is None else "released",
                "revision": revision,
                "factories_submitted": submitted,
                "factories_expected": expected_in(period),
                "close_date": disclosure.close_date(period),
                "changes_pending": waiting.get(period, 0),
            }
            for period, revision, submitted in rows
        ],
        schema={
            "period": pl.Date,
            "status": pl.String,
            "revision": pl.Int32,
            "factories_submitted": pl.Int32,
            "factories_expected": pl.Int32,
            "close_date": pl.Date,
            "changes_pending": pl.Int32,
        },
    )


@stage("publish")
def publish_snapshot(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    *,
    run_id: str | None,
    disclosure: DisclosureSettings,
    register: FactoryRegister,
    pseudonym_of: dict[str, str],
) -> Path:
    """Write the snapshot from the warehouse (``con``) to a new file and swap it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
    directory = pl.DataFrame(
        {
            PSEUDONYM_COLUMN: [pseudonym_of[f.code] for f in register.factories],
            "factory_code": [f.code for f in register.factories],
            "factory_name": [f.name for f in register.factories],
        }
    )
    con.register("serving_definitions", definitions_frame())
    con.register("serving_directory", directory)
    con.register(
        "serving_months",
        months_frame(
            con, disclosure, lambda period: sum(f.expected_in(period) for f in register.factories)
        ),
    )
    maturity.register(con, disclosure)
    alias = f"snapshot_{uuid.uuid4().hex[:8]}"
    try:
        con.execute(f"ATTACH '{staging}' AS {alias}")
        try:
            sources = {**_sources(run_id, disclosure), **maturity.sources()}
            for table, columns in serving_tables().items():
                body = ", ".join(f"{name} {kind}" for name, kind in columns)
                con.execute(f"CREATE TABLE {alias}.{table} ({body})")
                params = [run_id] if table == "snapshot_info" else []
                con.execute(f"INSERT INTO {alias}.{table} {sources[table]}", params)
            con.execute(f"CHECKPOINT {alias}")
        finally:
            con.execute(f"DETACH {alias}")
        fault_point("publish:staged")
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    finally:
        con.unregister("serving_definitions")
        con.unregister("serving_directory")
        con.unregister("serving_months")
        maturity.unregister(con)
    return target


def clean_staging(target: Path) -> list[Path]:
    """Remove new snapshots that a publication which died never swapped in (and their
    DuckDB side files). Only a run holding the warehouse lock publishes, so any found
    then are debris."""
    removed = []
    for path in target.parent.glob(f".{target.stem}.*.tmp*"):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


@contextmanager
def open_snapshot(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the serving snapshot at ``path``.

    The file is attached to a fresh in-memory database rather than opened with
    ``duckdb.connect(path)``: within one process DuckDB hands a new ``connect`` the
    instance already open for that path, which after a swap is the *old* file. Attached
    this way, every connection sees the snapshot current when it opens, and one opened
    earlier keeps reading its own until closed.
    """
    con = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS snapshot (READ_ONLY)")
        con.execute("USE snapshot")
        yield con
    finally:
        con.close()


EXPORTS = {
    "peer-stats": """
        SELECT strftime(s.period, '%Y-%m') AS period, s.peer_group, s.kpi, d.label_nl,
               d.label_en,
               d.unit, d.direction, s.n_band, s.p25, s.median, s.p75, s.top_quartile_boundary,
               s.suppressed, s.suppressed_reason, s.revision, s.status
        FROM peer_stats AS s JOIN kpi_definitions AS d ON d.kpi = s.kpi AND d.domain <> 'region'
        ORDER BY s.period, s.peer_group, s.kpi
    """,
    "region": """
        SELECT strftime(r.period, '%Y-%m') AS period, r.indicator, d.label_nl, d.label_en,
               d.unit, r.scope, r.value, r.coverage, r.coverage_of, r.suppressed,
               r.suppressed_reason, r.revision, r.status
        FROM region_indicators AS r
        JOIN kpi_definitions AS d ON d.kpi = r.indicator AND d.domain = 'region'
        ORDER BY r.period, r.indicator, r.scope
    """,
}
"""What ``kpi export`` can write: anonymous, disclosure-controlled tables only."""


FORMULA_START = r"^[=+\-@\t\r]"
"""A text cell starting with one of these is read by a spreadsheet as a formula."""
_PLAIN_NUMBER = r"^[+-]?[0-9][0-9.,]*$"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell (and column name) that a spreadsheet would run as a
    formula prefixed with ``'``, so it opens as the text it is (CSV formula injection).

    Numeric columns are left alone, so negative numbers stay numbers; a text cell that is
    just a signed number (``-3,5``) is not a formula and is left as written too.
    """
    text_columns = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)
    ]
    risky = [
        pl.when(
            pl.col(name).cast(pl.String).str.contains(FORMULA_START)
            & ~pl.col(name).cast(pl.String).str.contains(_PLAIN_NUMBER)
        )
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text_columns
    ]
    safe = frame.with_columns(risky) if risky else frame
    return safe.rename(
        {
            name: f"'{name}"
            for name in safe.columns
            if re.match(FORMULA_START, name) and not re.match(_PLAIN_NUMBER, name)
        }
    )


def excel_csv(frame: pl.DataFrame) -> bytes:
    """CSV as Excel on a Belgian machine opens it: ``;``, decimal comma, UTF-8 with BOM.

    Every CSV the platform writes goes through here, so none carries a runnable formula
    (see :func:`neutralise_formulas`)."""
    return (
        neutralise_formulas(frame).write_csv(separator=";", decimal_comma=True).encode("utf-8-sig")
    )


def export(snapshot: Path, what: str, fmt: str, output: Path) -> int:
    """Write an export of the snapshot; CSV as Belgian Excel opens it (``;``, decimal
    comma, UTF-8 with BOM). Returns the number of rows."""
    with open_snapshot(snapshot) as con:
        frame = con.sql(EXPORTS[what]).pl()
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.write_parquet(output)
    elif fmt == "csv":
        output.write_bytes(excel_csv(frame))
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return frame.height
