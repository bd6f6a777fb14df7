"""Entry point of the dashboards: `streamlit run dashboards/streamlit_app.py`.

Login first; then the pages of the session's role. Layout lives in ``views/``, data in
``dashboards/data.py``. (Not ``pages/``: Streamlit would then run a page file on its own,
without this script and its login gate.)
"""

import logging

import streamlit as st

from dashboards import auth, session
from dashboards.ui import close_sidebar_after_navigation, language_selector, plain, t
from kpi.settings import make_private

make_private()  # uploads and accounts written from here are the service's only

# failures are logged with their details on the server's standard error, never shown
logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="KPI Smart Network Sint-Truiden", page_icon="🏭", layout="wide")
language_selector()

PAGES = {
    "upload": ("views/upload.py", ":material/upload_file:", ("factory",)),
    "benchmark": ("views/benchmark.py", ":material/monitoring:", ("factory",)),
    "network": ("views/network.py", ":material/hub:", ("coordinator",)),
    "learning": ("views/learning.py", ":material/handshake:", ("factory",)),
    "learning_network": ("views/learning_network.py", ":material/handshake:", ("coordinator",)),
    "region": ("views/region.py", ":material/location_city:", ("city", "coordinator")),
    "selfscan": (
        "views/selfscan.py",
        ":material/radar:",
        ("factory", "coordinator", "city"),
    ),
    "users": ("views/users.py", ":material/group:", ("admin",)),
    "factories": ("views/factories.py", ":material/factory:", ("admin",)),
    "definitions": (
        "views/definitions.py",
        ":material/menu_book:",
        ("factory", "coordinator", "city", "admin"),
    ),
}

with session.failures_shown():
    viewer = auth.current_viewer()
    if viewer is None:
        # Whatever page was asked for (a bookmark, an expired session): the login form,
        # under that page's own address, so that after logging in the user lands there.
        st.navigation(
            [st.Page(auth.login_page, title=t("login_title"), url_path="login", default=True)]
            + [st.Page(auth.login_page, title=t("login_title"), url_path=name) for name in PAGES],
            position="hidden",
        )
        auth.login_page()
        st.stop()
    auth.remember_session()

    pages = [
        st.Page(path, title=t(f"page_{name}"), icon=icon, url_path=name)
        for name, (path, icon, roles) in PAGES.items()
        if viewer.role in roles
    ]
    navigation = st.navigation(pages)
    close_sidebar_after_navigation()
    with st.sidebar:
        st.caption(t("signed_in_as", email=plain(viewer.email)) + f" — {auth.describe(viewer)}")
        if st.button(t("logout"), icon=":material/logout:"):
            auth.logout()
    navigation.run()
