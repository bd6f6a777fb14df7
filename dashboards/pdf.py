"""What the PDF reports share: Typst typesetting of a template with its JSON content and
chart images, static Vega-Lite charts as PNG in the reader's number format, and the
texts both reports print the same way (suppressed figures; dates come from kpi.i18n)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import altair as alt

from kpi.i18n import long_date, message

TEMPLATES = Path(__file__).parent / "templates"
NUMBER_FORMATS = {"ratio": ".1~%", "EUR": "~s"}
"""Vega number formats of the chart axes by KPI unit; other units take the caller's own."""
TICK_STEPS = {"ratio": 0.001}
"""The smallest step between axis ticks by unit, the precision the format shows: without
it a narrow range of percentages repeats the same label (70,5 % twice)."""


def tick_step(unit: str) -> float | alt.UndefinedType:
    return TICK_STEPS.get(unit, alt.Undefined)


def suppressed_text(reason: str | None, threshold: object, lang: str) -> str:
    """Why a figure is not shown, in the reader's language."""
    if not reason:
        return message("suppressed", lang)
    return message(f"reason_{reason}", lang, threshold=threshold or "?")


def month_axis(points: int, label_size: int) -> alt.X:
    """The time axis of a report chart: mm/yy, about five ticks whatever the length."""
    return alt.X(
        "period:T",
        title=None,
        axis=alt.Axis(
            format="%m/%y",
            labelFontSize=label_size,
            labelOverlap="greedy",
            labelFlush=False,
            tickCount={"interval": "month", "step": max(1, points // 5)},
        ),
    )


def chart_png(chart: alt.TopLevelMixin, lang: str) -> bytes:
    """A chart as a PNG at twice its size, with Dutch number formats for Dutch readers."""
    import vl_convert

    from dashboards.charts import DUTCH

    return vl_convert.vegalite_to_png(
        chart.to_json(), scale=2, format_locale=DUTCH["number"] if lang == "nl" else None
    )


def typeset(template: str, content: dict, images: dict[str, bytes]) -> bytes:
    """Compile ``templates/<template>`` as PDF; it reads ``report.json`` (``content``) and
    the ``images`` by their file names, all from a private temporary folder."""
    import typst

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, png in images.items():
            (root / name).write_bytes(png)
        (root / "report.json").write_text(json.dumps(content), encoding="utf-8")
        source = (TEMPLATES / template).read_text(encoding="utf-8")
        (root / "report.typ").write_text(source, encoding="utf-8")
        return typst.compile(str(root / "report.typ"), root=str(root), format="pdf")


def release_line(key: str, month, revision: int, released_at, lang: str) -> str:
    """Which release a report shows: the month, its revision (if any) and its date."""
    return message(
        key,
        lang,
        month=f"{month:%Y-%m}",
        revision=message("release_revision", lang, revision=revision) if revision else "",
        date=long_date(released_at, lang),
    )
