"""Who is logged in. Every page needs a login; the session's role decides the pages and
what the data layer returns.

Local accounts (argon2, guessing slowed down per client and per account) by default;
with an OIDC provider configured in ``.streamlit/secrets.toml`` ([auth]), Streamlit's
``st.login`` is used and the role comes from a claim, mapped in ``config/auth.yaml``.

The session state holds only an opaque random token; what it stands for lives in this
process. A session state forged to name another factory names no valid token. Every page
load looks the account up again: a disabled or deleted account's session ends, a changed
role applies at once, and a session idle for ``KPI_SESSION_IDLE_MINUTES`` ends.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import streamlit as st
import yaml

from dashboards.data import Viewer
from dashboards.ui import plain, t
from kpi.settings import REPO_ROOT, get_settings
from kpi.users import LoginGuard, LoginUnavailable, UserStore

log = logging.getLogger(__name__)

TOKEN_KEY = "_auth_token"
ENDED_KEY = "_auth_session_ended"
COOKIE = "kpi_session"
"""The browser keeps the session's opaque token in this cookie, so a reload (F5) or a
bookmark opened in the same browser stays logged in. It names nothing by itself: the
token stands for a session only in this process, until it ends (logout, idle, 8 hours)."""
SESSION_SECONDS = 8 * 3600
"""However active, a session ends after this long."""


@dataclass
class _Session:
    email: str
    source: Literal["local", "oidc"]
    started: float
    seen: float


_sessions: dict[str, _Session] = {}
_lock = threading.Lock()


def _ended(session: _Session, now: float) -> bool:
    idle_seconds = get_settings().session_idle_minutes * 60
    return now - session.started > SESSION_SECONDS or now - session.seen > idle_seconds


def _issue(email: str, source: Literal["local", "oidc"]) -> str:
    token = secrets.token_urlsafe(32)
    now = time.time()
    with _lock:
        # sessions abandoned without logging out are forgotten here
        for old in [k for k, session in _sessions.items() if _ended(session, now)]:
            del _sessions[old]
        _sessions[token] = _Session(email, source, now, now)
    return token


def _end(token: object) -> None:
    with _lock:
        _sessions.pop(token, None)  # type: ignore[arg-type]


def viewer_for(token: object) -> Viewer | None:
    """The viewer ``token`` stands for now, or None when the session has ended: expired,
    idle too long, or its account disabled or deleted. A changed account's session gets
    its new role."""
    if not isinstance(token, str):
        return None
    now = time.time()
    with _lock:
        session = _sessions.get(token)
        if session is None:
            return None
        if _ended(session, now):
            del _sessions[token]
            return None
    if session.source == "local":
        viewer = UserStore(get_settings().data_dir).get(session.email)
    else:
        viewer = _oidc_viewer()
    if viewer is None:
        _end(token)
        return None
    session.seen = now
    return viewer


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


def _oidc_viewer() -> Viewer | None:
    if not (oidc_configured() and st.user.is_logged_in):
        return None
    return role_from_claims(dict(st.user))


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # no browser connection (a script run without a client)
        return None
    return token if isinstance(token, str) and token else None


def _set_cookie(token: str | None) -> None:
    """Keep ``token`` in the browser (or forget it): a reload then finds its session.
    SameSite=Strict, so no other site's link or form carries it along."""
    secure = "; Secure" if _https() else ""
    if token is None:
        cookie = f"{COOKIE}=; Max-Age=0; Path=/; SameSite=Strict{secure}"
    else:
        cookie = f"{COOKIE}={token}; Max-Age={SESSION_SECONDS}; Path=/; SameSite=Strict{secure}"
    st.html(f"<script>document.cookie = {cookie!r};</script>", unsafe_allow_javascript=True)


def _https() -> bool:
    try:
        return str(st.context.url).startswith("https:")
    except Exception:
        return False


def current_viewer() -> Viewer | None:
    """The logged-in viewer of this session as its account is now, or None. A new
    browser session (a reload, a bookmark) picks up its browser's session cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token is None:
        remembered = _cookie_token()
        if remembered is not None and viewer_for(remembered) is not None:
            st.session_state[TOKEN_KEY] = token = remembered
    viewer = viewer_for(token)
    if viewer is None and token is not None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state[ENDED_KEY] = True
        if oidc_configured() and st.user.is_logged_in:
            # an ended session needs a new login at the provider, not a silent new token
            st.logout()
            return None
    if viewer is None and _oidc_viewer() is not None:
        st.session_state[TOKEN_KEY] = _issue(str(st.user.get("email", "")), "oidc")
        viewer = _oidc_viewer()
    return viewer


def client_address() -> str:
    """Where this session's requests come from, for throttling guesses per client: the
    connection's address, or behind a trusted reverse proxy (``KPI_TRUST_FORWARDED_FOR``)
    the address that proxy appended to ``X-Forwarded-For`` (the last one; any before it
    were sent by the client and prove nothing)."""
    try:
        address = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:  # no browser connection (a script run without a client)
        address, forwarded = None, None
    if get_settings().trust_forwarded_for and isinstance(forwarded, str) and forwarded.strip():
        address = forwarded.split(",")[-1].strip()
    return address if isinstance(address, str) and address else "unknown"


def login_page() -> None:
    settings = get_settings()
    if _cookie_token() is not None:
        _set_cookie(None)  # a logged-out or ended session's token: the browser forgets it
    st.title(t("app_title"))
    st.write(t("login_intro"))
    if st.session_state.get(ENDED_KEY):
        st.info(t("session_ended"))
    if oidc_configured():
        if st.user.is_logged_in:
            # the provider knows the account, config/auth.yaml gives its claims no role
            st.warning(t("login_unmapped", email=plain(st.user.get("email") or "?")))
            if st.button(t("logout"), icon=":material/logout:"):
                st.logout()  # at the provider too: the next login may pick another account
        elif st.button(t("login_oidc", provider="OIDC"), type="primary"):
            st.login()
        return
    with st.form("login"):
        email = st.text_input(t("email"), key="login_email")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login_button"), type="primary")
    if not submitted:
        return
    store = UserStore(settings.data_dir)
    try:
        attempt = LoginGuard(settings.data_dir).attempt(
            email, client_address(), lambda: store.verify(email, password)
        )
    except LoginUnavailable:
        # fail closed: an attempt that cannot be counted is not tried
        log.exception("login refused: failed attempts cannot be recorded")
        st.error(t("login_unavailable"))
        return
    if attempt.wait_seconds:
        st.error(t("login_locked", seconds=attempt.wait_seconds))
        return
    if attempt.user is None:
        st.error(t("login_failed"))
        return
    st.session_state.pop(ENDED_KEY, None)
    st.session_state[TOKEN_KEY] = _issue(attempt.user.email, "local")
    st.session_state[_NEW_TOKEN_KEY] = True
    st.rerun()


_NEW_TOKEN_KEY = "_auth_token_new"


def remember_session() -> None:
    """After a login, put the session's token in the browser's cookie (once)."""
    if st.session_state.pop(_NEW_TOKEN_KEY, False) and TOKEN_KEY in st.session_state:
        _set_cookie(st.session_state[TOKEN_KEY])


def logout() -> None:
    _end(st.session_state.pop(TOKEN_KEY, None))  # the login page then clears the cookie
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
        # not st.rerun(): a new run could drop the message that sends the browser on to
        # the provider's logout, leaving the provider's session open
        st.stop()
    st.rerun()


def describe(viewer: Viewer) -> str:
    return t(f"role_{viewer.role}", factory=viewer.factory_code or "")
