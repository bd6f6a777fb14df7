"""Compile a data contract into a Great Expectations 1.x suite, and run it on pandas.

The contract says everything; this module only translates:
- ``required: true``                      -> expect_column_values_to_not_be_null
- ``logicalTypeOptions`` minimum/maximum  -> expect_column_values_to_be_between
- ``quality`` rules of type custom        -> the expectation their implementation names,
  after computing the helper columns their ``derive`` block defines (SQL expressions).
Types (number, whole number, month) are enforced while parsing (:mod:`kpi.parsing`).
Rules of type sql run when a file is stored (:mod:`kpi.warehouse`).

GX has no Polars datasource, so batches are handed over as pandas frames; one ephemeral
context per process and one suite run per dataset and batch (GX costs seconds to import
and ~0.2 s per suite run, not per row).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
import os
import queue
import signal
import sys
import threading
import traceback
from collections import Counter
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import polars as pl

from kpi.contracts import Column, DatasetContract, Rule

log = logging.getLogger(__name__)

_GX_LOCK = threading.RLock()
"""GX is not thread-safe, and the dashboards validate uploads on several threads (one per
session, plus a warm-up): every use of the shared context goes through this lock."""

ROW_ID = "_row_id"
"""Unique row id within one validated batch; GX reports failing rows by it."""

_BOUNDS = {
    "minimum": ("min_value", False),
    "exclusiveMinimum": ("min_value", True),
    "maximum": ("max_value", False),
    "exclusiveMaximum": ("max_value", True),
}


@dataclass(frozen=True)
class CompiledExpectation:
    """One expectation of a suite and what its failures mean to an uploader."""

    rule: str
    severity: str
    column: str | None
    gx_type: str
    kwargs: dict[str, Any]
    contract_rule: Rule | None = None
    limit: Any = None


def first_of_month(text: str) -> dt.datetime:
    year, month = (int(part) for part in text.split("-")[:2])
    return dt.datetime(year, month, 1)


def _bound(column: Column, value: Any) -> Any:
    return first_of_month(str(value)) if column.logical_type == "date" else value


def _substitute(value: Any, current_month: dt.date) -> Any:
    if value == "{current_month}":
        return dt.datetime(current_month.year, current_month.month, 1)
    if value == "{current_year}":
        return current_month.year
    if isinstance(value, list):
        return [_substitute(v, current_month) for v in value]
    return value


def compile_contract(
    contract: DatasetContract, current_month: dt.date
) -> list[CompiledExpectation]:
    """The expectations of ``contract``, with ``{current_month}`` set to that month."""
    compiled: list[CompiledExpectation] = []
    for column in contract.columns:
        if column.required:
            compiled.append(
                CompiledExpectation(
                    "required",
                    "error",
                    column.name,
                    "expect_column_values_to_not_be_null",
                    {"column": column.name},
                )
            )
        for option, limit in column.options.items():
            if option not in _BOUNDS:
                continue
            kwarg, strict = _BOUNDS[option]
            strict_kwarg = "strict_min" if kwarg == "min_value" else "strict_max"
            compiled.append(
                CompiledExpectation(
                    option,
                    "error",
                    column.name,
                    "expect_column_values_to_be_between",
                    {"column": column.name, kwarg: _bound(column, limit), strict_kwarg: strict},
                    limit=limit,
                )
            )
        if column.sanity_bound is not None:
            # finite and sane: inf, -inf and 1e400 fail here in both engines (NaN is
            # missing to pandas, so it fails "required")
            bound = column.sanity_bound
            compiled.append(
                CompiledExpectation(
                    "sanity_bound",
                    "error",
                    column.name,
                    "expect_column_values_to_be_between",
                    {"column": column.name, "min_value": -bound, "max_value": bound},
                    limit=f"{bound:,.0f}".replace(",", " "),
                )
            )
    for rule in contract.rules:
        if rule.kind != "custom":
            continue
        kwargs = {
            k: _substitute(v, current_month) for k, v in rule.implementation["kwargs"].items()
        }
        gx_type = rule.implementation["type"]
        needs_column = gx_type.startswith("expect_column_values")
        if needs_column and rule.column and "column" not in kwargs:
            kwargs["column"] = rule.column
        compiled.append(
            CompiledExpectation(rule.name, rule.severity, rule.column, gx_type, kwargs, rule)
        )
    return compiled


def derived_columns(contract: DatasetContract) -> dict[str, str]:
    """Helper columns the contract's rules compute before validation: name -> SQL."""
    derived: dict[str, str] = {}
    for rule in contract.rules:
        derived.update(rule.implementation.get("derive", {}))
    return derived


def add_derived_columns(frame: pl.DataFrame, contract: DatasetContract) -> pl.DataFrame:
    derived = derived_columns(contract)
    if not derived:
        return frame
    return frame.with_columns(
        pl.sql_expr(expression).alias(name) for name, expression in derived.items()
    )


@cache
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def warm_up() -> None:
    """Import Great Expectations and create its context now: a long-lived process (the
    run worker) pays the seconds of GX's import before its first run, not in it."""
    _context()


_definitions: dict[str, Any] = {}


def _validation_definition(name: str, compiled: list[CompiledExpectation]) -> Any:
    """The GX validation definition of one compiled suite, built once per process."""
    if name in _definitions:
        return _definitions[name]
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = _context()
    source = context.data_sources.add_pandas(name)
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    suite = gx.ExpectationSuite(name=name)
    for index, expectation in enumerate(compiled):
        config = ExpectationConfiguration(
            type=expectation.gx_type, kwargs=expectation.kwargs, meta={"index": index}
        )
        suite.add_expectation(config.to_domain_obj())
    suite = context.suites.add(suite)
    _definitions[name] = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    return _definitions[name]


@dataclass(frozen=True)
class Failure:
    """GX's answer for one failing row: which expectation, which batch row."""

    expectation: CompiledExpectation
    row_id: int


_MODELLED: dict[str, tuple[set[str], dict[str, str]]] = {
    "expect_column_values_to_not_be_null": ({"column"}, {}),
    "expect_column_values_to_be_between": (
        {"column", "min_value", "max_value", "strict_min", "strict_max"},
        {},
    ),
    "expect_column_pair_values_a_to_be_greater_than_b": (
        {"column_A", "column_B", "or_equal", "ignore_row_if"},
        {"ignore_row_if": "either_value_is_missing"},
    ),
    "expect_column_pair_values_to_be_equal": (
        {"column_A", "column_B", "ignore_row_if"},
        {"ignore_row_if": "either_value_is_missing"},
    ),
    "expect_compound_columns_to_be_unique": (
        {"column_list", "ignore_row_if"},
        {"ignore_row_if": "any_value_is_missing"},
    ),
}
"""Per expectation type, the arguments the Polars interpretation models, and those it
models for one value only (GX's default for ``ignore_row_if`` differs: a rule that leaves
it out, or asks for ``mostly`` or a ``row_condition``, is run by GX itself)."""


def _unexpected(expectation: CompiledExpectation) -> pl.Expr:
    """The rows an expectation finds unexpected, as a Polars expression, with GX's
    semantics: missing values are only ever the business of not-null. Raises
    ``NotImplementedError`` for an expectation (or argument) it does not model."""
    kwargs = expectation.kwargs
    known, fixed = _MODELLED.get(expectation.gx_type, (set(), {}))
    if not known or set(kwargs) - known or any(kwargs.get(k) != v for k, v in fixed.items()):
        raise NotImplementedError(f"{expectation.gx_type} with {sorted(kwargs)}")
    match expectation.gx_type:
        case "expect_column_values_to_not_be_null":
            return pl.col(kwargs["column"]).is_null()
        case "expect_column_values_to_be_between":
            value = pl.col(kwargs["column"])
            outside = pl.lit(False)
            if kwargs.get("min_value") is not None:
                low = pl.lit(kwargs["min_value"])
                outside = outside | (value <= low if kwargs.get("strict_min") else value < low)
            if kwargs.get("max_value") is not None:
                high = pl.lit(kwargs["max_value"])
                outside = outside | (value >= high if kwargs.get("strict_max") else value > high)
            return outside.fill_null(False)
        case "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = pl.col(kwargs["column_A"]), pl.col(kwargs["column_B"])
            fine = a >= b if kwargs.get("or_equal") else a > b
            return (~fine).fill_null(False)
        case "expect_column_pair_values_to_be_equal":
            a, b = pl.col(kwargs["column_A"]), pl.col(kwargs["column_B"])
            return (a != b).fill_null(False)
        case "expect_compound_columns_to_be_unique":
            columns = kwargs["column_list"]
            complete = pl.all_horizontal(pl.col(c).is_not_null() for c in columns)
            return complete & pl.struct(columns).is_duplicated()
    raise NotImplementedError(expectation.gx_type)


def polars_supports(contract: DatasetContract) -> bool:
    """Whether every expectation of the contract has a Polars interpretation."""
    try:
        for expectation in compile_contract(contract, dt.date.today()):
            _unexpected(expectation)
    except NotImplementedError:
        return False
    return True


def _run_polars(compiled: list[CompiledExpectation], prepared: pl.DataFrame) -> list[Failure]:
    # GX sees the batch through pandas, where NaN is a missing value: so here too
    prepared = prepared.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None))
    masks = prepared.select(
        pl.col(ROW_ID), *[_unexpected(e).alias(str(i)) for i, e in enumerate(compiled)]
    )
    failures = []
    for index, expectation in enumerate(compiled):
        rows = masks.filter(pl.col(str(index))).get_column(ROW_ID).to_list()
        failures.extend(Failure(expectation, int(row)) for row in rows)
    return failures


def _fingerprint(compiled: list[CompiledExpectation]) -> str:
    return hashlib.sha256(repr(compiled).encode()).hexdigest()[:12]


def suite_fingerprint(contract: DatasetContract, current_month: dt.date) -> str:
    """Changes when the contract's suite does (its rules, or the month they refer to)."""
    return _fingerprint(compile_contract(contract, current_month))


def run_suite(
    contract: DatasetContract,
    frame: pl.DataFrame,
    current_month: dt.date,
    engine: str = "gx",
) -> list[Failure]:
    """Validate ``frame`` (typed columns, context columns, ``_row_id``) in one suite run.

    ``engine="gx"`` runs the contract's Great Expectations suite: the authority, used by
    the pipeline. ``engine="polars"`` interprets the same compiled expectations with
    Polars, for interactive feedback on one file without paying GX's import (seconds);
    a differential test keeps both engines in agreement.

    Raises ``RuntimeError`` when GX itself fails on an expectation: that is a broken
    contract or platform bug, never the uploader's fault, and must not pass silently.
    """
    compiled = compile_contract(contract, current_month)
    if engine == "polars" and polars_supports(contract):
        return _run_polars(compiled, add_derived_columns(frame, contract))
    failures: list[Failure] = []
    for expectation, outcome in _run_gx(contract, compiled, frame, ROWS_FORMAT):
        for entry in outcome.result.get("unexpected_index_list") or []:
            failures.append(Failure(expectation, int(entry[ROW_ID])))
    return failures


ROWS_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_ID],
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}
"""GX's results with every failing row's id (:func:`run_suite`)."""
COUNTS_FORMAT = {"result_format": "BASIC"}
"""GX's results with how many rows fail each expectation, not which (:func:`failure_counts`):
a third less of GX's time per suite than :data:`ROWS_FORMAT` (its metrics of the failing
rows' ids are not computed)."""


def _run_gx(
    contract: DatasetContract,
    compiled: list[CompiledExpectation],
    frame: pl.DataFrame,
    result_format: dict[str, Any],
) -> list[tuple[CompiledExpectation, Any]]:
    """The contract's GX suite run on ``frame``: each failed expectation with its GX
    outcome. Raises ``RuntimeError`` when GX could not evaluate an expectation."""
    fingerprint = _fingerprint(compiled)
    prepared = _in_nanoseconds(add_derived_columns(frame, contract).to_pandas())
    with _GX_LOCK:
        definition = _validation_definition(f"{contract.name}-{fingerprint}", compiled)
        result = definition.run(
            batch_parameters={"dataframe": prepared}, result_format=result_format
        )
    failed = []
    for outcome in result.results:
        expectation = compiled[outcome.expectation_config.meta["index"]]
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"Great Expectations could not evaluate rule {expectation.rule} of "
                f"{contract.name}: {outcome.exception_info.get('exception_message')}"
            )
        if not outcome.success:
            failed.append((expectation, outcome))
    return failed


def _in_nanoseconds(prepared: Any) -> Any:
    """``prepared`` with its date and time columns in nanoseconds where they fit (years
    1678-2261): GX compares only those in one vectorised step; a column in Polars'
    milliseconds or microseconds it compares value by value in Python (3 s of a
    10-year history's 480,000 months). The same comparisons either way."""
    import pandas as pd

    for name, dtype in prepared.dtypes.items():
        if pd.api.types.is_datetime64_dtype(dtype) and not pd.api.types.is_datetime64_ns_dtype(
            dtype
        ):
            # a year past nanoseconds stays as it is: GX compares it value by value
            with contextlib.suppress(pd.errors.OutOfBoundsDatetime):
                prepared[name] = prepared[name].astype("datetime64[ns]")
    return prepared


def failure_counts(
    dataset: str, frame: pl.DataFrame, current_month: dt.date
) -> Counter[tuple[str, str]]:
    """How many rows of ``frame`` fail each rule of the dataset's GX suite, by
    ``(severity, rule)``: what the contract check on a stored table reports."""
    from kpi.contracts import load_contract

    contract = load_contract(dataset)
    compiled = compile_contract(contract, current_month)
    counts: Counter[tuple[str, str]] = Counter()
    for expectation, outcome in _run_gx(contract, compiled, frame, COUNTS_FORMAT):
        # the rows that fail it, as many as run_suite finds (one for a failure without
        # a count: none of the compiled expectations, but never a failure counted as none)
        counts[(expectation.severity, expectation.rule)] += (
            outcome.result.get("unexpected_count") or 1
        )
    return counts


def checked_rows(stored: pl.DataFrame) -> pl.DataFrame:
    """A stored table's rows as its dataset's suite reads them: each row under its
    pseudonym as factory and submitter, its submission, and a row id."""
    from kpi.contracts import PSEUDONYM_COLUMN  # not from the warehouse: see _serve_suites
    from kpi.reading import ROW_COLUMN

    return (
        stored.with_columns(
            pl.col(PSEUDONYM_COLUMN).alias("factory_code"),
            pl.col(PSEUDONYM_COLUMN).alias("_submitting_factory"),
            pl.col("submission_id").alias("_submission"),
        )
        .with_row_index(ROW_ID)
        .with_columns(pl.col(ROW_ID).cast(pl.Int64).alias(ROW_COLUMN))
    )


def stored_failure_counts(
    dataset: str, stored: pl.DataFrame, current_month: dt.date
) -> Counter[tuple[str, str]]:
    """:func:`failure_counts` of a stored table (see :func:`checked_rows`)."""
    return failure_counts(dataset, checked_rows(stored), current_month)


def _end_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the process that started it dies (a killed
    run's GX process would otherwise go on importing GX, or checking, for seconds); if
    that process died already, end now."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the closed pipe ends it, later
        pass
    if os.getppid() != parent:
        os._exit(0)


GX_NICENESS = 10
"""How much less of the machine a GX process asks for than its run (``nice``): the run's
own work (storing, KPIs, releases, the snapshot) goes first, and the checks of the
stored tables, which the run needs only at its end, take the cores it leaves idle. A
history load (1000 x 120) finishes ~0.4 s sooner on two cores, its checks still in time."""


def _nice_every_thread(increment: int) -> None:
    """This process's threads, and those it starts later, at ``increment`` more
    niceness. Linux sets it per thread: the threads the imports before started (jemalloc's,
    Polars') are set one by one. Where that cannot be done, they stay as they are."""
    with contextlib.suppress(OSError, AttributeError):  # not on this system: as it is
        target = os.nice(increment)  # this thread, and the threads it starts from now
        for tid in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                os.setpriority(os.PRIO_PROCESS, int(tid), target)


def _serve_suites(connection: Connection, parent: int) -> None:
    """The GX process of :class:`SuiteRunner`: imports GX at once, then checks the stored
    tables it is sent, one answer per table in their order, until its run closes the pipe
    (or dies: then it is killed with it). A thread takes the tables off the pipe as they
    come, so that the run never waits for this process to be ready to read."""
    _end_with_parent(parent)
    _nice_every_thread(GX_NICENESS)
    # a Ctrl-C in the run's terminal reaches this process too: the run decides what it
    # means, and this process ends with the run (or when the run closes its pipe)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    received: queue.SimpleQueue = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                received.put(connection.recv())
        except BaseException:  # the end of the pipe, or a table that cannot be taken:
            pass  # this process ends, and the run checks the tables itself
        finally:
            received.put(None)

    threading.Thread(target=receive, name="gx-receive", daemon=True).start()
    warm_up()
    while (request := received.get()) is not None:
        try:
            connection.send(("counts", stored_failure_counts(*request)))
        except Exception:  # the run reports it, as if it had run here
            connection.send(("error", traceback.format_exc()))
    # the run waits for this process to end: GX's objects are freed with it, not collected
    # first (the interpreter's last collection of them took ~0.6 s; multiprocessing's own
    # clean-up, GX's semaphores, still runs). Not if DuckDB was imported (by the run's
    # main module, which a spawned process imports too): its objects left to the end are
    # reported on the run's error output as leaks
    if "_duckdb" not in sys.modules:
        gc.freeze()


CLOSE_SECONDS = 5.0
"""How long a run's GX process, once it has checked a table, is given to end on its own
(it then cleans up after itself) before it is stopped."""


def _spawn() -> tuple[BaseProcess, Connection] | None:
    """A new GX process and the run's end of its pipe; None if none can be started."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # the run has threads: no fork
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_serve_suites, args=(theirs, os.getpid()), name="gx-contract-checks", daemon=True
    )
    try:
        process.start()
    except Exception as error:  # no process to spare: the checks run here
        log.warning("contract checks run in the run's process: %s", error)
        return None
    theirs.close()
    return process, ours


_ahead: list[tuple[BaseProcess, Connection]] = []
"""The GX process :func:`start_ahead` started, until a :class:`SuiteRunner` takes it."""


def start_ahead(own_process: bool | None = None) -> None:
    """Start the GX process of this process's next run now, before the run itself: a
    command that runs one cycle (``kpi run``) starts it before it imports Dagster and the
    pipeline, so that GX's import goes on on the other core while those imports do,
    rather than while the run reads and stores its files. The run's first
    :class:`SuiteRunner` to start takes it; :func:`end_ahead` ends it if none did.
    ``own_process`` as for :class:`SuiteRunner` (by default, unless GX is imported)."""
    if own_process is None:
        own_process = "great_expectations" not in sys.modules
    if not _ahead and own_process:
        started = _spawn()
        if started is not None:
            _ahead.append(started)


def _take_ahead() -> tuple[BaseProcess, Connection] | None:
    if not _ahead:
        return None
    process, connection = _ahead.pop()
    if process.is_alive():
        return process, connection
    connection.close()  # it died: the caller starts another
    return None


def end_ahead() -> None:
    """End the GX process :func:`start_ahead` started, if no run took it."""
    if _ahead:
        process, connection = _ahead.pop()
        connection.close()
        _end_process(process, used=False)


class SuiteRunner:
    """Runs a run's contract checks with GX: in this process when GX is imported here
    already (the run worker warms it up before its first run), else in a process of its
    own, started as soon as the run knows it has files to store (:meth:`start`), or
    before the run by :func:`start_ahead`, so that GX's import (3-5 s) goes on on the
    other core instead of after. The tables can be handed over as soon as they are stored
    (:meth:`submit`) and their answers collected later (:meth:`collect`), so that the
    checking goes on on the other core too, while the run computes and publishes.

    The process holds GX and, while it checks them, the stored tables sent to it
    (pseudonymised, as the warehouse holds them) and their pandas copies; it writes
    nothing and ends with the run. If that process cannot be started or dies, the suites
    run here: slower, same result. A run killed meanwhile takes its GX process with it
    (Linux's parent-death signal; elsewhere the closed pipe ends it)."""

    def __init__(self, own_process: bool | None = None) -> None:
        self._own_process = own_process
        """Whether the suites run in a process of their own; by default, unless GX is
        imported here already."""
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._used = False
        self._waiting = 0
        """Answers the GX process owes for tables submitted."""
        self._outbox: queue.Queue | None = None
        self._sender: threading.Thread | None = None
        self._unsent: BaseException | None = None
        """Why the sending thread stopped before it sent everything, if it did."""

    def start(self) -> None:
        own = self._own_process
        if own is None:
            own = "great_expectations" not in sys.modules
        if self._process is not None or not own:
            return
        started = _take_ahead() or _spawn()
        if started is not None:
            self._process, self._connection = started

    @property
    def has_process(self) -> bool:
        """Whether a GX process takes checks (else they run here, when asked)."""
        return self._connection is not None

    def submit(self, dataset: str, stored: pl.DataFrame, current_month: dt.date) -> bool:
        """Hand the check of a stored table to the GX process and return whether it took
        it: if not (no such process, or it can take nothing more), the caller checks here
        when it needs the answer. A thread of this process sends it (tens of MiB through
        the pipe for a history load, which the GX process takes while it checks the one
        before): at most one table waits while another is being sent (the run waits
        for that one to go before it hands over a third), so that memory stays bounded."""
        if self._connection is None:
            return False
        if self._outbox is None:
            self._outbox = queue.Queue(maxsize=1)
            self._sender = threading.Thread(
                target=self._send_all, args=(self._connection, self._outbox), name="gx-send"
            )
            self._sender.daemon = True  # never keeps a run from ending: its pipe is closed
            self._sender.start()
        request = (dataset, stored, current_month)
        while True:
            if self._unsent is not None:
                log.warning("a table was not sent (%s); the checks go on here", self._unsent)
                self.close()
                return False
            try:
                self._outbox.put(request, timeout=1.0)
                break
            except queue.Full:
                continue
        self._used = True
        self._waiting += 1
        return True

    def _send_all(self, connection: Connection, outbox: queue.Queue) -> None:
        while (request := outbox.get()) is not None:
            try:
                connection.send(request)
            except BaseException as error:  # the GX process ended, or a table it cannot take
                self._unsent = error.with_traceback(None)  # no frame, so no table, kept
                return
            finally:
                del request  # not held while waiting for the next: a history's table is big

    def collect(self) -> list[Counter[tuple[str, str]]] | None:
        """The answers to the checks :meth:`submit` handed over, in their order, once the
        GX process has them all; None if it died meanwhile (the caller checks again)."""
        answers = []
        try:
            while self._waiting:
                # a GX process that ended leaves the end of the pipe to read; one that is
                # gone without it (killed, its pipe kept open elsewhere) is seen gone
                while not self._connection.poll(1.0):  # type: ignore[union-attr]
                    if self._process is not None and not self._process.is_alive():
                        raise EOFError("the GX process is gone")
                    if self._unsent is not None:  # it waits for a table that never comes
                        raise EOFError(f"a table was not sent: {self._unsent!r}")
                kind, answer = self._connection.recv()  # type: ignore[union-attr]
                self._waiting -= 1
                if kind == "error":  # the answers still owed would be out of step: end it
                    self.close(wait=False)
                    raise RuntimeError(f"a contract check failed in GX:\n{answer}")
                answers.append(answer)
        except (EOFError, OSError) as error:
            log.warning("the GX process ended (%s); the checks go on here", error)
            self.close()
            return None
        return answers

    def failure_counts(
        self, dataset: str, stored: pl.DataFrame, current_month: dt.date
    ) -> Counter[tuple[str, str]]:
        """The check of a stored table, answered now (by the GX process if there is one
        and nothing else is owed, else here)."""
        if not self._waiting and self.submit(dataset, stored, current_month):
            answers = self.collect()
            if answers is not None:
                return answers[0]
        return stored_failure_counts(dataset, stored, current_month)

    def close(self, wait: bool = True) -> None:
        """End the GX process. ``wait=False``: hand the ending to a thread (a run that has
        its answers need not wait while GX cleans up; the interpreter waits for that
        thread before it exits, so the process still ends before the run does)."""
        connection, process, used = self._connection, self._process, self._used
        outbox, sender = self._outbox, self._sender
        self._process = self._connection = self._outbox = self._sender = None
        self._used, self._waiting, self._unsent = False, 0, None
        if outbox is not None:  # what is not sent yet is not sent; the thread then ends
            with contextlib.suppress(queue.Empty):
                outbox.get_nowait()
            outbox.put(None)
        if sender is not None:
            # the pipe is closed once the thread is out of it (a send into a closed pipe
            # could write into whatever file reuses its number): a GX process that takes
            # nothing within the time it is given is stopped, which ends the send
            sender.join(timeout=CLOSE_SECONDS)
            if sender.is_alive() and process is not None:
                process.terminate()
                sender.join(timeout=CLOSE_SECONDS)
        if connection is not None:
            connection.close()  # the GX process ends when it reads the end of the pipe
        if process is None:
            return
        if wait:
            _end_process(process, used)
        else:
            threading.Thread(
                target=_end_process, args=(process, used), name="gx-process-end"
            ).start()

    def __enter__(self) -> SuiteRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _end_process(process: BaseProcess, used: bool) -> None:
    """Wait for a GX process whose pipe is closed: one that checked something ends at
    once, cleaning up after itself (GX's semaphores); one that did not may still be
    importing GX and is stopped."""
    process.join(timeout=CLOSE_SECONDS if used else 0)
    if process.is_alive():
        process.terminate()
        process.join(timeout=5)
