"""The self-scan's data for the pages: the one place its page gets data from.

Like :mod:`dashboards.data` (whose snapshot queries and role checks it uses): a factory
gets its own profile by its logged-in code and the network's released median profile;
the coordinator and the city get the network's profile only, never a factory's row.
A factory's draft is a file of its own (:mod:`kpi.maturity.drafts`); submitting it goes
through the same check and landing zone as an uploaded file.
"""

from __future__ import annotations

import polars as pl

from dashboards.data import Viewer, own_code, query, require, waiting_files
from kpi.maturity import drafts
from kpi.maturity.statements import DATASET
from kpi.settings import get_settings


def own_profile(viewer: Viewer) -> pl.DataFrame:
    """The viewer's own factory's profile: (year, transformation, score), every year."""
    return query(
        "SELECT year, transformation, score FROM own_maturity WHERE factory_code = ? "
        "ORDER BY year, transformation",
        (own_code(viewer),),
    )


def network_profile(viewer: Viewer) -> pl.DataFrame:
    """The network's released median per year and transformation (n only as a band)."""
    require(viewer, "factory", "coordinator", "city")
    return query(
        "SELECT year, transformation, n_band, median, suppressed, suppressed_reason, "
        "revision, status FROM maturity_peer_stats WHERE peer_group = 'network' "
        "ORDER BY year, transformation"
    )


def scan_years(viewer: Viewer) -> pl.DataFrame:
    """Every year with scans: open or released, and when it closes. How many factories
    sent a scan of an open year is the coordinator's business only."""
    require(viewer, "factory", "coordinator", "city")
    years = query(
        "SELECT year, status, revision, released_at, close_date, factories_submitted "
        "FROM maturity_years ORDER BY year"
    )
    if viewer.role != "coordinator":
        years = years.with_columns(pl.lit(None, pl.Int32).alias("factories_submitted"))
    return years


def draft(viewer: Viewer, year: int) -> drafts.Draft:
    """The viewer's factory's answers for ``year`` as last saved (empty when none)."""
    return drafts.load_draft(get_settings(), own_code(viewer), year)


def save_answers(viewer: Viewer, year: int, answers: dict[str, int | None]) -> drafts.Draft:
    """Keep ``answers`` (statement column -> score, or None) in the factory's draft of
    ``year``, beside the answers saved before."""
    current = draft(viewer, year)
    scores: dict[str, object] = {**current.scores}
    for column, score in answers.items():
        if score is None:
            scores.pop(column, None)
        else:
            scores[column] = score
    return drafts.save_draft(get_settings(), own_code(viewer), year, scores, viewer.email)


def submit_scan(viewer: Viewer, year: int):
    """Submit the factory's draft of ``year`` as a file of the ``maturity`` dataset: it
    is checked like an upload and, when accepted, placed in the landing zone for the
    pipeline. The draft is marked submitted then. Returns the validation report."""
    from dashboards.data import check_and_submit

    current = draft(viewer, year)
    report = check_and_submit(
        viewer, DATASET, f"zelfscan-{current.factory_code}-{year}.csv", drafts.scan_file(current)
    )
    if report.accepted:
        drafts.save_draft(
            get_settings(),
            current.factory_code,
            year,
            dict(current.scores),
            viewer.email,
            submitted=True,
        )
    return report


def scan_waiting(viewer: Viewer) -> bool:
    """Whether a scan of the viewer's factory waits in the landing zone."""
    return any(f["dataset"] == DATASET for f in waiting_files(viewer))


def request_close(viewer: Viewer, year: int) -> None:
    """Coordinator: ask the next run to release ``year``'s self-scan now."""
    import datetime as dt

    from kpi.disclosure.requests import place_request

    require(viewer, "coordinator")
    place_request(get_settings(), "close_scan", dt.date(year, 1, 1), viewer.email)
