"""Where a factory stands on a KPI, judged only by RELEASED statistics: its own value
against the network's published median and top-quartile boundary of a released month.

These read the serving snapshot's own-factory rows (``own_kpis``) server-side; what
leaves this module is a yes/no per factory (below the median, in the top quartile, the
quartile), never a value. Because every decision is taken against a published statistic,
it tells a factory nothing about the statistics beyond what its benchmark page shows: a
suppressed median or boundary means no decision (no request, no automatic proposal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

Query = Callable[..., pl.DataFrame]
"""``dashboards.data.query``-shaped: (sql, params) -> rows of the serving snapshot."""

PEER_GROUP = "network"
"""Matching compares with the whole network: every member is in it, and its quartiles
are published from the most contributors."""


@dataclass(frozen=True)
class Released:
    """A KPI's released network statistics of one month (None: not published)."""

    kpi: str
    period: dt.date
    direction: str
    median: float | None
    top_quartile_boundary: float | None
    p25: float | None
    p75: float | None


def latest_release(query: Query) -> dt.date | None:
    rows = query("SELECT max(period) AS period FROM releases")
    return rows["period"][0] if rows.height else None


def released(query: Query, kpi: str, period: dt.date) -> Released | None:
    rows = query(
        "SELECT d.direction, s.median, s.top_quartile_boundary, s.p25, s.p75 "
        "FROM kpi_definitions AS d LEFT JOIN peer_stats AS s "
        "ON s.kpi = d.kpi AND s.period = ? AND s.peer_group = ? WHERE d.kpi = ?",
        (period, PEER_GROUP, kpi),
    )
    if not rows.height:
        return None
    row = rows.row(0, named=True)
    return Released(
        kpi,
        period,
        row["direction"],
        row["median"],
        row["top_quartile_boundary"],
        row["p25"],
        row["p75"],
    )


def values(query: Query, kpi: str, period: dt.date) -> dict[str, float]:
    """Every factory's own value of ``kpi`` in ``period``: for decisions in this module
    only, never to be shown or returned to a page."""
    rows = query(
        "SELECT factory_code, value FROM own_kpis "
        "WHERE kpi = ? AND period = ? AND value IS NOT NULL",
        (kpi, period),
    )
    return dict(zip(rows["factory_code"], rows["value"], strict=True))


def changed_since_release(query: Query, period: dt.date) -> set[str]:
    """The factories with a file of ``period`` stored after the month's latest release or
    revision: their current own rows are no longer the figures the released statistics
    were computed from (a correction, or a fake value to fish with), so no decision is
    taken on them until a revision releases them."""
    rows = query(
        "SELECT DISTINCT s.factory_code FROM coordinator_submissions AS s "
        "JOIN (SELECT max(released_at) AS released_at FROM releases WHERE period = ?) AS r "
        "ON s.processed_at > r.released_at "
        "WHERE s.status = 'accepted' AND list_contains(s.periods, ?)",
        (period, f"{period:%Y-%m}"),
    )
    return set(rows["factory_code"].to_list())


def worse(value: float, than: float, direction: str) -> bool:
    return value < than if direction == "higher" else value > than


def below_median(value: float | None, stats: Released | None) -> bool | None:
    """Whether ``value`` is on the worse side of the published median (None: cannot tell)."""
    if value is None or stats is None or stats.median is None:
        return None
    if stats.direction not in ("higher", "lower"):
        return None
    return worse(value, stats.median, stats.direction)


def in_top_quartile(value: float | None, stats: Released | None) -> bool:
    """In the best quarter of the published quartiles, exactly as the factory's own
    benchmark page calls it (False when the quartiles are not published)."""
    return quartile(value, stats) == 1


def quartile(value: float | None, stats: Released | None) -> int | None:
    """1 = the best quarter ... 4 = the weakest, against published quartiles (as the
    benchmark page shows it); None when the quartiles are not published."""
    if value is None or stats is None or None in (stats.p25, stats.median, stats.p75):
        return None
    if stats.direction not in ("higher", "lower"):
        return None
    position = (
        4 if value >= stats.p75 else 3 if value >= stats.median else 2 if value >= stats.p25 else 1
    )
    return 5 - position if stats.direction == "higher" else position


class Positions:
    """Top-quartile membership per (factory, kpi, month), read once per page load. Only
    RELEASED own values count: a factory whose figures of a month changed after its
    release has no position in it (no request, no proposal, no story) until a revision."""

    def __init__(self, query: Query) -> None:
        self._query = query
        self._cache: dict[tuple[str, dt.date], tuple[Released | None, dict[str, float]]] = {}
        self._changed: dict[dt.date, set[str]] = {}

    def changed(self, factory: str, period: dt.date) -> bool:
        """Whether ``factory``'s figures of ``period`` changed after the month's release."""
        if period not in self._changed:
            self._changed[period] = changed_since_release(self._query, period)
        return factory in self._changed[period]

    def _load(self, kpi: str, period: dt.date) -> tuple[Released | None, dict[str, float]]:
        key = (kpi, period)
        if key not in self._cache:
            current = values(self._query, kpi, period)
            self._cache[key] = (
                released(self._query, kpi, period),
                {f: v for f, v in current.items() if not self.changed(f, period)},
            )
        return self._cache[key]

    def top_quartile(self, factory: str, kpi: str, period: dt.date) -> bool:
        stats, by_factory = self._load(kpi, period)
        return in_top_quartile(by_factory.get(factory), stats)

    def below_median(self, factory: str, kpi: str, period: dt.date) -> bool | None:
        stats, by_factory = self._load(kpi, period)
        return below_median(by_factory.get(factory), stats)

    def quartile(self, factory: str, kpi: str, period: dt.date) -> int | None:
        stats, by_factory = self._load(kpi, period)
        return quartile(by_factory.get(factory), stats)

    def value(self, factory: str, kpi: str, period: dt.date) -> float | None:
        return self._load(kpi, period)[1].get(factory)

    def stats(self, kpi: str, period: dt.date) -> Released | None:
        return self._load(kpi, period)[0]
