"""End to end in real headless Chromium (Debian's package) against a running app.

A factory user logs in, uploads a file with an error and sees the row and column named,
uploads a good file, and sees the benchmark chart; the coordinator, the city and the
admin open their pages. A plant's and the city's month (issue 11): a new month uploaded
and processed by one factory while another factory and the city read their pages, which
update themselves; a reload and a bookmark that stay logged in; the 390 px layout.
Every page is checked for Streamlit exceptions and traceback or failure text.
Screenshots of every page go to SCREENSHOTS for anyone to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polars as pl
import pytest

from kpi.settings import REPO_ROOT
from tests.conftest import free_port, valid_rows, write_rows

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
        ("f02@test.example", "factory", "F02"),
        ("f08@test.example", "factory", "F08"),
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
    port = free_port()
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


def log_in(browser, url: str, email: str, *, width: int = 1400, path: str = ""):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{url}/{path}")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_text(f"Aangemeld als {email}").wait_for(state="attached")
    return page


FAILURE_TEXTS = ("Traceback", "kon niet getoond worden", "could not be shown", "Page not found")


def assert_no_failure(page, name: str) -> None:
    """No Streamlit exception, traceback or failure message anywhere on the page."""
    errors = page.locator("[data-testid=stException]").all_inner_texts()
    assert errors == [], f"{name}: {errors}"
    text = page.locator("body").inner_text()
    for failure in FAILURE_TEXTS:
        assert failure not in text, f"{name}: {failure!r} on the page"


def shoot(page, name: str) -> None:
    """Save a screenshot of the whole page (Streamlit scrolls inside its main block, so
    the window is made as tall as that block), after making sure it shows no error."""
    page.wait_for_timeout(1500)  # let charts finish drawing
    size = page.viewport_size
    height = page.evaluate(
        "() => (document.querySelector('[data-testid=stMain]') || document.body).scrollHeight"
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.set_viewport_size(size)
    assert_no_failure(page, name)


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


def _snapshot(data_dir: Path, sql: str) -> list[tuple]:
    from kpi.serving import open_snapshot

    with open_snapshot(data_dir / "serving" / "benchmark.duckdb") as con:
        return con.execute(sql).fetchall()


def test_a_new_month_while_another_factory_and_the_city_read(app, browser, tmp_path):
    """F08 uploads the open month and the pipeline processes it while F02 reads its
    Benchmark and the city its Region page: each page updates itself without an error,
    F08 is told that processing is done and sees its new month beside the latest
    release, and peers and the city still see only released figures; the Leerpartners and
    Zelfscan pages of both factories open without an error after it."""
    url, data_dir = app
    open_month, latest = _snapshot(
        data_dir,
        "SELECT (SELECT min(period) FROM months WHERE status = 'open'), "
        "(SELECT max(period) FROM releases)",
    )[0]
    assert not _snapshot(
        data_dir,
        f"SELECT 1 FROM own_kpis WHERE factory_code = 'F08' AND period = DATE '{open_month}'",
    ), "the demo's F08 has not submitted the open month yet"

    peer = log_in(browser, url, "f02@test.example", path="benchmark")
    peer.get_by_role("heading", name="Benchmark").wait_for()
    peer.get_by_text(f"{latest:%Y-%m}: uw positie per KPI").wait_for()
    city = log_in(browser, url, "city@test.example", path="region")
    city.get_by_role("heading", name="Regionale verankering").wait_for()
    city.get_by_text("Per jaar").wait_for()
    city.locator("[data-testid=stMetric]").nth(8).wait_for()  # all nine cards are drawn
    region_before = city.locator("[data-testid=stMetric]").all_inner_texts()
    assert len(region_before) == 9

    uploader = log_in(browser, url, "f08@test.example")
    uploader.get_by_role("heading", name="Gegevens indienen").wait_for()
    button = uploader.locator("[data-testid=stFileUploaderDropzone] button p")
    assert (
        uploader.evaluate(
            "(el) => getComputedStyle(el, '::after').content", button.element_handle()
        )
        == '"Bestanden kiezen"'
    )
    limit = uploader.locator("[data-testid=stFileUploaderDropzoneInstructions] span")
    assert "10 MB per bestand" in uploader.evaluate(
        "(el) => getComputedStyle(el, '::after').content", limit.element_handle()
    )
    rows = valid_rows("efficiency", "F08", months=1, last=open_month)
    path = write_rows(rows, "efficiency", tmp_path / "F08_efficiency_nieuw", "xlsx")
    uploader.locator("input[type=file]").set_input_files(str(path))
    uploader.get_by_text("aanvaard").first.wait_for()
    uploader.get_by_text("In verwerking").first.wait_for()
    shoot(uploader, "10-new-month-waiting")

    env = {**os.environ, "KPI_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(data_dir / "dagster")}
    subprocess.run([*KPI, "run"], env=env, check=True, cwd=REPO_ROOT, capture_output=True)

    # nobody presses F5: the upload page says processing is done, the others redraw
    uploader.get_by_text("Verwerking klaar").wait_for(timeout=60_000)
    shoot(uploader, "11-new-month-processed")
    open_page(uploader, "Benchmark")
    uploader.get_by_text("Periode", exact=True).wait_for()
    # its own new month is there at once, beside the latest release when slid to
    uploader.get_by_text(f"Uw eigen cijfers van {open_month:%Y-%m} staan al klaar").wait_for()
    slider_end = uploader.locator("[data-testid=stSliderThumbValue]").last.inner_text()
    assert slider_end == f"{latest:%Y-%m}"  # the page opens on the latest release
    shoot(uploader, "12-uploader-benchmark")

    peer.wait_for_timeout(12_000)  # at least one round of the pages' own refresh
    assert peer.get_by_text(f"{latest:%Y-%m}: uw positie per KPI").is_visible()
    assert peer.locator("[data-testid=stDataFrame]").first.is_visible()
    shoot(peer, "13-peer-benchmark-after-upload")
    assert city.locator("[data-testid=stMetric]").all_inner_texts() == region_before
    shoot(city, "14-city-after-upload")
    # the learning network's pages, of a peer and of the uploader, with a month that has
    # one factory's figures and no release: positions and the scan come from releases only
    for page, who in ((peer, "peer"), (uploader, "uploader")):
        for title, heading in (
            ("Leerpartners", "Leerpartners"),
            ("Zelfscan", "Factory of the Future-zelfscan"),
        ):
            page.get_by_role("link", name=title).click()
            page.get_by_role("heading", name=heading).wait_for()
            shoot(page, f"14-{who}-{title.lower()}-after-upload")
    for page in (peer, city, uploader):
        page.close()


def test_reload_and_bookmark_stay_logged_in(app, browser):
    url, _ = app
    page = log_in(browser, url, "f01@test.example", path="benchmark")
    # a bookmarked page: the login form under its address, then that page, not another
    assert page.url.endswith("/benchmark")
    page.get_by_role("heading", name="Benchmark").wait_for()
    page.reload()
    page.get_by_role("heading", name="Benchmark").wait_for()
    assert page.get_by_text("Aangemeld als f01@test.example").is_visible()
    assert page.get_by_label("Wachtwoord").count() == 0
    shoot(page, "15-benchmark-after-reload")
    page.get_by_role("button", name="Afmelden").click()
    page.get_by_label("Wachtwoord").wait_for()
    page.reload()
    page.get_by_label("Wachtwoord").wait_for()  # logged out stays logged out
    assert_no_failure(page, "after logout and reload")
    page.close()

    fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
    fresh.goto(f"{url}/region")
    fresh.get_by_label("Wachtwoord").wait_for()
    assert_no_failure(fresh, "bookmark without a session")
    fresh.close()


def test_phone_layout(app, browser):
    url, _ = app
    page = log_in(browser, url, "f01@test.example", width=390)
    page.get_by_role("heading", name="Gegevens indienen").wait_for()
    page.locator("[data-testid=stExpandSidebarButton]").click()
    page.get_by_role("link", name="Benchmark").click()
    page.get_by_role("heading", name="Benchmark").wait_for()
    page.wait_for_timeout(1500)
    sidebar = page.locator("[data-testid=stSidebar]").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0, "the sidebar covers the page"
    legend = page.get_by_text("Mediaan van de peers").first
    box = legend.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, "the chart's legend is cut off"
    shoot(page, "16-phone-benchmark")
    page.close()
    city = log_in(browser, url, "city@test.example", width=390)
    city.get_by_role("heading", name="Regionale verankering").wait_for()
    shoot(city, "17-phone-region")
    city.close()


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
    page.get_by_role("option", name="stad").click()
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
