"""Submit data (factory users): template, upload, immediate feedback, own history."""

import math

import polars as pl
import streamlit as st

from dashboards import data, reports, session
from dashboards.ui import lang, plain, t, uploader_in_language
from kpi.contracts import UPLOAD_DATASETS, load_contract
from kpi.settings import get_settings
from kpi.validation import describe_periods

viewer = session.viewer("factory")
st.title(t("page_upload"))
session.release_banner(viewer)
data.prepare_upload_checks(viewer)

contracts = {name: load_contract(name) for name in UPLOAD_DATASETS}
dataset = st.selectbox(
    t("dataset"), UPLOAD_DATASETS, format_func=lambda d: contracts[d].title(lang())
)
left, right, _ = st.columns([1, 1, 3])
for column, fmt in ((left, "xlsx"), (right, "csv")):
    column.download_button(
        t("template_download", fmt=fmt),
        data=data.template_bytes(viewer, dataset, fmt, lang()),
        file_name=f"{dataset}-{viewer.factory_code}.{fmt}",
        icon=":material/download:",
    )

limit_mb = math.ceil(get_settings().max_file_mb)
uploader_in_language(limit_mb)
files = st.file_uploader(
    t("upload_label"),
    type=["xlsx", "csv"],
    accept_multiple_files=True,
    help=t("upload_help"),
    key=f"upload-{dataset}",
    max_upload_size=limit_mb,
)


def findings_table(items) -> pl.DataFrame:
    # st.table renders its cells as Markdown: the file's own text (column names,
    # values, messages quoting them) is escaped so it shows as written
    return pl.DataFrame(
        [
            {
                t("col_row"): f.row,
                t("col_column"): None if f.column is None else plain(f.column),
                t("col_value"): None if f.value is None else plain(f.value),
                t("col_message"): plain(f.message(lang())),
                t("col_rule"): plain(f.rule),
            }
            for f in items
        ]
    )


handled: dict = st.session_state.setdefault("handled_uploads", {})
for file in files or []:
    key = (dataset, file.file_id)
    if key not in handled:  # Streamlit reruns the page; check and submit each file once
        handled[key] = data.check_and_submit(viewer, dataset, file.name, file.getvalue())
    report = handled[key]

    if report.accepted:
        st.success(
            t(
                "upload_accepted",
                file=plain(file.name),
                rows=report.values.height,
                periods=describe_periods(report.periods),
            ),
            icon=":material/check_circle:",
        )
    else:
        st.error(
            t("upload_refused", file=plain(file.name), count=len(report.errors)),
            icon=":material/error:",
        )
        st.table(findings_table(report.errors))
    if report.warnings:
        # a refused file's warnings are more things to look at, not an acceptance
        key = "upload_warnings" if report.accepted else "upload_warnings_refused"
        st.warning(t(key, count=len(report.warnings)), icon=":material/warning:")
        st.table(findings_table(report.warnings))

titles = {d: c.title(lang()) for d, c in contracts.items()}


# while the user's files are being processed the list looks every second, so that it says
# "processing done" within a second of the run (the run worker takes a few seconds)
refresh = session.WAITING_REFRESH_SECONDS if data.waiting_files(viewer) else session.REFRESH_SECONDS


@st.fragment(run_every=refresh)
def history() -> None:
    """The factory's files: those still being processed, then every stored one; it
    updates itself, and says so when a file it was waiting for has been processed."""
    st.subheader(t("history"))
    waiting = data.waiting_files(viewer)
    was_waiting = st.session_state.get("upload-waiting", set())
    now_waiting = {(w["dataset"], w["file_name"], str(w["received_at"])) for w in waiting}
    st.session_state["upload-waiting"] = now_waiting
    if was_waiting - now_waiting:
        # said until the user's next upload is being processed, not for one refresh only
        st.session_state["upload-done"] = True
        if not now_waiting and refresh != session.REFRESH_SECONDS:
            st.rerun(scope="app")  # nothing waits any more: back to the slower refresh
    elif now_waiting:
        st.session_state["upload-done"] = False
    if st.session_state.get("upload-done"):
        st.success(t("processing_done"), icon=":material/task_alt:")
    if waiting:
        st.info(
            f"{t('waiting')}: "
            + ", ".join(
                f"{plain(w['file_name'])} ({titles.get(w['dataset'], '')})" for w in waiting
            )
            + " — "
            + (
                t("waiting_updates_second")
                if refresh == 1
                else t("waiting_updates", seconds=refresh)
            ),
            icon=":material/hourglass_top:",
        )
    try:
        stored = data.submissions(viewer)
    except data.NoSnapshot:
        return
    if not stored.height:
        return
    st.dataframe(
        stored.select(
            pl.col("received_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("col_received")),
            pl.col("dataset").replace_strict(titles).alias(t("dataset")),
            pl.col("file_name").alias(t("col_file")),
            pl.col("periods")
            .map_elements(describe_periods, return_dtype=pl.String)
            .alias(t("col_months")),
            pl.col("status")
            .map_elements(lambda s: t(f"status_{s}"), return_dtype=pl.String)
            .alias(t("col_status")),
            pl.col("error_count").alias(t("col_errors")),
            pl.col("warning_count").alias(t("col_warnings")),
        ),
        hide_index=True,
        width="stretch",
    )
    with_findings = stored.filter((pl.col("error_count") > 0) | (pl.col("warning_count") > 0))
    if not with_findings.height:
        return
    # the full report of any of the factory's own files the pipeline refused or warned about
    choices = {
        row["submission_id"]: f"{row['received_at']:%Y-%m-%d %H:%M} · {row['file_name']} · "
        + t(f"status_{row['status']}")
        for row in with_findings.iter_rows(named=True)
    }
    chosen = st.selectbox(
        t("open_report"),
        list(choices),
        format_func=choices.get,
        placeholder=t("choose_file"),
        index=None,
        key="upload-open-report",
    )
    if chosen is not None:
        findings = reports.own_submission_findings(viewer, chosen)
        errors = [f for f in findings if f.severity == "error"]
        warnings = [f for f in findings if f.severity != "error"]
        if errors:
            st.error(t("report_errors", count=len(errors)), icon=":material/error:")
            st.table(findings_table(errors))
        if warnings:
            st.warning(t("report_warnings", count=len(warnings)), icon=":material/warning:")
            st.table(findings_table(warnings))


history()
