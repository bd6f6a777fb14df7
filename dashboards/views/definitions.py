"""Definitions (everyone): datasets, columns, KPIs and indicators, from the contracts."""

import polars as pl
import streamlit as st

from dashboards import session
from dashboards.ui import lang, t
from kpi.contracts import DATASETS, indicator_definitions, kpi_definitions, load_contract
from kpi.disclosure import load_disclosure
from kpi.settings import get_settings
from kpi.templates import help_rows

session.viewer()
st.title(t("definitions_title"))
rules = load_disclosure(get_settings().disclosure_config)
st.info(
    t(
        "definitions_disclosure",
        threshold=rules.threshold,
        p=f"{rules.p_percent:g}",
        median=rules.median_min_n,
        quartiles=rules.quartiles_min_n,
        close=rules.close_day,
    )
)

st.header(t("definitions_datasets"))
for name in DATASETS:
    contract = load_contract(name)
    with st.expander(f"{contract.title(lang())} (`{name}`)"):
        rows = help_rows(contract, lang())
        st.dataframe(
            pl.DataFrame(
                rows,
                schema=[
                    t("col_column"),
                    t("col_unit"),
                    t("col_required"),
                    t("col_description"),
                    t("col_rules"),
                ],
                orient="row",
            ),
            hide_index=True,
            width="stretch",
        )


def definitions_table(definitions) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                t("col_kpi"): d.label(lang()),
                t("domain"): t(f"domain_{d.domain}") if d.domain != "region" else "",
                t("col_formula"): d.formula,
                t("col_unit"): d.unit,
                t("col_direction"): t(f"direction_{d.direction}"),
                t("col_description"): d.description(lang()),
            }
            for d in definitions
        ]
    )


st.header(t("definitions_kpis"))
st.dataframe(definitions_table(kpi_definitions()), hide_index=True, width="stretch")
st.header(t("definitions_region"))
st.dataframe(
    definitions_table(indicator_definitions()).drop(t("domain"), t("col_direction")),
    hide_index=True,
    width="stretch",
)
