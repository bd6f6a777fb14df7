"""The warehouse (DuckDB): tables made from the contracts, and storing accepted files.

Only pipeline runs write here, one at a time (see DESIGN.md). Factories are identified by
their pseudonym; the factory code of a file never reaches a table.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import polars as pl

from kpi.contracts import (
    HISTORY_MONTHS,
    PSEUDONYM_COLUMN,
    UPLOAD_DATASETS,
    DatasetContract,
    Rule,
    all_contracts,
    history_once_stored,
    load_contract,
    plausibility_findings,
    plausibility_history,
)
from kpi.faults import fault_point
from kpi.findings import Finding, shown_value
from kpi.i18n import LANGUAGES, message
from kpi.landing import Submission
from kpi.settings import Settings, get_settings
from kpi.validation import FileReport, cap_findings

SQL_TYPES = {"string": "VARCHAR", "date": "DATE", "integer": "BIGINT", "number": "DOUBLE"}
SUBMISSIONS_TABLE = "submissions"

Status = Literal["accepted", "refused", "unchanged", "superseded"]

SUBMISSIONS_DDL = f"""
CREATE TABLE IF NOT EXISTS {SUBMISSIONS_TABLE} (
    submission_id VARCHAR PRIMARY KEY,
    dataset VARCHAR NOT NULL,
    {PSEUDONYM_COLUMN} VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    periods VARCHAR[] NOT NULL,
    row_count INTEGER NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL,
    status VARCHAR NOT NULL,
    superseded_by VARCHAR,
    warnings JSON NOT NULL,
    errors JSON NOT NULL,
    submitted_by VARCHAR,
    run_id VARCHAR
)
"""


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The single value of a query. (DuckDB 2 keeps a ``fetchone()`` result open and the
    connection busy until it is fully read, so read it all.)"""
    return con.execute(sql, params or []).fetchall()[0][0]


def table_columns(contract: DatasetContract) -> list[tuple[str, str]]:
    """(name, SQL type) of a dataset's warehouse table, from its contract."""
    columns = [
        (PSEUDONYM_COLUMN, "VARCHAR")
        if column.pseudonymise
        else (column.name, SQL_TYPES[column.logical_type])
        for column in contract.columns
    ]
    return [*columns, ("submission_id", "VARCHAR")]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the audit log and one table per dataset; add columns a contract gained."""
    con.execute(SUBMISSIONS_DDL)
    for contract in all_contracts():
        columns = table_columns(contract)
        body = ", ".join(f"{name} {kind} NOT NULL" for name, kind in columns)
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {contract.name} "
            f"({body}, PRIMARY KEY ({PSEUDONYM_COLUMN}, {contract.period_column}))"
        )
        existing = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [contract.name],
            ).fetchall()
        }
        for name, kind in columns:
            if name not in existing:
                con.execute(f"ALTER TABLE {contract.name} ADD COLUMN {name} {kind}")


@dataclass
class ProcessedFile:
    """A submission with what became of it in this run."""

    submission: Submission
    pseudonym: str
    status: Status
    report: FileReport | None = None

    @property
    def findings(self) -> list[Finding]:
        return [] if self.report is None else self.report.findings


@dataclass(frozen=True)
class RecordedOutcome:
    """What the audit log says became of a submission."""

    pseudonym: str
    status: Status
    periods: list[str]
    findings: list[Finding]


def recorded_outcomes(
    con: duckdb.DuckDBPyConnection, submission_ids: list[str]
) -> dict[str, RecordedOutcome]:
    """The audit-log outcome of those of ``submission_ids`` that are already logged: a run
    stored them and died before moving them out of the landing zone."""
    if not submission_ids:
        return {}
    rows = con.execute(
        f"SELECT submission_id, {PSEUDONYM_COLUMN}, status, periods, errors, warnings "
        f"FROM {SUBMISSIONS_TABLE} WHERE list_contains(?, submission_id)",
        [submission_ids],
    ).fetchall()
    return {
        submission_id: RecordedOutcome(
            pseudonym,
            status,
            list(periods),
            [Finding.from_record(r) for r in json.loads(errors) + json.loads(warnings)],
        )
        for submission_id, pseudonym, status, periods, errors, warnings in rows
    }


def mark_unpublished(settings: Settings) -> None:
    """Note, before the warehouse changes, that the snapshot will be behind it until the
    next publication: a run that dies in between leaves the note for the sensor."""
    path = settings.unpublished_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(uuid.uuid4().hex)


def unpublished_change(settings: Settings) -> str | None:
    """An id of the warehouse change the snapshot does not show yet, or None. A
    warehouse without any snapshot (a run died before its first publication, or the
    snapshot was lost) counts as such a change."""
    try:
        return settings.unpublished_path.read_text().strip() or "unpublished"
    except FileNotFoundError:
        if settings.warehouse_path.exists() and not settings.serving_path.exists():
            return "no-snapshot"
        return None


def mark_published(settings: Settings, change: str | None) -> None:
    """The snapshot shows the warehouse as of ``change``: remove that note (a newer one,
    written by a run that changed the warehouse since, stays)."""
    if change is not None and unpublished_change(settings) == change:
        settings.unpublished_path.unlink(missing_ok=True)


def current_accepted(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    """(dataset, pseudonym, sha256) of the files whose every row is still current."""
    current: set[tuple[str, str, str]] = set()
    for dataset in UPLOAD_DATASETS:
        rows = con.execute(
            f"""
            SELECT s.dataset, s.{PSEUDONYM_COLUMN}, s.sha256
            FROM {SUBMISSIONS_TABLE} s
            WHERE s.dataset = ? AND s.status = 'accepted'
              AND s.row_count = (SELECT count(*) FROM {dataset} t
                                 WHERE t.submission_id = s.submission_id)
            """,
            [dataset],
        ).fetchall()
        current.update(rows)
    return current


def _incoming(contract: DatasetContract, files: list[ProcessedFile]) -> pl.DataFrame:
    """The accepted rows of ``files`` as one frame, each row with its file's pseudonym,
    submission and place in the batch (``_order``: the later file wins), without the
    factory code. One concatenation and three columns gathered by file, not a frame
    operation per file (thousands)."""
    values = []
    for item in files:
        assert item.report is not None and item.report.values is not None
        values.append(item.report.values)
    file_of_row = pl.Series(
        np.repeat(np.arange(len(files), dtype=np.int64), [v.height for v in values])
    )
    return (
        pl.concat(values)
        .drop("factory_code")
        .with_columns(
            pl.Series(PSEUDONYM_COLUMN, [f.pseudonym for f in files], pl.String).gather(
                file_of_row
            ),
            pl.Series(
                "submission_id", [f.submission.submission_id for f in files], pl.String
            ).gather(file_of_row),
            file_of_row.cast(pl.Int32).alias("_order"),
        )
    )


@dataclass
class Incoming:
    """One dataset's accepted rows of a chunk, as they are stored (:func:`_incoming`),
    with the plausibility findings of its files (submission -> findings, in rule order).
    Prepared by :func:`prepare` beside the storing of the chunk before."""

    rows: pl.DataFrame
    factories: set[str]
    """The pseudonyms of the accepted files (one may hold no row)."""
    plausibility: dict[str, list[Finding]]


def prepare(con: duckdb.DuckDBPyConnection, files: list[ProcessedFile]) -> dict[str, Incoming]:
    """dataset -> the accepted rows of ``files`` and their plausibility findings: what
    storing ``files`` needs that is not the warehouse's change itself, so that it can be
    done on the thread that reads the next chunk (``con``, a cursor of its own) while
    the chunk before is stored.

    The plausibility of a row compares it with its factory's stored months as they are
    once ``files`` are stored: the warehouse's rows of ``files``' factories, their months
    in ``files`` replaced (the later file's row, as :func:`store` keeps it). No other
    chunk of a run holds those factories' files, so storing it meanwhile changes nothing
    read here (``kpi.ingest``)."""
    prepared: dict[str, Incoming] = {}
    for dataset in UPLOAD_DATASETS:
        accepted = [f for f in files if f.status == "accepted" and f.submission.dataset == dataset]
        if not accepted:
            continue
        contract = load_contract(dataset)
        rows = _incoming(contract, accepted)
        found: dict[str, list[Finding]] = {}
        columns = contract.plausibility_columns
        if columns:
            figures = _plausibility_history(con, contract, rows, columns)
            for rule in contract.storage_rules:
                if rule.kind == "plausibility":
                    failing = plausibility_findings(figures, rule)
                    _add_findings(found, rule, failing.columns, failing.iter_rows())
        prepared[dataset] = Incoming(rows, {f.pseudonym for f in accepted}, found)
    return prepared


def _add_findings(
    found: dict[str, list[Finding]], rule: Rule, names: list[str], rows: Iterable[tuple]
) -> None:
    """The findings of a storage ``rule`` on the rows it found (``submission_id, row,
    value, *extra``, with the columns' ``names``), each to its file's list in ``found``."""
    for submission_id, row, value, *extra in rows:
        if rule.message:
            params = {k: shown_value(v) for k, v in zip(names[3:], extra, strict=True)}
            texts = {
                lang: message(rule.message, lang, value=shown_value(value), **params)
                for lang in LANGUAGES
            }
        else:
            texts = {
                lang: message(
                    "contract_rule", lang, description=rule.description(lang), value=value
                )
                for lang in LANGUAGES
            }
        found.setdefault(submission_id, []).append(
            Finding(rule.severity, rule.name, row, rule.column, shown_value(value), texts)
        )


def _sql_rule_warnings(
    con: duckdb.DuckDBPyConnection,
    contract: DatasetContract,
    view: str,
    incoming: Incoming,
    by_id: dict[str, ProcessedFile],
) -> None:
    """Run the rules that need the warehouse on the incoming rows (registered as
    ``view``): the contract's sql rules here, with the batch stored; each row a rule
    finds is a finding of that file's report, before the plausibility findings
    :func:`prepare` found."""
    found: dict[str, list[Finding]] = {}
    for rule in contract.storage_rules:
        if rule.kind != "plausibility":
            assert rule.query is not None
            cursor = con.execute(rule.query.replace("${incoming}", view))
            names = [column[0] for column in cursor.description]
            _add_findings(found, rule, names, cursor.fetchall())
    for submission_id, findings in incoming.plausibility.items():
        found.setdefault(submission_id, []).extend(findings)
    per_rule = get_settings().max_findings_per_rule
    for submission_id, findings in found.items():
        report = by_id[submission_id].report
        assert report is not None
        report.findings.extend(cap_findings(findings, per_rule))


def _plausibility_history(
    con: duckdb.DuckDBPyConnection,
    contract: DatasetContract,
    incoming: pl.DataFrame,
    columns: list[str],
) -> pl.DataFrame:
    """:func:`kpi.contracts.plausibility_history` of the ``incoming`` rows, with the
    months of their factories it needs as they are once the rows are stored: the
    warehouse's from 12 months before the first incoming month to the last, each month
    of the incoming rows replaced by its latest one (the later file's, as stored)."""
    key, period = PSEUDONYM_COLUMN, contract.period_column
    first, last = incoming[period].min(), incoming[period].max()
    stored = con.sql(
        f"""
        SELECT {key}, {period}, {", ".join(columns)} FROM {contract.name}
        WHERE list_contains($factories, {key})
          AND {period} >= $first - INTERVAL {HISTORY_MONTHS} MONTH AND {period} <= $last
        """,
        params={"factories": incoming[key].unique().to_list(), "first": first, "last": last},
    ).pl()
    history = history_once_stored(stored, incoming, key, period)
    return plausibility_history(history, incoming, key, period, columns)


def _covered_sql(contract: DatasetContract) -> str:
    """A stored row's month (``YYYY-MM``) or year, as the audit log lists them."""
    if contract.cadence == "yearly":
        return f"CAST(t.{contract.period_column} AS VARCHAR)"
    return f"strftime(t.{contract.period_column}, '%Y-%m')"


def store(
    con: duckdb.DuckDBPyConnection,
    files: list[ProcessedFile],
    *,
    run_id: str | None,
    processed_at: dt.datetime,
    prepared: dict[str, Incoming] | None = None,
) -> None:
    """Store a batch in one transaction: accepted rows replace earlier rows of the same
    factory, dataset and month (the latest submission wins); every file gets its line
    in the audit log; files whose rows are all replaced become ``superseded``.
    Any failure rolls everything back: the files stay in the landing zone.
    ``prepared``: what :func:`prepare` made of ``files`` (else it is made here)."""
    if prepared is None:
        prepared = prepare(con, files)
    by_id = {item.submission.submission_id: item for item in files}
    registered: list[str] = []
    con.begin()
    try:
        for dataset, incoming in prepared.items():
            rows = incoming.rows
            contract = load_contract(dataset)
            key = contract.period_column
            view = f"incoming_{dataset}"
            con.register(view, rows)
            registered.append(view)
            names = ", ".join(name for name, _ in table_columns(contract))
            con.execute(
                f"DELETE FROM {dataset} USING {view} AS incoming "
                f"WHERE {dataset}.{PSEUDONYM_COLUMN} = incoming.{PSEUDONYM_COLUMN} "
                f"AND {dataset}.{key} = incoming.{key}"
            )
            # a month in two files of the batch: the later file's row is stored (the
            # window sorts the batch, two thirds of the insert: only when there is one)
            latest = (
                f"QUALIFY row_number() OVER (PARTITION BY {PSEUDONYM_COLUMN}, {key} "
                f"ORDER BY _order DESC) = 1"
                if rows.select(pl.struct(PSEUDONYM_COLUMN, key).is_duplicated().any()).item()
                else ""
            )
            con.execute(f"INSERT INTO {dataset} ({names}) SELECT {names} FROM {view} {latest}")
        # rules across datasets see the whole batch stored (people before regional)
        for dataset, incoming in prepared.items():
            _sql_rule_warnings(con, load_contract(dataset), f"incoming_{dataset}", incoming, by_id)
        _record_submissions(con, files, run_id, processed_at)
        # only rows of the factories this batch stored rows for were replaced: only their
        # files can have lost their last row (not every file ever stored, each run)
        for dataset, incoming in prepared.items():
            covered = _covered_sql(load_contract(dataset))
            con.execute(
                f"""
                UPDATE {SUBMISSIONS_TABLE} AS s SET status = 'superseded',
                    superseded_by = (
                        SELECT max(t.submission_id) FROM {dataset} t
                        WHERE t.{PSEUDONYM_COLUMN} = s.{PSEUDONYM_COLUMN}
                          AND list_contains(s.periods, {covered}))
                WHERE s.dataset = ? AND s.status = 'accepted'
                  AND list_contains(?, s.{PSEUDONYM_COLUMN}) AND NOT EXISTS (
                    SELECT 1 FROM {dataset} t WHERE t.submission_id = s.submission_id)
                """,
                [dataset, sorted(incoming.factories)],
            )
        fault_point("store:inserted")
        con.commit()
    except Exception:
        con.rollback()
        raise
    finally:
        for view in registered:
            con.unregister(view)


def _record_submissions(
    con: duckdb.DuckDBPyConnection,
    files: list[ProcessedFile],
    run_id: str | None,
    processed_at: dt.datetime,
) -> None:
    """One audit-log line per file, inserted as one batch."""
    rows = []
    for item in files:
        report, submission = item.report, item.submission
        accepted_rows = report.values.height if report and report.values is not None else 0
        rows.append(
            {
                "submission_id": submission.submission_id,
                "dataset": submission.dataset,
                PSEUDONYM_COLUMN: item.pseudonym,
                "file_name": submission.file_name,
                "sha256": submission.sha256,
                "periods": report.periods if report is not None else [],
                "row_count": accepted_rows if item.status == "accepted" else 0,
                "received_at": dt.datetime.fromisoformat(submission.received_at),
                "processed_at": processed_at,
                "status": item.status,
                "warnings": json.dumps(
                    [f.to_record() for f in item.findings if f.severity == "warning"]
                ),
                "errors": json.dumps(
                    [f.to_record() for f in item.findings if f.severity == "error"]
                ),
                "submitted_by": submission.submitted_by,
                "run_id": run_id,
            }
        )
    frame = pl.DataFrame(
        rows,
        schema_overrides={
            "periods": pl.List(pl.String),
            "submitted_by": pl.String,
            "run_id": pl.String,
        },
    )
    con.register("new_submissions", frame)
    try:
        con.execute(
            f"INSERT INTO {SUBMISSIONS_TABLE} SELECT submission_id, dataset, {PSEUDONYM_COLUMN}, "
            "file_name, sha256, periods, row_count, received_at, processed_at, status, NULL, "
            "warnings::JSON, errors::JSON, submitted_by, run_id FROM new_submissions"
        )
    finally:
        con.unregister("new_submissions")
