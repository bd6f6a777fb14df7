"""Factory of the Future self-scan. A factory fills in its yearly scan (saved per
transformation, submitted whole) and sees its profile beside the network's released
median and its own previous year; the coordinator and the city see the network's
profile only."""

import polars as pl
import streamlit as st

from dashboards import charts, session
from dashboards import maturity as scan
from dashboards.ui import lang, long_date, number, plain, suppressed_text, t
from kpi.disclosure.releases import today
from kpi.maturity.statements import scale, transformations

viewer = session.viewer("factory", "coordinator", "city")
st.title(t("selfscan_title"))
TRANSFORMATIONS = transformations()
LABELS = {tr.key: tr.label(lang()) for tr in TRANSFORMATIONS}
SPOKES = {tr.key: tr.short(lang()) for tr in TRANSFORMATIONS}


def year_status(years: pl.DataFrame) -> None:
    """One line per year: released (when) or open (closes when; the coordinator also
    sees how many factories have sent their scan)."""
    lines = []
    for row in years.iter_rows(named=True):
        if row["status"] == "released":
            lines.append(
                t("selfscan_year_released", year=row["year"], date=long_date(row["released_at"]))
            )
        elif row["factories_submitted"] is not None:
            lines.append(
                t(
                    "selfscan_year_open",
                    year=row["year"],
                    submitted=row["factories_submitted"],
                    date=long_date(row["close_date"]),
                )
            )
    if lines:
        st.caption("  \n".join(lines))


def medians_of(network: pl.DataFrame, year: int) -> pl.DataFrame:
    return network.filter((pl.col("year") == year) & ~pl.col("suppressed"))


def suppression_note(published: pl.DataFrame, threshold: int | None) -> None:
    """Why medians of the shown year are suppressed (the table says only "onderdrukt"),
    and that the radar's line is broken there."""
    reasons = sorted(set(published.filter(pl.col("suppressed"))["suppressed_reason"].to_list()))
    if reasons:
        why = "; ".join(suppressed_text(reason, threshold) for reason in reasons)
        st.caption(t("selfscan_suppressed_note", reasons=why))


def profile_tab() -> None:
    try:
        own = scan.own_profile(viewer)
        network = scan.network_profile(viewer)
        years = scan.scan_years(viewer)
    except session.data.NoSnapshot:
        st.info(t("no_snapshot"))
        return
    if scan.scan_waiting(viewer):
        st.info(t("selfscan_waiting"), icon=":material/hourglass_top:")
    own_years = sorted(set(own["year"].to_list()), reverse=True)
    if not own_years:
        st.info(t("selfscan_no_profile"))
        return
    year = st.selectbox(t("selfscan_profile_year"), own_years, key="selfscan-profile-year")
    mine = own.filter(pl.col("year") == year).select(
        pl.lit(t("selfscan_series_own", year=year)).alias("serie"), "transformation", "score"
    )
    medians = medians_of(network, year).select(
        pl.lit(t("selfscan_series_median", year=year)).alias("serie"),
        "transformation",
        pl.col("median").alias("score"),
    )
    before = own.filter(pl.col("year") == year - 1).select(
        pl.lit(t("selfscan_series_own", year=year - 1)).alias("serie"), "transformation", "score"
    )
    styles = {
        t("selfscan_series_own", year=year): "own",
        t("selfscan_series_median", year=year): "median",
        t("selfscan_series_own", year=year - 1): "earlier",
    }
    chart = charts.radar(pl.concat([mine, medians, before]), LABELS, styles, spokes=SPOKES)
    st.altair_chart(chart, width="content")
    status = years.filter(pl.col("year") == year)
    if status.height and status["status"][0] == "open":
        st.caption(t("selfscan_median_open", year=year, date=long_date(status["close_date"][0])))
    score_of = dict(zip(mine["transformation"], mine["score"], strict=True))
    before_of = dict(zip(before["transformation"], before["score"], strict=True))
    published = network.filter(pl.col("year") == year)
    median_of = {row["transformation"]: row for row in published.iter_rows(named=True)}
    rows = []
    for key, label in LABELS.items():
        median = median_of.get(key)
        own_score, earlier = score_of.get(key), before_of.get(key)
        change = None if own_score is None or earlier is None else own_score - earlier
        if median is None:
            median_text = "–"
        elif median["suppressed"]:
            median_text = t("suppressed")
        else:
            median_text = number(median["median"], 1)
        rows.append(
            {
                t("col_transformation"): label,
                t("col_own_score", year=year): number(own_score, 1),
                t("col_change_since", year=year - 1): "–"
                if change is None
                else ("+" if change > 0 else "") + number(change, 1),
                t("col_network_median", year=year): median_text,
                t("col_factories_band"): (median or {}).get("n_band") or "–",
            }
        )
    st.dataframe(
        pl.DataFrame(rows),
        hide_index=True,
        width="stretch",
        # on a phone the pinned names leave room for the figures
        column_config={
            t("col_transformation"): st.column_config.TextColumn(pinned=True, width=190)
        },
    )
    suppression_note(published, None)


def form_tab() -> None:
    current = today().year
    year = st.selectbox(t("selfscan_year"), [current, current - 1], key="selfscan-form-year")
    st.caption(t("selfscan_intro"))
    st.caption(
        t("selfscan_scale", scale=" · ".join(f"{n} = {text}" for n, text in scale(lang()).items()))
    )
    flash = st.session_state.pop("selfscan-flash", None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    draft = scan.draft(viewer, year)
    total = sum(len(tr.statements) for tr in TRANSFORMATIONS)
    answered = len(draft.scores)
    st.progress(answered / total, text=t("selfscan_progress", answered=answered, total=total))
    if draft.saved_at:
        st.caption(
            t(
                "selfscan_last_saved",
                date=f"{draft.saved_at[:10]} {draft.saved_at[11:16]}",
                who=plain(draft.saved_by or "-"),
            )
        )
    # the first transformation with open statements is opened: where to go on
    unfinished = [
        tr.key for tr in TRANSFORMATIONS if any(s.column not in draft.scores for s in tr.statements)
    ]
    for transformation in TRANSFORMATIONS:
        done = sum(s.column in draft.scores for s in transformation.statements)
        heading = f"{transformation.label(lang())} ({done}/{len(transformation.statements)})"
        with (
            st.expander(heading, expanded=unfinished[:1] == [transformation.key]),
            st.form(key=f"selfscan-{year}-{transformation.key}"),
        ):
            st.caption(transformation.description(lang()))
            answers = {}
            for statement in transformation.statements:
                given = draft.scores.get(statement.column)
                answers[statement.column] = st.radio(
                    statement.text(lang()),
                    [1, 2, 3, 4, 5],
                    index=None if given is None else given - 1,
                    horizontal=True,
                    key=f"selfscan-{year}-{statement.column}",
                )
            if st.form_submit_button(t("selfscan_save"), icon=":material/save:"):
                saved = scan.save_answers(viewer, year, answers)
                st.session_state["selfscan-flash"] = t(
                    "selfscan_saved",
                    transformation=transformation.label(lang()),
                    answered=len(saved.scores),
                    total=total,
                )
                st.rerun()
    missing = draft.missing()
    if missing:
        names = sorted({LABELS[s.transformation] for s in missing}, key=list(LABELS.values()).index)
        st.info(t("selfscan_incomplete", count=len(missing), transformations=", ".join(names)))
    elif draft.submitted_at:
        st.caption(
            t(
                "selfscan_submitted_on",
                date=f"{draft.submitted_at[:10]} {draft.submitted_at[11:16]}",
            )
        )
    if st.button(
        t("selfscan_submit", year=year),
        type="primary",
        disabled=bool(missing),
        icon=":material/send:",
    ):
        report = scan.submit_scan(viewer, year)
        if report.accepted:
            st.success(t("selfscan_submitted", year=year), icon=":material/check_circle:")
        else:
            st.error(t("selfscan_refused", count=len(report.errors)), icon=":material/error:")
            for finding in report.errors:
                st.write(f"- {plain(finding.column or '')}: {plain(finding.message(lang()))}")


def network_view() -> None:
    threshold = None
    try:
        network = scan.network_profile(viewer)
        years = scan.scan_years(viewer)
        threshold = session.data.snapshot_info(viewer).get("threshold")
    except session.data.NoSnapshot:
        st.info(t("no_snapshot"))
        return
    st.caption(t("selfscan_network_intro", threshold=threshold or 5))
    year_status(years)
    released = sorted(set(network["year"].to_list()), reverse=True)
    if viewer.role == "coordinator":
        open_years = years.filter(pl.col("status") == "open")["year"].to_list()
        for year in open_years:
            if st.button(t("selfscan_close_year", year=year), key=f"selfscan-close-{year}"):
                scan.request_close(viewer, year)
                st.success(t("selfscan_close_requested", year=year))
    if not released:
        st.info(t("selfscan_network_none"))
        return
    year = st.selectbox(t("selfscan_profile_year"), released, key="selfscan-network-year")
    series = [
        medians_of(network, shown).select(
            pl.lit(t("selfscan_series_median", year=shown)).alias("serie"),
            "transformation",
            pl.col("median").alias("score"),
        )
        for shown in (year, year - 1)
    ]
    styles = {
        t("selfscan_series_median", year=year): "median",
        t("selfscan_series_median", year=year - 1): "earlier",
    }
    chart = charts.radar(pl.concat(series), LABELS, styles, spokes=SPOKES)
    st.altair_chart(chart, width="content")
    published = {
        row["transformation"]: row
        for row in network.filter(pl.col("year") == year).iter_rows(named=True)
    }
    table = []
    for key, label in LABELS.items():  # in the contract's order, as on the radar
        row = published.get(key)
        if row is None:
            continue
        median = t("suppressed") if row["suppressed"] else number(row["median"], 1)
        table.append(
            {
                t("col_transformation"): label,
                t("col_network_median", year=year): median,
                t("col_factories_band"): row["n_band"] or "–",
            }
        )
    st.dataframe(pl.DataFrame(table), hide_index=True, width="stretch")
    suppression_note(network.filter(pl.col("year") == year), threshold)


if viewer.role == "factory":
    profile, form = st.tabs([t("selfscan_tab_profile"), t("selfscan_tab_form")])
    with profile:
        profile_tab()
    with form:
        form_tab()
else:
    network_view()
