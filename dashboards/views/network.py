"""Network (coordinator): who submitted what, why files were refused, and the network's
anonymous KPI distributions."""

import polars as pl
import streamlit as st

from dashboards import charts, data, session
from dashboards.ui import lang, t
from kpi.contracts import DATASETS, load_contract
from kpi.findings import Finding

viewer = session.viewer("coordinator")
st.title(t("page_network"))
info = session.snapshot_info(viewer)

grid = data.submission_grid(viewer)
expected = data.expected_month()
waiting = data.waiting_files(viewer)
submissions = data.submissions(viewer)
refused = submissions.filter(pl.col("status") == "refused")
late = grid.filter(pl.col("status") == "late")

first, second, third = st.columns(3)
first.metric(t("late_count", month=f"{expected:%Y-%m}"), late["factory_code"].n_unique())
second.metric(t("refused_count"), refused.height)
third.metric(t("waiting_count"), len(waiting))

st.subheader(t("grid_title"))
st.caption(t("grid_help"))
labels = {status: t(f"grid_{status}") for status in ("ok", "refused", "late", "missing")}
colours = {
    labels["ok"]: "background-color: #d3f9d8",
    labels["refused"]: "background-color: #ffc9c9; font-weight: 600",
    labels["late"]: "background-color: #ffe8cc; font-weight: 600",
    labels["missing"]: "color: #868e96",
}
tabs = st.tabs([load_contract(d).title(lang()) for d in DATASETS])
for tab, dataset in zip(tabs, DATASETS, strict=True):
    table = (
        grid.filter(pl.col("dataset") == dataset)
        .with_columns(
            pl.col("status").replace_strict(labels).alias("label"),
            (pl.col("factory_code") + " " + pl.col("factory_name")).alias("factory"),
        )
        .pivot(on="month", index="factory", values="label", aggregate_function="first")
        .rename({"factory": t("col_factory")})
    )
    tab.dataframe(
        table.to_pandas().style.map(lambda cell: colours.get(cell, "")),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("refusals_title"))
if refused.height:

    def reasons(errors: str) -> str:
        import json

        items = [Finding.from_record(r) for r in json.loads(errors)]
        return " · ".join(
            (f"{t('col_row')} {f.row}, " if f.row else "")
            + f"{f.column or ''}: {f.message(lang())}"
            for f in items[:3]
        ) + (f" (+{len(items) - 3})" if len(items) > 3 else "")

    st.dataframe(
        refused.select(
            pl.col("received_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("col_received")),
            (pl.col("factory_code") + " " + pl.col("factory_name")).alias(t("col_factory")),
            pl.col("dataset").alias(t("dataset")),
            pl.col("file_name").alias(t("col_file")),
            pl.col("errors").map_elements(reasons, return_dtype=pl.String).alias(t("col_message")),
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("distribution_title"))
catalogue = data.kpi_catalogue(viewer)
labels = dict(zip(catalogue["kpi"], catalogue[f"label_{lang()}"], strict=True))
kpi = st.selectbox(t("kpi"), list(labels), format_func=labels.get, key="network-kpi")
unit = catalogue.filter(pl.col("kpi") == kpi)["unit"].item()
distribution = data.network_distribution(viewer, kpi, info["periods_from"], info["periods_to"])
st.altair_chart(charts.distribution(distribution, unit), width="stretch")
