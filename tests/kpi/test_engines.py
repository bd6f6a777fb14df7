"""The Polars interpretation of a contract's suite finds exactly what GX finds.

The upload page, `kpi validate` and the pipeline's gate validate files with the Polars
engine (milliseconds); Great Expectations checks every stored table a run changed (the
asset check ``contract_suite``). They must never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kpi.contracts import DATASETS, UPLOAD_DATASETS, load_contract
from kpi.expectations import (
    ROW_ID,
    CompiledExpectation,
    _unexpected,
    failure_counts,
    polars_supports,
    run_suite,
)
from tests.conftest import valid_rows

MONTH = dt.date(2026, 1, 1)
# small value sets make ties, bounds and duplicates likely
NON_FINITE = [float("nan"), float("inf"), float("-inf"), float("1e400"), 1e13]
"""What a file must never bring in (1e400 is inf; 1e13 is past every sanity bound)."""
VALUES = {
    "integer": [None, -1, 0, 1, 2, 5, 10, 100, 10**13],
    "number": [None, -0.5, 0.0, 0.5, 1.0, 1.1, 2.0, 10.0, 100.0, *NON_FINITE],
    "date": [
        None,
        dt.date(2014, 12, 1),
        dt.date(2015, 1, 1),
        dt.date(2025, 6, 1),
        MONTH,
        dt.date(2026, 2, 1),
        # past what nanoseconds hold: GX compares such a column value by value
        dt.date(1500, 1, 1),
        dt.date(9999, 12, 1),
    ],
    "string": [None, "F01", "F02"],
}


def batches(dataset: str):
    contract = load_contract(dataset)
    row = st.fixed_dictionaries(
        {c.name: st.sampled_from(VALUES[c.logical_type]) for c in contract.columns}
        | {"_submission": st.sampled_from([0, 1])}
    )
    return st.lists(row, min_size=1, max_size=12)


def frame(dataset: str, rows: list[dict]) -> pl.DataFrame:
    contract = load_contract(dataset)
    types = {"integer": pl.Int64, "number": pl.Float64, "date": pl.Date, "string": pl.String}
    schema = {c.name: types[c.logical_type] for c in contract.columns} | {"_submission": pl.Int64}
    return (
        pl.DataFrame(rows, schema=schema)
        .with_columns(pl.lit("F01").alias("_submitting_factory"))
        .with_row_index(ROW_ID)
        .with_columns((pl.col(ROW_ID).cast(pl.Int64) + 2).alias("_row"))
    )


def found(dataset: str, batch: pl.DataFrame, engine: str) -> set[tuple[str, int]]:
    return {
        (f.expectation.rule, f.row_id)
        for f in run_suite(load_contract(dataset), batch, MONTH, engine)
    }


@pytest.mark.parametrize("dataset", UPLOAD_DATASETS)
def test_every_contract_has_a_polars_interpretation(dataset):
    assert polars_supports(load_contract(dataset))


@pytest.mark.parametrize(
    ("gx_type", "kwargs"),
    [
        # GX's own default is both_values_are_missing: a row with one value missing fails
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "a", "column_B": "b"}),
        ("expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]}),
        ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.9}),
        ("expect_column_values_to_be_between", {"column": "a", "row_condition": "b > 1"}),
        ("expect_column_values_to_match_regex", {"column": "a", "regex": "^F"}),
    ],
)
def test_what_the_polars_engine_does_not_model_is_left_to_gx(gx_type, kwargs):
    """A contract rule written with arguments the Polars interpretation does not model
    (or with GX's defaults where they differ from the modelled value) makes the contract
    unsupported, and the gate then validates it with GX itself."""
    expectation = CompiledExpectation("rule", "error", "a", gx_type, kwargs)
    with pytest.raises(NotImplementedError):
        _unexpected(expectation)
    contract = load_contract("efficiency")
    with patch("kpi.expectations.compile_contract", return_value=[expectation]):
        assert not polars_supports(contract)


def through_gx(examples: int):
    """Hypothesis' settings for a test that runs GX on every example."""
    return settings(
        max_examples=examples,
        deadline=None,
        # no "explain" phase: tracing every line through GX takes minutes
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize("dataset", DATASETS)
@through_gx(examples=25)
@given(data=st.data())
def test_polars_and_gx_find_the_same_rows(dataset, data):
    batch = frame(dataset, data.draw(batches(dataset)))
    assert found(dataset, batch, "polars") == found(dataset, batch, "gx")


@pytest.mark.parametrize("dataset", UPLOAD_DATASETS)
@through_gx(examples=6)
@given(data=st.data())
def test_the_stored_tables_check_counts_the_rows_gx_finds(dataset, data):
    """The check of a stored table asks GX how many rows fail each rule, not which: the
    same counts as the failing rows GX lists."""
    batch = frame(dataset, data.draw(batches(dataset)))
    rows = run_suite(load_contract(dataset), batch, MONTH, "gx")
    expected = Counter((f.expectation.severity, f.expectation.rule) for f in rows)
    assert failure_counts(dataset, batch, MONTH) == expected


def test_the_stored_tables_check_counts_every_failing_row_not_a_sample():
    """GX's BASIC results list a sample of 20 failing values; the count is of them all."""
    row = valid_rows("efficiency", months=1).row(0, named=True) | {"_submission": 0}
    rows = [row | {"energy_kwh": None}] * 30 + [row | {"energy_kwh": -1.0}] * 25
    batch = frame("efficiency", rows)
    assert failure_counts("efficiency", batch, MONTH) == Counter(
        {("error", "required"): 30, ("error", "minimum"): 25}
    ) + Counter(
        (f.expectation.severity, f.expectation.rule)
        for f in run_suite(load_contract("efficiency"), batch, MONTH, "gx")
        if f.expectation.rule not in ("required", "minimum")
    )


@pytest.mark.parametrize("value", NON_FINITE, ids=["nan", "inf", "-inf", "1e400", "1e13"])
@pytest.mark.parametrize("engine", ["polars", "gx"])
def test_both_engines_refuse_non_finite_numbers(value, engine):
    row = valid_rows("efficiency", months=1).row(0, named=True)
    row |= {"energy_kwh": value, "_submission": 0}
    rules = found("efficiency", frame("efficiency", [row]), engine)
    # NaN is a missing value (as pandas sees it); the others are past the sanity bound
    expected = {"required"} if value != value else {"sanity_bound"}
    if value < 0:
        expected.add("minimum")
    assert rules == {(rule, 0) for rule in expected}
