"""One ingestion cycle: every waiting file is read, validated (in one batch), stored
all-or-nothing, logged in the audit log, and moved out of the landing zone.

The Dagster asset calls :func:`ingest_pending`; nothing else stores files.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from kpi.findings import finding
from kpi.i18n import LANGUAGES
from kpi.landing import Submission, list_pending, settle
from kpi.pseudonym import load_or_create_key, pseudonymise
from kpi.register import load_register
from kpi.settings import Settings
from kpi.timing import stage
from kpi.validation import FileReport, Upload, validate_uploads
from kpi.warehouse import ProcessedFile, current_accepted, ensure_schema, store


@dataclass
class IngestResult:
    """What one cycle did, per file."""

    files: list[ProcessedFile] = field(default_factory=list)

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
) -> IngestResult:
    """Process every file waiting in the landing zone (oldest first)."""
    ensure_schema(con)
    with stage("read"):
        pending = list_pending(settings)
    if not pending:
        return IngestResult()
    register = load_register(settings.factory_register)
    key = load_or_create_key(settings)
    current = current_accepted(con)

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
    )
    for item, report in zip(to_validate, reports, strict=True):
        item.report = report
        item.status = "accepted" if report.accepted else "refused"

    with stage("store"):
        store(con, files, run_id=run_id, processed_at=dt.datetime.now(dt.UTC))

    first = lang or settings.lang
    languages = [first, *(code for code in LANGUAGES if code != first)]
    with stage("store"):
        _settle_all(files, settings, languages)
    return IngestResult(files)


def _settle_all(files: list[ProcessedFile], settings: Settings, languages: list[str]) -> None:
    """Move every processed file out of the landing zone, with its report."""
    for item in files:
        report = item.report
        refused = item.status == "refused"
        text = ""
        if report is not None:
            text = "\n\n".join(report.to_text(code) for code in languages)
        settle(
            item.submission,
            settings,
            refused=refused,
            report_text=text,
            report_json=None
            if report is None
            else {
                "errors": [f.to_record() for f in report.errors],
                "warnings": [f.to_record() for f in report.warnings],
            },
        )
