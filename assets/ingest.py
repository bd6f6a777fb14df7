"""Stage ingest: waiting files -> validated -> warehouse tables and audit log."""

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import dagster as dg
import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.names import CONTRACT_CHECK, INGEST_GROUP, SUBMISSIONS_KEY, table_key
from kpi.contracts import UPLOAD_DATASETS, contract_path, load_contract
from kpi.expectations import ROW_ID, SuiteRunner, suite_fingerprint
from kpi.ingest import ingest_pending
from kpi.reading import ROW_COLUMN
from kpi.timing import stage
from kpi.validation import current_month_of
from kpi.warehouse import PSEUDONYM_COLUMN, SUBMISSIONS_TABLE, scalar
from pipelines.monitoring import record_process
from pipelines.resources import PlatformResource


def table_state(con: duckdb.DuckDBPyConnection, dataset: str) -> str:
    """A fingerprint of a stored table's rows, whatever their order: a table whose state
    is unchanged holds the same rows."""
    ((count, total),) = con.execute(
        f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {dataset} AS t"
    ).fetchall()
    return f"{count}:{total or 0}"


def last_contract_check(
    instance: dg.DagsterInstance, dataset: str
) -> tuple[dg.AssetCheckEvaluation, str] | None:
    """The latest evaluation of the dataset's contract check, and the run it was in."""
    key = dg.AssetCheckKey(table_key(dataset), CONTRACT_CHECK)
    for record in instance.event_log_storage.get_asset_check_execution_history(key, limit=5):
        event = record.event.dagster_event if record.event else None
        evaluation = event.event_specific_data if event else None
        if isinstance(evaluation, dg.AssetCheckEvaluation):
            return evaluation, record.run_id
    return None


def check_stored_table(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    previous: tuple[dg.AssetCheckEvaluation, str] | None = None,
    suites: SuiteRunner | None = None,
) -> dg.AssetCheckResult:
    """Run the dataset's contract suite on everything stored: every row that is in the
    warehouse must still satisfy every error rule (warnings are counted, not failed).

    When the ``previous`` evaluation saw the same rows with the same suite, its outcome
    stands and the suite is not run again (a run that stored one factory's file checks
    that file's table, not all four): the result says in which run it was checked."""
    contract = load_contract(dataset)
    month = current_month_of(None)
    state = {"table_state": table_state(con, dataset), "suite": suite_fingerprint(contract, month)}
    if previous is not None:
        evaluation, run_id = previous
        seen = {k: getattr(evaluation.metadata.get(k), "value", None) for k in state}
        if seen == state:
            checked_in = evaluation.metadata.get("checked_in_run")
            return dg.AssetCheckResult(
                asset_key=table_key(dataset),
                check_name=CONTRACT_CHECK,
                passed=evaluation.passed,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    **evaluation.metadata,
                    "checked_in_run": checked_in.value if checked_in else run_id,
                },
            )
    key = contract.period_column
    stored = con.sql(f"SELECT * FROM {dataset} ORDER BY {PSEUDONYM_COLUMN}, {key}").pl()
    failures: Counter[tuple[str, str]] = Counter()
    if stored.height:
        frame = (
            stored.with_columns(
                pl.col(PSEUDONYM_COLUMN).alias("factory_code"),
                pl.col(PSEUDONYM_COLUMN).alias("_submitting_factory"),
                pl.col("submission_id").alias("_submission"),
            )
            .with_row_index(ROW_ID)
            .with_columns(pl.col(ROW_ID).cast(pl.Int64).alias(ROW_COLUMN))
        )
        failures = (suites or SuiteRunner()).failure_counts(dataset, frame, month)
    errors = {rule: n for (severity, rule), n in failures.items() if severity == "error"}
    warnings = {rule: n for (severity, rule), n in failures.items() if severity == "warning"}
    return dg.AssetCheckResult(
        asset_key=table_key(dataset),
        check_name=CONTRACT_CHECK,
        passed=not errors,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows_checked": stored.height,
            "error_rule_failures": dg.MetadataValue.json(errors),
            "warning_rule_rows": dg.MetadataValue.json(warnings),
            **state,
        },
    )


def _table_metadata(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, object]:
    contract = load_contract(dataset)
    key, unit = contract.period_column, "year" if contract.cadence == "yearly" else "month"
    shown = f"CAST({{}}({key}) AS VARCHAR)" if unit == "year" else f"strftime({{}}({key}), '%Y-%m')"
    ((rows, factories, first, last),) = con.execute(
        f"SELECT count(*), count(DISTINCT {PSEUDONYM_COLUMN}), "
        f"{shown.format('min')}, {shown.format('max')} FROM {dataset}"
    ).fetchall()
    return {
        "dagster/row_count": rows,
        "factories": factories,
        f"first_{unit}": first or "-",
        f"last_{unit}": last or "-",
        "contract": str(contract_path(dataset)),
    }


@dg.multi_asset(
    name="ingest_submissions",
    specs=[
        dg.AssetSpec(
            SUBMISSIONS_KEY,
            group_name=INGEST_GROUP,
            description=(
                "Audit log of every submitted file: name, hash, factory pseudonym, dataset, "
                "months, times, status (accepted, refused, unchanged, superseded), "
                "warnings and errors. Nothing is ever deleted from it."
            ),
        ),
        *[
            dg.AssetSpec(
                table_key(dataset),
                group_name=INGEST_GROUP,
                description=load_contract(dataset).purpose,
                metadata={"contract": str(contract_path(dataset))},
            )
            for dataset in UPLOAD_DATASETS
        ],
    ],
    check_specs=[
        dg.AssetCheckSpec(
            CONTRACT_CHECK,
            asset=table_key(dataset),
            description=f"The {dataset} contract's Great Expectations suite on the stored table.",
        )
        for dataset in UPLOAD_DATASETS
    ],
)
def ingest_submissions(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, platform: PlatformResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Take every file waiting in the landing zone, validate them in one batch against
    their contracts, store the accepted ones (each all or nothing, later months replace
    earlier ones), log every file in the audit log, and move refused files to the
    quarantine with their report for the uploader."""
    record_process(context)
    settings = platform.settings()
    with SuiteRunner() as suites, platform.warehouse_lock(), warehouse.get_connection() as con:
        result = ingest_pending(con, settings, run_id=context.run_id, on_pending=suites.start)
        for path in result.debris:
            context.log.warning(f"Removed debris of an interrupted run or upload: {path}")
        for item in result.recovered:
            context.log.warning(
                f"{item.submission.submission_id} ({item.submission.file_name}) was stored by "
                f"an interrupted run; moved out of the landing zone as {item.status}."
            )
        for item in result.files:
            if item.status == "refused" and item.report is not None:
                context.log.warning(item.report.to_text("en"))
        with stage("checks"):
            checks = [
                check_stored_table(con, d, last_contract_check(context.instance, d), suites)
                for d in UPLOAD_DATASETS
            ]
        tables = {dataset: _table_metadata(con, dataset) for dataset in UPLOAD_DATASETS}
        audit_rows = scalar(con, f"SELECT count(*) FROM {SUBMISSIONS_TABLE}")

    yield dg.MaterializeResult(
        asset_key=SUBMISSIONS_KEY,
        metadata={
            "dagster/row_count": audit_rows,
            "files_this_run": len(result.files),
            "recovered_this_run": len(result.recovered),
            **{f"{status}_this_run": n for status, n in sorted(result.summary().items())},
            "processed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
    for dataset in UPLOAD_DATASETS:
        yield dg.MaterializeResult(
            asset_key=table_key(dataset),
            metadata={
                **tables[dataset],
                "files_accepted_this_run": result.count("accepted", dataset),
                "files_refused_this_run": result.count("refused", dataset),
            },
        )
    yield from checks
