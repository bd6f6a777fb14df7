"""The monthly PDF report ("Maandrapport") of one factory, in Dutch or English: its
position per KPI, its trends with the peer band, the definitions, and the release whose
peer statistics it shows. Typeset by Typst (``templates/monthly_report.typ``) from the
same data-layer calls as the Benchmark page, with static Altair charts made by
vl-convert: the report shows nothing the factory's own page does not.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from dashboards import data, reports
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


def _peer_group(group: str, lang: str) -> str:
    kind, _, name = group.partition(":")
    if kind == "network":
        return message("peer_network", lang)
    return message(f"peer_named_{kind}", lang, name=name.replace(">=", "≥ ").replace("<", "< "))


def _chart_png(series: pl.DataFrame, unit: str, lang: str) -> bytes:
    """Own values, peer median and P25-P75 band of one KPI as a small static chart."""
    from dashboards.charts import COLOUR_BAND, COLOUR_MEDIAN, COLOUR_OWN, starts_at_zero

    frame = series.select("period", "value", "p25", "median", "p75").to_pandas()
    form = NUMBER_FORMATS.get(unit, ",.2~f")
    x = month_axis(len(frame), label_size=9)
    zero = starts_at_zero(frame[["value", "p25", "p75", "median"]].stack().tolist())
    y_title = None if zero else message("chart_axis_not_zero", lang)
    y_axis = alt.Axis(
        format=form, tickMinStep=tick_step(unit), title=y_title, titleFontSize=8, titleColor="#666"
    )
    base = alt.Chart(frame).encode(x=x)
    layers = []
    if frame["p25"].notna().any():
        layers.append(
            base.mark_area(opacity=0.3, color=COLOUR_BAND).encode(
                y=alt.Y("p25:Q", axis=y_axis, scale=alt.Scale(zero=zero)), y2="p75:Q"
            )
        )
    if frame["median"].notna().any():
        layers.append(
            base.mark_line(color=COLOUR_MEDIAN, strokeDash=[5, 3]).encode(
                y=alt.Y("median:Q", axis=y_axis, scale=alt.Scale(zero=zero))
            )
        )
    layers.append(
        base.mark_line(
            color=COLOUR_OWN, strokeWidth=2.5, point=alt.OverlayMarkDef(color=COLOUR_OWN, size=18)
        ).encode(y=alt.Y("value:Q", axis=y_axis, scale=alt.Scale(zero=zero)))
    )
    chart = alt.layer(*layers).properties(width=230, height=110)
    return chart_png(chart, lang)


def report_data(viewer: Viewer, month: dt.date, lang: str, group_kind: str = "network") -> dict:
    """Everything the report shows, as text (numbers formatted for ``lang``)."""
    info = data.snapshot_info(viewer)
    threshold = info.get("threshold")
    positions = reports.positions(viewer, month, group_kind)
    compared = reports.compared_month(viewer, month)
    release = None
    if compared is not None:
        row = data.query(
            "SELECT max(revision) AS revision, max(released_at) AS released_at "
            "FROM releases WHERE period = ?",
            (compared,),
        ).row(0, named=True)
        release = release_line(
            "report_release", compared, row["revision"], row["released_at"], lang
        )
    label = f"label_{lang}"
    index = month.year * 12 + month.month - 1 - 11
    start = dt.date(index // 12, index % 12 + 1, 1)
    domains = []
    for domain in reports.DOMAINS:
        rows = []
        for row in positions.filter(pl.col("domain") == domain).iter_rows(named=True):
            unit, places = row["unit"], row["decimals"]

            def shown(amount, signed=False, unit=unit, places=places):
                return value(amount, unit, signed=signed, decimals=places, lang_code=lang)

            if row["suppressed"] or row["median"] is None:
                median = (
                    suppressed_text(row["suppressed_reason"], threshold, lang)
                    if row["suppressed"]
                    else "–"
                )
                band = quartile = gap = to_top = "–"
            else:
                median = shown(row["median"])
                # "P25 - P75 only from 10 factories" is said once, under the heading
                band = (
                    f"{shown(row['p25'])} – {shown(row['p75'])}" if row["p25"] is not None else "–"
                )
                quartile = f"Q{row['quartile']}" if row["quartile"] else "–"
                verdict = row["verdict"]
                gap = shown(row["gap_to_median"], signed=True) + (
                    "" if verdict is None else f" {message(verdict, lang)}"
                )
                to_top = (
                    "–"
                    if row["to_top_quartile"] is None
                    else message("in_top_quartile", lang)
                    if row["to_top_quartile"] == 0
                    else message(
                        "to_top_quartile",
                        lang,
                        amount=shown(row["to_top_quartile"], signed=True).lstrip("+"),
                    )
                )
            series = data.own_series(viewer, row["kpi"], group_kind, start, month)
            rows.append(
                {
                    "kpi": row["kpi"],
                    "label": row[label],
                    "own": shown(row["value"]),
                    "median": median,
                    "band": band,
                    "quartile": quartile,
                    "gap": gap,
                    "verdict": row["verdict"] or "",
                    "to_top": to_top,
                    "n": row["n_band"] or "–",
                    "direction": message(f"direction_{row['direction']}", lang),
                    "description": row[f"description_{lang}"],
                    "formula": row["formula"],
                    "chart": f"chart-{row['kpi']}.png" if series.height else "",
                    "_series": series,
                    "_unit": unit,
                }
            )
        domains.append({"title": message(f"domain_{domain}", lang), "rows": rows})
    groups = data.own_peer_groups(viewer, compared or month)
    texts = {
        key: message(f"report_{key}", lang)
        for key in (
            "title",
            "positions",
            "trends",
            "definitions",
            "confidential",
            "legend",
            "trend_legend",
        )
    }
    texts.update(
        {
            key: message(key, lang)
            for key in ("col_kpi", "col_own", "col_median", "col_band", "col_quartile", "col_n")
        }
    )
    texts["legend"] += " " + message("quartiles_from", lang, n=info.get("quartiles_min_n")) + "."
    texts["col_gap_median"] = message("col_gap_median", lang)
    texts["col_gap_top"] = message("col_gap_top", lang)
    return {
        "lang": lang,
        "factory": viewer.factory_code,
        "month": f"{month:%Y-%m}",
        "month_long": long_date(month, lang).split(" ", 1)[1],
        "made": long_date(dt.date.today(), lang),
        "release": release or message("release_none", lang),
        "open_month": month != compared,
        "open_note": message("report_open_month", lang, month=f"{month:%Y-%m}")
        if compared is not None and month != compared
        else "",
        "groups": message(
            "own_groups", lang, groups=", ".join(_peer_group(g, lang) for g in groups)
        ),
        "compared_with": message(
            "report_compared_with", lang, group=message(f"peer_{group_kind}", lang)
        ),
        "texts": texts,
        "domains": domains,
    }


def render(viewer: Viewer, month: dt.date, lang: str, group_kind: str = "network") -> bytes:
    """The monthly report of the viewer's own factory for ``month`` as PDF bytes."""
    content = report_data(viewer, month, lang, group_kind)
    images = {}
    for domain in content["domains"]:
        for row in domain["rows"]:
            series, unit = row.pop("_series"), row.pop("_unit")
            if row["chart"]:
                images[row["chart"]] = _chart_png(series, unit, lang)
    return typeset("monthly_report.typ", content, images)
