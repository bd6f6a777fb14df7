"""A factory's own reports: its position per KPI against released peer statistics, its
12-month scorecard, numeric exports, and the full report of each of its submitted files.

Built on :mod:`dashboards.data` (the one place that talks to the snapshot) and under the
same rule: a factory user gets its own figures and the released anonymous statistics of
its peer groups, nothing else; the factory is the logged-in viewer's, never a parameter.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import polars as pl

from dashboards import data
from dashboards.data import PEER_GROUP_KINDS, Viewer
from kpi.findings import Finding

DOMAINS = ("efficiency", "quality", "people")


def _rounded(amount: float | None, unit: str, decimals: int | None) -> float | None:
    from dashboards.ui import rounded

    return rounded(amount, unit, decimals)


def compared_month(viewer: Viewer, month: dt.date) -> dt.date | None:
    """The released month whose peer statistics go beside the factory's own ``month``:
    that month once released, before that the latest release (an early submitter keeps
    its comparison)."""
    released = [m for m in data.months(viewer) if m <= month]
    return released[-1] if released else None


_STATISTICS = (
    "peer_group",
    "n_band",
    "p25",
    "median",
    "p75",
    "top_quartile_boundary",
    "suppressed",
    "suppressed_reason",
    "status",
)


def positions(viewer: Viewer, month: dt.date, group_kind: str, domain: str | None = None):
    """Every KPI (of ``domain``, or all) in ``month``: own value beside the released peer
    statistics of :func:`compared_month`, the quartile (1 = best), the gap to the median
    at display precision with its verdict (better, worse, or none when it shows as zero
    or the KPI has no better side) and how far the factory is from the top quartile (0
    when in it)."""
    compared = compared_month(viewer, month)
    frames = []
    for name in (domain,) if domain else DOMAINS:
        own = data.own_month(viewer, name, month, group_kind)
        if compared is not None and compared != month:
            peers = data.own_month(viewer, name, compared, group_kind)
            own = own.drop(_STATISTICS).join(
                peers.select("kpi", *_STATISTICS), on="kpi", how="left"
            )
        # the catalogue's order, the same on every page and in every report
        order = {kpi: i for i, kpi in enumerate(data.kpi_catalogue(viewer, name)["kpi"])}
        frames.append(
            own.with_columns(domain=pl.lit(name)).sort(
                pl.col("kpi").replace_strict(order, default=len(order), return_dtype=pl.Int64)
            )
        )
    rows = []
    for row in pl.concat(frames, how="diagonal_relaxed").iter_rows(named=True):
        gap = None
        if row["value"] is not None and row["median"] is not None:
            gap = _rounded(row["value"] - row["median"], row["unit"], row["decimals"])
        verdict = data.is_better(gap, row["direction"])
        to_top = None
        boundary = row["top_quartile_boundary"]
        if row["value"] is not None and boundary is not None and not row["suppressed"]:
            if row["direction"] == "higher":
                to_top = max(boundary - row["value"], 0.0)
            elif row["direction"] == "lower":
                to_top = max(row["value"] - boundary, 0.0)
            to_top = _rounded(to_top, row["unit"], row["decimals"])
        quartile = None
        if not row["suppressed"]:
            quartile = data.quartile(
                row["value"], row["p25"], row["median"], row["p75"], row["direction"]
            )
        rows.append(
            {
                **row,
                "compared_month": compared,
                "quartile": quartile,
                "gap_to_median": gap,
                "verdict": None if verdict is None else ("better" if verdict else "worse"),
                "to_top_quartile": to_top,
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def scorecard(viewer: Viewer, end: dt.date, group_kind: str, count: int = 12) -> pl.DataFrame:
    """The factory's quartile (1 = best quarter of its peers ... 4) for every KPI in the
    ``count`` months up to ``end``; null where the month is not released, the statistic
    is suppressed or the KPI has no better side."""
    if group_kind not in PEER_GROUP_KINDS:
        raise ValueError(f"unknown peer group kind {group_kind!r}")
    me = data.own_code(viewer)
    index = end.year * 12 + end.month - 1 - (count - 1)
    start = dt.date(index // 12, index % 12 + 1, 1)
    rows = data.query(
        f"""
        WITH {data._MINE}
        SELECT own.period, d.kpi, d.domain, d.label_nl, d.label_en, d.unit, d.direction,
               own.value, s.p25, s.median, s.p75, s.suppressed
        FROM own_kpis AS own
        JOIN kpi_definitions AS d ON d.kpi = own.kpi AND d.domain <> 'region'
        LEFT JOIN mine USING (period)
        LEFT JOIN peer_stats AS s
               ON s.period = own.period AND s.peer_group = mine.peer_group AND s.kpi = own.kpi
        WHERE own.factory_code = ? AND own.period BETWEEN ? AND ?
        ORDER BY d.domain, d.kpi, own.period
        """,
        (me, group_kind, group_kind, me, start, end),
    )
    return rows.with_columns(
        quartile=pl.struct("value", "p25", "median", "p75", "direction", "suppressed")
        .map_elements(
            lambda r: (
                None
                if r["suppressed"]
                else data.quartile(r["value"], r["p25"], r["median"], r["p75"], r["direction"])
            ),
            return_dtype=pl.Int64,
        )
        .cast(pl.Int64)
    )


NUMERIC_COLUMNS = (
    "kpi",
    "unit",
    "direction",
    "value",
    "n_band",
    "p25",
    "median",
    "p75",
    "top_quartile_boundary",
    "quartile",
    "gap_to_median",
    "verdict",
    "to_top_quartile",
    "suppressed_reason",
    "status",
)


def numeric(positions_frame: pl.DataFrame, month: dt.date, lang: str) -> pl.DataFrame:
    """The positions as numbers (ratios as fractions, as stored) for a spreadsheet:
    one row per KPI, the month and the peer group named, no display text."""
    return positions_frame.select(
        pl.lit(f"{month:%Y-%m}").alias("month"),
        pl.col("peer_group"),
        pl.col(f"label_{lang}").alias("label"),
        *[pl.col(c) for c in NUMERIC_COLUMNS if c in positions_frame.columns],
    ).with_columns(pl.col("suppressed_reason").cast(pl.String), pl.col("status").cast(pl.String))


def excel_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """``frame`` as an Excel workbook: numbers as numbers, text as text (never a formula)."""
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet=sheet[:31], autofit=True)
    return buffer.getvalue()


def own_submission_findings(viewer: Viewer, submission_id: str) -> list[Finding]:
    """The full report of one of the factory's own stored files (errors first, then
    warnings), with its values: only the submitting factory sees these."""
    own = data.submissions(viewer).filter(pl.col("submission_id") == submission_id)
    if not own.height:
        raise data.AccessDenied("not one of this factory's submissions")
    row = own.row(0, named=True)
    items = json.loads(row["errors"] or "[]") + json.loads(row["warnings"] or "[]")
    return [Finding.from_record(item) for item in items]


def monthly_report_pdf(viewer: Viewer, month: dt.date, lang: str) -> bytes:
    """The factory's monthly PDF report of ``month`` (see :mod:`dashboards.monthly_report`)."""
    from dashboards.monthly_report import render

    data.own_code(viewer)
    return render(viewer, month, lang)
