"""Charts (Altair, which Streamlit renders natively)."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboards.ui import lang, t

# Vega's number format for Flemish readers: decimal comma, thousands point.
DUTCH = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]},
}


def _axis(unit: str) -> alt.Axis:
    form = {"ratio": ".1~%", "EUR": "~s"}.get(unit, ",.2~f")
    return alt.Axis(format=form, title=None)


def _months(count: int) -> alt.X:
    step = max(1, count // 6)
    return alt.X(
        "period:T",
        title=None,
        axis=alt.Axis(format="%Y-%m", tickCount={"interval": "month", "step": step}),
    )


def _localised(chart):
    return chart.configure(locale=DUTCH) if lang() == "nl" else chart


def benchmark(series: pl.DataFrame, unit: str) -> alt.LayerChart:
    """Own monthly values against the peer median and the P25-P75 band."""
    frame = series.select("period", "value", "p25", "median", "p75").to_pandas()
    base = alt.Chart(frame).encode(x=_months(len(frame)))
    band = base.mark_area(opacity=0.25, color="#7fa7c9").encode(
        y=alt.Y("p25:Q", axis=_axis(unit), scale=alt.Scale(zero=False)),
        y2="p75:Q",
        tooltip=[alt.Tooltip("period:T", format="%Y-%m"), "p25:Q", "p75:Q"],
    )
    median = base.mark_line(color="#2b5d8a", strokeDash=[5, 3]).encode(
        y="median:Q", tooltip=[alt.Tooltip("period:T", format="%Y-%m"), "median:Q"]
    )
    own = base.mark_line(color="#d9480f", point=True, strokeWidth=3).encode(
        y="value:Q", tooltip=[alt.Tooltip("period:T", format="%Y-%m"), "value:Q"]
    )
    legend = (
        alt.Chart(
            pl.DataFrame(
                {"serie": [t("chart_own"), t("chart_median"), t("chart_band")]}
            ).to_pandas()
        )
        .mark_point(opacity=0)
        .encode(
            color=alt.Color(
                "serie:N",
                scale=alt.Scale(
                    domain=[t("chart_own"), t("chart_median"), t("chart_band")],
                    range=["#d9480f", "#2b5d8a", "#7fa7c9"],
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            )
        )
    )
    return _localised(alt.layer(band, median, own, legend).properties(height=340))


def distribution(frame: pl.DataFrame, unit: str) -> alt.LayerChart:
    """The network's P25-P75 band and median over time."""
    data = frame.select("period", "p25", "median", "p75").to_pandas()
    base = alt.Chart(data).encode(x=_months(len(data)))
    band = base.mark_area(opacity=0.3, color="#7fa7c9").encode(
        y=alt.Y("p25:Q", axis=_axis(unit), scale=alt.Scale(zero=False)), y2="p75:Q"
    )
    layers = alt.layer(band, base.mark_line(color="#2b5d8a").encode(y="median:Q"))
    return _localised(layers.properties(height=280))


def trend(frame: pl.DataFrame, unit: str) -> alt.Chart:
    data = frame.select("period", "value").to_pandas()
    chart = (
        alt.Chart(data)
        .mark_line(point=True, color="#2b5d8a")
        .encode(
            x=_months(len(data)),
            y=alt.Y("value:Q", axis=_axis(unit), scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("period:T", format="%Y-%m"), "value:Q"],
        )
        .properties(height=160)
    )
    return _localised(chart)
