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


COLOUR_EARLIER = "#868e96"
RADAR_MAX = 5


def _wrapped(label: str, width: int = 12) -> str:
    """A long axis label over a few lines (Vega breaks lines at newlines)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


RADAR_STYLES = {
    "own": (COLOUR_OWN, [1, 0]),
    "median": (COLOUR_MEDIAN, [6, 3]),
    "earlier": (COLOUR_EARLIER, [2, 3]),
}
"""How a radar draws a profile: the factory's own (solid orange), a median (dashed
blue), an earlier year (dotted grey)."""


def radar(
    profiles: pl.DataFrame,
    labels: dict[str, str],
    styles: dict[str, str],
    *,
    spokes: dict[str, str] | None = None,
    size: int = 350,
) -> alt.LayerChart:
    """Profiles on the 1-5 scale as closed lines around one spoke per transformation.

    ``profiles``: columns ``serie`` (the legend's name), ``transformation`` and
    ``score``; ``labels``: transformation -> its label, in the order of the spokes
    (clockwise from the top); ``styles``: serie -> a key of :data:`RADAR_STYLES`, in the
    legend's order; ``spokes``: short labels written at the spokes (default ``labels``).
    It is ``size`` pixels square with its labels (Streamlit fits the whole chart in its
    width): narrow enough for a 390 px phone.
    Tooltips show the score in the page's number format and the full label; a spoke
    without a score leaves the line open there."""
    import math

    keys = list(labels)
    angle = {key: math.pi / 2 - 2 * math.pi * i / len(keys) for i, key in enumerate(keys)}

    def point(key: str, radius: float) -> tuple[float, float]:
        return radius * math.cos(angle[key]), radius * math.sin(angle[key])

    rings = [
        {"ring": r, "position": i, "x": x, "y": y}
        for r in range(1, RADAR_MAX + 1)
        for i, key in enumerate([*keys, keys[0]])
        for x, y in [point(key, r)]
    ]
    spoke_lines = [
        {"spoke": key, "position": end, "x": x, "y": y}
        for key in keys
        for end, (x, y) in enumerate([(0.0, 0.0), point(key, RADAR_MAX)])
    ]
    names = [
        {
            "label": _wrapped((spokes or labels)[key]),
            "x": point(key, RADAR_MAX + 0.3)[0],
            "y": point(key, RADAR_MAX + 0.3)[1],
            "align": "center"
            if abs(point(key, 1)[0]) < 0.2
            else ("left" if point(key, 1)[0] > 0 else "right"),
            "baseline": "bottom"
            if point(key, 1)[1] > 0.9
            else ("top" if point(key, 1)[1] < -0.9 else "middle"),
        }
        for key in keys
    ]
    # the scale along the bisector of the first and the last spoke, clear of the labels
    between = math.pi / 2 + math.pi / len(keys)
    ticks = [
        {"label": str(r), "x": r * math.cos(between), "y": r * math.sin(between)}
        for r in range(1, RADAR_MAX + 1)
    ]
    present = set(profiles.get_column("serie").to_list())
    order = [serie for serie in styles if serie in present]
    lines = []
    for serie in order:
        rows = profiles.filter(pl.col("serie") == serie)
        score = dict(zip(rows["transformation"], rows["score"], strict=True))
        for i, key in enumerate([*keys, keys[0]]):
            value = score.get(key)
            x, y = point(key, value) if value is not None else (None, None)
            lines.append(
                {
                    "serie": serie,
                    "position": i,
                    "transformation": labels[key],
                    "score": value,
                    "x": x,
                    "y": y,
                }
            )
    # the labels stand outside the view (marks are not clipped; the chart grows to them)
    domain = RADAR_MAX + 0.3
    scale = alt.Scale(domain=[-domain, domain], nice=False)
    x = alt.X("x:Q", scale=scale, axis=None)
    y = alt.Y("y:Q", scale=scale, axis=None)
    grid = (
        alt.Chart(pl.DataFrame(rings).to_pandas())
        .mark_line(color="#dee2e6", strokeWidth=1)
        .encode(x=x, y=y, detail="ring:N", order="position:Q")
    )
    axes = (
        alt.Chart(pl.DataFrame(spoke_lines).to_pandas())
        .mark_line(color="#ced4da", strokeWidth=1)
        .encode(x=x, y=y, detail="spoke:N", order="position:Q")
    )
    tick_text = (
        alt.Chart(pl.DataFrame(ticks).to_pandas())
        .mark_text(align="center", baseline="middle", fontSize=9, color="#868e96")
        .encode(x=x, y=y, text="label:N")
    )
    placements = sorted({(n["align"], n["baseline"]) for n in names})
    label_layers = [
        alt.Chart(pl.DataFrame([n for n in names if (n["align"], n["baseline"]) == p]).to_pandas())
        .mark_text(align=p[0], baseline=p[1], fontSize=10, lineBreak="\n", color="#333")
        .encode(x=x, y=y, text="label:N")
        for p in placements
    ]
    colours = [RADAR_STYLES[styles[serie]][0] for serie in order]
    dashes = [RADAR_STYLES[styles[serie]][1] for serie in order]
    series = (
        alt.Chart(pl.DataFrame(lines).to_pandas())
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            order="position:Q",
            color=alt.Color(
                "serie:N",
                scale=alt.Scale(domain=order, range=colours),
                legend=alt.Legend(
                    title=None,
                    orient="bottom",
                    columns=1,
                    labelLimit=0,
                    symbolType="stroke",
                    symbolStrokeWidth=3,
                ),
            ),
            strokeDash=alt.StrokeDash(
                "serie:N", scale=alt.Scale(domain=order, range=dashes), legend=None
            ),
            tooltip=[
                alt.Tooltip("serie:N", title=" "),
                alt.Tooltip("transformation:N", title=t("col_transformation")),
                alt.Tooltip("score:Q", format=",.1f", title=t("col_score")),
            ],
        )
    )
    chart = alt.layer(grid, axes, tick_text, *label_layers, series).properties(
        width=size, height=size
    )
    return _localised(chart)
