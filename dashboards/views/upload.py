"""Submit data (factory users): template, upload, immediate feedback, own history."""

import polars as pl
import streamlit as st

from dashboards import data, session
from dashboards.ui import lang, plain, t
from kpi.contracts import DATASETS, load_contract
from kpi.validation import describe_periods

viewer = session.viewer("factory")
st.title(t("page_upload"))
session.release_banner(viewer)
data.prepare_upload_checks(viewer)

contracts = {name: load_contract(name) for name in DATASETS}
dataset = st.selectbox(t("dataset"), DATASETS, format_func=lambda d: contracts[d].title(lang()))
left, right, _ = st.columns([1, 1, 3])
for column, fmt in ((left, "xlsx"), (right, "csv")):
    column.download_button(
        t("template_download", fmt=fmt),
        data=data.template_bytes(viewer, dataset, fmt, lang()),
        file_name=f"{dataset}-{viewer.factory_code}.{fmt}",
        icon=":material/download:",
    )

files = st.file_uploader(
    t("upload_label"),
    type=["xlsx", "csv"],
    accept_multiple_files=True,
    help=t("upload_help"),
    key=f"upload-{dataset}",
)
handled: dict = st.session_state.setdefault("handled_uploads", {})
for file in files or []:
    key = (dataset, file.file_id)
    if key not in handled:  # Streamlit reruns the page; check and submit each file once
        handled[key] = data.check_and_submit(viewer, dataset, file.name, file.getvalue())
    report = handled[key]

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
        st.warning(t("upload_warnings", count=len(report.warnings)), icon=":material/warning:")
        st.table(findings_table(report.warnings))

st.subheader(t("history"))
waiting = data.waiting_files(viewer)
if waiting:
    st.caption(
        f"{t('waiting')}: "
        + ", ".join(f"{plain(w['file_name'])} ({w['dataset']})" for w in waiting)
    )
try:
    history = data.submissions(viewer)
except data.NoSnapshot:
    history = None
if history is not None and history.height:
    st.dataframe(
        history.select(
            pl.col("received_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("col_received")),
            pl.col("dataset")
            .replace_strict({d: c.title(lang()) for d, c in contracts.items()})
            .alias(t("dataset")),
            pl.col("file_name").alias(t("col_file")),
            pl.col("periods")
            .map_elements(describe_periods, return_dtype=pl.String)
            .alias(t("col_months")),
            pl.col("status")
            .map_elements(lambda s: t(f"status_{s}"), return_dtype=pl.String)
            .alias(t("col_status")),
            pl.col("error_count").alias(t("col_errors")),
        ),
        hide_index=True,
        width="stretch",
    )
