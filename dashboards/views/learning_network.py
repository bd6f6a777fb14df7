"""Learning partners across the network (coordinator): offers, requests and
introductions by name, pairings proposed by hand, and the success stories of the
factories that agreed to be named (quartiles, never values). It does not show to whom the
platform proposed a request: that would tell the coordinator who is in a top quartile."""

import polars as pl
import streamlit as st

from dashboards import data, learning, session
from dashboards.ui import lang, t

viewer = session.viewer("coordinator")
st.title(t("page_learning_network"))
session.snapshot_info(viewer)
st.caption(t("learning_network_intro"))

catalogue = data.kpi_catalogue(viewer)
labels = dict(zip(catalogue["kpi"], catalogue[f"label_{lang()}"], strict=True))
overview = learning.overview(viewer)


def kpi_label(kpi: str) -> str:
    return labels.get(kpi, kpi)


def domain_label(domain: str) -> str:
    return t(f"learning_domain_{domain}")


def table(rows: list[dict]) -> None:
    if rows:
        st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(t("learning_none"))


st.subheader(t("learning_introductions"))
table(
    [
        {
            t("col_kpi"): kpi_label(i["kpi"]),
            t("col_requester"): i["requester"].name,
            t("col_offerer"): i["offerer"].name,
            t("col_contact"): f"{i['requester'].contact or '–'} / {i['offerer'].contact or '–'}",
        }
        for i in overview["introductions"]
    ]
)

st.subheader(t("learning_requests_all"))
table(
    [
        {
            t("col_factory"): r["partner"].name,
            t("col_kpi"): kpi_label(r["request"].kpi),
            t("col_domain"): domain_label(r["request"].domain),
            t("col_since"): f"{r['request'].at:%Y-%m-%d}",
            t("col_status"): t("learning_status_introduced")
            if r["introduced"]
            else t("learning_status_open"),
        }
        for r in overview["requests"]
    ]
)

st.subheader(t("learning_offers_all"))
table(
    [
        {
            t("col_factory"): o["partner"].name,
            t("col_domain"): domain_label(o["domain"]),
            t("col_since"): (o["since"] or "")[:10],
        }
        for o in overview["offers"]
    ]
)

st.subheader(t("learning_broker_title"))


def request_label(row: dict) -> str:
    return f"{row['partner'].name}: {kpi_label(row['request'].kpi)}"


open_requests = {r["request"].request_id: r for r in overview["requests"]}
if open_requests:
    names = dict(overview["factories"])
    with st.form("broker"):
        chosen = st.selectbox(
            t("learning_broker_request"),
            list(open_requests),
            format_func=lambda rid: request_label(open_requests[rid]),
        )
        offerer = st.selectbox(t("learning_broker_offerer"), list(names), format_func=names.get)
        if st.form_submit_button(t("learning_broker_button"), icon=":material/handshake:"):
            try:
                learning.broker(viewer, chosen, offerer)
                st.success(t("learning_brokered_done"))
            except learning.LearningRefused as refused:
                st.error(t(refused.key, **refused.params))
else:
    st.caption(t("learning_none"))

st.markdown(f"**{t('learning_brokered_title')}**")


def pairing_status(p: dict) -> str:
    if p["offerer_accepted"] and p["requester_accepted"]:
        return t("learning_status_both")
    if p["offerer_accepted"]:
        return t("learning_status_offerer")
    if p["requester_accepted"]:
        return t("learning_status_requester")
    return t("learning_status_none")


table(
    [
        {
            t("col_kpi"): kpi_label(p["kpi"]),
            t("col_requester"): p["requester"].name,
            t("col_offerer"): p["offerer"].name,
            t("col_status"): pairing_status(p),
        }
        for p in learning.overview(viewer)["brokered"]  # after a pairing just proposed
    ]
)

st.subheader(t("learning_stories_all"))
st.caption(t("learning_stories_all_help"))
table(
    [
        {
            t("col_kpi"): kpi_label(s["story"].kpi),
            t("col_factory"): s["partner"].name,
            t("col_quartiles"): f"{s['story'].quartile_then} → {s['story'].quartile_now}",
            t("col_period"): f"{s['story'].since:%Y-%m} → {s['story'].until:%Y-%m}",
        }
        for s in learning.success_stories(viewer)
    ]
)
