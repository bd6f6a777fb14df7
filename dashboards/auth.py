"""Who is logged in. Every page needs a login; the session's role decides the pages and
what the data layer returns.

Local accounts (argon2, rate-limited) by default; with an OIDC provider configured in
``.streamlit/secrets.toml`` ([auth]), Streamlit's ``st.login`` is used and the role comes
from a claim, mapped in ``config/auth.yaml``.

The session state holds only an opaque random token; the viewer it stands for lives in
this process. A session state forged to name another factory names no valid token.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import streamlit as st
import yaml

from dashboards.data import Viewer
from dashboards.ui import t
from kpi.settings import REPO_ROOT, get_settings
from kpi.users import LoginGuard, UserStore

TOKEN_KEY = "_auth_token"
SESSION_SECONDS = 8 * 3600
_sessions: dict[str, tuple[Viewer, float]] = {}
_lock = threading.Lock()


def _issue(viewer: Viewer) -> str:
    token = secrets.token_urlsafe(32)
    with _lock:
        _sessions[token] = (viewer, time.time() + SESSION_SECONDS)
    return token


def viewer_for(token: object) -> Viewer | None:
    if not isinstance(token, str):
        return None
    with _lock:
        entry = _sessions.get(token)
        if entry is None or entry[1] < time.time():
            _sessions.pop(token, None)
            return None
        return entry[0]


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def role_from_claims(claims: dict, mapping_path: Path | None = None) -> Viewer | None:
    """The viewer an OIDC identity maps to, by ``config/auth.yaml``'s claim mapping."""
    path = mapping_path or REPO_ROOT / "config" / "auth.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    values = claims.get(config.get("role_claim", "groups")) or []
    if isinstance(values, str):
        values = [values]
    email = str(claims.get("email", ""))
    for rule in config.get("roles", []):
        if rule["claim_value"] in values:
            return Viewer(email, rule["role"], rule.get("factory"))
    return None


def current_viewer() -> Viewer | None:
    """The logged-in viewer of this session, or None."""
    viewer = viewer_for(st.session_state.get(TOKEN_KEY))
    if viewer is None and oidc_configured() and st.user.is_logged_in:
        viewer = role_from_claims(dict(st.user))
        if viewer is not None:
            st.session_state[TOKEN_KEY] = _issue(viewer)
    return viewer


def login_page() -> None:
    settings = get_settings()
    st.title(t("app_title"))
    st.write(t("login_intro"))
    if oidc_configured():
        if st.user.is_logged_in:
            st.warning(t("login_unmapped"))
        elif st.button(t("login_oidc", provider="OIDC"), type="primary"):
            st.login()
        return
    with st.form("login"):
        email = st.text_input(t("email"), key="login_email")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login_button"), type="primary")
    if not submitted:
        return
    guard = LoginGuard(settings.data_dir)
    locked = guard.seconds_locked(email)
    if locked:
        st.error(t("login_locked", minutes=max(1, round(locked / 60))))
        return
    user = UserStore(settings.data_dir).verify(email, password)
    if user is None:
        guard.failed(email)
        st.error(t("login_failed"))
        return
    guard.succeeded(email)
    st.session_state[TOKEN_KEY] = _issue(Viewer(user.email, user.role, user.factory_code))
    st.rerun()


def logout() -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    with _lock:
        _sessions.pop(token, None)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
    st.rerun()


def describe(viewer: Viewer) -> str:
    return t(f"role_{viewer.role}", factory=viewer.factory_code or "")
