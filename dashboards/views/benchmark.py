"""Benchmark (factory users): own values against the released statistics of anonymous
peers. Own figures show as soon as they are stored; peers only from a month's release
(until then, the latest release's statistics stand beside a new own month)."""

import polars as pl
import streamlit as st

from dashboards import charts, data, reports, session
from dashboards.data import PEER_GROUP_KINDS
from dashboards.ui import (
    download_csv,
    lang,
    long_date,
    peer_group_name,
    suppressed_text,
    t,
    value,
)

viewer = session.viewer("factory")
st.title(t("page_benchmark"))
info = session.snapshot_info(viewer)

label = f"label_{lang()}"
domain_col, kpi_col, group_col = st.columns([1, 2, 1])
domain = domain_col.selectbox(t("domain"), reports.DOMAINS, format_func=lambda d: t(f"domain_{d}"))
catalogue = data.kpi_catalogue(viewer, domain)
labels = dict(zip(catalogue["kpi"], catalogue[label], strict=True))
kpi = kpi_col.selectbox(t("kpi"), list(labels), format_func=labels.get)
group = group_col.selectbox(t("peer_group"), PEER_GROUP_KINDS, format_func=lambda g: t(f"peer_{g}"))
released = data.months(viewer)
months = sorted(set(data.own_months(viewer)) | set(released))
if not months:
    st.info(t("no_own_data"))
    st.stop()
# the latest release by default: the newest month with a comparison
default_end = released[-1] if released else months[-1]
default_start = months[max(0, months.index(default_end) - 23)]
if len(months) > 1:
    start, end = st.select_slider(
        t("months_range"),
        options=months,
        value=(default_start, default_end),
        format_func=lambda m: f"{m:%Y-%m}",
    )
else:
    start = end = months[0]
definition = catalogue.filter(pl.col("kpi") == kpi).row(0, named=True)
newer = [m for m in months if m > end]
if newer and end == default_end:
    st.info(t("own_newer_months", months=", ".join(f"{m:%Y-%m}" for m in newer)))

series = data.own_series(viewer, kpi, group, start, end)
if series["value"].is_null().all():
    st.info(t("no_own_data"))
st.altair_chart(charts.benchmark(series, definition["unit"]), width="stretch")
hidden = series.filter(pl.col("suppressed").fill_null(False))
if hidden.height:
    reasons = sorted(set(hidden["suppressed_reason"].drop_nulls()))
    st.caption(
        "; ".join(
            f"{hidden.filter(pl.col('suppressed_reason') == r).height}× "
            + suppressed_text(r, info["threshold"])
            for r in reasons
        )
    )
with st.expander(t("definitions_of_kpi")):
    st.markdown(f"**{definition[label]}** — {definition[f'description_{lang()}']}")
    st.code(definition["formula"], language=None, wrap_lines=True)

st.subheader(t("latest_month", month=f"{end:%Y-%m}"))
compared = reports.compared_month(viewer, end)
if end not in released:
    close = next(
        (m["close_date"] for m in data.release_status(viewer)["open"] if m["period"] == end), None
    )
    st.info(t("own_month_open", month=f"{end:%Y-%m}", close=long_date(close) if close else "–"))
    if compared is not None:
        st.caption(t("compared_with_release", month=f"{compared:%Y-%m}"))
groups = data.own_peer_groups(viewer, compared or end)
if groups:
    st.caption(t("own_groups", groups=", ".join(peer_group_name(g) for g in groups)))
positions = reports.positions(viewer, end, group, domain)


def shown(row: dict) -> dict:
    unit, places = row["unit"], row["decimals"]
    if row["suppressed"] or row["median"] is None:
        reason = (
            suppressed_text(row["suppressed_reason"], info["threshold"])
            if row["suppressed"]
            else "–"
        )
        statistics = {
            t("col_median"): reason,
            t("col_band"): "–",
            t("col_quartile"): "–",
            t("col_gap_median"): "–",
            t("col_gap_top"): "–",
        }
    else:
        verdict = row["verdict"]
        mark = "" if verdict is None else (" ▲ " if verdict == "better" else " ▼ ") + t(verdict)
        band = (
            value(row["p25"], unit, decimals=places)
            + " – "
            + value(row["p75"], unit, decimals=places)
            if row["p25"] is not None
            else t("quartiles_from", n=info["quartiles_min_n"])
        )
        to_top = row["to_top_quartile"]
        statistics = {
            t("col_median"): value(row["median"], unit, decimals=places)
            + (f" ({t('release_status_revised')})" if row["status"] == "revised" else ""),
            t("col_band"): band,
            t("col_quartile"): f"Q{row['quartile']}" if row["quartile"] else "–",
            t("col_gap_median"): value(row["gap_to_median"], unit, signed=True, decimals=places)
            + mark,
            t("col_gap_top"): "–"
            if to_top is None
            else t("in_top_quartile")
            if to_top == 0
            else t(
                "to_top_quartile",
                amount=value(to_top, unit, signed=True, decimals=places).lstrip("+"),
            ),
        }
    # what matters most first: on a phone the first columns are what shows
    order = (t("col_gap_median"), t("col_quartile"), t("col_median"), t("col_band"))
    return {
        t("col_kpi"): row[label],
        t("col_own"): value(row["value"], unit, decimals=places),
        **{name: statistics[name] for name in order},
        t("col_gap_top"): statistics[t("col_gap_top")],
        t("col_n"): row["n_band"] or "–",
    }


table = pl.DataFrame([shown(row) for row in positions.iter_rows(named=True)])


GREEN, RED = "color: #2b8a3e; font-weight: 600", "color: #c92a2a; font-weight: 600"


def colour(cell: str) -> str:
    text = str(cell)
    return GREEN if t("better") in text else RED if t("worse") in text else ""


def colour_top(cell: str) -> str:
    text = str(cell)
    return "" if text == "–" else GREEN if text == t("in_top_quartile") else RED


st.dataframe(
    table.to_pandas()
    .style.map(colour, subset=[t("col_gap_median")])
    .map(colour_top, subset=[t("col_gap_top")]),
    hide_index=True,
    width="stretch",
    # widths that fit the page at 1400 px; on a phone the KPI column stays pinned
    column_config={
        t("col_kpi"): st.column_config.TextColumn(pinned=True, width=165),
        t("col_own"): st.column_config.TextColumn(width=80),
        t("col_median"): st.column_config.TextColumn(width=75),
        t("col_band"): st.column_config.TextColumn(width=120),
        t("col_quartile"): st.column_config.TextColumn(width=55),
        t("col_gap_median"): st.column_config.TextColumn(width=125),
        t("col_gap_top"): st.column_config.TextColumn(width=125),
        t("col_n"): st.column_config.TextColumn(width=95),
    },
)
st.caption(t("benchmark_legend"))
numbers = reports.numeric(positions, end, lang())
name = f"benchmark-{viewer.factory_code}-{domain}-{end:%Y-%m}"
left, middle, right = st.columns(3)
with left:
    download_csv(numbers, f"{name}.csv")
middle.download_button(
    t("download_excel"),
    data=reports.excel_bytes(numbers, f"{end:%Y-%m}"),
    file_name=f"{name}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
)
language = lang()
right.download_button(
    t("report_download"),
    data=lambda: reports.monthly_report_pdf(viewer, end, language),
    file_name=f"{t('report_file')}-{viewer.factory_code}-{end:%Y-%m}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    type="primary",
)

st.subheader(t("scorecard_title"))
st.caption(t("scorecard_intro", group=t(f"peer_{group}")))
card = reports.scorecard(viewer, end, group)
if card.height:
    order = {d: i for i, d in enumerate(reports.DOMAINS)}
    grid = (
        card.with_columns(
            pl.col("period").dt.strftime("%Y-%m").alias("month"),
            pl.col("quartile")
            .map_elements(lambda q: f"Q{q}", return_dtype=pl.String)
            .fill_null("–")
            .alias("cell"),
            pl.col("domain").replace_strict(order, return_dtype=pl.Int64).alias("order"),
        )
        .pivot(on="month", index=["order", "kpi", label], values="cell", sort_columns=True)
        .sort("order", "kpi")
        .drop("order", "kpi")
        .rename({label: t("col_kpi")})
        .fill_null("–")
    )
    st.dataframe(
        grid.to_pandas().style.map(charts.quartile_style),
        hide_index=True,
        width="stretch",
        height=35 * (grid.height + 1) + 3,  # every KPI at once, no inner scrolling
        column_config={
            t("col_kpi"): st.column_config.TextColumn(pinned=True, width=170),
            **{m: st.column_config.TextColumn(width=58) for m in grid.columns[1:]},
        },
    )
    st.caption(t("scorecard_legend"))

with st.expander(t("definitions_title")):
    for row in catalogue.iter_rows(named=True):
        st.markdown(
            f"**{row[label]}** ({t('direction_' + row['direction'])}) — "
            + row[f"description_{lang()}"]
        )
        st.code(row["formula"], language=None, wrap_lines=True)
