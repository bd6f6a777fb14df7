"""Validate uploaded files against their data contracts, many files in one batch.

A file is accepted when no rule of severity error fails; warnings are reported with it.
Every finding names the file's row (as the uploader sees it), the column, the rule and
the value as it was written in the file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from kpi.contracts import DatasetContract, load_contract
from kpi.expectations import ROW_ID, CompiledExpectation, run_suite
from kpi.findings import Finding, finding
from kpi.i18n import message
from kpi.parsing import parse_cells, unparsed_finding
from kpi.reading import (
    DECIMAL_COLUMN,
    FILE_COLUMN,
    ROW_COLUMN,
    RawTable,
    ReadLimits,
    read_uploads,
)
from kpi.register import normal_code
from kpi.timing import stage

SEVERITY_ORDER = {"error": 0, "warning": 1}
SUBMISSION = "_submission"
SUBMITTING_FACTORY = "_submitting_factory"


@dataclass(frozen=True)
class Upload:
    """A file to check, the dataset it claims to be and the factory that sends it."""

    path: Path
    dataset: str
    factory_code: str
    file_name: str = ""

    @property
    def display_name(self) -> str:
        return self.file_name or self.path.name


@dataclass
class FileReport:
    """The verdict on one file: its findings and, when accepted, its typed rows."""

    upload: Upload
    findings: list[Finding] = field(default_factory=list)
    values: pl.DataFrame | None = None
    """The typed rows, only when the file is accepted."""
    months: list[str] = field(default_factory=list)
    """The months the file covers, as far as they could be read (refused files too)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def accepted(self) -> bool:
        return not self.errors and self.values is not None

    @property
    def periods(self) -> list[str]:
        return self.months

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "file": self.upload.display_name,
            "dataset": self.upload.dataset,
            "factory": self.upload.factory_code,
            "periods": self.periods,
            "rows": 0 if self.values is None else self.values.height,
            "errors": [f.to_dict(lang) for f in self.errors],
            "warnings": [f.to_dict(lang) for f in self.warnings],
        }

    def to_text(self, lang: str) -> str:
        upload = self.upload
        names = {"file": upload.display_name, "dataset": upload.dataset}
        names["factory"] = upload.factory_code
        if self.accepted:
            lines = [
                message(
                    "report_accepted",
                    lang,
                    rows=0 if self.values is None else self.values.height,
                    periods=describe_periods(self.periods),
                    **names,
                )
            ]
        else:
            lines = [message("report_refused", lang, count=len(self.errors), **names)]
            lines += [_line(f, lang) for f in self.errors]
        if self.warnings:
            lines.append(message("report_warnings", lang, count=len(self.warnings)))
            lines += [_line(f, lang) for f in self.warnings]
        return "\n".join(lines)


def describe_periods(periods: list[str]) -> str:
    """'2024-01..2024-12 (12)' for a run of months, else the months listed."""
    if len(periods) <= 3:
        return ", ".join(periods)
    return f"{periods[0]}..{periods[-1]} ({len(periods)})"


def _line(item: Finding, lang: str) -> str:
    if item.row is not None:
        return message(
            "report_line",
            lang,
            row=item.row,
            column=item.column or "-",
            message=item.message(lang),
            rule=item.rule,
        )
    if item.column is not None:
        return message(
            "report_column_line",
            lang,
            column=item.column,
            message=item.message(lang),
            rule=item.rule,
        )
    return message("report_file_line", lang, message=item.message(lang), rule=item.rule)


def _cell_finding(expectation: CompiledExpectation, row: int, value: str | None) -> Finding:
    shown = value if value is not None else ""
    if expectation.rule == "required":
        return finding("error", "required", "required", row=row, column=expectation.column)
    if expectation.contract_rule is None:
        return finding(
            expectation.severity,  # type: ignore[arg-type]
            expectation.rule,
            expectation.rule,
            row=row,
            column=expectation.column,
            value=value,
            limit=expectation.limit,
        )
    rule = expectation.contract_rule
    return Finding(
        rule.severity,
        rule.name,
        row,
        expectation.column,
        value,
        {
            lang: message("contract_rule", lang, description=rule.description(lang), value=shown)
            for lang in ("nl", "en")
        },
    )


def current_month_of(today: dt.date | None) -> dt.date:
    today = today or dt.date.today()
    return today.replace(day=1)


def validate_uploads(
    uploads: list[Upload],
    max_bytes: int,
    today: dt.date | None = None,
    engine: str = "gx",
    limits: ReadLimits | None = None,
    max_findings_per_rule: int | None = None,
) -> list[FileReport]:
    """Check every upload. Files are read one by one, then each dataset's rows are typed
    and validated as one batch: GX runs once per dataset, not once per file.
    ``engine="polars"`` interprets the same suites with Polars (``kpi.expectations``).
    A file that cannot be read is refused on its own; the others go on. Limits default
    to the settings (``KPI_MAX_ROWS`` ...)."""
    from kpi.settings import get_settings

    limits = limits or ReadLimits.from_settings(max_bytes)
    per_rule = max_findings_per_rule or get_settings().max_findings_per_rule
    month = current_month_of(today)
    reports = [FileReport(upload) for upload in uploads]
    read: dict[str, list[tuple[int, RawTable]]] = {}  # in the order of their first file
    with stage("read"):
        batch = read_uploads(
            [(upload.path, load_contract(upload.dataset)) for upload in uploads],
            max_bytes,
            limits,
        )
        for index, (upload, raw) in enumerate(zip(uploads, batch.tables, strict=True)):
            if raw is None:  # a plain file: no findings, its cells are in batch.plain
                read.setdefault(upload.dataset, [])
                continue
            reports[index].findings.extend(raw.findings)
            if raw.columns is not None:
                read.setdefault(upload.dataset, []).append((index, raw))
    for dataset, tables in read.items():
        contract = load_contract(dataset)
        with stage("read"):
            raw = _batch_frame(contract.column_names, tables, batch.plain.get(dataset))
            parsed = parse_cells(raw, contract)
        with stage("validate"):
            _validate_dataset(contract, raw, parsed, uploads, reports, month, engine)
        months = parsed.values.group_by(SUBMISSION).agg(_covered(contract))
        for index, covered in months.iter_rows():
            reports[index].months = covered
        rows = parsed.values.drop(ROW_ID)
        # one split of the batch, the key left out (a drop per file: 0.5 s per 4000 files)
        for (index,), values in rows.partition_by(
            SUBMISSION, as_dict=True, include_key=False
        ).items():
            if not reports[index].errors:
                reports[index].values = values
    for report in reports:
        report.findings.sort(
            key=lambda f: (SEVERITY_ORDER[f.severity], f.row or 0, f.column or "", f.rule)
        )
        report.findings = cap_findings(report.findings, per_rule)
    return reports


def _covered(contract: DatasetContract) -> pl.Expr:
    """The months a file covers as ``YYYY-MM``; the years (``YYYY``) of a yearly dataset."""
    column = pl.col(contract.period_column).drop_nulls().unique().sort()
    if contract.cadence == "yearly":
        return column.cast(pl.String)
    return column.dt.strftime("%Y-%m")


def cap_findings(findings: list[Finding], per_rule: int) -> list[Finding]:
    """At most ``per_rule`` findings of each rule and severity, in order; each rule with
    more says how many more in one last finding of its severity ("... and 9,950 more"),
    so a file of a million wrong cells gives a readable report, not a million lines."""
    kept: dict[str, list[Finding]] = {"error": [], "warning": []}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for item in findings:
        key = (item.severity, item.rule)
        counts[key] += 1
        if counts[key] <= per_rule:
            kept[item.severity].append(item)
    result: list[Finding] = []
    for severity in ("error", "warning"):
        result += kept[severity]
        for (level, rule), count in counts.items():
            if level == severity and count > per_rule:
                result.append(
                    finding(
                        severity,  # type: ignore[arg-type]
                        rule,
                        "more_findings",
                        count=count - per_rule,
                        shown=per_rule,
                        name=rule,
                    )
                )
    return result


def _batch_frame(
    names: list[str], tables: list[tuple[int, RawTable]], plain: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The text cells of many files as one frame, each row tagged with its file, in the
    order of the files: ``tables`` and the cells of the plain files (``plain``)."""
    columns: dict[str, list] = {name: [] for name in names}
    rows: list[int] = []
    submissions: list[int] = []
    marks: list[str] = []
    for index, table in tables:
        assert table.columns is not None
        for name in names:
            columns[name].extend(table.columns[name])
        rows.extend(table.rows)
        submissions.extend([index] * len(table.rows))
        marks.extend([table.decimal_mark] * len(table.rows))
    frame = pl.DataFrame(
        {SUBMISSION: submissions, ROW_COLUMN: rows, DECIMAL_COLUMN: marks, **columns},
        schema={
            SUBMISSION: pl.Int64,
            ROW_COLUMN: pl.Int64,
            DECIMAL_COLUMN: pl.String,
            **{n: pl.String for n in names},
        },
    )
    if plain is not None:
        plain = plain.rename({FILE_COLUMN: SUBMISSION})
        frame = pl.concat([frame, plain]).sort(SUBMISSION, maintain_order=True)
    return frame.with_row_index(ROW_ID)


def _validate_dataset(
    contract: DatasetContract,
    raw: pl.DataFrame,
    parsed,
    uploads: list[Upload],
    reports: list[FileReport],
    month: dt.date,
    engine: str,
) -> None:
    """Findings of one dataset's batch: cells that did not parse, then the suite's rules."""
    unparsed = set()
    for cell in parsed.unparsed.iter_rows(named=True):
        unparsed.add((cell[SUBMISSION], cell[ROW_COLUMN], cell["column"]))
        reports[cell[SUBMISSION]].findings.append(unparsed_finding(cell))
    factories = pl.Series([normal_code(u.factory_code) for u in uploads], dtype=pl.String)
    batch = parsed.values.with_columns(
        pl.col(SUBMISSION)
        .replace_strict(list(range(len(uploads))), factories, return_dtype=pl.String)
        .alias(SUBMITTING_FACTORY)
    )
    submission_of = batch.get_column(SUBMISSION).to_list()
    row_of = batch.get_column(ROW_COLUMN).to_list()
    for failure in run_suite(contract, batch, month, engine):
        index = submission_of[failure.row_id]
        row = row_of[failure.row_id]
        column = failure.expectation.column
        if failure.expectation.rule == "required" and (index, row, column) in unparsed:
            continue  # already reported as "not a number" / "not a month"
        value = raw[failure.row_id, column] if column else None
        reports[index].findings.append(_cell_finding(failure.expectation, row, value))
