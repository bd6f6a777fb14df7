"""Peer groups and benchmark statistics under the threshold rule.

For every KPI, month and peer group (network, sector, size band): the number of
contributing factories and the P25, median and P75 of their values (linear
interpolation), and the top-quartile boundary on the better side. Never a minimum,
maximum or single peer's value. Too few factories: published as suppressed.
"""

from __future__ import annotations

import duckdb
import polars as pl

from kpi.contracts import DATASETS, kpi_definitions
from kpi.disclosure import THRESHOLD, DisclosureSettings
from kpi.kpis import FACTORY_KPIS, MARTS
from kpi.register import FactoryRegister
from kpi.timing import stage
from kpi.warehouse import PSEUDONYM_COLUMN, scalar

FACTORY_PEER_GROUPS = f"{MARTS}.factory_peer_groups"
PEER_STATS = f"{MARTS}.peer_stats"


def compute_peer_groups(
    con: duckdb.DuckDBPyConnection,
    register: FactoryRegister,
    pseudonym_of: dict[str, str],
    disclosure: DisclosureSettings,
) -> int:
    """(Re)build ``marts.factory_peer_groups``: each factory-month's sector (from the
    register) and size band (from that month's headcount_end)."""
    sectors = pl.DataFrame(
        {
            PSEUDONYM_COLUMN: [pseudonym_of[f.code] for f in register.factories],
            "sector": [f.sector for f in register.factories],
        },
        schema={PSEUDONYM_COLUMN: pl.String, "sector": pl.String},
    )
    bands = sorted(disclosure.size_bands, key=lambda b: b.min)
    band_sql = (
        "CASE "
        + " ".join(
            f"WHEN people.headcount_end >= {band.min} THEN '{band.name}'"
            for band in reversed(bands)
        )
        + " END"
    )
    months = " UNION ".join(f"SELECT {PSEUDONYM_COLUMN}, period FROM {d}" for d in DATASETS)
    con.register("register_sectors", sectors)
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TABLE {FACTORY_PEER_GROUPS} AS
            SELECT months.{PSEUDONYM_COLUMN}, months.period, register_sectors.sector,
                   {band_sql} AS size_band
            FROM ({months}) AS months
            LEFT JOIN register_sectors USING ({PSEUDONYM_COLUMN})
            LEFT JOIN people USING ({PSEUDONYM_COLUMN}, period)
            """
        )
    finally:
        con.unregister("register_sectors")
    return scalar(con, f"SELECT count(*) FROM {FACTORY_PEER_GROUPS}")


def peer_stats_sql(disclosure: DisclosureSettings, kpis_table: str, groups_table: str) -> str:
    """SQL of the peer statistics over ``kpis_table`` and ``groups_table``."""
    memberships = []
    if "network" in disclosure.peer_groups:
        memberships.append(
            f"SELECT {PSEUDONYM_COLUMN}, period, 'network' AS peer_group FROM {groups_table}"
        )
    if "sector" in disclosure.peer_groups:
        memberships.append(
            f"SELECT {PSEUDONYM_COLUMN}, period, 'sector:' || sector FROM {groups_table} "
            "WHERE sector IS NOT NULL"
        )
    if "size" in disclosure.peer_groups:
        memberships.append(
            f"SELECT {PSEUDONYM_COLUMN}, period, 'size:' || size_band FROM {groups_table} "
            "WHERE size_band IS NOT NULL"
        )
    directions = ", ".join(f"('{d.name}', '{d.direction}')" for d in kpi_definitions())
    threshold = int(disclosure.threshold)
    return f"""
        WITH memberships AS ({" UNION ALL ".join(memberships)}),
        directions(kpi, direction) AS (VALUES {directions}),
        raw AS (
            SELECT m.peer_group, k.period, k.kpi, count(DISTINCT k.{PSEUDONYM_COLUMN}) AS n,
                   quantile_cont(k.value, 0.25) AS p25,
                   quantile_cont(k.value, 0.50) AS median,
                   quantile_cont(k.value, 0.75) AS p75
            FROM {kpis_table} AS k
            JOIN memberships AS m USING ({PSEUDONYM_COLUMN}, period)
            WHERE k.value IS NOT NULL
            GROUP BY m.peer_group, k.period, k.kpi
        )
        SELECT raw.peer_group, raw.period, raw.kpi, raw.n,
               CASE WHEN n >= {threshold} THEN p25 END AS p25,
               CASE WHEN n >= {threshold} THEN median END AS median,
               CASE WHEN n >= {threshold} THEN p75 END AS p75,
               CASE WHEN n < {threshold} THEN NULL
                    WHEN direction = 'higher' THEN p75
                    WHEN direction = 'lower' THEN p25 END AS top_quartile_boundary,
               n < {threshold} AS suppressed,
               CASE WHEN n < {threshold} THEN '{THRESHOLD}' END AS suppressed_reason
        FROM raw JOIN directions USING (kpi)
    """


@stage("peer_stats")
def compute_peer_stats(con: duckdb.DuckDBPyConnection, disclosure: DisclosureSettings) -> int:
    """(Re)build ``marts.peer_stats`` from the factory KPIs and peer groups."""
    con.execute(
        f"CREATE OR REPLACE TABLE {PEER_STATS} AS "
        + peer_stats_sql(disclosure, FACTORY_KPIS, FACTORY_PEER_GROUPS)
        + " ORDER BY peer_group, period, kpi"
    )
    return scalar(con, f"SELECT count(*) FROM {PEER_STATS}")
