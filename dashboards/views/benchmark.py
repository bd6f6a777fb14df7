"""Benchmark (factory users): own values against anonymous peers."""

import polars as pl
import streamlit as st

from dashboards import charts, data, session
from dashboards.data import PEER_GROUP_KINDS
from dashboards.ui import download_csv, lang, suppressed_text, t, value

viewer = session.viewer("factory")
st.title(t("page_benchmark"))
info = session.snapshot_info(viewer)

label = f"label_{lang()}"
domain_col, kpi_col, group_col = st.columns([1, 2, 1])
domain = domain_col.selectbox(
    t("domain"), ("efficiency", "quality", "people"), format_func=lambda d: t(f"domain_{d}")
)
catalogue = data.kpi_catalogue(viewer, domain)
labels = dict(zip(catalogue["kpi"], catalogue[label], strict=True))
kpi = kpi_col.selectbox(t("kpi"), list(labels), format_func=labels.get)
group = group_col.selectbox(t("peer_group"), PEER_GROUP_KINDS, format_func=lambda g: t(f"peer_{g}"))
months = data.months(viewer)
start, end = st.select_slider(
    t("months_range"),
    options=months,
    value=(months[max(0, len(months) - 24)], months[-1]),
    format_func=lambda m: f"{m:%Y-%m}",
)
definition = catalogue.filter(pl.col("kpi") == kpi).row(0, named=True)

series = data.own_series(viewer, kpi, group, start, end)
if series["value"].is_null().all():
    st.info(t("no_own_data"))
st.altair_chart(charts.benchmark(series, definition["unit"]), width="stretch")
hidden = series.filter(pl.col("suppressed").fill_null(True))
if hidden.height:
    st.caption(
        f"{hidden.height}× " + suppressed_text("threshold", hidden["n"].max(), info["threshold"])
    )
with st.expander(t("definitions_of_kpi")):
    st.markdown(f"**{definition[label]}** — {definition[f'description_{lang()}']}")
    st.code(definition["formula"], language=None)

st.subheader(t("latest_month", month=f"{end:%Y-%m}"))
month = data.own_month(viewer, domain, end, group)


def shown(row: dict) -> dict:
    unit = row["unit"]
    if row["suppressed"] or row["n"] is None:
        statistics = {
            t("col_median"): suppressed_text(
                row["suppressed_reason"] or "threshold", row["n"], info["threshold"]
            ),
            t("col_band"): "–",
            t("col_quartile"): "–",
            t("col_gap_median"): "–",
            t("col_gap_top"): "–",
        }
    else:
        better = data.is_better(row["gap_to_median"], row["direction"])
        mark = "" if better is None else (" ▲ " + t("better") if better else " ▼ " + t("worse"))
        statistics = {
            t("col_median"): value(row["median"], unit),
            t("col_band"): f"{value(row['p25'], unit)} – {value(row['p75'], unit)}",
            t("col_quartile"): f"Q{row['quartile']}" if row["quartile"] else "–",
            t("col_gap_median"): value(row["gap_to_median"], unit, signed=True) + mark,
            t("col_gap_top"): value(row["gap_to_top_quartile"], unit, signed=True),
        }
    return {
        t("col_kpi"): row[label],
        t("col_own"): value(row["value"], unit),
        t("col_n"): row["n"] or 0,
        **statistics,
        t("col_direction"): t(f"direction_{row['direction']}"),
    }


table = pl.DataFrame([shown(row) for row in month.iter_rows(named=True)])


def colour(cell: str) -> str:
    if t("better") in str(cell):
        return "color: #2b8a3e; font-weight: 600"
    if t("worse") in str(cell):
        return "color: #c92a2a; font-weight: 600"
    return ""


st.dataframe(
    table.to_pandas().style.map(colour, subset=[t("col_gap_median")]),
    hide_index=True,
    width="stretch",
)
download_csv(table, f"benchmark-{viewer.factory_code}-{domain}-{end:%Y-%m}.csv")
with st.expander(t("definitions_title")):
    st.dataframe(
        catalogue.select(
            pl.col(label).alias(t("col_kpi")),
            pl.col("formula").alias(t("col_formula")),
            pl.col("unit").alias(t("col_unit")),
            pl.col(f"description_{lang()}").alias(t("col_description")),
        ),
        hide_index=True,
        width="stretch",
    )
