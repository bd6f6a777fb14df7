"""Single sign-on end to end: the dashboards with an OpenID Connect provider configured
(Streamlit's ``st.login``), in real headless Chromium against a local provider that this
test starts (``oidc-provider-mock``). The roles come from the claim mapping in
config/auth.yaml; a user whose claims map to no role is refused with a clear message.

The ``[auth]`` secrets are generated per test run in a temporary directory and handed to
Streamlit with ``--secrets.files``: nothing is written into the checkout.
Screenshots go to test-artifacts/screenshots/ (names starting with ``oidc-``).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kpi.settings import REPO_ROOT
from tests.conftest import free_port
from tests.dashboards.test_browser import (
    CHROMIUM,
    FLAGS,
    SCREENSHOTS,
    assert_no_failure,
)

FACTORY_USER = "f01-kwaliteit"
COORDINATOR_USER = "coordinator"
UNMAPPED_USER = "marketing"
USERS = {
    # sub: the claims the provider puts in the ID token (the groups as config/auth.yaml
    # expects them in its role_claim)
    FACTORY_USER: {"email": "kwaliteit@f01.example", "groups": ["kpi-factory-F01", "staff"]},
    COORDINATOR_USER: {"email": "coordinator@netwerk.example", "groups": ["kpi-coordinator"]},
    UNMAPPED_USER: {"email": "marketing@f01.example", "groups": ["marketing"]},
}


@pytest.fixture(scope="module")
def provider():
    """A local OpenID Connect provider with the three users above; its base URL."""
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=sub, claims=claims) for sub, claims in USERS.items()]
    with run_server_in_thread(port=free_port(), user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory, provider):
    """The dashboards, configured to log in through ``provider``; their base URL."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    root = tmp_path_factory.mktemp("sso")
    data = root / "data"
    port = free_port()
    url = f"http://localhost:{port}"
    # a fresh secret per run; any client id and secret are accepted by the mock provider
    secrets_file = root / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "kpi-dashboards"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    secrets_file.chmod(0o600)
    env = {**os.environ, "KPI_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster")}
    log = (root / "streamlit.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboards/streamlit_app.py"]
        + ["--server.port", str(port), "--server.headless", "true"]
        + ["--secrets.files", str(secrets_file)],
        env=env,
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail((root / "streamlit.log").read_text(errors="replace"))
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def sign_in(browser, url: str, sub: str):
    """A new browser session that logs in at the provider as ``sub``; the page after it."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    # without a configured provider the page would ask for a password: it must not
    page.get_by_role("button", name="Aanmelden met OIDC").click()
    page.get_by_role("heading", name="Authorize Client").wait_for()
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(f"{url}/**")
    return page


def pages_offered(page) -> list[str]:
    """The page titles in the sidebar's navigation (without their icons' names)."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [link.split("\n")[-1] for link in links]


def shot(page, name: str) -> None:
    """A screenshot once the page has finished running, after checking it shows no error."""
    page.wait_for_timeout(1500)  # Streamlit shows its running widget after a moment
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    page.screenshot(path=str(SCREENSHOTS / f"oidc-{name}.png"))
    assert_no_failure(page, name)


def log_out(page, url: str) -> None:
    page.get_by_role("button", name="Afmelden").click()
    # the provider ends its session too, then sends the browser back to the dashboards
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{url}/**")
    page.get_by_role("button", name="Aanmelden met OIDC").wait_for()


def test_a_factory_user_logs_in_through_the_provider_and_out_again(sso_app, browser):
    page = sign_in(browser, sso_app, FACTORY_USER)
    # the role and the factory come from the claim kpi-factory-F01 (config/auth.yaml)
    page.get_by_text("Aangemeld als kwaliteit@f01.example — fabriek F01").wait_for()
    page.get_by_role("heading", name="Gegevens indienen").wait_for()
    page.get_by_test_id("stFileUploader").wait_for()
    assert pages_offered(page) == [
        "Gegevens indienen",
        "Benchmark",
        "Leerpartners",
        "Zelfscan",
        "Definities",
    ]
    shot(page, "01-factory-logged-in")

    log_out(page, sso_app)
    assert page.get_by_text("Aangemeld als").count() == 0
    shot(page, "02-logged-out")
    # logged out for real: the dashboards ask for a login again after a reload
    page.reload()
    page.get_by_role("button", name="Aanmelden met OIDC").wait_for()
    assert page.get_by_text("kwaliteit@f01.example").count() == 0


def test_the_coordinator_gets_the_coordinators_pages(sso_app, browser):
    page = sign_in(browser, sso_app, COORDINATOR_USER)
    page.get_by_text("Aangemeld als coordinator@netwerk.example — netwerkcoördinator").wait_for()
    assert pages_offered(page) == ["Netwerk", "Leerpartners", "Regio", "Zelfscan", "Definities"]
    # the network's page, of a network that has published nothing yet
    page.get_by_role("heading", name="Netwerk").wait_for()
    page.get_by_text("Er is nog niets gepubliceerd").wait_for()
    shot(page, "03-coordinator-logged-in")


def test_a_user_whose_claims_map_to_no_role_is_refused(sso_app, browser):
    page = sign_in(browser, sso_app, UNMAPPED_USER)
    refusal = page.get_by_text("Uw account marketing@f01.example heeft (nog) geen rol")
    refusal.wait_for()
    assert "Vraag de netwerkcoördinator om toegang" in refusal.inner_text()
    # no page of any role, no data
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_text("Aangemeld als").count() == 0
    shot(page, "04-unmapped-refused-nl")

    page.get_by_text("EN", exact=True).click()
    page.get_by_text("Your account marketing@f01.example has no role on this platform").wait_for()
    shot(page, "05-unmapped-refused-en")

    # the refused user can log out at the provider and try another account (back in a
    # new session, in the default language)
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{sso_app}/**")
    page.get_by_role("button", name="Aanmelden met OIDC").wait_for()
    assert page.get_by_text("marketing@f01.example").count() == 0
    shot(page, "06-unmapped-logged-out")
