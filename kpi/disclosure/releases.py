"""Monthly releases and revisions: when figures become visible to peers and the city.

A factory sees its own figures as soon as its file is stored. Peer statistics and the
city's indicators of a month are published once, as a **release**, when the month closes
(on the close day, or earlier by the coordinator), and are then frozen. A late file or a
correction of a released month is stored but changes nothing published until a
**revision** of that month, and even then a figure is revised only where the change is
publishable as a figure of its own: the factories whose data changed pass the threshold
(and, for sums, the p % rule on their changes). Elsewhere the released value stays,
marked ``not_revised``. Every published version is kept (``*_history``), with the values
each figure was made of (``release_basis``; a released month's peer statistics' as its KPI
inputs and peer-group memberships, ``release_peer_inputs`` and ``release_peer_groups``;
warehouse only), so that the next revision knows what changed since.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import numpy as np
import polars as pl

from kpi.contracts import DATASETS, indicator_definitions
from kpi.disclosure import peers, region
from kpi.disclosure.rules import (
    DIFFERENCING,
    THRESHOLD,
    DisclosureSettings,
    change_reason,
    contributor_count,
)
from kpi.kpis import FACTORY_KPIS, MARTS
from kpi.overlap import by_weight
from kpi.timing import stage
from kpi.warehouse import PSEUDONYM_COLUMN, SUBMISSIONS_TABLE

log = logging.getLogger(__name__)

RELEASES = f"{MARTS}.releases"
PEER_STATS = f"{MARTS}.peer_stats"
PEER_STATS_HISTORY = f"{MARTS}.peer_stats_history"
REGION_INDICATORS = f"{MARTS}.region_indicators"
REGION_INDICATORS_HISTORY = f"{MARTS}.region_indicators_history"
RELEASE_BASIS = f"{MARTS}.release_basis"
"""Per released figure (``peer`` or ``region``), the values of each factory it was made of.
A month's peer statistics have theirs here only when it was released before the factored
tables came (2026-12-03) or a revision revised one of them since (see
:data:`RELEASE_PEER_INPUTS`)."""
RELEASE_PEER_INPUTS = f"{MARTS}.release_peer_inputs"
"""The peer basis of each month as released, factored: every factory's KPI values that
went into the statistics (:data:`peers.KPI_INPUTS_OF_MONTHS`), and with
:data:`RELEASE_PEER_GROUPS` its peer groups. Their join on factory and month is the basis of
every peer statistic of the month (:data:`peers.INPUTS_OF_MONTHS`): a factory is in three
groups or so, and a history of months writes fewer than half the rows this way.

A month's peer basis is in one of two forms, never both: here (released since this table
came, 2026-12-03, no peer statistic revised since) or as ``peer`` rows of
:data:`RELEASE_BASIS` (released before, or revised: a revision that revises a peer
statistic first expands the month into those rows, then replaces the revised figures'
basis). :func:`_basis_of` reads both, so a warehouse from before needs no migration."""
RELEASE_PEER_GROUPS = f"{MARTS}.release_peer_groups"
"""The peer groups of every factory of each month as released
(:data:`peers.MEMBERSHIPS_OF_MONTHS`): the other half of :data:`RELEASE_PEER_INPUTS`."""
PEER_BASIS_SOURCES = {
    RELEASE_PEER_INPUTS: peers.KPI_INPUTS_OF_MONTHS,
    RELEASE_PEER_GROUPS: peers.MEMBERSHIPS_OF_MONTHS,
}
"""The peer basis a release keeps: each table, and the SQL of the months ``$periods`` it
is written from, straight from the warehouse's tables (millions of rows for a history of
months, not passing through Python)."""
SUPERSEDED_BASIS = f"{MARTS}.release_basis_superseded"
"""The city figures' bases of every version a revision replaced, published before (the
city has seen them, and can subtract them from a later month: differencing checks them
too). Kept from the day it was introduced (2026-12-03): versions replaced before that
are not known."""

RELEASED, REVISED, NOT_REVISED = "released", "revised", "not_revised"
NEIGHBOUR_MONTHS = 12
"""A published sum is checked against the same figure published up to a year apart: a
user can subtract any two of them."""

_PEER_COLUMNS = """
    period DATE NOT NULL, peer_group VARCHAR NOT NULL, kpi VARCHAR NOT NULL,
    n INTEGER NOT NULL, contributors INTEGER NOT NULL, p25 DOUBLE, median DOUBLE, p75 DOUBLE,
    top_quartile_boundary DOUBLE, suppressed BOOLEAN NOT NULL, suppressed_reason VARCHAR,
    revision INTEGER NOT NULL, status VARCHAR NOT NULL"""
_REGION_COLUMNS = """
    period DATE NOT NULL, indicator VARCHAR NOT NULL, scope VARCHAR NOT NULL, value DOUBLE,
    n INTEGER NOT NULL, coverage_of INTEGER NOT NULL, suppressed BOOLEAN NOT NULL,
    suppressed_reason VARCHAR, revision INTEGER NOT NULL, status VARCHAR NOT NULL"""
DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {MARTS}",
    f"""CREATE TABLE IF NOT EXISTS {RELEASES} (
        period DATE NOT NULL, revision INTEGER NOT NULL, kind VARCHAR NOT NULL,
        released_at TIMESTAMPTZ NOT NULL, requested_by VARCHAR, factories INTEGER NOT NULL,
        contributors INTEGER NOT NULL, figures_published INTEGER NOT NULL,
        figures_revised INTEGER NOT NULL, figures_not_revised INTEGER NOT NULL,
        PRIMARY KEY (period, revision))""",
    f"CREATE TABLE IF NOT EXISTS {PEER_STATS} ({_PEER_COLUMNS}, "
    "PRIMARY KEY (period, peer_group, kpi))",
    f"CREATE TABLE IF NOT EXISTS {PEER_STATS_HISTORY} ({_PEER_COLUMNS})",
    f"CREATE TABLE IF NOT EXISTS {REGION_INDICATORS} ({_REGION_COLUMNS}, "
    "PRIMARY KEY (period, indicator, scope))",
    f"CREATE TABLE IF NOT EXISTS {REGION_INDICATORS_HISTORY} ({_REGION_COLUMNS})",
    f"""CREATE TABLE IF NOT EXISTS {RELEASE_BASIS} (
        period DATE NOT NULL, figure VARCHAR NOT NULL, figure_group VARCHAR NOT NULL,
        name VARCHAR NOT NULL, {PSEUDONYM_COLUMN} VARCHAR NOT NULL,
        numerator DOUBLE, denominator DOUBLE)""",
    f"""CREATE TABLE IF NOT EXISTS {RELEASE_PEER_INPUTS} (
        period DATE NOT NULL, {PSEUDONYM_COLUMN} VARCHAR NOT NULL, kpi VARCHAR NOT NULL,
        value DOUBLE NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {RELEASE_PEER_GROUPS} (
        period DATE NOT NULL, {PSEUDONYM_COLUMN} VARCHAR NOT NULL,
        peer_group VARCHAR NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {SUPERSEDED_BASIS} (
        period DATE NOT NULL, revision INTEGER NOT NULL, figure_group VARCHAR NOT NULL,
        name VARCHAR NOT NULL, {PSEUDONYM_COLUMN} VARCHAR NOT NULL,
        numerator DOUBLE, denominator DOUBLE)""",
)
BASIS_SCHEMA = {
    "period": pl.Date,
    "figure": pl.String,
    "figure_group": pl.String,
    "name": pl.String,
    PSEUDONYM_COLUMN: pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
}


def today() -> dt.date:
    """The date releases are decided on. ``KPI_TODAY`` (YYYY-MM-DD) fixes it for a demo
    or a test; otherwise the calendar's."""
    fixed = os.environ.get("KPI_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def ensure_release_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


@dataclass
class Publication:
    """What a release needs besides the warehouse: the rules, who counts as one
    contributor, how many factories the network expects, and who asked."""

    disclosure: DisclosureSettings
    contributor_of: dict[str, str]
    """factory pseudonym -> contributor (its company group, or itself)."""
    expected_factories: int | Callable[[dt.date], int]
    """How many factories the network expects to report a month (coverage "n of N"): a
    count, or per month (a factory that joined later or left is not expected)."""
    breakdowns: dict[str, dict[str, str]] = field(default_factory=dict)
    requested_by: str | None = None


@dataclass
class Outcome:
    """What became of one request to close or revise a month."""

    period: dt.date
    action: str
    """released, revised, held (changes waiting, none publishable: every figure stays as
    released, marked not revised), unchanged, already_released, not_released, too_few."""
    revision: int | None = None
    published: int = 0
    revised: int = 0
    not_revised: int = 0
    contributors: int = 0


def released_revisions(con: duckdb.DuckDBPyConnection) -> dict[dt.date, int]:
    """Released month -> its latest revision (0 = the release itself)."""
    ensure_release_tables(con)
    rows = con.execute(f"SELECT period, max(revision) FROM {RELEASES} GROUP BY period")
    return dict(rows.fetchall())


def month_contributors(
    con: duckdb.DuckDBPyConnection, period: dt.date, contributor_of: dict[str, str]
) -> tuple[int, int]:
    """(factories, distinct contributors) with any KPI of ``period``."""
    factories = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT {PSEUDONYM_COLUMN} FROM {FACTORY_KPIS} "
            "WHERE period = ? AND value IS NOT NULL",
            [period],
        ).fetchall()
    ]
    return len(factories), contributor_count(factories, contributor_of)


def months_with_figures(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    return [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT period FROM {FACTORY_KPIS} WHERE value IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]


def due_months(
    con: duckdb.DuckDBPyConnection, on: dt.date, disclosure: DisclosureSettings
) -> list[dt.date]:
    """Months with figures whose close day has come and that are not released yet,
    oldest first (each release is checked against the ones before it)."""
    released = released_revisions(con)
    return [
        period
        for period in months_with_figures(con)
        if period not in released and disclosure.close_date(period) <= on
    ]


class PublishedRegion:
    """The city's figures as published (released or revised, not suppressed), with the
    values each was made of: what a new figure is checked against for differencing.

    Read once from the warehouse for the months a release needs, and extended with every
    month released since, so that a history of months is released in one pass without
    querying the growing ``release_basis`` again for each month. Factories are numbered,
    and each figure's parts kept as arrays, so that differencing is arithmetic."""

    def __init__(self) -> None:
        self.names: list[str] = []
        """factory number -> its pseudonym."""
        self._number: dict[str, int] = {}
        self._numbered: dict[tuple[str, ...], np.ndarray] = {}
        """Factories, in an order asked for -> their numbers: a month's figures are mostly
        of the same factories, asked for again for every figure and part (a number, once
        given, never changes)."""
        self._months: dict[dt.date, dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]]
        self._months = {}
        self._superseded: dict[
            dt.date, list[dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]]
        ] = {}
        """Month -> the parts of each version of it a revision replaced, oldest first."""

    def number(self, factory: str) -> int:
        """The number of ``factory`` (a new one gets the next)."""
        found = self._number.get(factory)
        if found is None:
            found = self._number[factory] = len(self.names)
            self.names.append(factory)
        return found

    def numbers(self, factories: Iterable[str]) -> np.ndarray:
        """The numbers of ``factories`` in their order, as :meth:`number` one after the
        other gives them (new ones get the next, in the order they first come), without a
        Python call per factory; read-only (the same array for the same factories)."""
        names = tuple(factories)
        found = self._numbered.get(names)
        if found is None:
            if not self._number.keys() >= set(names):
                for factory in [f for f in dict.fromkeys(names) if f not in self._number]:
                    self._number[factory] = len(self.names)
                    self.names.append(factory)
            found = np.fromiter(map(self._number.__getitem__, names), np.int64, len(names))
            found.flags.writeable = False  # given to every caller with these factories
            self._numbered[names] = found
        return found

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> PublishedRegion:
        """What the warehouse has published for the months ``first`` to ``last``."""
        frame = con.sql(
            f"""
            SELECT b.period, b.name, b.figure_group, b.{PSEUDONYM_COLUMN},
                   b.numerator, b.denominator
            FROM {RELEASE_BASIS} AS b
            JOIN {REGION_INDICATORS} AS r
              ON r.period = b.period AND r.indicator = b.name AND r.scope = b.figure_group
            WHERE b.figure = 'region' AND NOT r.suppressed
              AND b.period BETWEEN $first AND $last
            """,
            params={"first": first, "last": last},
        ).pl()
        published = cls()
        if frame.height:
            for (period,), month in frame.partition_by("period", as_dict=True).items():
                published._add_basis(period, month)
        superseded = con.sql(
            f"""
            SELECT period, revision, name, figure_group, {PSEUDONYM_COLUMN}, numerator,
                   denominator
            FROM {SUPERSEDED_BASIS} WHERE period BETWEEN $first AND $last
            ORDER BY period, revision
            """,
            params={"first": first, "last": last},
        ).pl()
        if superseded.height:
            for (period, _), version in superseded.partition_by(
                "period", "revision", as_dict=True, maintain_order=True
            ).items():
                published._superseded.setdefault(period, []).append(published._parts(version))
        return published

    def add(self, period: dt.date, figures: Iterable[region.Figure]) -> None:
        """The figures of ``period`` as just released (the suppressed ones publish
        nothing): what :meth:`_add_basis` keeps of their basis rows, taken from the
        figures directly (a month of a large network has thousands of rows)."""
        parts: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}
        for figure in figures:
            if figure.reason:
                continue
            for part, amounts in (("num", figure.factories), ("den", figure.denominators)):
                given = amounts
                if None in amounts.values():
                    given = {f: a for f, a in amounts.items() if a is not None}
                if given:
                    parts[(figure.indicator, figure.scope, part)] = (
                        self.numbers(given),
                        np.fromiter(given.values(), dtype=float, count=len(given)),
                    )
        self._months[period] = parts

    def _add_basis(self, period: dt.date, basis: pl.DataFrame) -> None:
        """Keep ``basis`` (rows of ``release_basis``) of ``period``."""
        self._months[period] = self._parts(basis)

    def _parts(
        self, basis: pl.DataFrame
    ) -> dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]:
        """Per indicator, scope and part (``num``, ``den``) of ``basis``: the factories'
        numbers and their amounts."""
        parts: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}
        for (indicator, scope), rows in basis.partition_by(
            "name", "figure_group", as_dict=True
        ).items():
            for part, column in (("num", "numerator"), ("den", "denominator")):
                given = rows.filter(pl.col(column).is_not_null())
                if given.height:
                    numbers = self.numbers(given[PSEUDONYM_COLUMN].to_list())
                    parts[(indicator, scope, part)] = (numbers, given[column].to_numpy())
        return parts

    def parts_around(
        self, period: dt.date, key: tuple[str, str, str]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """(factory numbers, amounts) of the figure part ``key`` (indicator, scope, part)
        as published in each other month up to a year before or after ``period``, every
        version the city has seen: the current one and those a revision replaced (of
        ``period`` itself too: a month revised twice is seen in three versions)."""
        versions = [(m, parts) for m, parts in self._months.items() if m != period]
        versions += [(m, parts) for m, old in self._superseded.items() for parts in old]
        return [
            parts[key]
            for month, parts in sorted(versions, key=lambda version: version[0])
            if abs(_month_index(month) - _month_index(period)) <= NEIGHBOUR_MONTHS and key in parts
        ]

    def bases(self, period: dt.date, indicator: str, scope: str) -> list[dict[str, float]]:
        """factory -> numerator of a figure, in every version of it the city has seen
        (the current one first, if published; then those a revision replaced)."""
        key = (indicator, scope, "num")
        versions = [self._months.get(period, {}), *self._superseded.get(period, [])]
        return [
            {self.names[n]: float(a) for n, a in zip(*parts[key], strict=True)}
            for parts in versions
            if key in parts and len(parts[key][0])
        ]


def _month_index(period: dt.date) -> int:
    return period.year * 12 + period.month - 1


# --- computing a month's figures ---------------------------------------------------------


def _peer_rows(
    period: dt.date, statistics: Iterable[peers.PeerStatistic], revision: int, status: str
) -> list[dict]:
    return [
        {
            "period": period,
            "peer_group": s.peer_group,
            "kpi": s.kpi,
            "n": s.n,
            "contributors": s.contributors,
            "p25": s.p25,
            "median": s.median,
            "p75": s.p75,
            "top_quartile_boundary": s.top_quartile_boundary,
            "suppressed": s.suppressed,
            "suppressed_reason": s.reason,
            "revision": revision,
            "status": status,
        }
        for s in statistics
    ]


def _region_rows(
    figures: Iterable[region.Figure],
    expected: int | Callable[[dt.date], int],
    revision: int,
    status: str,
) -> list[dict]:
    expected_in = expected if callable(expected) else (lambda _period: expected)
    figures = list(figures)
    # asked once a month: it may read the register
    coverage = {period: expected_in(period) for period in {f.period for f in figures}}
    return [
        {
            "period": f.period,
            "indicator": f.indicator,
            "scope": f.scope,
            "value": None if f.reason else f.value,
            "n": len(f.factories),
            "coverage_of": coverage[f.period],
            "suppressed": f.reason is not None,
            "suppressed_reason": f.reason,
            "revision": revision,
            "status": status,
        }
        for f in figures
    ]


def _peer_basis(period: dt.date, statistics: Iterable[peers.PeerStatistic]) -> pl.DataFrame:
    rows = [
        (period, "peer", s.peer_group, s.kpi, factory, value, None)
        for s in statistics
        for factory, value in s.values.items()
    ]
    return pl.DataFrame(rows, schema=BASIS_SCHEMA, orient="row")


def _region_basis(figures: Iterable[region.Figure]) -> pl.DataFrame:
    rows = [
        (f.period, "region", f.scope, f.indicator, factory, amount, f.denominators.get(factory))
        for f in figures
        for factory, amount in f.factories.items()
    ]
    return pl.DataFrame(rows, schema=BASIS_SCHEMA, orient="row")


def _differencing_failures(
    period: dt.date,
    found: dict[tuple, region.Figure],
    publication: Publication,
    published: PublishedRegion,
) -> set[tuple[str, str]]:
    """(indicator, scope) of the figures of ``period`` whose difference with the same
    figure published in another month up to a year apart fails the p % rule, on the
    numerator or the denominator sum (contributions pooled per contributor).

    Per figure and part, each published month is a row of differences over every
    factory (one missing on a side counts 0 there); a row's differences are pooled per
    contributor, and the rule compares the largest change with those beyond the two
    largest."""
    share = publication.disclosure.p_percent / 100
    failing: set[tuple[str, str]] = set()
    pooling: tuple[np.ndarray, np.ndarray] | None = None
    for figure in found.values():
        if figure.reason:
            continue
        for part, amounts in (("num", figure.factories), ("den", figure.denominators)):
            if not amounts or (figure.indicator, figure.scope) in failing:
                continue
            earlier = published.parts_around(period, (figure.indicator, figure.scope, part))
            if not earlier:
                continue
            numbers = published.numbers(amounts)
            width = len(published.names)
            if pooling is None or len(pooling[0]) != width:
                pooling = _pooling(published.names, publication.contributor_of)
            differences = np.zeros((len(earlier), width))
            differences[:] = np.bincount(
                numbers,
                weights=np.fromiter(amounts.values(), dtype=float, count=len(amounts)),
                minlength=width,
            )
            for row, (then, then_amounts) in enumerate(earlier):
                differences[row, then] -= then_amounts
            order, starts = pooling
            sizes = np.abs(np.add.reduceat(differences[:, order], starts, axis=1))
            sizes = -np.sort(-sizes, axis=1)  # largest first
            largest, others = sizes[:, 0], sizes[:, 2:].sum(axis=1)
            if np.any((largest > 0) & (others < share * largest)):
                failing.add((figure.indicator, figure.scope))
    return failing


def _pooling(factories: list[str], contributor_of: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """The order of ``factories`` that puts each contributor's together, and where each
    contributor starts in it (for ``np.add.reduceat``)."""
    number: dict[str, int] = {}
    pooled_by = np.fromiter(
        (number.setdefault(contributor_of.get(f, f), len(number)) for f in factories),
        dtype=np.int64,
        count=len(factories),
    )
    order = np.argsort(pooled_by, kind="stable")
    return order, np.flatnonzero(np.diff(pooled_by[order], prepend=-1))


def region_figures_of_month(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    publication: Publication,
    contributions: pl.DataFrame | None = None,
    published: PublishedRegion | None = None,
) -> dict[tuple, region.Figure]:
    """The city's figures of ``period`` from the warehouse's current data, with every
    rule applied, including differencing against the figures already published: the
    difference of two published sums of one indicator (a month or a year apart) must
    itself pass the p % rule, or the newer figure is suppressed. ``published``: what is
    published by now (read from the warehouse when not given)."""
    if contributions is None:
        contributions = region.contributions(con)
    if published is None:
        published = _published_around(con, [period])
    month = contributions.filter(pl.col("period") == period)
    found = region.figures(
        month, publication.disclosure, publication.contributor_of, publication.breakdowns
    )
    _check_against_published(period, found, publication, published)
    return found


def _check_against_published(
    period: dt.date,
    found: dict[tuple, region.Figure],
    publication: Publication,
    published: PublishedRegion,
) -> None:
    """Suppress the figures of ``period`` (from :func:`region.figures`) that, beside what
    is ``published``, would reveal a small group (the differencing rules)."""
    for indicator, scope in _differencing_failures(period, found, publication, published):
        found[(period, indicator, scope)].reason = DIFFERENCING  # published until now
    _guard_changes_against_totals(period, found, publication, published)


def _published_around(con: duckdb.DuckDBPyConnection, periods: list[dt.date]) -> PublishedRegion:
    """What the warehouse has published that releasing ``periods`` is checked against:
    the months up to a year around them (and the year before a 12-month change)."""
    windows = [d.window_months for d in indicator_definitions() if d.kind == "change_12m"]
    before = max([NEIGHBOUR_MONTHS, *windows])
    return PublishedRegion.load(
        con,
        _months_earlier(min(periods), before),
        _months_earlier(max(periods), -NEIGHBOUR_MONTHS),
    )


def _published_basis(
    con: duckdb.DuckDBPyConnection, period: dt.date, indicator: str, scope: str
) -> dict[str, float] | None:
    """factory -> numerator of a figure as it was published, or None when it is not
    published (never released, or suppressed)."""
    rows = con.execute(
        f"""
        SELECT b.{PSEUDONYM_COLUMN}, b.numerator FROM {RELEASE_BASIS} AS b
        JOIN {REGION_INDICATORS} AS r
          ON r.period = b.period AND r.indicator = b.name AND r.scope = b.figure_group
        WHERE b.figure = 'region' AND b.period = ? AND b.name = ? AND b.figure_group = ?
          AND NOT r.suppressed
        """,
        [period, indicator, scope],
    ).fetchall()
    return dict(rows) if rows else None


def exposure(
    now: dict[str, float], before: dict[str, float], change: dict[str, float]
) -> dict[str, float]:
    """What ``total(now) - total(before) - change`` reveals, per factory: a 12-month change
    covers only factories with every month, so the totals minus the change are exactly
    the factories outside it (joined, left, a month missing, a late file held back)."""
    factories = set(now) | set(before) | set(change)
    return {f: now.get(f, 0.0) - before.get(f, 0.0) - change.get(f, 0.0) for f in factories}


def _guard_changes_against_totals(
    period: dt.date,
    found: dict[tuple, region.Figure],
    publication: Publication,
    published: PublishedRegion,
) -> None:
    """A 12-month change published beside the total of its month and the total of a year
    earlier *as published*: the three together reveal the factories outside the change.
    Those must pass the threshold and the p % rule as a figure of their own, or the change
    is suppressed (the totals, more useful to the city, stay)."""
    definitions = {d.name: d for d in indicator_definitions()}
    for (_, indicator, scope), change in found.items():
        definition = definitions[indicator]
        if definition.kind != "change_12m" or change.reason:
            continue
        totals = [
            d
            for d in definitions.values()
            if d.kind == "sum" and d.numerator == definition.numerator
        ]
        for total in totals:
            now = found.get((period, total.name, scope))
            if now is None or now.reason:
                continue
            year_before = _months_earlier(period, definition.window_months)
            for before in published.bases(year_before, total.name, scope):
                revealed = exposure(now.factories, before, change.factories)
                if change_reason(revealed, publication.contributor_of, publication.disclosure):
                    change.reason = DIFFERENCING
                    break
            if change.reason:
                break


def _months_earlier(period: dt.date, months: int) -> dt.date:
    index = period.year * 12 + period.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- writing -------------------------------------------------------------------------------


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict] | pl.DataFrame) -> None:
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows)
    if frame.height == 0:
        return
    con.register("release_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM release_rows")
    finally:
        con.unregister("release_rows")


def _replace(con, table: str, key: tuple[str, str], period: dt.date, rows: list[dict]) -> None:
    """Put revised ``rows`` in place of the figures of ``period`` with the same ``key``
    columns (peer group and KPI, or indicator and scope)."""
    first, second = key
    for row in rows:
        con.execute(
            f"DELETE FROM {table} WHERE period = ? AND {first} = ? AND {second} = ?",
            [period, row[first], row[second]],
        )
    _insert(con, table, rows)


def _mark_not_revised(
    con, table: str, key: tuple[str, str], period: dt.date, held: list[tuple[str, str]]
) -> None:
    """The released value stays; its status says that later changes were held back."""
    first, second = key
    for one, other in held:
        con.execute(
            f"UPDATE {table} SET status = ? WHERE period = ? AND {first} = ? AND {second} = ?",
            [NOT_REVISED, period, one, other],
        )


def _replace_basis(con, period: dt.date, figure: str, keys: list[tuple[str, str]], basis) -> None:
    if keys:
        con.register("basis_keys", pl.DataFrame(keys, schema=["g", "n"], orient="row"))
        try:
            con.execute(
                f"DELETE FROM {RELEASE_BASIS} WHERE period = ? AND figure = ? AND "
                "(figure_group, name) IN (SELECT (g, n) FROM basis_keys)",
                [period, figure],
            )
        finally:
            con.unregister("basis_keys")
    _insert(con, RELEASE_BASIS, basis)


def _expand_peer_basis(con, period: dt.date) -> None:
    """Move the peer basis of ``period`` kept factored into rows of :data:`RELEASE_BASIS`
    (one per figure and factory), so that a revision can replace the basis of the figures it
    revises and leave the others' as released. A month whose basis is there already
    (released before the factored tables came, or revised since) has no factored rows:
    nothing moves."""
    con.execute(f"INSERT INTO {RELEASE_BASIS} BY NAME {_FACTORED_PEER_BASIS}", {"period": period})
    for table in PEER_BASIS_SOURCES:
        con.execute(f"DELETE FROM {table} WHERE period = ?", [period])


def _keep_superseded(con, period: dt.date, keys: list[tuple[str, str]]) -> None:
    """Keep the bases of the city figures of ``period`` that a revision is about to
    replace (``keys``: scope, indicator), as far as they were published (a suppressed
    version showed nothing): :data:`SUPERSEDED_BASIS`."""
    if not keys:
        return
    con.register("superseded_keys", pl.DataFrame(keys, schema=["g", "n"], orient="row"))
    try:
        con.execute(
            f"""
            INSERT INTO {SUPERSEDED_BASIS}
            SELECT b.period, r.revision, b.figure_group, b.name, b.{PSEUDONYM_COLUMN},
                   b.numerator, b.denominator
            FROM {RELEASE_BASIS} AS b
            JOIN {REGION_INDICATORS} AS r
              ON r.period = b.period AND r.indicator = b.name AND r.scope = b.figure_group
            WHERE b.figure = 'region' AND b.period = ? AND NOT r.suppressed
              AND (b.figure_group, b.name) IN (SELECT (g, n) FROM superseded_keys)
            """,
            [period],
        )
    finally:
        con.unregister("superseded_keys")


def _log(con, period, revision, kind, publication, outcome: Outcome, factories: int) -> None:
    con.execute(
        f"INSERT INTO {RELEASES} VALUES (?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
        [
            period,
            revision,
            kind,
            publication.requested_by,
            factories,
            outcome.contributors,
            outcome.published,
            outcome.revised,
            outcome.not_revised,
        ],
    )


# --- the two acts: close (release) and revise -------------------------------------------------


def close_month(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    publication: Publication,
    contributions: pl.DataFrame | None = None,
) -> Outcome:
    """Release ``period``: publish its peer statistics and city figures, frozen from now on.
    A month with fewer contributors than the threshold stays unreleased."""
    return close_months(con, [period], publication, contributions)[0]


HISTORY_CHUNK_FACTORY_MONTHS = 24_000
"""Factory-months (a factory's KPIs of a month) computed, written and committed together
when a history of months is released in one pass, with one insert per table: 24 months at
1000 factories (~430,000 KPI inputs and ~72,000 peer-group memberships a transaction,
beside the city figures' basis), two months at 10,000 (a chunk holds whole months). Each
chunk reads the warehouse's KPIs again and commits once, so fewer chunks take less time:
releasing the 1000 x 120 history took ~4.4 s in chunks of 24 months against ~5.6 s in
chunks of 6, for ~120 MiB more; chunks of 60 months saved ~0.4 s more for ~210 MiB more
still (a load that must stay under 1 GiB). Measured with the basis kept factored, each
chunk written while the next is computed (``docs/performance.md``, eighth round)."""


def _chunks_of_months(
    periods: list[dt.date], counts: dict[dt.date, tuple[int, int]], size: int
) -> list[list[dt.date]]:
    """``periods`` in their order, in chunks of about ``size`` factory-months each (a
    month is as heavy as it has factories, and at least one; a month heavier than
    ``size`` is a chunk of its own)."""
    return by_weight(periods, lambda period: max(counts.get(period, (0, 0))[0], 1), size)


def close_months(
    con: duckdb.DuckDBPyConnection,
    periods: list[dt.date],
    publication: Publication,
    contributions: pl.DataFrame | None = None,
) -> list[Outcome]:
    """Release ``periods`` in this order, each exactly as :func:`close_month` would one
    after the other (each checked against everything published before it, including the
    months released earlier in this call), but in one pass.

    Only the differencing against the months published before depends on the order, so
    only it goes month by month (on what is published, kept up to date in memory); the
    rest is computed about :data:`HISTORY_CHUNK_FACTORY_MONTHS` factory-months at a time:
    the contributors of every month with one query, the peer statistics and the city's
    figures of those months with Polars (:func:`peers.statistics_of_months`,
    :func:`region.figures_by_month`), and their releases written with one insert per table
    and committed together, while the next months are computed (:class:`_Writer`)."""
    ensure_release_tables(con)
    released = set(released_revisions(con))
    if contributions is None:
        contributions = region.contributions(con)
    rules, contributor_of = publication.disclosure, publication.contributor_of
    todo = [p for p in dict.fromkeys(periods) if p not in released]
    outcomes: dict[dt.date, Outcome] = {
        p: Outcome(p, "already_released") for p in periods if p in released
    }
    if not todo:
        return [outcomes[p] for p in periods]
    published = _published_around(con, todo)
    counts = _contributors_of_months(con, todo, contributor_of)
    due = []
    for period in todo:
        _, contributors = counts.get(period, (0, 0))
        if contributors < rules.threshold:
            outcomes[period] = Outcome(period, "too_few", contributors=contributors)
        else:
            due.append(period)
    with _Writer(con) as writer:
        for chunk in _chunks_of_months(due, counts, HISTORY_CHUNK_FACTORY_MONTHS):
            outcomes.update(
                _release_months(con, chunk, publication, contributions, published, counts, writer)
            )
    return [outcomes[p] for p in periods]


class _Writer:
    """Commits the releases of a history of months chunk after chunk, in order, each in a
    transaction of its own, on a connection and a thread of their own: while DuckDB writes
    one chunk (over a hundred thousand rows of basis), Python computes the next. At most
    one chunk waits; a failed commit is raised at the next :meth:`submit` or at the end,
    and no chunk after it is committed."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con.cursor()  # a connection of its own to the same database
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="releases")
        self._pending: Future | None = None

    def submit(self, write: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
        """Commit what ``write`` writes (on the connection it is given), once the chunk
        before is committed."""
        self.wait()
        self._pending = self._thread.submit(_in_transaction, self._con, write)

    def wait(self) -> None:
        """Until the chunk submitted last is committed (raising what failed it)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, failed, *_) -> None:
        try:
            if failed is None:
                self.wait()
        finally:
            self._thread.shutdown(wait=True)  # a chunk under way is committed or rolled back
            self._con.close()
            left = self._pending
            if failed is not None and left is not None and left.exception() is not None:
                log.error("a chunk of releases failed too", exc_info=left.exception())


def _in_transaction(
    con: duckdb.DuckDBPyConnection, write: Callable[[duckdb.DuckDBPyConnection], None]
) -> None:
    with _transaction(con):
        write(con)


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block in one transaction of ``con``: committed, or rolled back when it fails."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _release_months(
    con: duckdb.DuckDBPyConnection,
    due: list[dt.date],
    publication: Publication,
    contributions: pl.DataFrame,
    published: PublishedRegion,
    counts: dict[dt.date, tuple[int, int]],
    writer: _Writer,
) -> dict[dt.date, Outcome]:
    """Release the months ``due`` (oldest first, each with enough contributors) in one
    transaction (given to ``writer``), and add what each published to ``published``."""
    rules, contributor_of = publication.disclosure, publication.contributor_of
    values, memberships = peers.values_of_months(con, due)
    statistics = peers.statistics_of_months(values, memberships, rules, contributor_of)
    del values, memberships
    peers_published = dict(
        statistics.group_by("period").agg(pl.col("suppressed").not_().sum()).iter_rows()
    )
    in_months = contributions.filter(pl.col("period").is_in(due))
    figures_of = region.figures_by_month(in_months, rules, contributor_of, publication.breakdowns)
    region_basis_of = _region_basis_by_month(in_months, publication.breakdowns)
    del in_months
    region_rows: list[dict] = []
    region_bases: list[pl.DataFrame] = []
    outcomes: dict[dt.date, Outcome] = {}
    for period in due:  # in order: each month is checked against those before it
        found = figures_of.get(period, {})
        _check_against_published(period, found, publication, published)
        basis = region_basis_of.get(period, pl.DataFrame(schema=BASIS_SCHEMA))
        if basis.height != sum(len(f.factories) for f in found.values()):
            basis = _region_basis(found.values())  # a factory twice in a figure
        published.add(period, found.values())
        rows = _region_rows(found.values(), publication.expected_factories, 0, RELEASED)
        region_rows += rows
        region_bases.append(basis)
        factories, contributors = counts[period]
        outcomes[period] = Outcome(
            period,
            "released",
            revision=0,
            published=peers_published.get(period, 0) + sum(not r["suppressed"] for r in rows),
            contributors=contributors,
        )
    peer_rows = statistics.with_columns(
        pl.lit(0).alias("revision"), pl.lit(RELEASED).alias("status")
    )
    region_frame = pl.DataFrame(region_rows, schema=REGION_ROW_SCHEMA)
    region_basis = pl.concat(region_bases)
    logged = [
        (period, 0, "release", publication.requested_by, counts[period][0], outcome)
        for period, outcome in outcomes.items()
    ]

    def write(con: duckdb.DuckDBPyConnection) -> None:
        _insert(con, PEER_STATS, peer_rows)
        _insert(con, PEER_STATS_HISTORY, peer_rows)
        _insert(con, REGION_INDICATORS, region_frame)
        _insert(con, REGION_INDICATORS_HISTORY, region_frame)
        # every input is part of the statistic of each of its factory's groups: the
        # inputs and the memberships, kept apart, are the basis (RELEASE_PEER_INPUTS)
        for table, source in PEER_BASIS_SOURCES.items():
            con.execute(f"INSERT INTO {table} BY NAME {source}", {"periods": due})
        _insert(con, RELEASE_BASIS, region_basis)
        _log_releases(con, logged)

    writer.submit(write)
    return outcomes


REGION_ROW_SCHEMA = {
    "period": pl.Date,
    "indicator": pl.String,
    "scope": pl.String,
    "value": pl.Float64,
    "n": pl.Int64,
    "coverage_of": pl.Int64,
    "suppressed": pl.Boolean,
    "suppressed_reason": pl.String,
    "revision": pl.Int64,
    "status": pl.String,
}


def _region_basis_by_month(
    contributions: pl.DataFrame, breakdowns: dict[str, dict[str, str]]
) -> dict[dt.date, pl.DataFrame]:
    """Month -> the rows of ``release_basis`` of its city figures, the rows
    :func:`_region_basis` makes of the month's figures (one per figure and factory), taken
    from the contributions directly rather than from each figure's dictionaries."""
    basis = region.scoped(contributions, breakdowns).select(
        "period",
        pl.lit("region").alias("figure"),
        pl.col("scope").alias("figure_group"),
        pl.col("indicator").alias("name"),
        PSEUDONYM_COLUMN,
        "numerator",
        "denominator",
    )
    return {key[0]: month for key, month in basis.partition_by("period", as_dict=True).items()}


def _log_releases(con: duckdb.DuckDBPyConnection, entries: list[tuple]) -> None:
    """:func:`_log` of many releases with one insert: (period, revision, kind,
    requested_by, factories, outcome) each."""
    rows = pl.DataFrame(
        [
            (
                period,
                revision,
                kind,
                requested_by,
                factories,
                o.contributors,
                o.published,
                o.revised,
                o.not_revised,
            )
            for period, revision, kind, requested_by, factories, o in entries
        ],
        schema={
            "period": pl.Date,
            "revision": pl.Int64,
            "kind": pl.String,
            "requested_by": pl.String,
            "factories": pl.Int64,
            "contributors": pl.Int64,
            "figures_published": pl.Int64,
            "figures_revised": pl.Int64,
            "figures_not_revised": pl.Int64,
        },
        orient="row",
    )
    con.register("release_log", rows)
    try:
        con.execute(
            f"INSERT INTO {RELEASES} BY NAME SELECT *, now() AS released_at FROM release_log"
        )
    finally:
        con.unregister("release_log")


def _contributors_of_months(
    con: duckdb.DuckDBPyConnection, periods: list[dt.date], contributor_of: dict[str, str]
) -> dict[dt.date, tuple[int, int]]:
    """Month -> (factories, distinct contributors) with any KPI of that month."""
    rows = con.execute(
        f"SELECT period, list(DISTINCT {PSEUDONYM_COLUMN}) FROM {FACTORY_KPIS} "
        "WHERE list_contains(?, period) AND value IS NOT NULL GROUP BY period",
        [periods],
    ).fetchall()
    return {
        period: (len(factories), contributor_count(factories, contributor_of))
        for period, factories in rows
    }


_FACTORED_PEER_BASIS = f"""
    SELECT period, 'peer' AS figure, peer_group AS figure_group, kpi AS name,
           {PSEUDONYM_COLUMN}, value AS numerator, CAST(NULL AS DOUBLE) AS denominator
    FROM {RELEASE_PEER_GROUPS} JOIN {RELEASE_PEER_INPUTS} USING ({PSEUDONYM_COLUMN}, period)
    WHERE period = $period"""
"""SQL: the peer basis of the month ``$period`` kept factored (:data:`RELEASE_PEER_INPUTS`),
as rows of :data:`RELEASE_BASIS`."""


def _basis_of(con, period: dt.date, figure: str) -> dict[tuple[str, str], dict[str, tuple]]:
    """(figure_group, name) -> factory -> (numerator, denominator): the basis of every
    ``figure`` (``peer``, ``region``) of ``period`` as published. A month's peer basis is
    in :data:`RELEASE_BASIS` or kept factored, never both (:data:`RELEASE_PEER_INPUTS`):
    both are read."""
    query = (
        f"SELECT figure_group, name, {PSEUDONYM_COLUMN}, numerator, denominator "
        f"FROM {RELEASE_BASIS} WHERE period = $period AND figure = $figure"
    )
    if figure == "peer":
        query += (
            f" UNION ALL SELECT figure_group, name, {PSEUDONYM_COLUMN}, numerator, "
            f"denominator FROM ({_FACTORED_PEER_BASIS})"
        )
    found: dict[tuple[str, str], dict[str, tuple]] = {}
    for group, name, factory, numerator, denominator in con.execute(
        query, {"period": period, "figure": figure}
    ).fetchall():
        found.setdefault((group, name), {})[factory] = (numerator, denominator)
    return found


def _exposes_a_later_change(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    total: region.Figure,
    publication: Publication,
) -> bool:
    """Would revising this total of ``period`` expose factories through the 12-month
    change published a year later (that total, minus this one, minus the change)?"""
    if total.reason:
        return False
    definitions = {d.name: d for d in indicator_definitions()}
    definition = definitions[total.indicator]
    if definition.kind != "sum":
        return False
    for change in definitions.values():
        if change.kind != "change_12m" or change.numerator != definition.numerator:
            continue
        later = _months_earlier(period, -change.window_months)
        published_change = _published_basis(con, later, change.name, total.scope)
        published_total = _published_basis(con, later, total.indicator, total.scope)
        if published_change is None or published_total is None:
            continue
        revealed = exposure(published_total, total.factories, published_change)
        if change_reason(revealed, publication.contributor_of, publication.disclosure):
            return True
    return False


def _changed_factories(now: dict[str, float], then: dict[str, tuple]) -> dict[str, float]:
    """Factory -> change of its value, for every factory that joined, left or changed."""
    changes = {}
    for factory in set(now) | set(then):
        before = then.get(factory, (None, None))[0]
        after = now.get(factory)
        if before is None or after is None or abs(after - before) > 1e-9 * max(1, abs(before)):
            changes[factory] = (after or 0.0) - (before or 0.0)
    return changes


def revise_month(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    publication: Publication,
    contributions: pl.DataFrame | None = None,
) -> Outcome:
    """A revision of released ``period``: every figure whose data changed since it was
    published is revised where the change passes the rules as a figure of its own (enough
    changed contributors; for sums the p % rule on the changes), else marked not revised."""
    ensure_release_tables(con)
    revisions = released_revisions(con)
    if period not in revisions:
        return Outcome(period, "not_released")
    revision = revisions[period] + 1
    rules = publication.disclosure
    contributor_of = publication.contributor_of
    factories, contributors = month_contributors(con, period, contributor_of)

    current_peer = {
        (row[0], row[1]): row[2]
        for row in con.execute(
            f"SELECT peer_group, kpi, status FROM {PEER_STATS} WHERE period = ?", [period]
        ).fetchall()
    }
    peer_basis = _basis_of(con, period, "peer")
    fresh_peer = peers.peer_statistics(con, period, rules, contributor_of)
    revised_peer, held_peer = [], []
    for key in set(fresh_peer) | set(current_peer):
        statistic = fresh_peer.get(key) or peers.PeerStatistic(
            key[0], key[1], {}, 0, reason=THRESHOLD
        )
        changed = _changed_factories(statistic.values, peer_basis.get(key, {}))
        if not changed:
            continue
        if contributor_count(changed, contributor_of) >= rules.threshold:
            revised_peer.append(statistic)
        elif key in current_peer:
            held_peer.append(key)

    current_region = {
        (row[0], row[1]): row[2]
        for row in con.execute(
            f"SELECT indicator, scope, status FROM {REGION_INDICATORS} WHERE period = ?",
            [period],
        ).fetchall()
    }
    region_basis = _basis_of(con, period, "region")
    fresh_region = {
        (indicator, scope): figure
        for (_, indicator, scope), figure in region_figures_of_month(
            con, period, publication, contributions
        ).items()
    }
    revised_region, held_region = [], []
    for key in set(fresh_region) | set(current_region):
        figure = fresh_region.get(key) or region.Figure(period, key[0], key[1], None, {})
        indicator, scope = key
        then = region_basis.get((scope, indicator), {})
        numerators = _changed_factories(figure.factories, then)
        denominators = _changed_factories(
            figure.denominators, {f: (d, None) for f, (_, d) in then.items() if d is not None}
        )
        if not numerators and not denominators:
            continue
        if (
            change_reason(numerators, contributor_of, rules) is None
            and change_reason(denominators, contributor_of, rules) is None
        ):
            if not figure.factories:
                figure.reason = THRESHOLD
            if _exposes_a_later_change(con, period, figure, publication):
                if key in current_region:
                    held_region.append(key)
                continue
            revised_region.append(figure)
        elif key in current_region:
            held_region.append(key)

    if not (revised_peer or held_peer or revised_region or held_region):
        return Outcome(period, "unchanged", revision=revisions[period], contributors=contributors)

    peer_rows = _peer_rows(period, revised_peer, revision, REVISED)
    region_rows = _region_rows(revised_region, publication.expected_factories, revision, REVISED)
    with _transaction(con):
        _replace(con, PEER_STATS, ("peer_group", "kpi"), period, peer_rows)
        _insert(con, PEER_STATS_HISTORY, peer_rows)
        if revised_peer:
            _expand_peer_basis(con, period)
        _replace_basis(
            con,
            period,
            "peer",
            [(s.peer_group, s.kpi) for s in revised_peer],
            _peer_basis(period, revised_peer),
        )
        _keep_superseded(con, period, [(f.scope, f.indicator) for f in revised_region])
        _replace(con, REGION_INDICATORS, ("indicator", "scope"), period, region_rows)
        _insert(con, REGION_INDICATORS_HISTORY, region_rows)
        _replace_basis(
            con,
            period,
            "region",
            [(f.scope, f.indicator) for f in revised_region],
            _region_basis(revised_region),
        )
        _mark_not_revised(con, PEER_STATS, ("peer_group", "kpi"), period, held_peer)
        _mark_not_revised(con, REGION_INDICATORS, ("indicator", "scope"), period, held_region)
        outcome = Outcome(
            period,
            "revised" if peer_rows or region_rows else "held",
            revision=revision,
            published=sum(not r["suppressed"] for r in peer_rows + region_rows),
            revised=len(peer_rows) + len(region_rows),
            not_revised=len(held_peer) + len(held_region),
            contributors=contributors,
        )
        _log(con, period, revision, "revision", publication, outcome, factories)
    return outcome


def carry_out(
    con: duckdb.DuckDBPyConnection,
    publication_for,
    on: dt.date,
    requests: list | None = None,
    revise_all: bool = False,
) -> tuple[list[Outcome], list[tuple[object, list[Outcome]]]]:
    """What a pipeline run publishes: every month whose close day has come by ``on``
    (oldest first), then the coordinator's ``requests`` (close a month early, revise a
    month or all), then, for the quarterly revision, every month with changes waiting.
    ``publication_for(requested_by)`` gives the :class:`Publication` of each act.
    Returns every outcome, and per request its outcomes."""
    with stage("releases"):
        return _carry_out(con, publication_for, on, requests, revise_all)


def _carry_out(con, publication_for, on, requests, revise_all):
    ensure_release_tables(con)
    contributions = region.contributions(con)
    outcomes: list[Outcome] = []
    by_close_day = publication_for("close day")
    # a history of months (a new deployment) is released in one pass, oldest first
    outcomes += close_months(
        con, due_months(con, on, by_close_day.disclosure), by_close_day, contributions
    )
    done = []
    for request in requests or []:
        asked = publication_for(request.requested_by)
        if request.action == "close" and request.period is not None:
            found = [close_month(con, request.period, asked, contributions)]
        else:
            months = [request.period] if request.period else sorted(released_revisions(con))
            found = [revise_month(con, month, asked, contributions) for month in months]
        outcomes += found
        done.append((request, found))
    if revise_all:
        quarterly = publication_for("quarterly revision")
        for period in sorted(pending_changes(con)):
            outcomes.append(revise_month(con, period, quarterly, contributions))
    return outcomes, done


def pending_changes(con: duckdb.DuckDBPyConnection) -> dict[dt.date, int]:
    """Released month -> how many factories had a file stored for it after its latest
    release or revision (late files and corrections waiting for a revision)."""
    ensure_release_tables(con)
    rows = con.execute(
        f"""
        WITH latest AS (SELECT period, max(released_at) AS released_at FROM {RELEASES}
                        GROUP BY period),
        stored AS (SELECT {PSEUDONYM_COLUMN}, processed_at,
                          CAST(unnest(periods) || '-01' AS DATE) AS period
                   FROM {SUBMISSIONS_TABLE} WHERE status = 'accepted'
                     AND list_contains($monthly, dataset))
        SELECT latest.period, count(DISTINCT stored.{PSEUDONYM_COLUMN})
        FROM latest JOIN stored
          ON stored.period = latest.period AND stored.processed_at > latest.released_at
        GROUP BY 1
        """,
        {"monthly": list(DATASETS)},  # a yearly self-scan lists years, not months
    ).fetchall()
    return dict(rows)
