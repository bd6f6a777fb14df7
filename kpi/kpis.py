"""Factory KPIs per month, computed in the warehouse from the KPI contract.

Every KPI has one definition (``contracts/kpis.odcs.yaml``); this module turns each into
SQL over the latest accepted base measures. A KPI whose denominator is 0 is null, never
0 and never infinite. Rolling 12-month KPIs exist only where all 12 months do.
"""

from __future__ import annotations

import duckdb

from kpi.contracts import Definition, kpi_definitions
from kpi.timing import stage
from kpi.warehouse import PSEUDONYM_COLUMN, scalar

MARTS = "marts"
FACTORY_KPIS = f"{MARTS}.factory_kpis"


def _ratio(numerator: str, denominator: str, scale: float = 1.0) -> str:
    factor = "" if scale == 1 else f"{scale!r} * "
    return (
        f"CASE WHEN ({denominator}) = 0 THEN NULL ELSE {factor}({numerator}) / ({denominator}) END"
    )


def kpi_select(definition: Definition) -> str:
    """The SELECT giving (factory_pseudonym, period, kpi, value) of one ratio or rolling KPI."""
    source = definition.domain
    name = definition.name
    if definition.kind == "ratio":
        assert definition.numerator and definition.denominator
        value = _ratio(definition.numerator, definition.denominator, definition.scale)
        return f"SELECT {PSEUDONYM_COLUMN}, period, '{name}' AS kpi, {value} AS value FROM {source}"
    if definition.kind == "retention_12m":
        assert definition.numerator and definition.denominator
        months = definition.window_months
        window = (
            f"(PARTITION BY {PSEUDONYM_COLUMN} ORDER BY period "
            f"RANGE BETWEEN INTERVAL {months - 1} MONTH PRECEDING AND CURRENT ROW)"
        )
        mean = f"avg({definition.denominator}) OVER {window}"
        value = (
            f"CASE WHEN count(*) OVER {window} < {months} OR {mean} = 0 THEN NULL "
            f"ELSE 1 - sum({definition.numerator}) OVER {window} / {mean} END"
        )
        return f"SELECT {PSEUDONYM_COLUMN}, period, '{name}' AS kpi, {value} AS value FROM {source}"
    raise ValueError(f"KPI {name}: kind {definition.kind} is computed from other KPIs")


def _product_select(definition: Definition, table: str) -> str:
    factors = " * ".join(f"max(value) FILTER (WHERE kpi = '{f}')" for f in definition.factors)
    complete = (
        f"count(value) FILTER (WHERE kpi IN ({', '.join(repr(f) for f in definition.factors)}))"
    )
    return (
        f"SELECT {PSEUDONYM_COLUMN}, period, '{definition.name}' AS kpi, "
        f"CASE WHEN {complete} = {len(definition.factors)} THEN {factors} END AS value "
        f"FROM {table} GROUP BY {PSEUDONYM_COLUMN}, period"
    )


@stage("kpis")
def compute_factory_kpis(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build ``marts.factory_kpis``: one row per factory, month and KPI. Returns rows."""
    definitions = kpi_definitions()
    direct = [d for d in definitions if d.kind != "product"]
    products = [d for d in definitions if d.kind == "product"]
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {MARTS}")
    con.execute(
        f"CREATE OR REPLACE TABLE {FACTORY_KPIS} AS "
        + " UNION ALL ".join(kpi_select(d) for d in direct)
    )
    for definition in products:
        con.execute(f"INSERT INTO {FACTORY_KPIS} {_product_select(definition, FACTORY_KPIS)}")
    return scalar(con, f"SELECT count(*) FROM {FACTORY_KPIS}")


def duplicate_keys(con: duckdb.DuckDBPyConnection) -> int:
    """How many (factory, month, KPI) of ``marts.factory_kpis`` have more than one row
    (0: one value each). When the keys' hashes all differ, so do the keys: that count
    takes a fifth of the time of grouping millions of keys, which is only done when two
    hashes are equal (a duplicate, or a collision)."""
    key = f"{PSEUDONYM_COLUMN}, period, kpi"
    if scalar(con, f"SELECT count(*) = count(DISTINCT hash({key})) FROM {FACTORY_KPIS}"):
        return 0
    return scalar(
        con,
        f"SELECT count(*) FROM (SELECT 1 FROM {FACTORY_KPIS} GROUP BY {key} HAVING count(*) > 1)",
    )
