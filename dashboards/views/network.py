"""Network (coordinator): who submitted what, why files were refused (rules, never
values), closing and revising months, and the network's anonymous KPI distributions."""

import polars as pl
import streamlit as st

from dashboards import charts, data, session
from dashboards.ui import lang, long_date, t
from kpi.contracts import DATASETS, load_contract

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

st.subheader(t("release_title"))
st.caption(t("release_help"))
status = data.release_status(viewer)
for waiting_request in data.release_requests_waiting(viewer):
    st.info(
        t(
            "release_requested",
            action=t(f"release_action_{waiting_request['action']}"),
            month=f"{waiting_request['period']:%Y-%m}" if waiting_request["period"] else "",
        )
    )
for open_month in status["open"]:
    month_text = f"{open_month['period']:%Y-%m}"
    left, right = st.columns([3, 1])
    left.write(
        t(
            "release_open",
            month=month_text,
            submitted=open_month["factories_submitted"],
            expected=open_month["factories_expected"],
            close=long_date(open_month["close_date"]),
        )
    )
    if right.button(t("release_close", month=month_text), key=f"close-{month_text}"):
        data.request_release(viewer, "close", open_month["period"])
        st.success(t("release_requested", action=t("release_action_close"), month=month_text))
for pending in data.pending_revisions(viewer).iter_rows(named=True):
    month_text = f"{pending['period']:%Y-%m}"
    left, right = st.columns([3, 1])
    left.write(t("release_pending", month=month_text, n=pending["changes_pending"]))
    if right.button(t("release_revise", month=month_text), key=f"revise-{month_text}"):
        data.request_release(viewer, "revise", pending["period"])
        st.success(t("release_requested", action=t("release_action_revise"), month=month_text))

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
    # rules, rows and columns only: the coordinator never sees a factory's values
    reasons = [
        data.reasons_text(viewer, row["dataset"], row["reasons"], lang())
        for row in refused.iter_rows(named=True)
    ]
    st.dataframe(
        refused.select(
            pl.col("received_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("col_received")),
            (pl.col("factory_code") + " " + pl.col("factory_name")).alias(t("col_factory")),
            pl.col("dataset").alias(t("dataset")),
            pl.col("file_name").alias(t("col_file")),
        ).with_columns(pl.Series(t("col_message"), reasons, dtype=pl.String)),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("distribution_title"))
catalogue = data.kpi_catalogue(viewer)
labels = dict(zip(catalogue["kpi"], catalogue[f"label_{lang()}"], strict=True))
kpi = st.selectbox(t("kpi"), list(labels), format_func=labels.get, key="network-kpi")
unit = catalogue.filter(pl.col("kpi") == kpi)["unit"].item()
if info["periods_to"] is None:
    st.info(t("release_none"))
else:
    distribution = data.network_distribution(viewer, kpi, info["periods_from"], info["periods_to"])
    st.altair_chart(charts.distribution(distribution, unit), width="stretch")
