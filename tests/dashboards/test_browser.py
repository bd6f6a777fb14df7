"""End to end in real headless Chromium (Debian's package) against a running app.

A factory user logs in, uploads a file with an error and sees the row and column named,
uploads a good file, and sees the benchmark chart; the coordinator, the city and the
admin open their pages. Screenshots of every page go to SCREENSHOTS for anyone to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polars as pl
import pytest

from kpi.settings import REPO_ROOT
from tests.conftest import valid_rows, write_rows

SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PASSWORD = "browser-test-password"
KPI = [sys.executable, "-m", "kpi.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    data = tmp_path_factory.mktemp("browser") / "data"
    env = {**os.environ, "KPI_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster")}
    subprocess.run(
        [*KPI, "demo", "--months", "14"],
        env=env,
        check=True,
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=600,
    )
    for email, role, factory in (
        ("f01@test.example", "factory", "F01"),
        ("coordinator@test.example", "coordinator", None),
        ("city@test.example", "city", None),
        ("admin@test.example", "admin", None),
    ):
        extra = ["--factory", factory] if factory else []
        subprocess.run(
            [*KPI, "user", "add", email, "--role", role, *extra],
            env=env,
            input=PASSWORD + "\n",
            text=True,
            check=True,
            cwd=REPO_ROOT,
        )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboards/streamlit_app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(server.stdout.read().decode() if server.stdout else "no server")
    yield url, data
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def log_in(browser, url: str, email: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_text(f"Aangemeld als {email}").wait_for()
    return page


def shoot(page, name: str) -> None:
    """Save a screenshot, after making sure the page shows no error."""
    page.wait_for_timeout(1500)  # let charts finish drawing
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    errors = page.locator("[data-testid=stException]").all_inner_texts()
    assert errors == [], f"{name}: {errors}"


def open_page(page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).first.wait_for()


def test_factory_user_uploads_sees_errors_then_benchmark(app, browser, tmp_path):
    url, _ = app
    page = log_in(browser, url, "f01@test.example")
    page.get_by_role("heading", name="Gegevens indienen").wait_for()
    shoot(page, "01-upload-page")

    rows = valid_rows("efficiency", "F01", months=2)
    bad = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(-5.0)
        .otherwise(pl.col("energy_kwh"))
        .alias("energy_kwh")
    )
    bad_path = write_rows(bad, "efficiency", tmp_path / "F01_efficiency_fout", "csv-semicolon")
    page.locator("input[type=file]").set_input_files(str(bad_path))
    page.get_by_text("geweigerd, er is niets opgeslagen").wait_for()
    table = page.locator("[data-testid=stTable]").first
    assert "energy_kwh" in table.inner_text()
    assert "3" in table.inner_text().split("energy_kwh")[0]  # row 3: header is row 1
    shoot(page, "02-upload-refused")

    good_path = write_rows(rows, "efficiency", tmp_path / "F01_efficiency_goed", "xlsx")
    page.locator("input[type=file]").set_input_files(str(good_path))
    page.get_by_text("aanvaard").first.wait_for()
    shoot(page, "03-upload-accepted")

    open_page(page, "Benchmark")
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
    assert page.get_by_text("uw positie per KPI").is_visible()
    shoot(page, "04-benchmark")

    open_page(page, "Definities")
    shoot(page, "05-definitions")
    page.close()


@pytest.mark.parametrize(
    ("email", "pages"),
    [
        ("coordinator@test.example", ["Netwerk", "Regio"]),
        ("city@test.example", ["Regio"]),
        ("admin@test.example", ["Gebruikers"]),
    ],
)
def test_other_roles_see_their_pages(app, browser, email, pages):
    url, _ = app
    page = log_in(browser, url, email)
    for title in pages:
        open_page(page, title)
        shoot(page, f"06-{email.split('@')[0]}-{title.lower()}")
    links = page.get_by_role("link").all_inner_texts()
    assert "Gegevens indienen" not in links and "Benchmark" not in links
    page.close()


def test_coordinator_chases_the_open_month_and_closes_it_after_a_preview(app, browser):
    from kpi.coordination.chase import open_month

    url, data = app
    month = f"{open_month(20):%Y-%m}"
    page = log_in(browser, url, "coordinator@test.example")
    open_page(page, "Netwerk")
    page.get_by_role("heading", name=f"Op te volgen voor {month}").wait_for()
    chase = page.locator("[data-testid=stDataFrame]").first
    chase.wait_for()
    shoot(page, "07-coordinator-chase-list")

    page.get_by_role("button", name="Herinnering sturen", exact=True).click()
    page.get_by_text("Herinnering gestuurd aan").wait_for()
    mails = list((data / "outbox").glob("*.eml"))
    assert len(mails) == 1  # the demo has no SMTP server: the mail is in the outbox
    assert "demo.example" in mails[0].read_text()
    page.get_by_role("button", name="Herinnering sturen", exact=True).click()
    page.get_by_text("kreeg vandaag al een herinnering").wait_for()
    assert len(list((data / "outbox").glob("*.eml"))) == 1
    page.get_by_role("button", name="Beloofde datum noteren").click()
    page.get_by_text("Genoteerd:").wait_for()
    shoot(page, "08-coordinator-reminded")

    page.get_by_role("button", name=f"{month} nu vrijgeven").click()
    preview = page.get_by_text(f"{month}: ").filter(has_text="fabrieken ingediend")
    preview.first.wait_for()
    assert "bijdragers" in preview.first.inner_text()
    shoot(page, "09-coordinator-close-preview")
    assert not list((data / "requests" / "pending").glob("*.json"))  # nothing asked yet
    page.get_by_role("button", name=f"Ik bevestig: {month} vrijgeven").click()
    page.get_by_text(f"Gevraagd: vrijgeven {month}").first.wait_for()
    assert len(list((data / "requests" / "pending").glob("*.json"))) == 1

    page.get_by_text("Alleen open weigeringen").click()
    page.get_by_role("heading", name="Alle weigeringen").scroll_into_view_if_needed()
    shoot(page, "10-coordinator-refusals")
    page.close()


def test_admin_is_refused_an_existing_address_then_adds_a_factory(app, browser):
    url, data = app
    page = log_in(browser, url, "admin@test.example")
    open_page(page, "Gebruikers")
    add = page.locator("[data-testid=stForm]").first
    add.get_by_label("E-mailadres").fill("city@test.example")
    add.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="city").click()
    add.get_by_label("Wachtwoord", exact=True).fill("another-good-password")
    add.get_by_role("button", name="Gebruiker toevoegen").click()
    page.get_by_text("Er bestaat al een account city@test.example").wait_for()
    assert add.get_by_label("E-mailadres").input_value() == "city@test.example"
    shoot(page, "11-admin-existing-address")

    open_page(page, "Fabrieken")
    add = page.locator("[data-testid=stForm]").nth(1)
    add.get_by_label("Code").fill("F13")
    add.get_by_label("Naam").fill("Demo Nieuwe Fabriek Velm")
    add.get_by_label("Sector").fill("chassis")
    add.get_by_label("Gemeente").fill("Sint-Truiden")
    add.get_by_label("Contact").fill("kpi@f13.demo.example")
    add.get_by_role("button", name="Fabriek toevoegen").click()
    page.get_by_text("Fabriek F13 is opgeslagen.").wait_for()
    page.wait_for_timeout(1000)
    assert page.locator("[data-testid=stForm]").nth(1).get_by_label("Code").input_value() == ""
    assert "F13" in (data / "register.yaml").read_text()
    shoot(page, "12-admin-factories")
    page.close()
