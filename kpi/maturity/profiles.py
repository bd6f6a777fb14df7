"""A factory's self-scan profile, and the yearly release of the network's profile.

A factory's **profile** of a year is its average score per transformation (1-5); the
factory sees it as soon as its scan is stored. The **network profile** of a year (the
peers' median per transformation) is published once, as a release of that year's scan,
and then frozen, like a month's peer statistics (``kpi.disclosure.releases``):

- released automatically on the close day of the year's last month (by default 20
  January of the next year: ``close_day`` of ``config/disclosure.yaml``), or earlier
  when the coordinator closes the year's scan (``kpi release close-scan 2026``);
- a year with fewer contributors than the threshold stays unreleased;
- every median is computed by the peer statistics' own code (:func:`kpi.disclosure.
  peers.statistics_of_month`): at least ``median_min_n`` contributors (a company group
  counts once), the Harrell-Davis estimate over every value, rounded to one decimal;
- scores are coarse (quarter points), so a median often equals a score: it is published
  only when the scores it equals (within 0.05) belong to none or to at least
  ``scan_median_shared_by`` contributors (default 3), else suppressed (``shared``);
- a scan stored after the release (late, or re-submitted) changes nothing published
  until the coordinator revises the year's scan, and even then a transformation's median
  is revised only where the factories whose scores changed pass the threshold; elsewhere
  the released value stays, marked ``not_revised``.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kpi.contracts import Definition
from kpi.disclosure import peers
from kpi.disclosure.releases import NOT_REVISED, RELEASED, REVISED, Outcome, Publication
from kpi.disclosure.rules import (
    SHARED,
    THRESHOLD,
    DisclosureSettings,
    contributor_count,
    fails_shared,
)
from kpi.kpis import MARTS
from kpi.maturity.statements import DATASET, transformations
from kpi.warehouse import PSEUDONYM_COLUMN, ensure_schema

PROFILES = f"{MARTS}.maturity_profiles"
RELEASES = f"{MARTS}.maturity_releases"
PEER_STATS = f"{MARTS}.maturity_peer_stats"
PEER_STATS_HISTORY = f"{MARTS}.maturity_peer_stats_history"
BASIS = f"{MARTS}.maturity_release_basis"
NETWORK = "network"
DECIMALS = 1
"""Display precision of a profile score and of a published median."""

_STAT_COLUMNS = """
    year INTEGER NOT NULL, peer_group VARCHAR NOT NULL, transformation VARCHAR NOT NULL,
    n INTEGER NOT NULL, contributors INTEGER NOT NULL, median DOUBLE,
    suppressed BOOLEAN NOT NULL, suppressed_reason VARCHAR, revision INTEGER NOT NULL,
    status VARCHAR NOT NULL"""
DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {MARTS}",
    f"""CREATE TABLE IF NOT EXISTS {PROFILES} (
        {PSEUDONYM_COLUMN} VARCHAR NOT NULL, year INTEGER NOT NULL,
        transformation VARCHAR NOT NULL, score DOUBLE NOT NULL,
        PRIMARY KEY ({PSEUDONYM_COLUMN}, year, transformation))""",
    f"""CREATE TABLE IF NOT EXISTS {RELEASES} (
        year INTEGER NOT NULL, revision INTEGER NOT NULL, kind VARCHAR NOT NULL,
        released_at TIMESTAMPTZ NOT NULL, requested_by VARCHAR, factories INTEGER NOT NULL,
        contributors INTEGER NOT NULL, figures_published INTEGER NOT NULL,
        figures_revised INTEGER NOT NULL, figures_not_revised INTEGER NOT NULL,
        PRIMARY KEY (year, revision))""",
    f"CREATE TABLE IF NOT EXISTS {PEER_STATS} ({_STAT_COLUMNS}, "
    "PRIMARY KEY (year, peer_group, transformation))",
    f"CREATE TABLE IF NOT EXISTS {PEER_STATS_HISTORY} ({_STAT_COLUMNS})",
    f"""CREATE TABLE IF NOT EXISTS {BASIS} (
        year INTEGER NOT NULL, peer_group VARCHAR NOT NULL, transformation VARCHAR NOT NULL,
        {PSEUDONYM_COLUMN} VARCHAR NOT NULL, score DOUBLE NOT NULL)""",
)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's ``maturity`` table and the self-scan's marts."""
    ensure_schema(con)
    for statement in DDL:
        con.execute(statement)


def definitions() -> tuple[Definition, ...]:
    """The transformations as figures the peer statistics know how to publish."""
    return tuple(
        Definition(
            name=t.key,
            kind="maturity",
            domain=DATASET,
            formula="mean of the transformation's statement scores",
            unit="score 1-5",
            label_nl=t.label_nl,
            label_en=t.label_en,
            description_en=t.description_en,
            description_nl=t.description_nl,
            direction="higher",
            decimals=DECIMALS,
        )
        for t in transformations()
    )


def compute_profiles(con: duckdb.DuckDBPyConnection) -> int:
    """Every stored scan's profile: the average score per transformation (rows made)."""
    ensure_tables(con)
    selects = []
    for transformation in transformations():
        columns = [s.column for s in transformation.statements]
        mean = f"({' + '.join(columns)}) / {len(columns)}.0"
        selects.append(
            f"SELECT {PSEUDONYM_COLUMN}, year, '{transformation.key}' AS transformation, "
            f"{mean} AS score FROM {DATASET}"
        )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {PROFILES}")
        con.execute(f"INSERT INTO {PROFILES} {' UNION ALL '.join(selects)}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return con.execute(f"SELECT count(*) FROM {PROFILES}").fetchall()[0][0]


def year_inputs(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """(pseudonym, peer_group, kpi, value) of a year's profiles, the shape of a month's
    peer-statistic inputs: every factory in the network group, each transformation a
    figure. (The network only: a dozen plants split into sectors would not reach the
    threshold, and nested groups only add differences to subtract.)"""
    return con.sql(
        f"SELECT {PSEUDONYM_COLUMN}, '{NETWORK}' AS peer_group, transformation AS kpi, "
        f"score AS value FROM {PROFILES} WHERE year = ?",
        params=[year],
    ).pl()


def statistics_of_year(
    inputs: pl.DataFrame, disclosure: DisclosureSettings, contributor_of: dict[str, str]
) -> dict[tuple[str, str], peers.PeerStatistic]:
    """The network's median per transformation, under the peer statistics' rules (no
    quartiles: the page shows the median), each suppressed when the profile scores it
    would equal (within its display precision) are those of fewer than
    ``scan_median_shared_by`` contributors."""
    rules = disclosure.model_copy(update={"quartiles_min_n": 10**6})
    statistics = peers.statistics_of_month(inputs, rules, contributor_of, definitions())
    for statistic in statistics.values():
        if statistic.suppressed or statistic.median is None:
            continue
        if fails_shared(statistic.values, statistic.median, DECIMALS, contributor_of, disclosure):
            statistic.reason = SHARED
            statistic.median = None
    return statistics


def released_years(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    """Released year -> its latest revision (0 = the release itself)."""
    ensure_tables(con)
    return dict(con.execute(f"SELECT year, max(revision) FROM {RELEASES} GROUP BY year").fetchall())


def years_with_scans(con: duckdb.DuckDBPyConnection) -> list[int]:
    ensure_tables(con)
    return [
        y for (y,) in con.execute(f"SELECT DISTINCT year FROM {PROFILES} ORDER BY 1").fetchall()
    ]


def close_date(year: int, disclosure: DisclosureSettings) -> dt.date:
    """The day a year's scan is released: the close day of the year's last month."""
    return disclosure.close_date(dt.date(year, 12, 1))


def due_years(con: duckdb.DuckDBPyConnection, on: dt.date, disclosure: DisclosureSettings):
    released = released_years(con)
    return [
        y for y in years_with_scans(con) if y not in released and close_date(y, disclosure) <= on
    ]


def _rows(year: int, statistics, revision: int, status: str) -> list[dict]:
    return [
        {
            "year": year,
            "peer_group": s.peer_group,
            "transformation": s.kpi,
            "n": s.n,
            "contributors": s.contributors,
            "median": s.median,
            "suppressed": s.suppressed,
            "suppressed_reason": s.reason,
            "revision": revision,
            "status": status,
        }
        for s in statistics
    ]


def _basis(year: int, statistics) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (year, s.peer_group, s.kpi, factory, value)
            for s in statistics
            for factory, value in s.values.items()
        ],
        schema={
            "year": pl.Int32,
            "peer_group": pl.String,
            "transformation": pl.String,
            PSEUDONYM_COLUMN: pl.String,
            "score": pl.Float64,
        },
        orient="row",
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict] | pl.DataFrame) -> None:
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows)
    if frame.height == 0:
        return
    con.register("maturity_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM maturity_rows")
    finally:
        con.unregister("maturity_rows")


def _log(con, year, revision, kind, publication, outcome: Outcome, factories: int) -> None:
    con.execute(
        f"INSERT INTO {RELEASES} VALUES (?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
        [
            year,
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


def _contributors(inputs: pl.DataFrame, contributor_of: dict[str, str]) -> tuple[int, int]:
    factories = inputs.get_column(PSEUDONYM_COLUMN).unique().to_list()
    return len(factories), contributor_count(factories, contributor_of)


def close_year(con: duckdb.DuckDBPyConnection, year: int, publication: Publication) -> Outcome:
    """Release ``year``'s network profile, frozen from now on (``period`` of the outcome
    is the year's 1 January). Fewer contributors than the threshold: not released."""
    period = dt.date(year, 1, 1)
    if year in released_years(con):
        return Outcome(period, "already_released")
    inputs = year_inputs(con, year)
    factories, contributors = _contributors(inputs, publication.contributor_of)
    if contributors < publication.disclosure.threshold:
        return Outcome(period, "too_few", contributors=contributors)
    statistics = statistics_of_year(
        inputs, publication.disclosure, publication.contributor_of
    ).values()
    rows = _rows(year, statistics, 0, RELEASED)
    con.execute("BEGIN TRANSACTION")
    try:
        _insert(con, PEER_STATS, rows)
        _insert(con, PEER_STATS_HISTORY, rows)
        _insert(con, BASIS, _basis(year, statistics))
        outcome = Outcome(
            period,
            "released",
            revision=0,
            published=sum(not r["suppressed"] for r in rows),
            contributors=contributors,
        )
        _log(con, year, 0, "release", publication, outcome, factories)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def revise_year(con: duckdb.DuckDBPyConnection, year: int, publication: Publication) -> Outcome:
    """A revision of released ``year``: a transformation's median is revised only where
    the factories whose profile changed since it was published are at least the
    threshold in contributors; elsewhere the released median stays, marked not revised.
    A single factory re-submitting its scan therefore never moves a published median."""
    period = dt.date(year, 1, 1)
    revisions = released_years(con)
    if year not in revisions:
        return Outcome(period, "not_released")
    revision = revisions[year] + 1
    rules, contributor_of = publication.disclosure, publication.contributor_of
    inputs = year_inputs(con, year)
    factories, contributors = _contributors(inputs, contributor_of)
    fresh = statistics_of_year(inputs, rules, contributor_of)
    basis: dict[tuple[str, str], dict[str, float]] = {}
    for group, name, factory, score in con.execute(
        f"SELECT peer_group, transformation, {PSEUDONYM_COLUMN}, score FROM {BASIS} WHERE year = ?",
        [year],
    ).fetchall():
        basis.setdefault((group, name), {})[factory] = score
    revised, held = [], []
    for key in set(fresh) | set(basis):
        statistic = fresh.get(key) or peers.PeerStatistic(key[0], key[1], {}, 0, reason=THRESHOLD)
        before = basis.get(key, {})
        changed = {
            f
            for f in set(statistic.values) | set(before)
            if f not in before
            or f not in statistic.values
            or abs(statistic.values[f] - before[f]) > 1e-9
        }
        if not changed:
            continue
        if contributor_count(changed, contributor_of) >= rules.threshold:
            revised.append(statistic)
        else:
            held.append(key)
    if not (revised or held):
        return Outcome(period, "unchanged", revision=revisions[year], contributors=contributors)
    rows = _rows(year, revised, revision, REVISED)
    con.execute("BEGIN TRANSACTION")
    try:
        for row in rows:
            con.execute(
                f"DELETE FROM {PEER_STATS} WHERE year = ? AND peer_group = ? "
                "AND transformation = ?",
                [year, row["peer_group"], row["transformation"]],
            )
            con.execute(
                f"DELETE FROM {BASIS} WHERE year = ? AND peer_group = ? AND transformation = ?",
                [year, row["peer_group"], row["transformation"]],
            )
        _insert(con, PEER_STATS, rows)
        _insert(con, PEER_STATS_HISTORY, rows)
        _insert(con, BASIS, _basis(year, revised))
        for group, name in held:
            con.execute(
                f"UPDATE {PEER_STATS} SET status = ? WHERE year = ? AND peer_group = ? "
                "AND transformation = ?",
                [NOT_REVISED, year, group, name],
            )
        outcome = Outcome(
            period,
            "revised" if rows else "held",
            revision=revision,
            published=sum(not r["suppressed"] for r in rows),
            revised=len(rows),
            not_revised=len(held),
            contributors=contributors,
        )
        _log(con, year, revision, "revision", publication, outcome, factories)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def carry_out(con: duckdb.DuckDBPyConnection, publication_for, on: dt.date, requests=()):
    """What a pipeline run publishes of the self-scan: every year whose close day has
    come by ``on``, then the coordinator's requests (``close_scan``, ``revise_scan``).
    Returns every outcome, and per request its outcomes."""
    ensure_tables(con)
    by_close_day = publication_for("close day")
    outcomes = [
        close_year(con, year, by_close_day) for year in due_years(con, on, by_close_day.disclosure)
    ]
    done = []
    for request in requests:
        asked = publication_for(request.requested_by)
        years = [request.period.year] if request.period else sorted(released_years(con))
        act = close_year if request.action == "close_scan" else revise_year
        found = [act(con, year, asked) for year in years]
        outcomes += found
        done.append((request, found))
    return outcomes, done
