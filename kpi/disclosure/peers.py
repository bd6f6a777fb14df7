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
    # a factory's groups change with the year only (the year's configuration, the
    # previous year's headcount): worked out once per factory and year, not per month
    factory_months = factory_months.with_columns(pl.col("period").dt.year().alias("_year"))
    pairs = factory_months.select(PSEUDONYM_COLUMN, "_year").unique()
    groups = []
    for pseudonym, year in pairs.iter_rows():
        config = disclosure.groups_of_year(year)
        own = []
        if "network" in config.kinds:
            own.append("network")
        sector = config.sector_group(sector_of.get(pseudonym))
        if "sector" in config.kinds and sector is not None:
            own.append(f"sector:{sector}")
        band = config.size_band(headcount_of.get((pseudonym, year)))
        if "size" in config.kinds and band is not None:
            own.append(f"size:{band}")
        groups.append(own)
    memberships = (
        factory_months.join(
            pairs.with_columns(pl.Series("peer_group", groups, pl.List(pl.String))),
            on=[PSEUDONYM_COLUMN, "_year"],
            how="left",
            maintain_order="left",
        )
        .explode("peer_group")
        .drop_nulls("peer_group")
        .select(PSEUDONYM_COLUMN, "period", "peer_group")
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


IS_INPUT = "value IS NOT NULL AND isfinite(value)"
"""SQL: a KPI value that goes into the statistics (given, and a number)."""
IN_MONTHS = (
    "period BETWEEN list_min($periods) AND list_max($periods) AND list_contains($periods, period)"
)
"""SQL: the row is of one of the months ``$periods`` (the range first: DuckDB skips the
blocks of other months)."""

KPI_INPUTS_OF_MONTHS = f"""
    SELECT period, {PSEUDONYM_COLUMN}, kpi, value FROM {FACTORY_KPIS}
    WHERE {IN_MONTHS} AND {IS_INPUT}"""
"""SQL: every factory's KPI values of the months ``$periods`` that go into the statistics
(period, pseudonym, kpi, value)."""
MEMBERSHIPS_OF_MONTHS = f"""
    SELECT period, {PSEUDONYM_COLUMN}, peer_group FROM {FACTORY_PEER_GROUPS}
    WHERE {IN_MONTHS}"""
"""SQL: every factory's peer groups of the months ``$periods`` (period, pseudonym,
peer_group)."""
INPUTS_OF_MONTHS = f"""
    SELECT period, {PSEUDONYM_COLUMN}, peer_group, kpi, value
    FROM ({MEMBERSHIPS_OF_MONTHS})
    JOIN ({KPI_INPUTS_OF_MONTHS}) USING ({PSEUDONYM_COLUMN}, period)"""
"""SQL: the inputs of the months ``$periods`` (as :func:`month_inputs` gives them each, with
the month): :data:`KPI_INPUTS_OF_MONTHS` under each of the factory's
:data:`MEMBERSHIPS_OF_MONTHS`. A factory is in three groups or so, so a release keeps the
two apart as its peer basis (fewer than half the rows, see
``releases.RELEASE_PEER_INPUTS``): this join is what they stand for, and what the tests
of the peer basis hold them to (the code reads the two apart)."""


def month_inputs(con: duckdb.DuckDBPyConnection, period: dt.date) -> pl.DataFrame:
    """(pseudonym, peer_group, kpi, value) of one month: every factory's KPI values under
    each of its peer groups."""
    return con.sql(
        f"""
        SELECT g.{PSEUDONYM_COLUMN}, g.peer_group, k.kpi, k.value
        FROM {FACTORY_PEER_GROUPS} AS g
        JOIN {FACTORY_KPIS} AS k USING ({PSEUDONYM_COLUMN}, period)
        WHERE g.period = ? AND {IS_INPUT}
        """,
        params=[period],
    ).pl()


def values_of_months(
    con: duckdb.DuckDBPyConnection, periods: list[dt.date]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What :func:`month_inputs` is made of, for all of ``periods`` at once: every factory's
    KPI values (period, pseudonym, kpi, value) and its peer groups (period, pseudonym,
    peer_group). Read apart, not joined: a factory is in three groups or so, and a
    history of months holds millions of values already."""
    values = con.sql(KPI_INPUTS_OF_MONTHS, params={"periods": periods}).pl()
    memberships = con.sql(MEMBERSHIPS_OF_MONTHS, params={"periods": periods}).pl()
    return values, memberships


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
    _apply_overlap_rule(statistics, disclosure, contributor_of)
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
    statistics: dict[tuple[str, str], PeerStatistic],
    rules: DisclosureSettings,
    contributor_of: dict[str, str],
) -> None:
    """Two published groups of one KPI whose members differ by fewer than the threshold
    would reveal the few factories in between: the smaller one is suppressed. The
    factories in between are counted as contributors, as the threshold counts them: five
    sister plants of one company group are one contributor, not five."""
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
                between = larger.members ^ smaller.members
                if contributor_count(between, contributor_of) < rules.threshold:
                    smaller.reason = OVERLAP
                    smaller.p25 = smaller.median = smaller.p75 = None
                    smaller.top_quartile_boundary = None
                    break


STATISTIC_SCHEMA = {
    "period": pl.Date,
    "peer_group": pl.String,
    "kpi": pl.String,
    "n": pl.Int64,
    "contributors": pl.Int64,
    "p25": pl.Float64,
    "median": pl.Float64,
    "p75": pl.Float64,
    "top_quartile_boundary": pl.Float64,
    "suppressed": pl.Boolean,
    "suppressed_reason": pl.String,
}
"""The columns of a peer statistic as released (``marts.peer_stats`` without the release's
revision and status)."""


def statistics_of_months(
    values: pl.DataFrame,
    memberships: pl.DataFrame,
    disclosure: DisclosureSettings,
    contributor_of: dict[str, str],
    definitions: tuple[Definition, ...] | None = None,
) -> pl.DataFrame:
    """:func:`statistics_of_month` of every month of ``values`` and ``memberships`` (see
    :func:`values_of_months`), as rows of :data:`STATISTIC_SCHEMA`.

    The same rules and the same estimates, to the bit (each group's values go to the
    estimator as before; only their order differs, and the estimator sorts them), but
    gathered for a history of months, millions of values, without a Python step per
    value. A factory's groups are the same for every KPI of a month, so its values are
    grouped once by month, KPI and *set of groups* (a "cell"): a peer group's values are
    its cells' values, and two groups share the factories of the cells in both.
    ``values`` holds one row per factory, month and KPI, as the warehouse's keys make
    it. Checked against :func:`statistics_of_month` in
    ``tests/disclosure/test_batch_equivalence.py``."""
    by_name = {d.name: d for d in definitions or kpi_definitions()}
    # cells and contributors are numbered in Polars (a history has over a hundred thousand
    # factory-months): a set of groups is written as its groups' numbers in name order
    names = memberships["peer_group"].unique().sort()
    groups_of = (
        memberships.with_columns(
            pl.col("peer_group").replace_strict(
                names, pl.int_range(names.len()), return_dtype=pl.Int64
            )
        )
        .group_by("period", PSEUDONYM_COLUMN)
        .agg(pl.col("peer_group").unique().sort().alias("groups"))
        .with_columns(
            pl.col("groups").cast(pl.List(pl.String)).list.join(",").rank("dense").alias("cell"),
            pl.col(PSEUDONYM_COLUMN)
            .replace_strict(
                contributor_of, default=pl.col(PSEUDONYM_COLUMN), return_dtype=pl.String
            )
            .rank("dense")
            .alias("contributor"),
        )
    )
    name_of = names.to_list()  # a group's number -> its name
    groups_in = {
        cell: tuple(name_of[g] for g in groups)
        for cell, groups in groups_of.select("cell", "groups").unique("cell").iter_rows()
    }
    cells = (
        values.filter(pl.col("kpi").is_in(list(by_name)))
        .join(
            groups_of.select("period", PSEUDONYM_COLUMN, "cell", "contributor"),
            on=["period", PSEUDONYM_COLUMN],
        )
        .group_by("period", "kpi", "cell")
        .agg(pl.len().alias("n"), pl.col("value"), pl.col("contributor"))
        .sort("period", "kpi", "cell")
    )
    # every cell's values one after the other: a cell is a slice, not a Python list
    flat_values = cells["value"].explode().to_numpy()
    flat_contributors = cells["contributor"].explode().to_numpy()
    ends = np.cumsum(cells["n"].to_numpy())
    families: dict[tuple, list[tuple[tuple[str, ...], slice]]] = {}
    for (period, kpi, cell, n), end in zip(
        cells.select("period", "kpi", "cell", "n").iter_rows(), ends, strict=True
    ):
        families.setdefault((period, kpi), []).append((groups_in[cell], slice(end - n, end)))
    rows = []
    for (period, kpi), family in families.items():
        rows += _family_statistics(
            period, by_name[kpi], family, flat_values, flat_contributors, disclosure
        )
    return pl.DataFrame(rows, schema=STATISTIC_SCHEMA, orient="row")


def _quantile(ordered: np.ndarray, p: float) -> float:
    """:data:`ESTIMATOR` of values in ascending order: Harrell-Davis does not sort them
    again for each of a group's quantiles (the same weighted sum, to the bit)."""
    if ESTIMATOR is quantiles.harrell_davis:
        return quantiles.harrell_davis_of_sorted(ordered, p)
    return ESTIMATOR(ordered, p)


def _family_statistics(
    period: dt.date,
    definition: Definition,
    family: list[tuple[tuple[str, ...], slice]],
    values: np.ndarray,
    contributors: np.ndarray,
    rules: DisclosureSettings,
) -> list[dict]:
    """The statistics of one month and KPI from its cells (each: the groups its factories
    are in, and where their values and contributors are), as :func:`_estimate` and
    :func:`_apply_overlap_rule` make them."""
    cells_of: dict[str, list[slice]] = {}
    for groups, cell in family:
        for group in groups:
            cells_of.setdefault(group, []).append(cell)
    # which contributors (numbered 1, 2, 3 ...) each cell has, and which cells each group
    # is made of: the distinct contributors of any union of cells (a group, or the
    # factories in exactly one of two groups) are the columns where one of its rows is set
    width = 1 + max(int(contributors[cell].max()) for _, cell in family)
    present = np.zeros((len(family), width), dtype=bool)
    for row_of_cell, (_, cell) in enumerate(family):
        present[row_of_cell, contributors[cell]] = True
    in_group = {group: np.array([group in groups for groups, _ in family]) for group in cells_of}

    def distinct(cells: np.ndarray) -> int:
        """The distinct contributors of the ``cells`` (a mask over the family's)."""
        return int(np.count_nonzero(present[cells].any(axis=0)))

    median_from = max(rules.threshold, rules.median_min_n)
    quartiles_from = max(rules.threshold, rules.quartiles_min_n)
    rows = []
    for group, cells in cells_of.items():
        ordered = np.sort(np.concatenate([values[cell] for cell in cells]))
        row = dict.fromkeys(STATISTIC_SCHEMA)
        row.update(
            period=period,
            peer_group=group,
            kpi=definition.name,
            n=len(ordered),
            contributors=distinct(in_group[group]),
        )
        if row["contributors"] < median_from:
            row["suppressed_reason"] = THRESHOLD
        else:
            decimals = definition.decimals
            row["median"] = quantiles.round_to(_quantile(ordered, 0.5), decimals)
            if row["contributors"] >= quartiles_from:
                row["p25"] = quantiles.round_to(_quantile(ordered, 0.25), decimals)
                row["p75"] = quantiles.round_to(_quantile(ordered, 0.75), decimals)
                row["top_quartile_boundary"] = {"higher": row["p75"], "lower": row["p25"]}.get(
                    definition.direction
                )
        rows.append(row)

    def between(one: str, other: str) -> int:
        """The distinct contributors of the factories in exactly one of the two groups."""
        return distinct(in_group[one] != in_group[other])

    # the overlap rule as in _apply_overlap_rule: the groups' difference, in contributors
    rows.sort(key=lambda s: (-s["n"], s["peer_group"]))  # largest first
    for position, smaller in enumerate(rows):
        if smaller["suppressed_reason"] is not None:
            continue
        for larger in rows[:position]:
            if larger["suppressed_reason"] is not None:
                continue
            if between(smaller["peer_group"], larger["peer_group"]) < rules.threshold:
                smaller["suppressed_reason"] = OVERLAP
                smaller["p25"] = smaller["median"] = smaller["p75"] = None
                smaller["top_quartile_boundary"] = None
                break
    for row in rows:
        row["suppressed"] = row["suppressed_reason"] is not None
    return rows


def peer_statistics(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    disclosure: DisclosureSettings,
    contributor_of: dict[str, str],
) -> dict[tuple[str, str], PeerStatistic]:
    """The peer statistics of ``period`` from the warehouse's current figures."""
    return statistics_of_month(month_inputs(con, period), disclosure, contributor_of)
