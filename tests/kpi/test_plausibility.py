"""Plausibility (KPI-CATALOGUE.md): a value far from the factory's own last 12 months is
a warning when the file is stored, naming row, column, the value and the usual range."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.contracts import (
    Column,
    history_once_stored,
    plausibility_findings,
    plausibility_history,
    plausibility_rule,
)
from kpi.findings import shown_value
from kpi.ingest import ingest_pending
from kpi.landing import submit
from kpi.settings import Settings

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def con(settings: Settings):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        yield connection


def store(con, settings, path, dataset="efficiency", factory="F01"):
    submit(path, dataset, factory, settings)
    (item,) = ingest_pending(con, settings, run_id="t", today=TODAY).files
    return item


def plausibility(item) -> list:
    return [f for f in item.report.findings if f.rule == "plausibility"]


def test_a_value_a_thousand_times_too_low_is_warned_with_the_usual_range(settings, con, make_file):
    history = make_file("efficiency", months=12, name="history")
    assert plausibility(store(con, settings, history)) == []
    usual = con.sql(
        "SELECT min(energy_kwh), max(energy_kwh), median(energy_kwh) FROM efficiency"
    ).fetchall()[0]

    # a thousands separator read as a decimal point: 462.300 kWh became 462.3
    slip = make_file(
        "efficiency",
        months=1,
        last=dt.date(2026, 1, 1),
        name="januari",
        change=lambda rows: rows.with_columns(pl.col("energy_kwh") / 1000),
    )
    item = store(con, settings, slip)
    assert item.status == "accepted"  # a warning, never a refusal
    (warning,) = plausibility(item)
    assert (warning.severity, warning.row, warning.column) == ("warning", 2, "energy_kwh")
    low, high, median = (str(int(v)) if float(v).is_integer() else f"{v:.2f}" for v in usual)
    text = warning.message("nl")
    assert f"tussen {low} en {high}" in text and f"mediaan ({median})" in text
    assert "factor 3" in warning.message("en") and warning.value in text
    logged = con.sql("SELECT warnings FROM submissions WHERE file_name LIKE 'januari%'").fetchall()
    assert [w["rule"] for w in json.loads(logged[0][0])] == ["plausibility"]


def test_an_ordinary_month_gets_no_warning(settings, con, make_file):
    store(con, settings, make_file("efficiency", months=12, name="history"))
    item = store(con, settings, make_file("efficiency", months=1, last=dt.date(2026, 1, 1)))
    assert item.status == "accepted" and plausibility(item) == []


def test_without_three_months_of_history_there_is_no_usual_range(settings, con, make_file):
    store(con, settings, make_file("efficiency", months=2, name="history"))
    slip = make_file(
        "efficiency",
        months=1,
        last=dt.date(2026, 1, 1),
        change=lambda rows: rows.with_columns(pl.col("energy_kwh") * 1000),
    )
    assert plausibility(store(con, settings, slip)) == []


def test_plausibility_warnings_are_capped_like_every_rule(settings, con, make_file, monkeypatch):
    from kpi.settings import reset_settings_cache

    store(con, settings, make_file("efficiency", months=12, name="history"))
    monkeypatch.setenv("KPI_MAX_FINDINGS_PER_RULE", "1")
    reset_settings_cache()
    slip = make_file(
        "efficiency",
        months=1,
        last=dt.date(2026, 1, 1),
        change=lambda rows: rows.with_columns(pl.col("energy_kwh", "direct_labour_h") / 1000),
    )
    first, more = plausibility(store(con, settings, slip))
    assert first.column == "direct_labour_h" and first.row == 2
    assert (more.row, more.severity) == (None, "warning")
    assert "and 1 more with the same rule (plausibility)" in more.message("en")


def test_a_factory_is_compared_with_its_own_months_only_never_another_factorys(
    settings, con, make_file
):
    """An attack on the windows found beside the storing (2026-12): F02 reports a thousand
    times F01's figures in the same runs. Were a window to take in the other factory's
    months, both would be warned, and F01's warning would show F02's usual range."""
    thousandfold = lambda rows: rows.with_columns(pl.col("energy_kwh") * 1000)  # noqa: E731

    def energy(item) -> list:
        return [f for f in plausibility(item) if f.column == "energy_kwh"]

    for code, change in (("F01", None), ("F02", thousandfold)):
        path = make_file("efficiency", code, months=12, change=change)
        submit(path, "efficiency", code, settings)
    first = ingest_pending(con, settings, run_id="a", today=TODAY).files
    assert [energy(item) for item in first] == [[], []]

    # a month of F01 at F02's scale: warned against F01's own months, never F02's
    slip = make_file("efficiency", "F01", months=1, last=dt.date(2026, 1, 1), name="slip",
                     change=thousandfold)  # fmt: skip
    submit(slip, "efficiency", "F01", settings)
    (item,) = ingest_pending(con, settings, run_id="b", today=TODAY).files
    (warning,) = energy(item)
    own, other = (
        con.sql(
            "SELECT min(e.energy_kwh), max(e.energy_kwh) FROM efficiency e "
            "JOIN submissions s USING (submission_id) WHERE s.run_id = 'a' "
            f"AND s.file_name LIKE '{code}%'"
        ).fetchall()[0]
        for code in ("F01", "F02")
    )
    text = warning.message("en")
    shown = [str(int(v)) if float(v).is_integer() else f"{v:.2f}" for v in (*own, *other)]
    assert f"between {shown[0]} and {shown[1]}" in text
    assert shown[2] not in text and shown[3] not in text


# --- the rolling windows against the join they replace -------------------------------------

ORACLE_SQL = """
    SELECT incoming.submission_id, incoming._row,
           any_value(incoming.x) AS value_x, median(history.x) AS median_x,
           min(history.x) AS low_x, max(history.x) AS high_x,
           any_value(incoming.n) AS value_n, median(history.n) AS median_n,
           min(history.n) AS low_n, max(history.n) AS high_n
    FROM incoming
    JOIN stored AS history
      ON history.factory_pseudonym = incoming.factory_pseudonym
     AND history.period < incoming.period
     AND history.period >= incoming.period - INTERVAL 12 MONTH
    GROUP BY incoming.submission_id, incoming._row
    HAVING count(*) >= 3
"""
"""What the plausibility history was until 2026-12 (one join of the incoming rows with
their factory's previous 12 months): the oracle of :func:`plausibility_history`."""

MONTHS = [dt.date(2023 + m // 12, m % 12 + 1, 1) for m in range(30)]
# few values: ties and even counts (a median between two values) are likely
NUMBERS = [None, 0.0, 0.1, 1 / 3, 2.5, 7.0, 1e9 + 0.1]


@st.composite
def networks(draw):
    """A stored table (factories with gaps and missing values) and an incoming batch of
    some of its rows, a month possibly twice (two files, the later one stored)."""
    stored = []
    for factory in ("A", "B", "C"):
        for month in draw(st.lists(st.sampled_from(MONTHS), unique=True, max_size=20)):
            stored.append(
                {
                    "factory_pseudonym": factory,
                    "period": month,
                    "x": draw(st.sampled_from(NUMBERS)),
                    "n": draw(st.sampled_from([None, 0, 1, 2, 5, 10**12])),
                }
            )
    stored_frame = pl.DataFrame(
        stored,
        schema={"factory_pseudonym": pl.String, "period": pl.Date, "x": pl.Float64, "n": pl.Int64},
    )
    chosen = draw(st.lists(st.sampled_from(stored), max_size=15)) if stored else []
    incoming = [
        row | {"submission_id": f"s{i % 3}", "_row": i + 2, "x": draw(st.sampled_from(NUMBERS))}
        for i, row in enumerate(chosen)
    ]
    incoming_frame = pl.DataFrame(
        incoming,
        schema=stored_frame.schema | {"submission_id": pl.String, "_row": pl.Int64},
    )
    return stored_frame, incoming_frame


def _rows(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.rows(), key=repr)


@settings(max_examples=300, deadline=None)
@given(networks())
def test_the_rolling_history_is_the_join_it_replaces(network):
    stored, incoming = network
    with duckdb.connect() as oracle:
        expected = oracle.sql(ORACLE_SQL).pl()
    found = plausibility_history(stored, incoming, "factory_pseudonym", "period", ["x", "n"])
    assert found.columns == expected.columns
    assert found.schema == expected.schema
    assert _rows(found) == _rows(expected)


FINDINGS_ORACLE_SQL = """
    SELECT submission_id, _row, value_{name} AS value, {factor:g} AS factor,
           median_{name} AS median, low_{name} AS low, high_{name} AS high
    FROM figures
    WHERE median_{name} > 0
      AND (value_{name} > {factor:g} * median_{name} OR value_{name} * {factor:g} < median_{name})
    ORDER BY submission_id, _row
"""
"""What a plausibility rule was until 2026-12 (a query per column on the history's
figures): the oracle of :func:`plausibility_findings`."""


def _number_column(name: str, factor: float) -> Column:
    return Column(name, "number", True, "", "", "", {}, False, (), plausibility_factor=factor)


# values that lie exactly a factor from each other (3 x 1 = 3, 2.5 x 3 = 7.5, 3 x 3.3 = 9.9,
# 3 x 1.1 = 3.3, which a float's product misses) and one between a factor and the 6 digits
# its description shows (3.141592): the bounds
FIGURES = [None, -3.0, 0.0, 1.0, 1.1, 2.0, 2.5, 3.0, 3.141592, 3.3, 6.0, 7.5, 9.0, 9.9]
FACTORS = [3.0, 2.5, 10.0, 1.5, 3.3, 1.1, 3.14159265, 1234567.0, 0.00001]


@st.composite
def history_figures(draw):
    """A frame as :func:`plausibility_history` gives it, of a number column ``x`` and an
    integer column ``n``."""
    rows = []
    for i in range(draw(st.integers(0, 25))):
        row = {"submission_id": f"s{draw(st.integers(0, 2))}", "_row": i + 2}
        for name, values in (("x", FIGURES), ("n", [None, -3, 0, 1, 2, 3, 6, 9])):
            row |= {f"{f}_{name}": draw(st.sampled_from(values)) for f in ("value", "low", "high")}
            row[f"median_{name}"] = draw(st.sampled_from(FIGURES))
        rows.append(row)
    kinds = {"x": pl.Float64, "n": pl.Int64}
    schema = {"submission_id": pl.String, "_row": pl.Int64} | {
        f"{figure}_{name}": kind if figure != "median" else pl.Float64
        for name, kind in kinds.items()
        for figure in ("value", "median", "low", "high")
    }
    return pl.DataFrame(rows, schema=schema).sample(fraction=1.0, shuffle=True, seed=1)


@settings(max_examples=300, deadline=None)
@given(history_figures(), st.sampled_from(FACTORS))
def test_the_findings_are_those_of_the_query_they_replace(figures, factor):
    for name in ("x", "n"):
        rule = plausibility_rule("efficiency", _number_column(name, factor))
        with duckdb.connect() as oracle:
            oracle.register("figures", figures)
            expected = oracle.execute(FINDINGS_ORACLE_SQL.format(name=name, factor=factor))
            # the factor as a message showed it (the query gave it typed by DuckDB)
            expected_rows = [
                (*row[:3], shown_value(row[3]), *row[4:]) for row in expected.fetchall()
            ]
        assert plausibility_findings(figures, rule).rows() == expected_rows


def test_a_whole_number_exactly_the_factor_below_the_median_is_not_warned():
    """3 x 3.3 is 9.9 as the warehouse multiplies a whole number by the contract's factor
    (a float's product, 9.899999999999999, would be below a median of 9.9)."""
    figures = pl.DataFrame(
        {"submission_id": ["s", "s"], "_row": [2, 3], "value_n": [3, 2]}
        | {f"{figure}_n": [9.9, 9.9] for figure in ("median", "low", "high")}
    )
    rule = plausibility_rule("efficiency", _number_column("n", 3.3))
    assert plausibility_findings(figures, rule)["_row"].to_list() == [3]


# --- the history found before storing against the table once stored -----------------------

ONCE_STORED_SQL = """
    SELECT * FROM before
    WHERE (factory_pseudonym, period) NOT IN (SELECT (factory_pseudonym, period) FROM incoming)
    UNION ALL
    SELECT factory_pseudonym, period, x, n FROM incoming
    QUALIFY row_number() OVER (PARTITION BY factory_pseudonym, period ORDER BY _order DESC) = 1
"""
"""The table once the incoming rows are stored as ``kpi.warehouse.store`` stores them
(their months deleted, the latest file's row of each month inserted): the oracle of
:func:`history_once_stored`, which finds it before they are stored."""


@st.composite
def batches(draw):
    """A factory's stored months, and a batch of files over some of them and new ones, a
    month possibly in several files (``_order``: the file's place in the batch)."""
    stored, incoming = draw(networks())
    if incoming.height:  # in as many files as rows at most, in any order
        files = draw(
            st.lists(st.integers(0, 4), min_size=incoming.height, max_size=incoming.height)
        )
        incoming = incoming.with_columns(pl.Series("_order", files, pl.Int32))
    else:
        incoming = incoming.with_columns(pl.lit(0, pl.Int32).alias("_order"))
    # the warehouse holds other values than the batch for the months it brings
    return stored.with_columns(pl.col("x").reverse()), incoming


@settings(max_examples=300, deadline=None)
@given(batches())
def test_the_history_before_storing_is_the_table_once_stored(batch):
    before, incoming = batch
    # a month twice in one file is refused before storing: one row per month and file
    incoming = incoming.unique(["factory_pseudonym", "period", "_order"], keep="first")
    with duckdb.connect() as oracle:
        expected = oracle.sql(ONCE_STORED_SQL).pl()
    found = history_once_stored(before, incoming, "factory_pseudonym", "period")
    assert found.schema == before.schema
    assert _rows(found) == _rows(expected)
