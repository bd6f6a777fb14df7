"""Benchmark (factory users): own values against the released statistics of anonymous
peers. Own figures show as soon as they are stored; peers only from a month's release."""

import polars as pl
import streamlit as st

from dashboards import charts, data, session
from dashboards.data import PEER_GROUP_KINDS
from dashboards.ui import download_csv, lang, long_date, suppressed_text, t, value

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
    st.code(definition["formula"], language=None)

st.subheader(t("latest_month", month=f"{end:%Y-%m}"))
if end not in released:
    close = next(
        (m["close_date"] for m in data.release_status(viewer)["open"] if m["period"] == end), None
    )
    st.info(t("own_month_open", month=f"{end:%Y-%m}", close=long_date(close) if close else "–"))
groups = data.own_peer_groups(viewer, end)
if groups:
    st.caption(t("own_groups", groups=", ".join(groups)))
month = data.own_month(viewer, domain, end, group)


def shown(row: dict) -> dict:
    unit = row["unit"]
    if row["suppressed"]:
        statistics = {
            t("col_median"): suppressed_text(row["suppressed_reason"], info["threshold"]),
            t("col_band"): "–",
            t("col_quartile"): "–",
            t("col_gap_median"): "–",
            t("col_gap_top"): "–",
        }
    elif row["median"] is None:
        statistics = {
            t("col_median"): "–",
            t("col_band"): "–",
            t("col_quartile"): "–",
            t("col_gap_median"): "–",
            t("col_gap_top"): "–",
        }
    else:
        better = data.is_better(row["gap_to_median"], row["direction"])
        mark = "" if better is None else (" ▲ " + t("better") if better else " ▼ " + t("worse"))
        band = (
            f"{value(row['p25'], unit)} – {value(row['p75'], unit)}"
            if row["p25"] is not None
            else t("quartiles_from", n=info["quartiles_min_n"])
        )
        statistics = {
            t("col_median"): value(row["median"], unit)
            + (f" ({t('release_status_revised')})" if row["status"] == "revised" else ""),
            t("col_band"): band,
            t("col_quartile"): f"Q{row['quartile']}" if row["quartile"] else "–",
            t("col_gap_median"): value(row["gap_to_median"], unit, signed=True) + mark,
            t("col_gap_top"): value(row["gap_to_top_quartile"], unit, signed=True),
        }
    return {
        t("col_kpi"): row[label],
        t("col_own"): value(row["value"], unit),
        t("col_n"): row["n_band"] or "–",
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
