"""Region (city): the regional anchoring indicators of a released month, network totals
only, each with the factories it covers."""

import polars as pl
import streamlit as st

from dashboards import charts, data, session
from dashboards.ui import download_csv, lang, suppressed_text, t, value

viewer = session.viewer("city", "coordinator")
st.title(t("region_title"))
info = session.snapshot_info(viewer)
st.write(t("region_intro"))

indicators = data.region_indicators(viewer)
released = sorted(set(indicators["period"].to_list()))
if not released:
    st.info(t("release_none"))
    st.stop()
# the latest release by default; any released month on request
latest = st.selectbox(
    t("month"),
    list(reversed(released)),
    format_func=lambda m: f"{m:%Y-%m}",
    key="region-month",
)
year_before = latest.replace(year=latest.year - 1)
label = f"label_{lang()}"

names = list(dict.fromkeys(indicators["indicator"].to_list()))
for row_start in range(0, len(names), 3):
    columns = st.columns(3)
    for column, name in zip(columns, names[row_start : row_start + 3], strict=False):
        rows = indicators.filter(pl.col("indicator") == name)
        meta = rows.row(0, named=True)
        now = rows.filter(pl.col("period") == latest)
        before = rows.filter(pl.col("period") == year_before)
        with column.container(border=True):
            if not now.height:
                st.metric(meta[label], "–")
            elif now["suppressed"].item():
                st.metric(meta[label], t("suppressed"))
                st.caption(suppressed_text(now["suppressed_reason"].item(), info["threshold"]))
            else:
                current = now["value"].item()
                previous = before["value"].item() if before.height else None
                delta = None
                if previous is not None and not before["suppressed"].item():
                    delta = (
                        value(current - previous, meta["unit"], signed=True)
                        + " "
                        + t("vs_year_before")
                    )
                st.metric(meta[label], value(current, meta["unit"]), delta)
                caption = t("coverage", n=now["coverage"].item(), of=now["coverage_of"].item())
                status = now["status"].item()
                if status in ("revised", "not_revised"):
                    caption += " · " + t(f"release_status_{status}")
                st.caption(caption)
            shown = rows.filter(~pl.col("suppressed") & (pl.col("period") <= latest))
            if shown.height > 1:
                st.altair_chart(charts.trend(shown, meta["unit"]), width="stretch")
            st.caption(meta[f"description_{lang()}"])

export = indicators.select(
    pl.col("period").dt.strftime("%Y-%m").alias("period"),
    pl.col("indicator"),
    pl.col(label).alias("label"),
    pl.col("unit"),
    pl.col("value"),
    pl.col("coverage"),
    pl.col("coverage_of"),
    pl.col("suppressed"),
    pl.col("suppressed_reason"),
    pl.col("revision"),
    pl.col("status"),
)
download_csv(export, f"regio-indicatoren-{latest:%Y-%m}.csv")
