"""Factories (admin): the register of the network as a screen - add a factory, rename
it, change its sector, company group, contact, language, join and leave dates."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboards import admin, session
from dashboards.ui import plain, t
from kpi.register import RegisterError

viewer = session.viewer("admin")
st.title(t("page_factories"))
st.caption(t("factories_help"))
FLASH = "factories-flash"
ROUND = "factories-add-round"
# counts factories added: new widget keys give an empty form after each success
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

register = admin.register(viewer)
elsewhere = admin.register_managed_elsewhere(viewer)
table = st.empty()
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))


def error_text(exc: RegisterError) -> str:
    return t(exc.key, **{key: plain(value) for key, value in exc.params.items()})


def factory_fields(prefix: str, current=None) -> dict:
    """The inputs of one factory (filled in with ``current`` when changing one)."""
    left, right = st.columns(2)

    def text(column, label: str, attribute: str) -> str:
        value = (getattr(current, attribute) or "") if current else ""
        return column.text_input(t(label), value=value, key=f"{prefix}-{attribute}")

    fields = {
        "name": text(left, "col_name", "name"),
        "sector": text(right, "col_sector", "sector"),
        "municipality": text(left, "col_municipality", "municipality"),
        "company": text(right, "col_company", "company"),
        "contact": text(left, "col_contact", "contact"),
        "language": right.selectbox(
            t("col_language"),
            list(LANGUAGE_NAMES),
            index=list(LANGUAGE_NAMES).index(current.language or "nl") if current else 0,
            format_func=LANGUAGE_NAMES.get,
            key=f"{prefix}-language",
        ),
        "joined": left.date_input(
            t("col_joined"),
            value=current.joined if current else None,
            min_value=dt.date(2000, 1, 1),
            format="YYYY-MM-DD",
            key=f"{prefix}-joined",
        ),
        "left": right.date_input(
            t("col_left"),
            value=current.left if current else None,
            min_value=dt.date(2000, 1, 1),
            format="YYYY-MM-DD",
            key=f"{prefix}-left",
        ),
    }
    return fields


if elsewhere:
    st.info(t("factories_elsewhere", path=plain(elsewhere)))
else:
    st.subheader(t("factories_change"))
    names = {f.code: f"{f.code} {f.name}" for f in register.factories}
    chosen = st.selectbox(t("factory"), list(names), format_func=names.get, key="change-code")
    current = register.by_code(chosen)
    # keyed by the factory: choosing another one shows its own values
    with st.form(f"change-factory-{chosen}"):
        fields = factory_fields(f"change-{chosen}", current)
        if st.form_submit_button(t("factories_save")):
            try:
                saved = admin.save(viewer, new=False, code=chosen, **fields)
            except RegisterError as exc:
                st.error(error_text(exc))
            else:
                st.session_state[FLASH] = t("factories_saved", code=plain(saved.code))
                st.rerun()

    st.subheader(t("factories_add"))
    # not cleared on submit: after a refusal the admin corrects what was typed
    added = st.session_state.setdefault(ROUND, 0)
    with st.form(f"add-factory-{added}"):
        code = st.text_input(t("col_code"), key=f"add-{added}-code")
        fields = factory_fields(f"add-{added}")
        if st.form_submit_button(t("factories_add")):
            try:
                saved = admin.save(viewer, new=True, code=code, **fields)
            except RegisterError as exc:
                st.error(error_text(exc))
            else:
                st.session_state[ROUND] = added + 1
                st.session_state[FLASH] = t("factories_saved", code=plain(saved.code))
                st.rerun()

table.dataframe(
    pl.DataFrame(
        [
            {
                t("col_code"): f.code,
                t("col_name"): f.name,
                t("col_sector"): f.sector,
                t("col_municipality"): f.municipality,
                t("col_company"): f.company or "",
                t("col_contact"): f.contact or "",
                t("col_language"): f.language or "nl",
                t("col_joined"): f.joined.isoformat() if f.joined else "",
                t("col_left"): f.left.isoformat() if f.left else "",
            }
            for f in admin.register(viewer).factories
        ]
    ),
    hide_index=True,
    width="stretch",
)
