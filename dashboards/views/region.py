"""Region (city): the regional anchoring indicators of a released month, network totals
only, each with the factories it covers; the figure of each year; a council report (PDF)
and the methodology in plain words."""

import polars as pl
import streamlit as st

from dashboards import charts, city, data, session
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
# the latest release by default; any released year and month on request
year_col, month_col, _ = st.columns([1, 1, 2])
year = year_col.selectbox(t("year"), city.years(viewer), key="region-year")
latest = month_col.selectbox(
    t("month"),
    city.month_of(year, released),
    format_func=lambda m: f"{m:%Y-%m}",
    key=f"region-month-{year}",
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
                    change = current - previous
                    delta = (
                        value(change, meta["unit"], signed=True, decimals=meta["decimals"])
                        + " "
                        + t("vs_year_before")
                    )
                # the arrow follows the sign of the change; more is not better or worse
                # for the city's indicators, so no green or red
                st.metric(
                    meta[label],
                    value(current, meta["unit"], decimals=meta["decimals"]),
                    delta,
                    delta_color="off",
                    delta_arrow="auto" if delta and change != 0 else "off",
                )
                caption = t("coverage", n=now["coverage"].item(), of=now["coverage_of"].item())
                status = now["status"].item()
                if status in ("revised", "not_revised"):
                    caption += " · " + t(f"release_status_{status}")
                st.caption(caption)
            shown = rows.filter(~pl.col("suppressed") & (pl.col("period") <= latest))
            if shown.height > 1:
                st.altair_chart(
                    charts.trend(shown, meta["unit"]), width="stretch", key=f"trend-{name}"
                )
            st.caption(meta[f"description_{lang()}"])

st.subheader(t("region_years_title"))
st.caption(t("region_years_intro"))
per_year = city.year_figures(viewer)
table = []
for name in names:
    rows = per_year.filter(pl.col("indicator") == name)
    line = {t("col_indicator"): rows[label][0]}
    for row in rows.iter_rows(named=True):
        heading = str(row["year"]) + ("" if row["complete"] else f" ({row['month']:%m})")
        line[heading] = (
            t("suppressed")
            if row["suppressed"]
            else value(row["value"], row["unit"], decimals=row["decimals"])
            + " · "
            + t("coverage", n=row["coverage"], of=row["coverage_of"])
        )
    table.append(line)
st.dataframe(
    pl.DataFrame(table).fill_null("–"),
    hide_index=True,
    width="stretch",
    column_config={t("col_indicator"): st.column_config.TextColumn(pinned=True, width=220)},
)
st.caption(t("region_years_note"))

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


def _council_pdf(month, language: str) -> bytes:
    from dashboards.council_report import render

    return render(viewer, month, language)


left, right = st.columns(2)
with left:
    download_csv(export, f"regio-indicatoren-{latest:%Y-%m}.csv")
language = lang()
right.download_button(
    t("council_download"),
    data=lambda: _council_pdf(latest, language),
    file_name=f"{t('council_file')}-{latest:%Y-%m}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    type="primary",
)


with st.expander(t("methodology_title"), icon=":material/help:"):
    st.markdown(city.methodology(lang()))
