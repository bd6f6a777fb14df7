"""The self-scan in real headless Chromium (the pattern and the app of test_browser.py):
a factory fills in half its scan and saves it, comes back after a reload and finds its
answers, completes and submits it, the pipeline processes it, and the radar shows the
new profile beside the network's median; the coordinator and the city see the network's
profile only; the page on a 390 px phone. Screenshots go to SCREENSHOTS."""

from __future__ import annotations

import os
import re
import subprocess

from kpi.maturity.statements import transformations
from kpi.settings import REPO_ROOT
from tests.dashboards import test_browser as base
from tests.dashboards.test_browser import KPI, assert_no_failure, log_in, open_page, shoot

app = base.app  # the same demo app and browser (module-scoped: set up once here)
browser = base.browser

TITLE = "Factory of the Future-zelfscan"


def answer(page, transformation, score: str) -> None:
    """Give every statement of ``transformation`` ``score`` in its form, then save."""
    for statement in transformation.statements:
        group = page.get_by_role("radiogroup", name=statement.text("nl"))
        group.get_by_text(score, exact=True).click()
        # the click has landed before the next one (on a busy machine the browser lags)
        group.locator("input[type=radio]").nth(int(score) - 1).wait_for(state="attached")
        page.wait_for_function(
            "([name, i]) => [...document.querySelectorAll('[role=radiogroup]')]"
            ".find(g => g.getAttribute('aria-label') === name)"
            "?.querySelectorAll('input[type=radio]')[i]?.checked === true",
            arg=[statement.text("nl"), int(score) - 1],
        )
    form = page.locator("[data-testid=stForm]").filter(
        has=page.get_by_text(transformation.statements[0].text("nl"), exact=True)
    )
    form.get_by_role("button", name="Bewaren").click()


def test_a_factory_fills_in_half_saves_comes_back_submits_and_sees_its_radar(app, browser):
    url, data_dir = app
    steps = transformations()
    page = log_in(browser, url, "f02@test.example")
    open_page(page, "Zelfscan")
    page.get_by_role("heading", name=TITLE).wait_for()
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
    assert page.get_by_text("Mediaan van het netwerk 2026").first.is_visible()
    shoot(page, "selfscan-01-profile")

    page.get_by_role("tab", name="Scan invullen").click()
    page.get_by_text("0 van 28 stellingen beantwoord").wait_for()
    submit = page.get_by_role("button", name="Scan 2026 indienen")
    assert submit.is_disabled()
    answer(page, steps[0], "4")
    page.get_by_text(f"{steps[0].label('nl')} bewaard. 4 van 28 stellingen beantwoord.").wait_for()
    shoot(page, "selfscan-02-half-saved")

    # coming back: a reload keeps the session, and the saved answers are there
    page.reload()
    page.get_by_role("heading", name=TITLE).wait_for()
    page.get_by_role("tab", name="Scan invullen").click()
    page.get_by_text("4 van 28 stellingen beantwoord").wait_for()
    # the finished transformation is folded away; opened, it shows the saved answers
    page.get_by_text(f"{steps[0].label('nl')} (4/4)").click()
    first = page.get_by_role("radiogroup", name=steps[0].statements[0].text("nl"))
    assert first.locator("input[type=radio]").nth(3).is_checked()  # the fourth: score 4
    assert page.get_by_text(re.compile(r"Nog niet in te dienen: 24 stelling")).is_visible()
    assert page.get_by_role("button", name="Scan 2026 indienen").is_disabled()
    shoot(page, "selfscan-03-back-again")

    for step in steps[1:]:
        page.get_by_role("radiogroup", name=step.statements[0].text("nl")).wait_for()
        answer(page, step, "4")
        page.get_by_text(f"{step.label('nl')} bewaard.").wait_for()
    page.get_by_text("28 van 28 stellingen beantwoord", exact=True).wait_for()
    page.get_by_role("button", name="Scan 2026 indienen").click()
    page.get_by_text("Scan 2026 ingediend").wait_for()
    shoot(page, "selfscan-04-submitted")
    waiting = list((data_dir / "landing" / "pending" / "maturity" / "F02").glob("*.csv"))
    assert len(waiting) == 1

    env = {**os.environ, "KPI_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(data_dir / "dagster")}
    subprocess.run([*KPI, "run"], env=env, check=True, cwd=REPO_ROOT, capture_output=True)
    page.reload()
    page.get_by_role("heading", name=TITLE).wait_for()
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
    table = page.locator("[data-testid=stDataFrame]").first
    table.wait_for()
    # every transformation at 4 now: the table under the radar says so
    page.wait_for_timeout(1500)
    assert page.get_by_text("Uw fabriek 2026").first.is_visible()
    shoot(page, "selfscan-05-radar-after-processing")
    from kpi.serving import open_snapshot

    with open_snapshot(data_dir / "serving" / "benchmark.duckdb") as con:
        scores = con.execute(
            "SELECT DISTINCT score FROM own_maturity WHERE factory_code = 'F02' AND year = 2026"
        ).fetchall()
    assert scores == [(4.0,)]
    page.close()


def test_the_self_scan_on_a_phone(app, browser):
    url, _ = app
    page = log_in(browser, url, "f01@test.example", width=390, path="selfscan")
    page.get_by_role("heading", name=TITLE).wait_for()
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    chart.wait_for()
    page.wait_for_timeout(1500)
    box = chart.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, "the radar is cut off"
    shoot(page, "selfscan-06-phone-profile")
    page.get_by_role("tab", name="Scan invullen").click()
    page.get_by_text(re.compile(r"\d+ van 28 stellingen beantwoord")).first.wait_for()
    shoot(page, "selfscan-07-phone-form")
    page.close()


def test_coordinator_and_city_see_the_networks_profile_only(app, browser):
    url, _ = app
    for email in ("coordinator@test.example", "city@test.example"):
        page = log_in(browser, url, email)
        open_page(page, "Zelfscan")
        page.get_by_text("Het profiel van het netwerk").wait_for()
        page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
        text = page.locator("[data-testid=stMain]").inner_text()
        assert "Uw fabriek" not in text and "Scan invullen" not in text
        assert not re.search(r"\bF\d\d\b", text) and "Demo " not in text
        shoot(page, f"selfscan-08-{email.split('@')[0]}")
        assert_no_failure(page, email)
        page.close()
