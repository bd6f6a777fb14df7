"""Charts (Altair, which Streamlit renders natively)."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboards.ui import lang, t

# Vega's number format for Flemish readers: decimal comma, thousands point.
DUTCH = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]},
}


COLOUR_OWN = "#d9480f"
COLOUR_MEDIAN = "#2b5d8a"
COLOUR_BAND = "#7fa7c9"


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


def _tooltip_format(unit: str) -> str:
    return {"ratio": ".1%", "EUR": ",.0f"}.get(unit, ",.1f")


def starts_at_zero(values: list[float | None]) -> bool:
    """Whether a chart's value axis should start at zero: when the figures are spread
    over much of their range anyway. Otherwise the axis zooms in and says so, since
    72.4 % to 72.7 % would look dramatic."""
    present = [v for v in values if v is not None and v == v]  # NaN is not a figure
    if not present or min(present) <= 0:
        return True
    return (max(present) - min(present)) / max(present) >= 0.5


def _y_title(values: list[float | None]) -> str | None:
    return None if starts_at_zero(values) else t("chart_axis_not_zero")


def benchmark(series: pl.DataFrame, unit: str) -> alt.LayerChart:
    """Own monthly values against the peer median and the P25-P75 band. Only series with
    a figure to show are drawn and listed in the legend; tooltips show figures in the
    KPI's unit; the axis says when it does not start at zero."""
    frame = series.select("period", "value", "p25", "median", "p75").to_pandas()
    colours = {
        t("chart_own"): (COLOUR_OWN, "value"),
        t("chart_median"): (COLOUR_MEDIAN, "median"),
        t("chart_band"): (COLOUR_BAND, "p25"),
    }
    shown = {name: c for name, c in colours.items() if frame[c[1]].notna().any()}
    tip = _tooltip_format(unit)
    period = alt.Tooltip("period:T", format="%Y-%m", title=t("month"))
    values = [*frame["value"].tolist(), *frame["p25"].tolist(), *frame["median"].tolist()]
    y_axis = alt.Axis(
        format={"ratio": ".1~%", "EUR": "~s"}.get(unit, ",.2~f"),
        title=_y_title(values),
        titleFontWeight="normal",
        titleColor="#666",
    )
    zero = starts_at_zero(values)
    base = alt.Chart(frame).encode(x=_months(len(frame)))
    layers = []
    if t("chart_band") in shown:
        layers.append(
            base.mark_area(opacity=0.25, color=COLOUR_BAND).encode(
                y=alt.Y("p25:Q", axis=y_axis, scale=alt.Scale(zero=zero)),
                y2="p75:Q",
                tooltip=[
                    period,
                    alt.Tooltip("p25:Q", format=tip, title="P25"),
                    alt.Tooltip("p75:Q", format=tip, title="P75"),
                ],
            )
        )
    if t("chart_median") in shown:
        layers.append(
            base.mark_line(color=COLOUR_MEDIAN, strokeDash=[5, 3]).encode(
                y=alt.Y("median:Q", axis=y_axis, scale=alt.Scale(zero=zero)),
                tooltip=[period, alt.Tooltip("median:Q", format=tip, title=t("chart_median"))],
            )
        )
    layers.append(
        base.mark_line(
            color=COLOUR_OWN, strokeWidth=3, point=alt.OverlayMarkDef(color=COLOUR_OWN)
        ).encode(
            y=alt.Y("value:Q", axis=y_axis, scale=alt.Scale(zero=zero)),
            tooltip=[period, alt.Tooltip("value:Q", format=tip, title=t("chart_own"))],
        )
    )
    legend = (
        alt.Chart(pl.DataFrame({"serie": list(shown)}).to_pandas())
        .mark_point(opacity=0)
        .encode(
            color=alt.Color(
                "serie:N",
                scale=alt.Scale(domain=list(shown), range=[c[0] for c in shown.values()]),
                legend=alt.Legend(title=None, orient="bottom", columns=1, labelLimit=0),
            )
        )
    )
    return _localised(alt.layer(*layers, legend).properties(height=340))


def distribution(frame: pl.DataFrame, unit: str) -> alt.LayerChart:
    """The network's P25-P75 band and median over time, with a legend and tooltips in the
    page's number format."""
    data = frame.select("period", "p25", "median", "p75").to_pandas()
    tip = _tooltip_format(unit)
    period = alt.Tooltip("period:T", format="%Y-%m", title=t("month"))
    base = alt.Chart(data).encode(x=_months(len(data)))
    band = base.mark_area(opacity=0.3, color=COLOUR_BAND).encode(
        y=alt.Y("p25:Q", axis=_axis(unit), scale=alt.Scale(zero=False)),
        y2="p75:Q",
        tooltip=[
            period,
            alt.Tooltip("p25:Q", format=tip, title="P25"),
            alt.Tooltip("p75:Q", format=tip, title="P75"),
        ],
    )
    median = base.mark_line(color=COLOUR_MEDIAN).encode(
        y="median:Q", tooltip=[period, alt.Tooltip("median:Q", format=tip, title=t("col_median"))]
    )
    series = {t("chart_median"): COLOUR_MEDIAN, t("chart_band"): COLOUR_BAND}
    legend = (
        alt.Chart(pl.DataFrame({"serie": list(series)}).to_pandas())
        .mark_point(opacity=0)
        .encode(
            color=alt.Color(
                "serie:N",
                scale=alt.Scale(domain=list(series), range=list(series.values())),
                legend=alt.Legend(title=None, orient="bottom", columns=1, labelLimit=0),
            )
        )
    )
    return _localised(alt.layer(band, median, legend).properties(height=280))


def trend(frame: pl.DataFrame, unit: str) -> alt.Chart:
    """One indicator over time; the axis says when it does not start at zero."""
    data = frame.select("period", "value").to_pandas()
    zero = starts_at_zero(data["value"].tolist())
    axis = alt.Axis(
        format={"ratio": ".1~%", "EUR": "~s"}.get(unit, ",.2~f"),
        title=_y_title(data["value"].tolist()),
        titleFontWeight="normal",
        titleColor="#666",
    )
    chart = (
        alt.Chart(data)
        .mark_line(point=True, color=COLOUR_MEDIAN)
        .encode(
            x=_months(len(data)),
            y=alt.Y("value:Q", axis=axis, scale=alt.Scale(zero=zero)),
            tooltip=[
                alt.Tooltip("period:T", format="%Y-%m", title=t("month")),
                alt.Tooltip("value:Q", format=_tooltip_format(unit), title=t("col_value")),
            ],
        )
        .properties(height=160)
    )
    return _localised(chart)


QUARTILE_COLOURS = {
    "Q1": "background-color: #2b8a3e; color: white",
    "Q2": "background-color: #b2f2bb; color: #1b1b1b",
    "Q3": "background-color: #ffd8a8; color: #1b1b1b",
    "Q4": "background-color: #c92a2a; color: white",
}


def quartile_style(cell: object) -> str:
    """A scorecard cell's colour: Q1 (best quarter of the peers) dark green ... Q4 red."""
    return QUARTILE_COLOURS.get(str(cell), "")
