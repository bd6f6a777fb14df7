"""The contracts are valid ODCS v3, say what the KPI catalogue says, and compile to GX."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from jsonschema import Draft201909Validator
from open_data_contract_standard.model import OpenDataContractStandard

from kpi.contracts import CONTEXT_COLUMNS, DATASETS, contract_path, load_contract, read_odcs
from kpi.expectations import compile_contract, derived_columns
from kpi.settings import ConfigurationError, get_settings

# The catalogue (../shared/KPI-CATALOGUE.md), column by column: type and lower bound.
# ">0" strictly positive, "0" at least zero. Upper bounds and pair rules are rules below.
CATALOGUE = {
    "efficiency": {
        "planned_busy_time_h": ("number", ">0"),
        "actual_production_time_h": ("number", "0"),
        "planned_run_time_of_output_h": ("number", "0"),
        "produced_quantity": ("integer", "0"),
        "good_quantity": ("integer", "0"),
        "scrap_quantity": ("integer", "0"),
        "rework_quantity": ("integer", "0"),
        "direct_labour_h": ("number", "0"),
        "energy_kwh": ("number", "0"),
    },
    "quality": {
        "parts_shipped": ("integer", "0"),
        "parts_rejected_by_customer": ("integer", "0"),
        "customer_complaints": ("integer", "0"),
        "parts_inspected_first_pass": ("integer", "0"),
        "parts_good_first_pass": ("integer", "0"),
        "deliveries_total": ("integer", "0"),
        "deliveries_on_time": ("integer", "0"),
    },
    "people": {
        "headcount_start": ("integer", "0"),
        "headcount_end": ("integer", "0"),
        "hires": ("integer", "0"),
        "leavers": ("integer", "0"),
        "leavers_voluntary": ("integer", "0"),
        "fte_avg": ("number", "0"),
        "temp_workers_fte": ("number", "0"),
        "scheduled_hours": ("number", ">0"),
        "absence_hours": ("number", "0"),
        "training_hours": ("number", "0"),
        "hours_worked": ("number", "0"),
        "lost_time_accidents": ("integer", "0"),
    },
    "regional": {
        "employees_resident_in_region": ("integer", "0"),
        "hires_resident_in_region": ("integer", "0"),
        "apprentices": ("integer", "0"),
        "interns": ("integer", "0"),
        "purchasing_spend_eur": ("number", "0"),
        "purchasing_spend_regional_eur": ("number", "0"),
        "investment_eur": ("number", "0"),
    },
}


@pytest.mark.parametrize("dataset", DATASETS)
def test_contract_is_valid_odcs_v3(dataset: str) -> None:
    document = yaml.safe_load(contract_path(dataset).read_text(encoding="utf-8"))
    schema = json.loads(OpenDataContractStandard.json_schema())
    errors = [e.message for e in Draft201909Validator(schema).iter_errors(document)]
    assert errors == []
    assert document["apiVersion"] == "v3.2.0"
    OpenDataContractStandard.model_validate(document)


@pytest.mark.parametrize("dataset", DATASETS)
def test_contract_has_the_catalogue_columns_in_order(dataset: str) -> None:
    contract = load_contract(dataset)
    assert contract.column_names == ["factory_code", "period", *CATALOGUE[dataset]]
    for name, (kind, lower) in CATALOGUE[dataset].items():
        column = contract.column(name)
        assert column.required, name
        assert column.logical_type == kind, name
        expected = {"exclusiveMinimum": 0} if lower == ">0" else {"minimum": 0}
        assert column.options == expected, name
        assert column.unit, f"{name} has no unit"
        assert column.description_en and column.description_nl, name


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_rule_has_a_severity_and_both_languages(dataset: str) -> None:
    for rule in load_contract(dataset).rules:
        assert rule.severity in ("error", "warning")
        assert rule.description_en and rule.description_nl
        assert rule.description_en != rule.description_nl, rule.name


@pytest.mark.parametrize("dataset", DATASETS)
def test_contract_compiles_to_a_gx_suite(dataset: str) -> None:
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    contract = load_contract(dataset)
    compiled = compile_contract(contract, dt.date(2026, 3, 1))
    for expectation in compiled:
        ExpectationConfiguration(
            type=expectation.gx_type, kwargs=expectation.kwargs
        ).to_domain_obj()
    rules = {e.rule for e in compiled}
    assert "required" in rules and "minimum" in rules
    # every custom rule of the contract is in the suite, with its severity
    for rule in contract.rules:
        if rule.kind == "custom":
            assert any(e.rule == rule.name and e.severity == rule.severity for e in compiled)
    # the current month is filled in
    future = next(e for e in compiled if e.rule == "period_not_in_future")
    assert future.kwargs["max_value"] == dt.datetime(2026, 3, 1)


@pytest.mark.parametrize("dataset", DATASETS)
def test_helper_columns_do_not_shadow_real_ones(dataset: str) -> None:
    contract = load_contract(dataset)
    helpers = derived_columns(contract)
    assert not set(helpers) & set(contract.column_names)
    assert not set(helpers) & set(CONTEXT_COLUMNS)
    assert all(name.startswith("_") for name in helpers)


def test_cross_dataset_rules_say_where_they_run() -> None:
    rules = [r for r in load_contract("regional").rules if r.kind == "sql"]
    assert {r.name for r in rules} == {
        "resident_employees_within_headcount",
        "resident_hires_within_hires",
    }
    assert all(r.severity == "warning" and "${incoming}" in (r.query or "") for r in rules)


@pytest.mark.parametrize(
    "path", sorted(get_settings().contracts_dir.glob("*.odcs.yaml")), ids=lambda p: p.name
)
def test_a_contract_file_reads_as_the_standard_reads_it(path):
    """Parsed with libyaml, every contract is the model the standard's own reader makes."""
    assert read_odcs(path) == OpenDataContractStandard.from_file(str(path))


def test_a_missing_or_broken_contract_file_is_named(tmp_path):
    with pytest.raises(ConfigurationError, match="missing.odcs.yaml"):
        read_odcs(tmp_path / "missing.odcs.yaml")
    broken = tmp_path / "broken.odcs.yaml"
    broken.write_text("kind: [DataContract\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="broken.odcs.yaml"):
        read_odcs(broken)
    empty = tmp_path / "empty.odcs.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="empty.odcs.yaml is geen datacontract"):
        read_odcs(empty)
