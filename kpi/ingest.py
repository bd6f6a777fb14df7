"""One ingestion cycle: every waiting file is read, validated (in one batch), stored
all-or-nothing, logged in the audit log, and moved out of the landing zone.

A backlog is processed in chunks of whole factories, each stored in a transaction of its
own; the next chunk's files are read and validated (and compared with their factories'
stored months, :func:`kpi.warehouse.prepare`), and the last chunk's moved out, on
threads of their own while a chunk is stored.

The Dagster asset calls :func:`ingest_pending`; nothing else stores files. A cycle can
die at any point (see ``kpi.faults``) and the next one finishes its work: a waiting file
already in the audit log was stored by a run that died before moving it, so it is moved
now with its logged outcome, not stored a second time; debris is removed first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kpi.faults import fault_point
from kpi.findings import finding
from kpi.i18n import LANGUAGES
from kpi.landing import Settling, Submission, clean_debris, list_pending, settle_all
from kpi.overlap import by_weight, one_ahead
from kpi.pseudonym import load_or_create_key, pseudonymise
from kpi.register import load_register, normal_code
from kpi.settings import Settings
from kpi.timing import stage
from kpi.validation import FileReport, Upload, validate_uploads
from kpi.warehouse import (
    Incoming,
    ProcessedFile,
    RecordedOutcome,
    current_accepted,
    ensure_schema,
    mark_unpublished,
    prepare,
    recorded_outcomes,
    store,
)

log = logging.getLogger(__name__)

GATE_ENGINE = "polars"
"""The engine that validates waiting files before they are stored: the Polars
interpretation of the contract suites, for every batch. It finds what GX finds (the
differential test tests/kpi/test_engines.py holds both engines' findings identical) in
milliseconds, where GX costs seconds to import and, per dataset and batch, ~0.2 s of
fixed overhead plus building its metric graph (6 of a 1000-factory cycle's 28 s).
GX stays the authority in every run: the asset check ``contract_suite`` runs the GX suite
on every stored table a run changed (``assets.ingest.check_stored_table``), so a file that
one engine would pass and the other refuse fails that check, visibly, in the same run."""


@dataclass
class IngestResult:
    """What one cycle did, per file."""

    files: list[ProcessedFile] = field(default_factory=list)
    recovered: list[ProcessedFile] = field(default_factory=list)
    """Files an interrupted run had stored but not moved out of the landing zone."""
    debris: list[Path] = field(default_factory=list)
    """Half-written files an interrupted run or upload left, removed by this cycle."""

    def count(self, status: str, dataset: str | None = None) -> int:
        return sum(
            1
            for f in self.files
            if f.status == status and (dataset is None or f.submission.dataset == dataset)
        )

    def summary(self) -> dict[str, int]:
        return dict(Counter(f.status for f in self.files))


def _unknown_factory_report(submission: Submission) -> FileReport:
    upload = Upload(submission.path, submission.dataset, submission.factory_code)
    return FileReport(
        upload,
        [finding("error", "unknown_factory", "unknown_factory", value=submission.factory_code)],
    )


def ingest_pending(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    run_id: str | None = None,
    today: dt.date | None = None,
    lang: str | None = None,
    on_pending: Callable[[], object] | None = None,
) -> IngestResult:
    """Process every file waiting in the landing zone (oldest first), after finishing
    what an interrupted cycle left undone. ``on_pending`` is called once files are found
    that need validating and storing, before they are read (the run starts its contract
    checks' GX process then)."""
    ensure_schema(con)
    first = lang or settings.lang
    languages = [first, *(code for code in LANGUAGES if code != first)]
    debris = clean_debris(settings)
    with stage("read"):
        waiting = list_pending(settings)
    if not waiting:
        return IngestResult(debris=debris)
    logged = recorded_outcomes(con, [s.submission_id for s in waiting])
    recovered = [
        _recorded(s, logged[s.submission_id]) for s in waiting if s.submission_id in logged
    ]
    pending = [s for s in waiting if s.submission_id not in logged]
    _settle_all(recovered, settings, languages)
    if not pending:
        return IngestResult(recovered=recovered, debris=debris)
    if on_pending is not None:
        on_pending()
    register = load_register(settings.register_path)
    key = load_or_create_key(settings)
    # a factory's files are all in one chunk: what is current for one chunk's files is
    # not changed by storing another's
    current = current_accepted(con)
    # the thread that validates a chunk also prepares its storing (plausibility), reading
    # the warehouse through a connection of its own; no other chunk holds its factories
    reader = con.cursor()

    def validate(chunk: list[Submission]) -> tuple[list[ProcessedFile], dict[str, Incoming]]:
        validated = _validate(settings, chunk, current, register, key, today)
        with stage("prepare"):
            return validated, prepare(reader, validated)

    files: list[ProcessedFile] = []
    # a stored chunk's files are moved out of the landing zone on a thread of their own
    # while the next chunk is stored (moving files waits on the file system); a run that
    # dies before they are all moved leaves them to the next (``recovered``)
    moves: list[Future] = []
    try:
        with (
            closing(reader),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-settle") as settling,
            closing(
                one_ahead(_chunks(pending, INGEST_CHUNK_BYTES), validate, "ingest-read")
            ) as chunks,
        ):
            for number, (validated, prepared) in enumerate(chunks):
                _store(con, settings, validated, prepared, run_id, first=number == 0)
                moves.append(settling.submit(_settle_all, validated, settings, languages))
                files += validated
    except BaseException:  # every move has ended: one that failed too is not lost
        _log_failed(_failures(moves))
        raise
    failed = _failures(moves)
    _log_failed(failed[1:])
    if failed:
        raise failed[0]
    fault_point("ingest:settled")
    return IngestResult(files, recovered, debris)


def _failures(moves: list[Future]) -> list[BaseException]:
    return [error for move in moves if (error := move.exception()) is not None]


def _log_failed(errors: list[BaseException]) -> None:
    """Log moves that failed beside the error the ingest raises."""
    for error in errors:
        log.error("moving files out of the landing zone failed too", exc_info=error)


INGEST_CHUNK_BYTES = 8 * 1024 * 1024
"""Bytes of files validated and stored together (one transaction): a backlog of a whole
network's months is processed chunk by chunk, so that memory stays bounded by what two
chunks' files hold (their cells as text, then typed: the next chunk is validated while
one is stored, :func:`kpi.overlap.one_ahead`), whether the backlog is many small
files or fewer files of many months each."""


def _chunks(pending: list[Submission], size: int) -> list[list[Submission]]:
    """``pending`` in chunks of about ``size`` bytes of files, oldest first, each
    factory's files in one chunk (the rules across datasets see a factory's month whole,
    and what is current for one chunk's files does not change by storing another's). A
    factory is its code as its pseudonym reads it: ``F01`` and a folder ``f01 `` are one."""
    by_factory: dict[str, list[Submission]] = {}
    for submission in pending:
        by_factory.setdefault(normal_code(submission.factory_code), []).append(submission)
    factories = by_weight(by_factory.values(), lambda own: sum(_size(s.path) for s in own), size)
    return [[s for own in chunk for s in own] for chunk in factories]


MIN_FILE_WEIGHT = 1024
"""What a file weighs in a chunk at least (its report, audit line and moves cost memory
and time too): a flood of empty files is chunked as well. One factory's files always form
one chunk, however large."""


def _size(path: Path) -> int:
    try:
        return max(path.stat().st_size, MIN_FILE_WEIGHT)
    except OSError:  # gone meanwhile: reading it says so, in its report
        return MIN_FILE_WEIGHT


def _validate(
    settings: Settings,
    pending: list[Submission],
    current: set[tuple[str, str, str]],
    register,
    key: bytes,
    today: dt.date | None,
) -> list[ProcessedFile]:
    """One chunk of waiting files, each with its outcome: unchanged (the same file is
    stored and current), or accepted or refused by validation with its report. Reads
    the files, not the warehouse: this runs beside the storing of the chunk before."""
    files: list[ProcessedFile] = []
    to_validate: list[ProcessedFile] = []
    seen: set[tuple[str, str, str]] = set()
    for submission in pending:
        pseudonym = pseudonymise(submission.factory_code, key)
        identity = (submission.dataset, pseudonym, submission.sha256)
        if register.by_code(submission.factory_code) is None:
            item = ProcessedFile(
                submission, pseudonym, "refused", _unknown_factory_report(submission)
            )
        elif identity in current or identity in seen:
            item = ProcessedFile(submission, pseudonym, "unchanged")
        else:
            item = ProcessedFile(submission, pseudonym, "refused")
            to_validate.append(item)
            seen.add(identity)
        files.append(item)

    reports = validate_uploads(
        [
            Upload(
                f.submission.path,
                f.submission.dataset,
                f.submission.factory_code,
                f.submission.file_name,
            )
            for f in to_validate
        ],
        settings.max_file_bytes,
        today=today,
        engine=GATE_ENGINE,
    )
    for item, report in zip(to_validate, reports, strict=True):
        item.report = report
        item.status = "accepted" if report.accepted else "refused"
    return files


def _store(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    files: list[ProcessedFile],
    prepared: dict[str, Incoming],
    run_id: str | None,
    *,
    first: bool,
) -> None:
    """Store and log one validated chunk of waiting files, in one transaction; before the
    ``first``, note that the snapshot is behind the warehouse (one note a run)."""
    fault_point("ingest:validated")
    with stage("store"):
        if first:
            mark_unpublished(settings)
        store(con, files, run_id=run_id, processed_at=dt.datetime.now(dt.UTC), prepared=prepared)
    fault_point("ingest:stored")


def _recorded(submission: Submission, outcome: RecordedOutcome) -> ProcessedFile:
    """A waiting file as the audit log recorded it (its report rebuilt from the log)."""
    upload = Upload(
        submission.path, submission.dataset, submission.factory_code, submission.file_name
    )
    report = FileReport(upload, outcome.findings, months=outcome.periods)
    return ProcessedFile(submission, outcome.pseudonym, outcome.status, report)


@stage("settle")
def _settle_all(files: list[ProcessedFile], settings: Settings, languages: list[str]) -> None:
    """Move every processed file out of the landing zone, a refused one with its report."""
    items = []
    for item in files:
        report = item.report
        refused = item.status == "refused"
        text = ""
        if report is not None and refused:  # the report beside a refused file
            text = "\n\n".join(report.to_text(code) for code in languages)
        items.append(
            Settling(
                item.submission,
                refused,
                report_text=text,
                report_json=None
                if report is None
                else {
                    "errors": [f.to_record() for f in report.errors],
                    "warnings": [f.to_record() for f in report.warnings],
                },
            )
        )
    settle_all(items, settings)
