"""The city's council report (PDF, Dutch or English): every regional indicator of a
released month with its coverage, the change against a year earlier, its trend chart and
a plain-language definition; the figure of each year; and the methodology text. Typeset
by Typst (``templates/council_report.typ``) from the same data-layer calls as the Region
page: released network totals only.
"""

from __future__ import annotations

import datetime as dt
import re

import altair as alt
import polars as pl

from dashboards import city, data
from dashboards.data import Viewer
from dashboards.pdf import (
    NUMBER_FORMATS,
    chart_png,
    month_axis,
    release_line,
    suppressed_text,
    tick_step,
    typeset,
)
from dashboards.ui import value
from kpi.i18n import long_date, message


def _chart_png(frame: pl.DataFrame, unit: str, lang: str) -> bytes:
    from dashboards.charts import COLOUR_MEDIAN, starts_at_zero

    rows = frame.select("period", "value").to_pandas()
    zero = starts_at_zero(rows["value"].tolist())
    form = NUMBER_FORMATS.get(unit, ",.1~f")
    chart = (
        alt.Chart(rows)
        .mark_line(point=alt.OverlayMarkDef(color=COLOUR_MEDIAN, size=14), color=COLOUR_MEDIAN)
        .encode(
            x=month_axis(len(rows), label_size=8),
            y=alt.Y(
                "value:Q",
                scale=alt.Scale(zero=zero),
                axis=alt.Axis(
                    format=form,
                    tickMinStep=tick_step(unit),
                    title=None if zero else message("chart_axis_not_zero", lang),
                    titleFontSize=7,
                    titleColor="#666",
                    labelFontSize=8,
                ),
            ),
        )
        .properties(width=200, height=80)
    )
    return chart_png(chart, lang)


_BOLD = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def _spans(text: str) -> list[dict]:
    """Markdown's **bold** and *italic* as spans the template sets (nothing else)."""
    spans, at = [], 0
    for match in _BOLD.finditer(text):
        if match.start() > at:
            spans.append({"text": text[at : match.start()], "style": ""})
        bold, italic = match.groups()
        spans.append({"text": bold or italic, "style": "bold" if bold else "italic"})
        at = match.end()
    if at < len(text):
        spans.append({"text": text[at:], "style": ""})
    return spans


def methodology_blocks(lang: str) -> list[dict]:
    """The methodology text as paragraphs and list items (its title left out)."""
    blocks = []
    for paragraph in city.methodology(lang).split("\n\n"):
        text = paragraph.strip()
        if not text or text.startswith("# "):
            continue
        if text.startswith("- "):
            for item in text.split("\n- "):
                blocks.append(
                    {
                        "kind": "item",
                        "spans": _spans(
                            " ".join(item[2:].split())
                            if item.startswith("- ")
                            else " ".join(item.split())
                        ),
                    }
                )
        else:
            blocks.append({"kind": "paragraph", "spans": _spans(" ".join(text.split()))})
    return blocks


def report_data(viewer: Viewer, month: dt.date, lang: str) -> dict:
    """Everything the council report shows, as text (numbers formatted for ``lang``)."""
    info = data.snapshot_info(viewer)
    indicators = data.region_indicators(viewer)
    release = data.query(
        "SELECT max(revision) AS revision, max(released_at) AS released_at "
        "FROM releases WHERE period = ?",
        (month,),
    ).row(0, named=True)
    year_before = month.replace(year=month.year - 1)
    label = f"label_{lang}"
    cards = []
    for name in dict.fromkeys(indicators["indicator"].to_list()):
        rows = indicators.filter(pl.col("indicator") == name)
        meta = rows.row(0, named=True)
        now = rows.filter(pl.col("period") == month)
        before = rows.filter((pl.col("period") == year_before) & ~pl.col("suppressed"))
        card = {
            "indicator": name,
            "label": meta[label],
            "description": meta[f"description_{lang}"],
            "value": "–",
            "coverage": "",
            "change": "",
            "status": "",
            "chart": "",
        }
        if now.height and now["suppressed"].item():
            card["value"] = message("suppressed", lang)
            card["coverage"] = suppressed_text(
                now["suppressed_reason"].item(), info["threshold"], lang
            )
        elif now.height:
            current = now["value"].item()
            card["value"] = value(current, meta["unit"], decimals=meta["decimals"], lang_code=lang)
            card["coverage"] = message(
                "coverage", lang, n=now["coverage"].item(), of=now["coverage_of"].item()
            )
            if before.height:
                change = current - before["value"].item()
                card["change"] = (
                    value(
                        change, meta["unit"], signed=True, decimals=meta["decimals"], lang_code=lang
                    )
                    + " "
                    + message("vs_year_before", lang)
                )
            if now["status"].item() in ("revised", "not_revised"):
                card["status"] = message(f"release_status_{now['status'].item()}", lang)
        trend = rows.filter(~pl.col("suppressed") & (pl.col("period") <= month))
        if trend.height > 1:
            card["chart"] = f"chart-{name}.png"
            card["_trend"], card["_unit"] = trend, meta["unit"]
        cards.append(card)
    years = city.year_figures(viewer).filter(pl.col("year") <= month.year)
    year_list = sorted(set(years["year"].to_list()))
    year_rows = []
    for name in dict.fromkeys(indicators["indicator"].to_list()):
        rows = years.filter(pl.col("indicator") == name)
        if not rows.height:
            continue
        cells = {}
        for row in rows.iter_rows(named=True):
            cells[str(row["year"])] = (
                message("suppressed", lang)
                if row["suppressed"]
                else value(row["value"], row["unit"], decimals=row["decimals"], lang_code=lang)
            )
        year_rows.append(
            {"label": rows[label][0], "cells": [cells.get(str(y), "–") for y in year_list]}
        )
    year_heads = []
    for y in year_list:
        last = years.filter(pl.col("year") == y)["month"].max()
        year_heads.append(
            str(y)
            if last.month == 12
            else f"{y} (t/m {last:%m})"
            if lang == "nl"
            else f"{y} (to {last:%m})"
        )
    return {
        "lang": lang,
        "month": f"{month:%Y-%m}",
        "month_long": long_date(month, lang).split(" ", 1)[1],
        "release": release_line(
            "report_release_city", month, release["revision"], release["released_at"], lang
        ),
        "made": long_date(dt.date.today(), lang),
        "texts": {
            key: message(f"council_{key}", lang)
            for key in (
                "title",
                "intro",
                "indicators",
                "years",
                "years_note",
                "methodology",
                "footer",
            )
        },
        "cards": cards,
        "year_heads": year_heads,
        "year_rows": year_rows,
        "methodology": methodology_blocks(lang),
    }


def render(viewer: Viewer, month: dt.date, lang: str) -> bytes:
    """The council report of the released ``month`` as PDF bytes."""
    data.require(viewer, "city", "coordinator")
    content = report_data(viewer, month, lang)
    images = {}
    for card in content["cards"]:
        if card["chart"]:
            trend, unit = card.pop("_trend"), card.pop("_unit")
            images[card["chart"]] = _chart_png(trend, unit, lang)
    return typeset("council_report.typ", content, images)
