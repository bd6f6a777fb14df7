"""Network (coordinator): who must still send what this month and the actions to chase
them, closing and revising months, who submitted what, every refusal with its reasons
(rules, never values), and the network's anonymous KPI distributions."""

import datetime as dt
import json

import polars as pl
import streamlit as st

from dashboards import charts, coordinator, data, session
from dashboards.ui import lang, long_date, plain, t
from kpi.contracts import DATASETS, load_contract

viewer = session.viewer("coordinator")
st.title(t("page_network"))
info = session.snapshot_info(viewer)

waiting = data.waiting_files(viewer)
state = coordinator.chase(viewer)
month_text = f"{state['month']:%Y-%m}"
chased = state["rows"]
all_refused = coordinator.refusals(viewer)
open_refused = [r for r in all_refused if r["status"] == "open"]

first, second, third = st.columns(3)
first.metric(
    t("late_count", month=month_text),
    len({r["factory_code"] for r in chased if r["status"] == "late"}),
)
second.metric(t("refused_count"), len(open_refused))
third.metric(t("waiting_count"), len(waiting))


def dataset_title(dataset: str) -> str:
    return load_contract(dataset).title(lang()) if dataset in DATASETS else dataset


# --- the chase list of the open month ---------------------------------------------------
st.subheader(t("chase_title", month=month_text))
st.caption(t("chase_help", month=month_text, close=long_date(state["close_date"])))
if not chased:
    st.success(t("chase_none", month=month_text))
else:
    st.dataframe(
        pl.DataFrame(
            [
                {
                    t("col_factory"): f"{r['factory_code']} {r['factory_name']}",
                    t("col_dataset"): dataset_title(r["dataset"]),
                    t("col_status"): t(f"chase_{r['status']}"),
                    t("col_reason"): data.reasons_text(
                        viewer, r["dataset"], json.dumps(r["reasons"]), lang()
                    )
                    if r["reasons"]
                    else "",
                    t("col_contact"): r["contact"] or t("no_contact"),
                    t("col_promised"): r["promised"].isoformat() if r["promised"] else "",
                    t("col_reminded"): (r["reminded_at"] or "")[:16].replace("T", " "),
                }
                for r in chased
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    names = {r["factory_code"]: f"{r['factory_code']} {r['factory_name']}" for r in chased}
    st.markdown(f"**{t('chase_actions')}**")
    left, right = st.columns([2, 1])
    chosen = left.selectbox(t("chase_factory"), list(names), format_func=names.get)
    promised = right.date_input(
        t("chase_promise_date"),
        value=max(state["close_date"], dt.date.today()),
        min_value=dt.date.today(),
        format="YYYY-MM-DD",
    )
    remind, exempt, promise, remind_all = st.columns(4)
    outcomes = []
    if remind.button(t("chase_remind"), icon=":material/mail:"):
        outcomes = coordinator.remind(viewer, {chosen})
    if remind_all.button(t("chase_remind_all"), icon=":material/forward_to_inbox:"):
        outcomes = coordinator.remind(viewer)
    for outcome in outcomes:
        show = st.success if outcome["outcome"] == "sent" else st.warning
        show(
            t(
                f"reminder_{outcome['outcome']}",
                factory=plain(f"{outcome['factory_code']} {outcome['factory_name']}"),
                detail=plain(outcome.get("detail", "")),
            )
        )
    if exempt.button(t("chase_exempt"), icon=":material/event_busy:"):
        coordinator.set_exempt(viewer, chosen)
        st.success(t("chase_exempted", factory=plain(names[chosen]), month=month_text))
    if promise.button(t("chase_promise"), icon=":material/event:"):
        coordinator.note_promise(viewer, chosen, promised)
        st.success(
            t(
                "chase_promised",
                factory=plain(names[chosen]),
                month=month_text,
                date=promised.isoformat(),
            )
        )
if state["exempt"]:
    left, right = st.columns([3, 1])
    left.info(t("chase_exempt_list", month=month_text, factories=", ".join(state["exempt"])))
    lifted = right.selectbox(t("chase_factory"), state["exempt"], key="unexempt-factory")
    if right.button(t("chase_unexempt")):
        coordinator.set_exempt(viewer, lifted, exempt=False)
        st.success(t("chase_unexempted", factory=plain(lifted), month=month_text))

# --- releases: close and revise, with what they would publish ---------------------------
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


def confirm(action: str, period: dt.date, label: str, preview: str | None) -> None:
    """A button that asks first: it shows what the run would do, then confirm/cancel."""
    shown = f"{period:%Y-%m}"
    key = f"confirm-{action}-{shown}"
    left, right = st.columns([3, 1])
    if right.button(label, key=f"{action}-{shown}"):
        st.session_state[key] = True
    if not st.session_state.get(key):
        return
    if preview:
        left.warning(preview)
    yes, no = left.columns(2)
    if yes.button(t(f"release_confirm{'_revise' if action == 'revise' else ''}", month=shown)):
        data.request_release(viewer, action, period)
        st.session_state[key] = False
        st.success(t("release_requested", action=t(f"release_action_{action}"), month=shown))
    if no.button(t("release_cancel"), key=f"cancel-{key}"):
        st.session_state[key] = False
        st.rerun()


for open_month in status["open"]:
    shown = f"{open_month['period']:%Y-%m}"
    st.write(
        t(
            "release_open",
            month=shown,
            submitted=open_month["factories_submitted"],
            expected=open_month["factories_expected"],
            close=long_date(open_month["close_date"]),
        )
    )
    preview = coordinator.release_preview(viewer, open_month["period"])
    text = t("release_preview", **{**preview, "month": shown})
    if preview["contributors"] < preview["median_min"]:
        text += " " + t("release_preview_below", contributors=preview["contributors"], month=shown)
    confirm("close", open_month["period"], t("release_close", month=shown), text)
for pending in data.pending_revisions(viewer).iter_rows(named=True):
    shown = f"{pending['period']:%Y-%m}"
    st.write(t("release_pending", month=shown, n=pending["changes_pending"]))
    confirm("revise", pending["period"], t("release_revise", month=shown), None)
done = coordinator.release_outcomes(viewer)
if done:
    with st.expander(t("release_outcomes_title")):
        for request in done:
            for outcome in request.get("outcomes") or [{"action": "none", "period": ""}]:
                st.write(
                    t(
                        "release_outcome",
                        action=t(f"release_action_{request['action']}"),
                        # a self-scan request is about a year (its period: 1 January)
                        month=str(outcome.get("period") or request.get("period") or "")[
                            : 4 if request["action"].endswith("_scan") else 7
                        ],
                        by=plain(request.get("requested_by") or "-"),
                        at=str(request.get("requested_at", ""))[:16].replace("T", " "),
                        outcome=t(f"outcome_{outcome['action']}"),
                    )
                )

# --- the submission grid, newest months first ------------------------------------------
st.subheader(t("grid_title"))
st.caption(t("grid_help"))
grid = coordinator.grid(viewer)
statuses = ("ok", "refused", "late", "missing", "exempt", "not_member")
labels = {status: t(f"grid_{status}") for status in statuses}
colours = {
    labels["ok"]: "background-color: #d3f9d8",
    labels["refused"]: "background-color: #ffc9c9; font-weight: 600",
    labels["late"]: "background-color: #ffe8cc; font-weight: 600",
    labels["exempt"]: "background-color: #e7f5ff",
    labels["missing"]: "color: #868e96",
    labels["not_member"]: "color: #adb5bd",
}
newest_first = sorted(grid["month"].unique().to_list(), reverse=True)
shares = coordinator.completeness(grid)
st.markdown(f"**{t('completeness_title')}**")
st.caption(t("completeness_help"))
st.dataframe(
    pl.DataFrame(
        {
            row["month"]: f"{row['share']:.0%} ({row['complete']}/{row['expected']})"
            for row in shares.iter_rows(named=True)
        }
    ),
    hide_index=True,
    width="stretch",
)
tabs = st.tabs([load_contract(d).title(lang()) for d in DATASETS])
for tab, dataset in zip(tabs, DATASETS, strict=True):
    table = (
        grid.filter(pl.col("dataset") == dataset)
        .with_columns(
            pl.col("status").replace_strict(labels).alias("label"),
            (pl.col("factory_code") + " " + pl.col("factory_name")).alias("factory"),
        )
        .pivot(on="month", index="factory", values="label", aggregate_function="first")
        .select("factory", *newest_first)
        .rename({"factory": t("col_factory")})
    )
    tab.dataframe(
        table.to_pandas().style.map(lambda cell: colours.get(cell, "")),
        hide_index=True,
        width="stretch",
    )

# --- every refusal, open or resolved ---------------------------------------------------
st.subheader(t("refusal_list_title"))
st.caption(t("refusal_list_help"))
only_open = st.toggle(t("refusal_show_open"), value=True)
shown_refusals = open_refused if only_open else all_refused
if not shown_refusals:
    st.info(t("refusal_none"))
else:
    # rules, rows and columns only: the coordinator never sees a factory's values
    st.dataframe(
        pl.DataFrame(
            [
                {
                    t("col_received"): r["received_at"].strftime("%Y-%m-%d %H:%M"),
                    t("col_factory"): f"{r['factory_code']} {r['factory_name']}",
                    t("col_dataset"): dataset_title(r["dataset"]),
                    t("col_file"): r["file_name"],
                    t("col_months"): ", ".join(r["periods"]),
                    t("col_source"): t(f"refusal_source_{r['source']}"),
                    t("col_status"): t(f"refusal_{r['status']}"),
                    t("col_errors"): sum(x["severity"] == "error" for x in r["reasons"]),
                }
                for r in shown_refusals
            ],
            infer_schema_length=None,
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown(f"**{t('refusal_report')}**")
    for r in shown_refusals[:30]:
        title = (
            f"{r['received_at']:%Y-%m-%d %H:%M} · {r['factory_code']} · "
            f"{dataset_title(r['dataset'])} · {r['file_name']} · {t('refusal_' + r['status'])}"
        )
        with st.expander(plain(title)):
            st.table(
                pl.DataFrame(
                    [
                        {
                            t("col_status"): line["severity"],
                            t("col_row"): "" if line["row"] is None else str(line["row"]),
                            t("col_column"): line["column"] or "",
                            t("col_rule"): line["rule"],
                        }
                        for line in coordinator.report_lines(r["dataset"], r["reasons"], lang())
                    ],
                    schema={
                        t("col_status"): pl.String,
                        t("col_row"): pl.String,
                        t("col_column"): pl.String,
                        t("col_rule"): pl.String,
                    },
                )
            )

st.subheader(t("distribution_title"))
catalogue = data.kpi_catalogue(viewer)
kpi_labels = dict(zip(catalogue["kpi"], catalogue[f"label_{lang()}"], strict=True))
kpi = st.selectbox(t("kpi"), list(kpi_labels), format_func=kpi_labels.get, key="network-kpi")
unit = catalogue.filter(pl.col("kpi") == kpi)["unit"].item()
if info["periods_to"] is None:
    st.info(t("release_none"))
else:
    distribution = data.network_distribution(viewer, kpi, info["periods_from"], info["periods_to"])
    st.altair_chart(charts.distribution(distribution, unit), width="stretch")
