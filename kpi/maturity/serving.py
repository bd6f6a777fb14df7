"""What the serving snapshot holds of the self-scan (tables in contracts/serving.odcs.yaml).

- ``own_maturity``: each factory's profile by factory code, as soon as its scan is
  stored; the data layer serves a factory only its own rows.
- ``maturity_peer_stats``: the released network profile (median per transformation),
  n only as a band, nothing about n when suppressed.
- ``maturity_years``: every year with scans, open or released (and its close day); how
  many factories sent a scan is given for an open year only (a released median shows n
  in bands).
"""

from __future__ import annotations

import duckdb
import polars as pl

from kpi.disclosure.rules import N_BANDS, DisclosureSettings
from kpi.maturity import profiles
from kpi.warehouse import PSEUDONYM_COLUMN

IDENTIFIED_TABLES = ("own_maturity",)
_YEARS_VIEW = "serving_maturity_years"


def _n_band(column: str) -> str:
    cases = " ".join(f"WHEN {column} >= {low} THEN '{label}'" for low, label in N_BANDS)
    return f"CASE {cases} END"


def sources() -> dict[str, str]:
    """The SELECT that fills each of the self-scan's snapshot tables."""
    return {
        "own_maturity": f"""
            SELECT d.factory_code, p.year, p.transformation, p.score
            FROM {profiles.PROFILES} AS p JOIN serving_directory AS d USING ({PSEUDONYM_COLUMN})""",
        "maturity_peer_stats": f"""
            SELECT year, peer_group, transformation,
                   CASE WHEN NOT suppressed THEN {_n_band("n")} END, median, suppressed,
                   suppressed_reason, revision, status
            FROM {profiles.PEER_STATS}""",
        "maturity_years": f"SELECT * FROM {_YEARS_VIEW}",
    }


def register(con: duckdb.DuckDBPyConnection, disclosure: DisclosureSettings) -> None:
    """Make the self-scan's marts (if no run made them yet) and the years' view."""
    profiles.ensure_tables(con)
    released = con.execute(
        f"SELECT year, max(revision), max(released_at) FROM {profiles.RELEASES} GROUP BY 1"
    ).fetchall()
    by_year = {year: (revision, at) for year, revision, at in released}
    counts = dict(
        con.execute(
            f"SELECT year, count(DISTINCT {PSEUDONYM_COLUMN})::INTEGER FROM {profiles.PROFILES} "
            "GROUP BY 1"
        ).fetchall()
    )
    rows = [
        {
            "year": year,
            "status": "released" if year in by_year else "open",
            "revision": by_year.get(year, (None, None))[0],
            "released_at": by_year.get(year, (None, None))[1],
            "close_date": profiles.close_date(year, disclosure),
            "factories_submitted": None if year in by_year else counts.get(year),
        }
        for year in sorted(set(counts) | set(by_year))
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "year": pl.Int32,
            "status": pl.String,
            "revision": pl.Int32,
            "released_at": pl.Datetime("us", "UTC"),
            "close_date": pl.Date,
            "factories_submitted": pl.Int32,
        },
    )
    con.register(_YEARS_VIEW, frame)


def unregister(con: duckdb.DuckDBPyConnection) -> None:
    con.unregister(_YEARS_VIEW)
