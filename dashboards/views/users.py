"""Users (admin): the accounts with role, factory, status and last login; adding one
(an existing address only after confirming), changing, disabling, deleting, resetting
the password and unlocking; and the log of every change."""

import polars as pl
import streamlit as st

from dashboards import admin, session
from dashboards.ui import plain, t
from kpi.users import ROLES, UserError

viewer = session.viewer("admin")
st.title(t("users_title"))
FLASH = "users-flash"
ROUND = "users-add-round"
# counts accounts added: new widget keys give an empty form after each success (and
# only then: after a refusal the admin corrects what was typed)


# a role as the admin reads it, in the page's language, never its code (a mapping made on
# this run, so that its lookup gives the same words wherever it is called)
ROLE_NAMES = {role: t(f"role_name_{role}") for role in ROLES}
role_name = ROLE_NAMES.__getitem__


def error_text(exc: UserError) -> str:
    """Why a change was refused, in the admin's language (user text made plain)."""
    return t(exc.key, **{key: plain(value) for key, value in exc.params.items()})


factories = {f.code: f"{f.code} {f.name}" for f in admin.register(viewer).factories}
factory_options = ["", *factories]
table = st.empty()  # filled last, so it shows the accounts after this run's change
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))

st.subheader(t("users_add"))
# not cleared on submit: after a refusal the admin corrects what was typed
added = st.session_state.setdefault(ROUND, 0)
with st.form(f"add-user-{added}"):
    email = st.text_input(t("email"), key=f"add-email-{added}")
    role = st.selectbox(t("role"), ROLES, key=f"add-role-{added}", format_func=role_name)
    factory = st.selectbox(
        t("factory"),
        factory_options,
        format_func=lambda c: factories.get(c, "–"),
        key=f"add-factory-{added}",
    )
    password = st.text_input(t("password"), type="password", key=f"add-password-{added}")
    replace = st.checkbox(t("users_replace"), key=f"add-replace-{added}")
    if st.form_submit_button(t("users_add")):
        try:
            user = admin.add_user(viewer, email, role, password, factory or None, replace)
        except admin.OwnAccount:
            st.error(t("users_not_self"))
        except UserError as exc:
            st.error(error_text(exc))
        else:
            st.session_state[ROUND] = added + 1
            st.session_state[FLASH] = t("users_added", email=plain(user.email))
            st.rerun()

st.subheader(t("users_change"))
accounts = [u["email"] for u in admin.users(viewer)]
with st.form("change-user"):
    account = st.selectbox(t("users_account"), accounts, key="change-account")
    new_role = st.selectbox(t("role"), ROLES, key="change-role", format_func=role_name)
    new_factory = st.selectbox(
        t("factory"),
        factory_options,
        format_func=lambda c: factories.get(c, "–"),
        key="change-factory",
    )
    new_password = st.text_input(t("users_new_password"), type="password", key="change-password")
    buttons = st.columns(6)
    actions = {
        "set_role": buttons[0].form_submit_button(t("users_set_role")),
        "reset_password": buttons[1].form_submit_button(t("users_reset_password")),
        "unlock": buttons[2].form_submit_button(t("users_unlock")),
        "disable": buttons[3].form_submit_button(t("users_disable")),
        "enable": buttons[4].form_submit_button(t("users_enable")),
        "delete": buttons[5].form_submit_button(t("users_delete")),
    }
chosen = next((action for action, pressed in actions.items() if pressed), None)
if chosen and account:
    try:
        if chosen == "reset_password" and not new_password:
            st.error(t("users_password_needed"))
        else:
            admin.change_user(
                viewer, account, chosen, new_role, new_factory or None, new_password or None
            )
            what = {
                "set_role": t("users_role_set", role=role_name(new_role)),
                "reset_password": t("users_password_was_reset"),
                "unlock": t("users_was_unlocked"),
                "disable": t("users_was_disabled"),
                "enable": t("users_was_enabled"),
                "delete": t("users_was_deleted"),
            }[chosen]
            st.success(t("users_changed", email=plain(account), what=what))
    except admin.OwnAccount:
        st.error(t("users_not_self"))
    except UserError as exc:
        st.error(error_text(exc))


def status_text(row: dict) -> str:
    if row["status"] == "locked":
        return t("users_status_locked", minutes=max(1, round(row["locked_seconds"] / 60)))
    return t(f"users_status_{row['status']}")


table.dataframe(
    pl.DataFrame(
        [
            {
                t("email"): row["email"],
                t("role"): role_name(row["role"]),
                t("factory"): f"{row['factory_code']} {row['factory_name']}"
                if row["factory_code"]
                else "",
                t("users_status"): status_text(row),
                t("users_last_login"): (row["last_login"] or "")[:16].replace("T", " "),
            }
            for row in admin.users(viewer)
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("users_audit"))
entries = admin.audit(viewer)
if entries:
    st.dataframe(
        pl.DataFrame(
            [
                {
                    t("col_when"): e["at"].replace("T", " ").rstrip("Z"),
                    t("col_who"): e["by"],
                    t("col_what"): e["action"],
                    t("col_target"): e["target"],
                    t("col_detail"): e.get("detail", ""),
                }
                for e in entries
            ]
        ),
        hide_index=True,
        width="stretch",
    )
