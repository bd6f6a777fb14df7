"""Learning partners (factory users): offer practice per domain, ask for a partner on a
KPI where the factory lies below the released median, answer requests proposed to it,
agree to be named as a success story, and read its own consent log. Names and contacts
appear only when both sides accepted; no figure of another factory is ever shown."""

import polars as pl
import streamlit as st

from dashboards import data, learning, session
from dashboards.ui import lang, long_date, plain, t

viewer = session.viewer("factory")
st.title(t("page_learning"))
session.snapshot_info(viewer)
st.caption(t("learning_intro"))

catalogue = data.kpi_catalogue(viewer)
labels = dict(zip(catalogue["kpi"], catalogue[f"label_{lang()}"], strict=True))


def kpi_label(kpi: str) -> str:
    return labels.get(kpi, kpi)


def domain_label(domain: str) -> str:
    return t(f"learning_domain_{domain}")


def partner_text(partner) -> str:
    return t(
        "learning_introduced",
        name=plain(partner.name),
        contact=plain(partner.contact) if partner.contact else t("learning_no_contact"),
    )


def act(action, *args) -> None:
    """Carry out a button's action; a refusal shows its message, a success redraws."""
    try:
        action(viewer, *args)
    except learning.LearningRefused as refused:
        st.error(t(refused.key, **refused.params))
        return
    st.rerun()


# --- offers ----------------------------------------------------------------------------
st.subheader(t("learning_offers_title"))
st.caption(t("learning_offers_help"))
offers = learning.offers(viewer)
threshold = data.snapshot_info(viewer).get("threshold", 5)
for domain in learning.DOMAINS:
    left, right = st.columns([2, 3])
    offered = domain in offers["own"]
    chosen = left.checkbox(
        t("learning_offer_checkbox", domain=domain_label(domain)),
        value=offered,
        key=f"offer_{domain}",
    )
    band = offers["bands"][domain]
    right.caption(
        t("learning_offer_band", band=band)
        if band
        else t("learning_offer_few", threshold=threshold)
    )
    if chosen != offered:
        act(learning.set_offer, domain, chosen)

# --- asking for a partner --------------------------------------------------------------
st.subheader(t("learning_ask_title"))
st.caption(t("learning_ask_help"))
with st.form("ask"):
    kpi = st.selectbox(
        t("learning_ask_kpi"), learning.requestable_kpis(viewer), format_func=kpi_label
    )
    if st.form_submit_button(t("learning_ask_button"), icon=":material/handshake:"):
        try:
            learning.ask(viewer, kpi)
            st.success(t("learning_asked", kpi=kpi_label(kpi)))
        except learning.LearningRefused as refused:
            params = {**refused.params, "kpi": kpi_label(kpi)}
            st.error(t(refused.key, **params))

st.markdown(f"**{t('learning_my_requests')}**")
requests = learning.own_requests(viewer)
if not requests:
    st.caption(t("learning_no_requests"))
for item in requests:
    request = item["request"]
    with st.container(border=True):
        st.markdown(
            t(
                "learning_request_line",
                kpi=kpi_label(request.kpi),
                domain=domain_label(request.domain),
                date=long_date(request.at.date()),
                month=f"{request.period:%Y-%m}",
            )
        )
        if not item["partners"]:
            st.caption(t("learning_request_waiting"))
        for side in item["partners"]:
            if side["introduced"]:
                st.success(partner_text(side["partner"]))
                if st.button(t("learning_withdraw"), key=f"wr_{side['handle']}"):
                    act(learning.answer, side["handle"], False)
            else:
                st.info(t("learning_partner_accepted", kpi=kpi_label(side["kpi"])))
                yes, no = st.columns(2)
                if yes.button(t("learning_accept"), key=f"ar_{side['handle']}", type="primary"):
                    act(learning.answer, side["handle"], True)
                if no.button(t("learning_decline"), key=f"dr_{side['handle']}"):
                    act(learning.answer, side["handle"], False)
        if st.button(t("learning_withdraw_request"), key=f"wq_{request.request_id}"):
            act(learning.withdraw_request, request.request_id)

# --- requests proposed to this factory -------------------------------------------------
st.subheader(t("learning_proposals_title"))
proposals = learning.proposals(viewer)
if not proposals:
    st.caption(t("learning_no_proposals"))
for side in proposals:
    with st.container(border=True):
        line = t(
            "learning_proposal_line",
            kpi=kpi_label(side["kpi"]),
            domain=domain_label(side["domain"]),
        )
        if side["brokered"]:
            line += f" ({t('learning_proposal_brokered')})"
        st.markdown(line)
        if side["introduced"]:
            st.success(partner_text(side["partner"]))
            if st.button(t("learning_withdraw"), key=f"wo_{side['handle']}"):
                act(learning.answer, side["handle"], False)
        elif side["accepted_by_me"]:
            st.caption(t("learning_waiting_other"))
            if st.button(t("learning_withdraw"), key=f"wo_{side['handle']}"):
                act(learning.answer, side["handle"], False)
        else:
            yes, no = st.columns(2)
            if yes.button(t("learning_accept"), key=f"ao_{side['handle']}", type="primary"):
                act(learning.answer, side["handle"], True)
            if no.button(t("learning_decline"), key=f"do_{side['handle']}"):
                act(learning.answer, side["handle"], False)

# --- success stories -------------------------------------------------------------------
st.subheader(t("learning_stories_title"))
stories = learning.own_stories(viewer)
if not stories:
    st.caption(t("learning_no_stories"))
for item in stories:
    story = item["story"]
    st.markdown(
        t(
            "learning_story_line",
            kpi=kpi_label(story.kpi),
            then=story.quartile_then,
            now=story.quartile_now,
            since=f"{story.since:%Y-%m}",
            until=f"{story.until:%Y-%m}",
        )
    )
    named = st.checkbox(t("learning_story_consent"), value=item["named"], key=f"story_{story.kpi}")
    if named != item["named"]:
        act(learning.set_story_consent, story.kpi, named)

# --- the factory's own consent log -----------------------------------------------------
with st.expander(t("learning_history_title")):
    history = learning.history(viewer)
    if not history:
        st.caption(t("learning_none"))
    else:

        def what(entry: dict) -> str:
            subject = entry.get("subject", "")
            kind, _, rest = subject.partition(":")
            if entry["type"] == "request":
                return f"{t('learning_asked_entry')}: {kpi_label(entry['kpi'])}"
            if kind == "offer":
                return f"{t('learning_offers_title')}: {domain_label(rest)}"
            if kind == "story":
                return f"{t('learning_stories_title')}: {kpi_label(rest.split(':')[0])}"
            label = f": {kpi_label(entry['kpi'])}" if entry.get("kpi") else ""
            if kind == "request":
                return t("learning_asked_entry") + label
            return t("learning_brokered_entry") + label

        st.dataframe(
            pl.DataFrame(
                [
                    {
                        t("col_when"): e["at"][:16].replace("T", " "),
                        t("col_who"): e.get("by") or "",
                        t("col_what"): what(e),
                        t("col_consent"): t("learning_given")
                        if e.get("given", True)
                        else t("learning_withdrawn"),
                    }
                    for e in reversed(history)
                ]
            ),
            hide_index=True,
            width="stretch",
        )
