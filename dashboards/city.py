"""The city's figures beyond one month: the figure of each year and the methodology
text. Only released network totals, from :func:`dashboards.data.region_indicators`;
nothing here computes a new figure from factory data."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards import data
from dashboards.data import Viewer
from kpi.settings import REPO_ROOT

METHODOLOGY = {lang: REPO_ROOT / "docs" / f"methodology.{lang}.md" for lang in ("nl", "en")}


def years(viewer: Viewer) -> list[int]:
    """Every year with at least one released month, newest first."""
    periods = data.region_indicators(viewer)["period"]
    return sorted({p.year for p in periods.to_list()}, reverse=True)


def year_figures(viewer: Viewer) -> pl.DataFrame:
    """Per indicator and year, the released figure of the year's last released month:
    for the 12-month indicators (investment, net job change, retention) at December
    that is the calendar year's total; ``month`` says which month it is, ``complete``
    whether it is December. Suppressed figures stay suppressed."""
    rows = data.region_indicators(viewer).with_columns(year=pl.col("period").dt.year())
    last = rows.group_by("year").agg(pl.col("period").max().alias("last_month"))
    return (
        rows.join(last, on="year")
        .filter(pl.col("period") == pl.col("last_month"))
        .select(
            "year",
            pl.col("period").alias("month"),
            (pl.col("period").dt.month() == 12).alias("complete"),
            "indicator",
            "label_nl",
            "label_en",
            "unit",
            "decimals",
            "value",
            "coverage",
            "coverage_of",
            "suppressed",
            "suppressed_reason",
        )
        .sort("indicator", "year")
    )


def methodology(lang: str) -> str:
    """How the city's figures are made, for a reader who is not an engineer
    (``docs/methodology.<lang>.md``)."""
    return METHODOLOGY[lang].read_text(encoding="utf-8")


def month_of(year: int, released: list[dt.date]) -> list[dt.date]:
    """The released months of ``year``, newest first."""
    return sorted((m for m in released if m.year == year), reverse=True)
