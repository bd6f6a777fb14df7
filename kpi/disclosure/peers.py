"""Peer groups and the peer statistics of one month, under the disclosure rules.

Peer groups (configured per calendar year): the whole network; the sector (from the
register, merged as configured for a small network); the size band by the factory's
average headcount of the *previous* calendar year, so that a band does not flip with one
month's figure. Per KPI, peer group and month: the median from ``median_min_n``
contributors, P25, P75 and the top-quartile boundary from ``quartiles_min_n``, each a
Harrell-Davis estimate over every value, rounded to the KPI's display precision; the
number of factories only as a band. Two published groups of the same month and KPI must
differ by at least the threshold in members, or the smaller one is suppressed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import polars as pl

from kpi.contracts import Definition, kpi_definitions
from kpi.disclosure import quantiles
from kpi.disclosure.rules import (
    OVERLAP,
    THRESHOLD,
    DisclosureSettings,
    contributor_count,
)
from kpi.kpis import FACTORY_KPIS, MARTS
from kpi.register import FactoryRegister
from kpi.warehouse import PSEUDONYM_COLUMN, scalar

FACTORY_PEER_GROUPS = f"{MARTS}.factory_peer_groups"

ESTIMATOR = quantiles.harrell_davis
"""The quantile estimator of every published statistic (see :mod:`quantiles`)."""


def compute_peer_groups(
    con: duckdb.DuckDBPyConnection,
    register: FactoryRegister,
    pseudonym_of: dict[str, str],
    disclosure: DisclosureSettings,
) -> int:
    """(Re)build ``marts.factory_peer_groups``: each factory-month's peer groups, one row
    per membership (``network``, ``sector:<group>``, ``size:<band>``)."""
    from kpi.contracts import DATASETS

    months = " UNION ".join(f"SELECT {PSEUDONYM_COLUMN}, period FROM {d}" for d in DATASETS)
    factory_months = con.sql(f"SELECT DISTINCT * FROM ({months})").pl()
    headcounts = con.sql(
        f"SELECT {PSEUDONYM_COLUMN}, year(period) + 1 AS year, avg(headcount_end) AS headcount "
        f"FROM people GROUP BY ALL"
    ).pl()
    sector_of = {pseudonym_of[f.code]: f.sector for f in register.factories}
    headcount_of = {
        (row[PSEUDONYM_COLUMN], row["year"]): row["headcount"]
        for row in headcounts.iter_rows(named=True)
    }
    rows: list[tuple[str, dt.date, str]] = []
    for pseudonym, period in factory_months.iter_rows():
        config = disclosure.groups_of_year(period.year)
        if "network" in config.kinds:
            rows.append((pseudonym, period, "network"))
        sector = config.sector_group(sector_of.get(pseudonym))
        if "sector" in config.kinds and sector is not None:
            rows.append((pseudonym, period, f"sector:{sector}"))
        band = config.size_band(headcount_of.get((pseudonym, period.year)))
        if "size" in config.kinds and band is not None:
            rows.append((pseudonym, period, f"size:{band}"))
    memberships = pl.DataFrame(
        rows,
        schema={PSEUDONYM_COLUMN: pl.String, "period": pl.Date, "peer_group": pl.String},
        orient="row",
    )
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {MARTS}")
    con.register("memberships", memberships)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {FACTORY_PEER_GROUPS} AS SELECT * FROM memberships")
    finally:
        con.unregister("memberships")
    return scalar(con, f"SELECT count(*) FROM {FACTORY_PEER_GROUPS}")


@dataclass
class PeerStatistic:
    """One peer statistic of a month, with the values it is made of (its basis)."""

    peer_group: str
    kpi: str
    values: dict[str, float]
    """factory pseudonym -> its KPI value."""
    contributors: int
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    top_quartile_boundary: float | None = None
    reason: str | None = None
    members: frozenset[str] = field(default_factory=frozenset)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def suppressed(self) -> bool:
        return self.reason is not None


def month_inputs(con: duckdb.DuckDBPyConnection, period: dt.date) -> pl.DataFrame:
    """(pseudonym, peer_group, kpi, value) of one month: every factory's KPI values under
    each of its peer groups."""
    return con.sql(
        f"""
        SELECT g.{PSEUDONYM_COLUMN}, g.peer_group, k.kpi, k.value
        FROM {FACTORY_PEER_GROUPS} AS g
        JOIN {FACTORY_KPIS} AS k USING ({PSEUDONYM_COLUMN}, period)
        WHERE g.period = ? AND k.value IS NOT NULL AND isfinite(k.value)
        """,
        params=[period],
    ).pl()


def inputs_of_months(
    con: duckdb.DuckDBPyConnection, periods: list[dt.date]
) -> dict[dt.date, pl.DataFrame]:
    """:func:`month_inputs` of each of ``periods``, read with one query."""
    frame = con.sql(
        f"""
        SELECT g.period, g.{PSEUDONYM_COLUMN}, g.peer_group, k.kpi, k.value
        FROM {FACTORY_PEER_GROUPS} AS g
        JOIN {FACTORY_KPIS} AS k USING ({PSEUDONYM_COLUMN}, period)
        WHERE list_contains($periods, g.period) AND k.value IS NOT NULL
          AND isfinite(k.value)
        """,
        params={"periods": periods},
    ).pl()
    parts = {
        key[0]: part.drop("period")
        for key, part in frame.partition_by("period", as_dict=True).items()
    }
    empty = frame.drop("period").clear()
    return {period: parts.get(period, empty) for period in periods}


def statistics_of_month(
    inputs: pl.DataFrame,
    disclosure: DisclosureSettings,
    contributor_of: dict[str, str],
    definitions: tuple[Definition, ...] | None = None,
) -> dict[tuple[str, str], PeerStatistic]:
    """Every peer statistic of one month from its ``inputs`` (see :func:`month_inputs`),
    with the threshold, the minimum sizes, rounding and the overlap rule applied."""
    by_name = {d.name: d for d in definitions or kpi_definitions()}
    statistics: dict[tuple[str, str], PeerStatistic] = {}
    grouped = inputs.group_by("peer_group", "kpi").agg(PSEUDONYM_COLUMN, "value")
    for group, kpi, pseudonyms, values in grouped.iter_rows():
        definition = by_name.get(kpi)
        if definition is None:
            continue
        basis = dict(zip(pseudonyms, values, strict=True))
        statistic = PeerStatistic(
            group,
            kpi,
            basis,
            contributor_count(basis, contributor_of),
            members=frozenset(basis),
        )
        _estimate(statistic, disclosure, definition)
        statistics[(group, kpi)] = statistic
    _apply_overlap_rule(statistics, disclosure)
    return statistics


def _estimate(statistic: PeerStatistic, rules: DisclosureSettings, definition: Definition) -> None:
    if statistic.contributors < max(rules.threshold, rules.median_min_n):
        statistic.reason = THRESHOLD
        return
    values = np.fromiter(statistic.values.values(), dtype=float)
    decimals = definition.decimals
    statistic.median = quantiles.round_to(ESTIMATOR(values, 0.5), decimals)
    if statistic.contributors >= max(rules.threshold, rules.quartiles_min_n):
        statistic.p25 = quantiles.round_to(ESTIMATOR(values, 0.25), decimals)
        statistic.p75 = quantiles.round_to(ESTIMATOR(values, 0.75), decimals)
        statistic.top_quartile_boundary = {
            "higher": statistic.p75,
            "lower": statistic.p25,
        }.get(definition.direction)


def _apply_overlap_rule(
    statistics: dict[tuple[str, str], PeerStatistic], rules: DisclosureSettings
) -> None:
    """Two published groups of one KPI whose members differ by fewer than the threshold
    would reveal the few factories in between: the smaller one is suppressed."""
    by_kpi: dict[str, list[PeerStatistic]] = {}
    for statistic in statistics.values():
        by_kpi.setdefault(statistic.kpi, []).append(statistic)
    for family in by_kpi.values():
        # largest first: the network stays, the groups nested in it give way
        family.sort(key=lambda s: (-s.n, s.peer_group))
        for position, smaller in enumerate(family):
            if smaller.suppressed:
                continue
            for larger in family[:position]:
                if larger.suppressed:
                    continue
                if len(larger.members ^ smaller.members) < rules.threshold:
                    smaller.reason = OVERLAP
                    smaller.p25 = smaller.median = smaller.p75 = None
                    smaller.top_quartile_boundary = None
                    break


def peer_statistics(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    disclosure: DisclosureSettings,
    contributor_of: dict[str, str],
) -> dict[tuple[str, str], PeerStatistic]:
    """The peer statistics of ``period`` from the warehouse's current figures."""
    return statistics_of_month(month_inputs(con, period), disclosure, contributor_of)
