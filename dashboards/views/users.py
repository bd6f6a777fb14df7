"""Users (admin): the accounts and a form to add one."""

import polars as pl
import streamlit as st

from dashboards import data, session
from dashboards.ui import t
from kpi.users import ROLES, UserError

viewer = session.viewer("admin")
st.title(t("users_title"))
accounts = data.users(viewer)
st.dataframe(
    pl.DataFrame(
        [
            {t("email"): u.email, t("role"): u.role, t("factory"): u.factory_code or ""}
            for u in accounts
        ]
    ),
    hide_index=True,
    width="stretch",
)
st.subheader(t("users_add"))
with st.form("add-user", clear_on_submit=True):
    email = st.text_input(t("email"))
    role = st.selectbox(t("role"), ROLES)
    factory = st.selectbox(t("factory"), ["", *data.factory_codes(viewer)])
    password = st.text_input(t("password"), type="password")
    if st.form_submit_button(t("users_add")):
        try:
            user = data.add_user(viewer, email, role, password, factory or None)
        except UserError as exc:
            st.error(str(exc))
        else:
            st.success(t("users_added", email=user.email))
