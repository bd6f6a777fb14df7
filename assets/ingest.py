"""Stage ingest: waiting files -> validated -> warehouse tables and audit log."""

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.names import CONTRACT_CHECK, INGEST_GROUP, PRIORITY_TAG, SUBMISSIONS_KEY, table_key
from kpi.contracts import UPLOAD_DATASETS, contract_path, load_contract
from kpi.expectations import SuiteRunner, suite_fingerprint
from kpi.ingest import ingest_pending
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


def _check_state(con: duckdb.DuckDBPyConnection, dataset: str, month: dt.date) -> dict[str, str]:
    """What a contract check's outcome depends on: the table's rows and the suite."""
    return {
        "table_state": table_state(con, dataset),
        "suite": suite_fingerprint(load_contract(dataset), month),
    }


def _earlier_outcome(
    dataset: str,
    state: dict[str, str],
    previous: tuple[dg.AssetCheckEvaluation, str] | None,
) -> dg.AssetCheckResult | None:
    """The ``previous`` evaluation's outcome when it saw the same rows with the same
    suite (it stands; the result says in which run it was checked), else None."""
    if previous is None:
        return None
    evaluation, run_id = previous
    seen = {k: getattr(evaluation.metadata.get(k), "value", None) for k in state}
    if seen != state:
        return None
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


def _stored_rows(con: duckdb.DuckDBPyConnection, dataset: str) -> pl.DataFrame:
    """The stored table, in a fixed order (its row ids are the places in it)."""
    key = load_contract(dataset).period_column
    return con.sql(f"SELECT * FROM {dataset} ORDER BY {PSEUDONYM_COLUMN}, {key}").pl()


def _check_result(
    dataset: str, rows: int, failures: Counter[tuple[str, str]], state: dict[str, str]
) -> dg.AssetCheckResult:
    errors = {rule: n for (severity, rule), n in failures.items() if severity == "error"}
    warnings = {rule: n for (severity, rule), n in failures.items() if severity == "warning"}
    return dg.AssetCheckResult(
        asset_key=table_key(dataset),
        check_name=CONTRACT_CHECK,
        passed=not errors,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows_checked": rows,
            "error_rule_failures": dg.MetadataValue.json(errors),
            "warning_rule_rows": dg.MetadataValue.json(warnings),
            **state,
        },
    )


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
    month = current_month_of(None)
    state = _check_state(con, dataset, month)
    earlier = _earlier_outcome(dataset, state, previous)
    if earlier is not None:
        return earlier
    stored = _stored_rows(con, dataset)
    failures: Counter[tuple[str, str]] = Counter()
    if stored.height:
        failures = (suites or SuiteRunner()).failure_counts(dataset, stored, month)
    return _check_result(dataset, stored.height, failures, state)


@dataclass
class HandedChecks:
    """The contract checks a run's ingest handed to its GX process, right after storing:
    the step ``contract_checks`` collects the answers at the end of the run (same
    process: the monthly job runs in one), while the run computes and publishes."""

    suites: SuiteRunner
    states: dict[str, dict[str, str]]
    """dataset -> the check state (rows, suite) of the table handed over."""
    rows: dict[str, int]

    def results(self) -> dict[str, tuple[dict[str, str], int, Counter[tuple[str, str]]]]:
        """dataset -> (state, rows, failures) as the GX process answered; empty if it died
        (the step then checks again itself)."""
        answers = self.suites.collect()
        self.suites.close(wait=False)
        if answers is None:
            return {}
        return {
            dataset: (self.states[dataset], self.rows[dataset], failures)
            for dataset, failures in zip(self.states, answers, strict=True)
        }


_HANDED: dict[str, HandedChecks] = {}
"""Run id -> the checks its ingest handed over and its ``contract_checks`` step has not
collected yet."""


def hand_over_checks(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, suites: SuiteRunner
) -> bool:
    """Hand the checks of the tables this run changed to ``suites``' GX process; False
    when there is none to take them (GX in this process: the checks run at the end)."""
    if not suites.has_process:  # the checks run at the end, here; nothing to read now
        return False
    month = current_month_of(None)
    states, rows = {}, {}
    for dataset in UPLOAD_DATASETS:
        state = _check_state(con, dataset, month)
        if _earlier_outcome(dataset, state, last_contract_check(context.instance, dataset)):
            continue
        stored = _stored_rows(con, dataset)  # one table at a time: the history load's are big
        if not stored.height:
            continue
        if not suites.submit(dataset, stored, month):
            return False
        states[dataset], rows[dataset] = state, stored.height
        del stored
    if not states:
        return False
    for stale in [run for run in _HANDED if run != context.run_id]:  # a run that died
        left = _HANDED.pop(stale, None)
        if left is not None:
            left.suites.close(wait=False)
    _HANDED[context.run_id] = HandedChecks(suites, states, rows)
    return True


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
    suites = SuiteRunner()
    handed = False
    try:
        with platform.warehouse_lock(), warehouse.get_connection() as con:
            result = ingest_pending(con, settings, run_id=context.run_id, on_pending=suites.start)
            for path in result.debris:
                context.log.warning(f"Removed debris of an interrupted run or upload: {path}")
            for item in result.recovered:
                context.log.warning(
                    f"{item.submission.submission_id} ({item.submission.file_name}) was stored "
                    f"by an interrupted run; moved out of the landing zone as {item.status}."
                )
            for item in result.files:
                if item.status == "refused" and item.report is not None:
                    context.log.warning(item.report.to_text("en"))
            with stage("checks"):
                handed = hand_over_checks(context, con, suites)
            tables = {dataset: _table_metadata(con, dataset) for dataset in UPLOAD_DATASETS}
            audit_rows = scalar(con, f"SELECT count(*) FROM {SUBMISSIONS_TABLE}")
    except BaseException:
        if handed:  # its checks step will not run: no GX process is left behind
            _HANDED.pop(context.run_id, None)
        suites.close()
        raise
    if not handed:
        suites.close()

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


@dg.multi_asset_check(
    name="contract_checks",
    specs=[
        dg.AssetCheckSpec(
            CONTRACT_CHECK,
            asset=table_key(dataset),
            description=f"The {dataset} contract's Great Expectations suite on the stored table.",
        )
        for dataset in UPLOAD_DATASETS
    ],
    # the last step of a run: the GX process checks while the run computes and publishes
    op_tags={PRIORITY_TAG: "-1"},
)
def contract_checks(
    context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource, platform: PlatformResource
) -> Iterator[dg.AssetCheckResult]:
    """Every uploaded dataset's contract suite (Great Expectations) on its stored table:
    the answers of the checks the run's ingest handed to its GX process, when the table is
    still as it was handed over, else checked here (see :func:`check_stored_table`)."""
    handed = _HANDED.pop(context.run.run_id, None)
    with stage("checks"):
        answered = handed.results() if handed is not None else {}
    month = current_month_of(None)
    results = []
    with platform.warehouse_lock(), warehouse.get_connection() as con, SuiteRunner() as suites:
        for dataset in UPLOAD_DATASETS:
            state = _check_state(con, dataset, month)
            answer = answered.get(dataset)
            if answer is not None and answer[0] == state:
                results.append(_check_result(dataset, answer[1], answer[2], state))
                continue
            with stage("checks"):
                previous = last_contract_check(context.instance, dataset)
                results.append(check_stored_table(con, dataset, previous, suites))
    yield from results
