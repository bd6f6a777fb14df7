"""What every page does first: who is looking, and is there a snapshot to show; and what
a page does when it fails: a clear message in the user's language, the details in the log.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import streamlit as st

from dashboards import auth, data
from dashboards.data import Viewer
from dashboards.ui import long_date, t

log = logging.getLogger("dashboards")

REFRESH_SECONDS = 10
"""How often the upload page's list of files updates itself while nothing waits."""
WAITING_REFRESH_SECONDS = 1
"""How often it looks while the user's files are being processed (a run takes seconds)."""
FOLLOW_SECONDS = 2
"""How often an open page looks whether the pipeline has published a new snapshot (one
``stat`` of the snapshot file): new own figures show within seconds of the run."""


def viewer(*roles: str) -> Viewer:
    """The logged-in viewer, when its role may open this page; otherwise stop here."""
    current = auth.current_viewer()
    if current is None or (roles and current.role not in roles):
        # defence in depth: the entry script only routes a session to its role's pages
        st.error(t("login_title"))
        st.stop()
    return current


def snapshot_info(current: Viewer) -> dict:
    """The snapshot's facts, with a caption; stop with a message when there is none."""
    try:
        info = data.snapshot_info(current)
    except data.NoSnapshot:
        st.info(t("no_snapshot"))
        st.stop()
    release_banner(current)
    follow_snapshot()
    return info


SNAPSHOT_KEY = "_snapshot_identity"


@st.fragment(run_every=FOLLOW_SECONDS)
def follow_snapshot() -> None:
    """Every two seconds: when the pipeline has published a new snapshot since this page
    was drawn, draw the page again with it (nobody needs to press F5)."""
    try:
        identity = data.snapshot_identity()
    except data.NoSnapshot:
        return
    shown = st.session_state.get(SNAPSHOT_KEY)
    st.session_state[SNAPSHOT_KEY] = identity
    if shown is not None and shown != identity:
        st.toast(t("snapshot_updated"), icon=":material/refresh:")
        st.rerun(scope="app")


def release_banner(current: Viewer) -> None:
    """Which release the page shows, and what is still open (every page says it)."""
    try:
        status = data.release_status(current)
    except data.NoSnapshot:
        return  # nothing processed yet: the page says so itself
    latest = status["latest"]
    lines = []
    if latest is None:
        lines.append(t("release_none"))
    else:
        revision = t("release_revision", revision=latest["revision"]) if latest["revision"] else ""
        lines.append(
            t(
                "release_banner",
                month=f"{latest['period']:%Y-%m}",
                revision=revision,
                date=long_date(latest["released_at"]),
            )
        )
    for month in status["open"]:
        lines.append(
            t(
                "release_open",
                month=f"{month['period']:%Y-%m}",
                submitted=month["factories_submitted"],
                expected=month["factories_expected"],
                close=long_date(month["close_date"]),
            )
        )
    st.caption("  \n".join(lines))


@contextmanager
def failures_shown() -> Iterator[None]:
    """Run a page; when it fails, show the user a message in its language and write the
    traceback (with its server paths) only to the log. Streamlit's own stop and rerun
    are no failures and pass through."""
    try:
        yield
    except duckdb.Error:
        # a truncated or otherwise unreadable snapshot file
        log.exception("the serving snapshot cannot be read")
        st.error(t("snapshot_unreadable"))
    except Exception:
        moment = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
        log.exception("page failed (shown to the user as the error of %s)", moment)
        st.error(t("page_failed", time=moment))
