"""The self-scan's contract: its statements in both languages, and what an uploader is
told about a bad scan (file, row, column, rule, in Dutch and English), by both engines
and through `kpi validate`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpi.contracts import UPLOAD_DATASETS, load_contract
from kpi.maturity.statements import FUTURE_LEVEL, scale, statements, transformations
from kpi.templates import write_template
from kpi.validation import Upload, validate_uploads

TODAY = dt.date(2026, 11, 25)
ENGINES = ("polars", "gx")


def scan_csv(path: Path, rows: list[dict], separator: str = ";") -> Path:
    """A scan file as Excel on a Belgian machine writes it."""
    names = load_contract("maturity").column_names
    lines = [separator.join(names)]
    for row in rows:
        lines.append(separator.join(str(row.get(name, "")) for name in names))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def full_scan(factory: str = "F01", year: int = 2026, score: int = 3) -> dict:
    return {"factory_code": factory, "year": year, **{s.column: score for s in statements()}}


def check(path: Path, engine: str, factory: str = "F01"):
    return validate_uploads([Upload(path, "maturity", factory)], 10_000_000, TODAY, engine)[0]


def test_seven_transformations_with_three_to_five_statements_in_dutch_and_english():
    found = transformations()
    assert [t.key for t in found] == [
        "world_class_manufacturing",
        "end_to_end_engineering",
        "digital_factory",
        "human_centred_production",
        "production_network",
        "eco_production",
        "smart_production_systems",
    ]
    for transformation in found:
        assert 3 <= len(transformation.statements) <= 5
        assert transformation.label("nl") and transformation.label("en")
        assert transformation.short("nl") and transformation.short("en")
        for statement in transformation.statements:
            assert statement.text("nl") and statement.text("en")
            assert statement.text("nl") != statement.text("en")
    columns = load_contract("maturity").column_names
    assert columns == ["factory_code", "year", *(s.column for s in statements())]
    assert "maturity" in UPLOAD_DATASETS
    assert FUTURE_LEVEL == 4 and scale("en")[4] == "Factory of the Future level"
    assert sorted(scale("nl")) == [1, 2, 3, 4, 5]


def test_every_statement_is_a_required_whole_score_from_1_to_5():
    contract = load_contract("maturity")
    assert contract.cadence == "yearly" and contract.period_column == "year"
    for statement in statements():
        column = contract.column(statement.column)
        assert column.logical_type == "integer" and column.required
        assert column.options == {"minimum": 1, "maximum": 5}
    assert contract.storage_rules == []  # no monthly history to be plausible against


@pytest.mark.parametrize("engine", ENGINES)
def test_a_complete_scan_is_accepted_with_its_year(tmp_path, engine):
    report = check(scan_csv(tmp_path / "scan.csv", [full_scan(score=4)]), engine)
    assert report.accepted, report.to_text("en")
    assert report.periods == ["2026"]
    assert report.values["wcm_lean_flow"].to_list() == [4]
    assert "2026" in report.to_text("nl")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_score_outside_1_to_5_and_a_blank_statement_are_named_by_row_and_column(tmp_path, engine):
    bad = full_scan()
    bad["digital_cybersecurity"] = 7
    bad["eco_footprint_reporting"] = ""
    report = check(scan_csv(tmp_path / "scan.csv", [bad]), engine)
    assert not report.accepted
    found = {(f.row, f.column, f.rule) for f in report.errors}
    assert found == {
        (2, "digital_cybersecurity", "maximum"),
        (2, "eco_footprint_reporting", "required"),
    }
    dutch, english = report.to_text("nl"), report.to_text("en")
    assert "rij 2, kolom digital_cybersecurity: 7 is groter dan het maximum 5." in dutch
    assert "row 2, column digital_cybersecurity: 7 is above the maximum 5." in english
    assert "rij 2, kolom eco_footprint_reporting: De waarde ontbreekt" in dutch
    assert "row 2, column eco_footprint_reporting: The value is missing" in english


@pytest.mark.parametrize("engine", ENGINES)
def test_half_a_score_is_refused_as_not_a_whole_number(tmp_path, engine):
    bad = full_scan()
    bad["human_skills"] = "3,5"
    report = check(scan_csv(tmp_path / "scan.csv", [bad]), engine)
    assert [(f.row, f.column, f.rule) for f in report.errors] == [
        (2, "human_skills", "type_integer")
    ]


def test_a_missing_statement_column_refuses_the_file_and_names_the_statement(tmp_path):
    names = [n for n in load_contract("maturity").column_names if n != "smart_predictive"]
    row = full_scan()
    path = tmp_path / "scan.csv"
    path.write_text(";".join(names) + "\n" + ";".join(str(row[n]) for n in names) + "\n")
    report = check(path, "polars")
    assert [(f.column, f.rule) for f in report.errors] == [("smart_predictive", "missing_column")]
    assert "smart_predictive" in report.to_text("nl") and "smart_predictive" in report.to_text("en")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_future_year_a_repeated_year_and_a_sister_plants_scan_are_refused(tmp_path, engine):
    rows = [full_scan(year=2027), full_scan(year=2025), full_scan(year=2025)]
    report = check(scan_csv(tmp_path / "scan.csv", rows), engine)
    assert {(f.row, f.column, f.rule) for f in report.errors} == {
        (2, "year", "year_not_in_future"),
        (3, "year", "year_once_per_file"),
        (4, "year", "year_once_per_file"),
    }
    assert "het jaar mag niet na het huidige jaar liggen" in report.to_text("nl")
    other = check(scan_csv(tmp_path / "other.csv", [full_scan(factory="F02")]), engine)
    assert [(f.row, f.column, f.rule) for f in other.errors] == [
        (2, "factory_code", "factory_is_submitter")
    ]


def test_a_scan_sent_as_a_monthly_dataset_is_recognised(tmp_path):
    path = scan_csv(tmp_path / "scan.csv", [full_scan()])
    report = validate_uploads([Upload(path, "efficiency", "F01")], 10_000_000, TODAY, "polars")[0]
    assert [f.rule for f in report.errors] == ["wrong_dataset"]
    assert "Factory of the Future-zelfscan" in report.errors[0].message("nl")


def test_the_template_lists_every_statement_in_the_users_language(tmp_path):
    template = write_template(load_contract("maturity"), tmp_path / "t.csv", "csv", "nl")
    text = template.read_text(encoding="utf-8-sig")
    assert "één rij per jaar" in text
    for statement in statements():
        assert statement.text("nl") in text
    # the template, filled in, is a valid scan
    header = text.splitlines()[-1]
    filled = tmp_path / "filled.csv"
    filled.write_text(header + "\n" + "F01;2026" + ";4" * len(statements()) + "\n")
    assert check(filled, "polars").accepted


def test_kpi_validate_names_row_and_column_and_exits_1(tmp_path, settings):
    from kpi.cli import app

    bad = full_scan(year=2025)
    bad["network_partnerships"] = 0
    path = scan_csv(tmp_path / "scan.csv", [bad])
    result = CliRunner().invoke(
        app, ["validate", str(path), "--dataset", "maturity", "--factory", "F01", "--lang", "en"]
    )
    assert result.exit_code == 1, result.output
    assert "row 2, column network_partnerships: 0 is below the minimum 1." in result.output
    good = scan_csv(tmp_path / "good.csv", [full_scan(year=2025)])
    result = CliRunner().invoke(
        app, ["validate", str(good), "--dataset", "maturity", "--factory", "F01"]
    )
    assert result.exit_code == 0, result.output
    assert "2025" in result.output
