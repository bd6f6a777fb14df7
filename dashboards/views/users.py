"""Users (admin): the accounts, a form to add one, and a form to change one."""

import polars as pl
import streamlit as st

from dashboards import data, session
from dashboards.ui import plain, t
from kpi.users import ROLES, UserError

viewer = session.viewer("admin")
st.title(t("users_title"))
accounts = data.users(viewer)
table = st.empty()  # filled last, so it shows the accounts after this run's change
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
            st.error(plain(exc))
        else:
            st.success(t("users_added", email=plain(user.email)))

st.subheader(t("users_change"))
with st.form("change-user"):
    account = st.selectbox(t("users_account"), [u.email for u in accounts], key="change-account")
    new_role = st.selectbox(t("role"), ROLES, key="change-role")
    new_factory = st.selectbox(
        t("factory"), ["", *data.factory_codes(viewer)], key="change-factory"
    )
    actions = {
        "set_role": st.form_submit_button(t("users_set_role")),
        "disable": st.form_submit_button(t("users_disable")),
        "enable": st.form_submit_button(t("users_enable")),
        "delete": st.form_submit_button(t("users_delete")),
    }
chosen = next((action for action, pressed in actions.items() if pressed), None)
if chosen and account:
    try:
        data.change_user(viewer, account, chosen, new_role, new_factory or None)
    except data.OwnAccount:
        st.error(t("users_not_self"))
    except UserError as exc:
        st.error(plain(exc))
    else:
        what = {
            "set_role": t("users_role_set", role=new_role),
            "disable": t("users_was_disabled"),
            "enable": t("users_was_enabled"),
            "delete": t("users_was_deleted"),
        }[chosen]
        st.success(t("users_changed", email=plain(account), what=what))

table.dataframe(
    pl.DataFrame(
        [
            {
                t("email"): u.email,
                t("role"): u.role,
                t("factory"): u.factory_code or "",
                t("users_disabled"): t("yes") if u.disabled else "",
            }
            for u in data.users(viewer)
        ]
    ),
    hide_index=True,
    width="stretch",
)
