"""Every KPI formula against hand-computed values; pooled ratios pool, never average."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from kpi.contracts import DATASETS, kpi_definitions, load_contract
from kpi.disclosure import DisclosureSettings
from kpi.disclosure.region import aggregate, contributions
from kpi.kpis import compute_factory_kpis, duplicate_keys
from kpi.warehouse import ensure_schema, table_columns

JAN = dt.date(2025, 1, 1)
EFFICIENCY = {  # a worked ISO 22400 month
    "planned_busy_time_h": 400.0,
    "actual_production_time_h": 360.0,
    "planned_run_time_of_output_h": 300.0,
    "produced_quantity": 10_000,
    "good_quantity": 9_500,
    "scrap_quantity": 300,
    "rework_quantity": 200,
    "direct_labour_h": 1_200.0,
    "energy_kwh": 90_000.0,
}
QUALITY = {
    "parts_shipped": 250_000,
    "parts_rejected_by_customer": 30,
    "customer_complaints": 2,
    "parts_inspected_first_pass": 10_000,
    "parts_good_first_pass": 9_400,
    "deliveries_total": 80,
    "deliveries_on_time": 74,
}
PEOPLE = {
    "headcount_start": 500,
    "headcount_end": 520,
    "hires": 30,
    "leavers": 10,
    "leavers_voluntary": 6,
    "fte_avg": 480.0,
    "temp_workers_fte": 60.0,
    "scheduled_hours": 70_000.0,
    "absence_hours": 4_200.0,
    "training_hours": 1_200.0,
    "hours_worked": 160_000.0,
    "lost_time_accidents": 2,
}


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        ensure_schema(connection)
        yield connection


def insert(con, dataset: str, factory: str, period: dt.date, values: dict) -> None:
    row = {"factory_pseudonym": factory, "period": period, **values, "submission_id": "s"}
    names = [name for name, _ in table_columns(load_contract(dataset))]
    con.execute(
        f"INSERT INTO {dataset} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[n] for n in names],
    )


def kpis_of(con, factory: str = "P-a", period: dt.date = JAN) -> dict[str, float | None]:
    compute_factory_kpis(con)
    return dict(
        con.execute(
            "SELECT kpi, value FROM marts.factory_kpis WHERE factory_pseudonym = ? AND period = ?",
            [factory, period],
        ).fetchall()
    )


def test_every_catalogue_kpi_against_hand_computed_values(con):
    insert(con, "efficiency", "P-a", JAN, EFFICIENCY)
    insert(con, "quality", "P-a", JAN, QUALITY)
    insert(con, "people", "P-a", JAN, PEOPLE)
    kpis = kpis_of(con)
    expected = {
        "availability": 360 / 400,  # 0.9
        "effectiveness": 300 / 360,
        "quality_ratio": 9_500 / 10_000,
        "oee": 0.9 * (300 / 360) * 0.95,
        "scrap_ratio": 0.03,
        "rework_ratio": 0.02,
        "labour_efficiency": 300 / 1_200,
        "energy_per_production_hour": 250.0,
        "customer_ppm": 120.0,  # 30 / 250 000 x 1 000 000
        "first_pass_yield": 0.94,
        "on_time_delivery": 74 / 80,
        "turnover_rate": 10 / 510,
        "voluntary_turnover_rate": 6 / 510,
        "voluntary_retention_12m": None,  # one month is not twelve
        "absenteeism_rate": 0.06,
        "training_hours_per_fte": 2.5,
        "temp_worker_share": 60 / 540,
        "accident_frequency_rate": 12.5,  # 2 x 1 000 000 / 160 000 hours
    }
    assert set(kpis) == {d.name for d in kpi_definitions()} == set(expected)
    for name, value in expected.items():
        assert kpis[name] == (None if value is None else pytest.approx(value)), name


def test_a_kpi_twice_for_a_factory_and_month_is_counted_once_per_key(con):
    insert(con, "efficiency", "P-a", JAN, EFFICIENCY)
    insert(con, "efficiency", "P-b", JAN, EFFICIENCY)
    compute_factory_kpis(con)
    assert duplicate_keys(con) == 0
    # every KPI of P-a twice, and P-b's OEE three times
    con.execute(
        "INSERT INTO marts.factory_kpis SELECT * FROM marts.factory_kpis "
        "WHERE factory_pseudonym = 'P-a'"
    )
    for _ in range(2):
        con.execute(
            "INSERT INTO marts.factory_kpis SELECT * FROM marts.factory_kpis "
            "WHERE factory_pseudonym = 'P-b' AND kpi = 'oee' LIMIT 1"
        )
    per_factory = con.execute(
        "SELECT count(DISTINCT kpi) FROM marts.factory_kpis WHERE factory_pseudonym = 'P-a'"
    ).fetchone()[0]
    assert duplicate_keys(con) == per_factory + 1


def test_oee_is_the_direct_formula_of_the_worked_example(con):
    insert(con, "efficiency", "P-a", JAN, EFFICIENCY)
    kpis = kpis_of(con)
    # ISO 22400: OEE = (good quantity x planned run time per unit) / planned busy time
    per_unit = EFFICIENCY["planned_run_time_of_output_h"] / EFFICIENCY["produced_quantity"]
    direct = EFFICIENCY["good_quantity"] * per_unit / EFFICIENCY["planned_busy_time_h"]
    assert kpis["oee"] == pytest.approx(direct) == pytest.approx(0.7125)
    assert kpis["oee"] == pytest.approx(
        kpis["availability"] * kpis["effectiveness"] * kpis["quality_ratio"]
    )


def test_zero_denominator_is_undefined_not_zero_or_infinite(con):
    idle = {
        **EFFICIENCY,
        "actual_production_time_h": 0.0,
        "planned_run_time_of_output_h": 0.0,
        "produced_quantity": 0,
        "good_quantity": 0,
        "scrap_quantity": 0,
        "rework_quantity": 0,
        "direct_labour_h": 0.0,
    }
    insert(con, "efficiency", "P-a", JAN, idle)
    kpis = kpis_of(con)
    assert kpis["availability"] == 0.0
    for name in (
        "effectiveness",
        "quality_ratio",
        "oee",
        "scrap_ratio",
        "labour_efficiency",
        "energy_per_production_hour",
    ):
        assert kpis[name] is None, name


def test_voluntary_retention_needs_all_twelve_months(con):
    months = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, 1, 1)]
    for index, month in enumerate(months):
        if month == dt.date(2024, 6, 1):
            continue  # a gap: the 12 months ending December 2024 are incomplete
        voluntary = 2 + index % 3
        insert(
            con,
            "people",
            "P-a",
            month,
            {
                **PEOPLE,
                "headcount_start": 400 + index,
                "headcount_end": 401 + index,
                "leavers": voluntary,
                "leavers_voluntary": voluntary,
            },
        )
    compute_factory_kpis(con)
    values = dict(
        con.execute(
            "SELECT period, value FROM marts.factory_kpis WHERE kpi = 'voluntary_retention_12m'"
        ).fetchall()
    )
    assert values[dt.date(2024, 12, 1)] is None
    assert values[dt.date(2025, 1, 1)] is None  # Feb 2024 .. Jan 2025 still misses June
    for index, month in enumerate(months):
        insert(
            con,
            "people",
            "P-b",
            month,
            {
                **PEOPLE,
                "headcount_start": 100,
                "headcount_end": 100,
                "leavers": 1,
                "leavers_voluntary": 1 if index else 5,
            },
        )
    compute_factory_kpis(con)
    (value,) = con.execute(
        "SELECT value FROM marts.factory_kpis WHERE kpi = 'voluntary_retention_12m' "
        "AND factory_pseudonym = 'P-b' AND period = DATE '2024-12-01'"
    ).fetchall()[0]
    assert value == pytest.approx(1 - (5 + 11) / 100)


def test_pooled_ratios_sum_numerators_and_denominators_first(con):
    # A big plant with mostly local staff, a small one with few: the mean of the two
    # shares is 0.5; the network's share is 910 / 1 100.
    for factory, headcount, locals_ in (("P-big", 1_000, 900), ("P-small", 100, 10)):
        insert(
            con,
            "people",
            factory,
            JAN,
            {**PEOPLE, "headcount_start": headcount, "headcount_end": headcount},
        )
        insert(
            con,
            "regional",
            factory,
            JAN,
            {
                "employees_resident_in_region": locals_,
                "hires_resident_in_region": 0,
                "apprentices": 0,
                "interns": 0,
                "purchasing_spend_eur": 1.0,
                "purchasing_spend_regional_eur": 0.0,
                "investment_eur": 0.0,
            },
        )
    anyone = DisclosureSettings(threshold=1, p_percent=0)
    result = aggregate(contributions(con), anyone)
    share = result.filter(pl.col("indicator") == "local_employment_share")["value"].item()
    assert share == pytest.approx(910 / 1_100, abs=0.0005)  # published at 0.1 % precision
    assert share != pytest.approx((0.9 + 0.1) / 2)
    employment = result.filter(pl.col("indicator") == "employment")["value"].item()
    assert employment == 1_100


def test_every_dataset_feeds_some_kpi():
    domains = {d.domain for d in kpi_definitions()}
    assert domains == set(DATASETS) - {"regional"}


def test_contributions_come_in_a_fixed_order(con):
    """Sums are added in row order: rows in whatever order the join returns them made a
    total ending in .5 round either way from one run to the next."""
    for factory in ("P-c", "P-a", "P-b"):
        for month in (JAN, dt.date(2025, 2, 1)):
            insert(con, "people", factory, month, PEOPLE)
    rows = contributions(con)
    assert rows.height
    assert rows.equals(rows.sort("indicator", "period", "factory_pseudonym"))
