"""Every catalogue rule catches a bad value and names the row, the column and the rule."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from kpi.validation import FileReport, Upload, validate_uploads
from tests.conftest import valid_rows

TODAY = dt.date(2026, 1, 15)
SPOILED_ROW = 3  # the second data row: header is row 1
Row = dict[str, str]


def _text(value: object) -> str:
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    return "" if value is None else str(value)


def validate_spoiled(
    tmp_path: Path, dataset: str, spoil: Callable[[Row, list[Row]], None], factory: str = "F01"
) -> FileReport:
    rows = [
        {k: _text(v) for k, v in row.items()} for row in valid_rows(dataset).iter_rows(named=True)
    ]
    spoil(rows[1], rows)
    path = tmp_path / f"{dataset}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return validate_uploads([Upload(path, dataset, factory)], 10_000_000, today=TODAY)[0]


def num(row: Row, column: str) -> float:
    return float(row[column])


CASES: list[tuple[str, str, str, str, Callable[[Row, list[Row]], None]]] = [
    # dataset, column, rule, severity, how to spoil the second data row
    (
        "efficiency",
        "factory_code",
        "factory_is_submitter",
        "error",
        lambda r, _: r.update(factory_code="F02"),
    ),
    ("efficiency", "factory_code", "required", "error", lambda r, _: r.update(factory_code="")),
    (
        "efficiency",
        "period",
        "period_not_in_future",
        "error",
        lambda r, _: r.update(period="2026-02"),
    ),
    ("efficiency", "period", "minimum", "error", lambda r, _: r.update(period="2014-12")),
    ("efficiency", "period", "type_date", "error", lambda r, _: r.update(period="2025-13")),
    (
        "efficiency",
        "planned_busy_time_h",
        "exclusiveMinimum",
        "error",
        lambda r, _: r.update(planned_busy_time_h="0"),
    ),
    (
        "efficiency",
        "planned_busy_time_h",
        "type_number",
        "error",
        lambda r, _: r.update(planned_busy_time_h="veel"),
    ),
    (
        "efficiency",
        "planned_busy_time_h",
        "required",
        "error",
        lambda r, _: r.update(planned_busy_time_h=""),
    ),
    (
        "efficiency",
        "actual_production_time_h",
        "production_time_within_busy_time",
        "error",
        lambda r, _: r.update(actual_production_time_h=str(num(r, "planned_busy_time_h") + 1)),
    ),
    (
        "efficiency",
        "actual_production_time_h",
        "minimum",
        "error",
        lambda r, _: r.update(actual_production_time_h="-1"),
    ),
    (
        "efficiency",
        "planned_run_time_of_output_h",
        "run_time_plausible",
        "warning",
        lambda r, _: r.update(
            planned_run_time_of_output_h=str(num(r, "actual_production_time_h") * 1.2)
        ),
    ),
    (
        "efficiency",
        "produced_quantity",
        "type_integer",
        "error",
        lambda r, _: r.update(produced_quantity="12.5"),
    ),
    (
        # the file's numbers use a decimal point: a decimal comma is refused, not guessed
        "efficiency",
        "energy_kwh",
        "number_convention",
        "error",
        lambda r, _: r.update(energy_kwh="462,3"),
    ),
    (
        "efficiency",
        "produced_quantity",
        "minimum",
        "error",
        lambda r, _: r.update(produced_quantity="-1"),
    ),
    (
        "efficiency",
        "good_quantity",
        "good_within_produced",
        "error",
        lambda r, _: r.update(good_quantity=str(int(r["produced_quantity"]) + 1)),
    ),
    (
        "efficiency",
        "scrap_quantity",
        "scrap_within_not_good",
        "error",
        lambda r, _: r.update(
            scrap_quantity=str(int(r["produced_quantity"]) - int(r["good_quantity"]) + 1)
        ),
    ),
    (
        "efficiency",
        "rework_quantity",
        "quantities_add_up",
        "warning",
        lambda r, _: r.update(rework_quantity=str(int(int(r["produced_quantity"]) * 0.05))),
    ),
    (
        "efficiency",
        "direct_labour_h",
        "minimum",
        "error",
        lambda r, _: r.update(direct_labour_h="-0.5"),
    ),
    ("efficiency", "energy_kwh", "type_number", "error", lambda r, _: r.update(energy_kwh="n.b.")),
    ("quality", "parts_shipped", "minimum", "error", lambda r, _: r.update(parts_shipped="-3")),
    (
        "quality",
        "parts_rejected_by_customer",
        "rejected_within_shipped",
        "error",
        lambda r, _: r.update(parts_rejected_by_customer=str(int(r["parts_shipped"]) + 1)),
    ),
    (
        "quality",
        "customer_complaints",
        "minimum",
        "error",
        lambda r, _: r.update(customer_complaints="-1"),
    ),
    (
        "quality",
        "parts_inspected_first_pass",
        "required",
        "error",
        lambda r, _: r.update(parts_inspected_first_pass=""),
    ),
    (
        "quality",
        "parts_good_first_pass",
        "first_pass_good_within_inspected",
        "error",
        lambda r, _: r.update(parts_good_first_pass=str(int(r["parts_inspected_first_pass"]) + 1)),
    ),
    (
        "quality",
        "deliveries_total",
        "type_integer",
        "error",
        lambda r, _: r.update(deliveries_total="4.5"),
    ),
    (
        "quality",
        "deliveries_on_time",
        "on_time_within_total",
        "error",
        lambda r, _: r.update(deliveries_on_time=str(int(r["deliveries_total"]) + 1)),
    ),
    ("people", "headcount_start", "minimum", "error", lambda r, _: r.update(headcount_start="-1")),
    (
        "people",
        "headcount_end",
        "headcount_balance",
        "warning",
        lambda r, _: r.update(headcount_end=str(int(int(r["headcount_end"]) * 1.1))),
    ),
    ("people", "hires", "required", "error", lambda r, _: r.update(hires="")),
    ("people", "leavers", "type_integer", "error", lambda r, _: r.update(leavers="drie")),
    (
        "people",
        "leavers_voluntary",
        "voluntary_within_leavers",
        "error",
        lambda r, _: r.update(leavers_voluntary=str(int(r["leavers"]) + 1)),
    ),
    (
        "people",
        "fte_avg",
        "fte_within_headcount",
        "warning",
        lambda r, _: r.update(
            fte_avg=str(max(int(r["headcount_start"]), int(r["headcount_end"])) + 5)
        ),
    ),
    (
        "people",
        "temp_workers_fte",
        "minimum",
        "error",
        lambda r, _: r.update(temp_workers_fte="-2"),
    ),
    (
        "people",
        "scheduled_hours",
        "exclusiveMinimum",
        "error",
        lambda r, _: r.update(scheduled_hours="0"),
    ),
    (
        "people",
        "absence_hours",
        "absence_within_scheduled",
        "error",
        lambda r, _: r.update(absence_hours=str(num(r, "scheduled_hours") + 1)),
    ),
    ("people", "training_hours", "minimum", "error", lambda r, _: r.update(training_hours="-1")),
    ("people", "hours_worked", "type_number", "error", lambda r, _: r.update(hours_worked="?")),
    (
        "people",
        "lost_time_accidents",
        "type_integer",
        "error",
        lambda r, _: r.update(lost_time_accidents="1.5"),
    ),
    (
        "regional",
        "employees_resident_in_region",
        "minimum",
        "error",
        lambda r, _: r.update(employees_resident_in_region="-1"),
    ),
    (
        "regional",
        "hires_resident_in_region",
        "required",
        "error",
        lambda r, _: r.update(hires_resident_in_region=""),
    ),
    (
        "regional",
        "apprentices",
        "type_integer",
        "error",
        lambda r, _: r.update(apprentices="2 à 3"),
    ),
    ("regional", "interns", "minimum", "error", lambda r, _: r.update(interns="-1")),
    (
        "regional",
        "purchasing_spend_eur",
        "type_number",
        "error",
        lambda r, _: r.update(purchasing_spend_eur="€ duizend"),
    ),
    (
        "regional",
        "purchasing_spend_regional_eur",
        "regional_spend_within_spend",
        "error",
        lambda r, _: r.update(
            purchasing_spend_regional_eur=str(num(r, "purchasing_spend_eur") + 1)
        ),
    ),
    ("regional", "investment_eur", "minimum", "error", lambda r, _: r.update(investment_eur="-5")),
]


@pytest.mark.parametrize(
    ("dataset", "column", "rule", "severity", "spoil"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES],
)
def test_rule_names_row_and_column(
    tmp_path: Path, dataset: str, column: str, rule: str, severity: str, spoil
) -> None:
    report = validate_spoiled(tmp_path, dataset, spoil)
    matching = [f for f in report.findings if f.rule == rule]
    assert [(f.row, f.column, f.severity) for f in matching] == [(SPOILED_ROW, column, severity)], (
        report.to_text("en")
    )
    assert report.accepted is (severity == "warning")
    # a bad value may break other rules of the same row too, but never another row
    assert {f.row for f in report.findings} == {SPOILED_ROW}, report.to_text("en")
    message = matching[0].message("nl")
    assert message and matching[0].message("en") != message


def test_a_month_twice_in_one_file_names_both_rows(tmp_path: Path) -> None:
    def twice(row: Row, rows: list[Row]) -> None:
        row["period"] = rows[0]["period"]

    report = validate_spoiled(tmp_path, "quality", twice)
    assert [(f.row, f.rule) for f in report.errors] == [
        (2, "period_once_per_file"),
        (3, "period_once_per_file"),
    ]


def test_the_report_quotes_the_value_as_written(tmp_path: Path) -> None:
    report = validate_spoiled(tmp_path, "regional", lambda r, _: r.update(apprentices="-1.0"))
    (error,) = report.errors
    assert error.value == "-1.0"
    assert report.to_json("en")["errors"][0] == {
        "severity": "error",
        "row": 3,
        "column": "apprentices",
        "rule": "minimum",
        "value": "-1.0",
        "message": "-1.0 is below the minimum 0.",
    }


def test_many_files_in_one_batch_keep_their_own_rows(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    validate_spoiled(tmp_path / "a", "quality", lambda r, _: r.update(parts_shipped="x"))
    validate_spoiled(tmp_path / "b", "quality", lambda r, _: None)
    reports = validate_uploads(
        [
            Upload(tmp_path / "a" / "quality.csv", "quality", "F01"),
            Upload(tmp_path / "b" / "quality.csv", "quality", "F01"),
            Upload(tmp_path / "b" / "quality.csv", "quality", "F04"),
        ],
        10_000_000,
        today=TODAY,
    )
    assert [(f.row, f.rule) for f in reports[0].errors] == [(3, "type_integer")]
    assert reports[1].accepted and reports[1].periods == ["2025-10", "2025-11", "2025-12"]
    # the same rows sent by another factory: every row names the mismatch
    assert [(f.row, f.rule) for f in reports[2].errors] == [
        (row, "factory_is_submitter") for row in (2, 3, 4)
    ]
