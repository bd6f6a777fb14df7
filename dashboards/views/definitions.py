"""Definitions (everyone): datasets, columns, KPIs and indicators, from the contracts."""

import polars as pl
import streamlit as st

from dashboards import session
from dashboards.ui import lang, number, plain, t
from kpi.contracts import UPLOAD_DATASETS, indicator_definitions, kpi_definitions, load_contract
from kpi.disclosure import load_disclosure
from kpi.settings import get_settings
from kpi.templates import help_rows

session.viewer()
st.title(t("definitions_title"))
rules = load_disclosure(get_settings().disclosure_config)
p_percent = number(rules.p_percent, 0 if float(rules.p_percent).is_integer() else 1)
st.info(
    t(
        "definitions_disclosure",
        threshold=rules.threshold,
        p=p_percent,
        median=rules.median_min_n,
        quartiles=rules.quartiles_min_n,
        close=rules.close_day,
    )
)

st.header(t("definitions_datasets"))
for name in UPLOAD_DATASETS:  # the yearly self-scan too: its statements in full
    contract = load_contract(name)
    with st.expander(f"{contract.title(lang())} (`{name}`)"):
        rows = help_rows(contract, lang())
        # st.table wraps long descriptions and rules instead of cutting them off
        st.table(
            pl.DataFrame(
                [[plain(cell) if cell else "" for cell in row] for row in rows],
                schema=[
                    t("col_column"),
                    t("col_unit"),
                    t("col_required"),
                    t("col_description"),
                    t("col_rules"),
                ],
                orient="row",
            ),
        )


def definitions_list(definitions, *, with_direction: bool = True) -> None:
    """Each KPI in full: name, what it measures, its direction and formula (a table
    would cut the descriptions off)."""
    for d in definitions:
        with st.container(border=True):
            heading = f"**{d.label(lang())}**"
            if with_direction:
                heading += f" · {t(f'domain_{d.domain}')} · {t(f'direction_{d.direction}')}"
            st.markdown(heading + f" · {t('col_unit')}: {plain(d.unit)}")
            st.write(d.description(lang()))
            st.code(d.formula, language=None, wrap_lines=True)


st.header(t("definitions_kpis"))
definitions_list(kpi_definitions())
st.header(t("definitions_region"))
definitions_list(indicator_definitions(), with_direction=False)
