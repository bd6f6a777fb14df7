"""What every page does first: who is looking, and is there a snapshot to show."""

from __future__ import annotations

import streamlit as st

from dashboards import auth, data
from dashboards.data import Viewer
from dashboards.ui import t


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
    st.caption(
        t(
            "snapshot_of",
            created=f"{info['created_at']:%Y-%m-%d %H:%M}",
            start=f"{info['periods_from']:%Y-%m}",
            end=f"{info['periods_to']:%Y-%m}",
        )
    )
    return info
