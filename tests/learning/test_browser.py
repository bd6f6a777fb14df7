"""A full learning-partner round in real headless Chromium against the running demo app:
the offering factory (desktop) offers on a domain; the asking factory (390 px, a phone)
is refused on a KPI where it is not below the median, then asks on one where it is; the
offering factory sees KPI and domain only and accepts; the asking factory sees that a
plant accepted, without a name, and accepts; both see each other's name and contact; the
coordinator sees the introduction; a withdrawal hides the names again on the next load.
Screenshots go to test-artifacts/screenshots/learning-*.png."""

from __future__ import annotations

import json
import subprocess

import pytest

from kpi.contracts import kpi_definitions
from kpi.learning.demo import snapshot_query
from kpi.learning.positions import Positions, latest_release
from kpi.register import load_register
from kpi.settings import REPO_ROOT
from tests.dashboards.test_browser import (  # noqa: F401, F811 (fixtures)
    KPI,
    PASSWORD,
    app,
    browser,
    log_in,
    shoot,
)

DOMAIN_NL = {
    "efficiency": "Efficiëntie",
    "quality": "Kwaliteit",
    "people": "Mensen",
    "regional": "Regionale verankering",
}


def a_round(data) -> dict:
    """Two demo factories and a KPI nobody asked about yet where the first lies below the
    released median and the second in the top quartile (what the platform would match),
    and a KPI where the first is not below the median."""
    positions = Positions(snapshot_query(data / "serving" / "benchmark.duckdb"))
    query = snapshot_query(data / "serving" / "benchmark.duckdb")
    period = latest_release(query)
    log = json.loads((data / "learning" / "log.json").read_text())["entries"]
    asked = {e["kpi"] for e in log if e["type"] == "request"}
    codes = [f"F{i:02d}" for i in range(1, 13)]
    definitions = [d for d in kpi_definitions() if d.direction in ("higher", "lower")]
    for requester in codes:
        above = [
            d for d in definitions if positions.below_median(requester, d.name, period) is False
        ]
        for d in definitions:
            if d.name in asked or not above:
                continue
            if not positions.below_median(requester, d.name, period):
                continue
            for offerer in codes:
                if offerer != requester and positions.top_quartile(offerer, d.name, period):
                    return {
                        "requester": requester,
                        "offerer": offerer,
                        "kpi": d.label_nl,
                        "domain": DOMAIN_NL[d.domain],
                        "above": above[0].label_nl,
                    }
    pytest.fail("the demo has no pair to introduce")


def add_account(app_env: dict, email: str, factory: str) -> None:
    subprocess.run(
        [*KPI, "user", "add", email, "--role", "factory", "--factory", factory],
        env=app_env,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=REPO_ROOT,
        capture_output=True,
    )


def choose(page, form, label: str) -> None:
    form.locator("[data-testid=stSelectbox]").first.click()
    page.keyboard.type(label)
    page.get_by_role("option", name=label, exact=True).click()


def settled(page, locator):
    """``locator`` once the page's run has finished (while Streamlit reruns a page, the
    elements of the previous run stay beside the new ones for a moment)."""
    for _ in range(60):
        if locator.count() == 1:
            return locator
        page.wait_for_timeout(500)
    raise AssertionError(f"{locator} is on the page {locator.count()} times")


def block(page, text: str):
    """The innermost bordered block that holds ``text``."""
    return page.locator("[data-testid=stVerticalBlock]").filter(has_text=text).last


def test_request_accept_accept_introduce_between_two_factories(app, browser):  # noqa: F811
    import os

    url, data = app
    env = {**os.environ, "KPI_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster")}
    chosen = a_round(data)
    register = load_register(data / "register.yaml") if (data / "register.yaml").exists() else None
    if register is None:
        register = load_register(REPO_ROOT / "config" / "factories.yaml")
    names = {f.code: (f.name, f.contact) for f in register.factories}
    asker, sharer = chosen["requester"], chosen["offerer"]
    add_account(env, f"learn-{asker.lower()}@test.example", asker)
    add_account(env, f"learn-{sharer.lower()}@test.example", sharer)

    # the offering factory offers on the KPI's domain
    offerer = log_in(browser, url, f"learn-{sharer.lower()}@test.example", path="learning")
    offerer.get_by_role("heading", name="Leerpartners").wait_for()
    offer = offerer.get_by_role("checkbox", name=f"Wij bieden aan: {chosen['domain']}")
    if not settled(offerer, offer).is_checked():
        offerer.get_by_text(f"Wij bieden aan: {chosen['domain']}").click()
        offerer.wait_for_timeout(1500)
    assert settled(offerer, offer).is_checked()
    shoot(offerer, "learning-1-offer-desktop")

    # the asking factory, on a phone: refused above the median, then asks below it
    requester = log_in(
        browser, url, f"learn-{asker.lower()}@test.example", width=390, path="learning"
    )
    requester.get_by_role("heading", name="Leerpartners").wait_for()
    form = requester.locator("[data-testid=stForm]").first
    choose(requester, form, chosen["above"])
    form.get_by_role("button", name="Partner vragen").click()
    requester.get_by_text(f"Uw waarde van {chosen['above']} in").wait_for()
    requester.get_by_text("ligt niet onder de mediaan van het netwerk").wait_for()
    shoot(requester, "learning-2-refused-390")
    choose(requester, form, chosen["kpi"])
    form.get_by_role("button", name="Partner vragen").click()
    requester.get_by_text(f"Uw vraag over {chosen['kpi']} staat open").wait_for()
    requester.reload()
    request = block(requester, f"{chosen['kpi']} ({chosen['domain']}), gevraagd op")
    request.get_by_text("Nog geen partner heeft aanvaard.").wait_for()
    shoot(requester, "learning-3-asked-390")

    # the offering factory sees KPI and domain only, and accepts
    offerer.reload()
    line = f"Een fabriek vraagt een partner voor {chosen['kpi']} ({chosen['domain']})."
    proposal = block(offerer, line)
    proposal.wait_for()
    assert names[asker][0] not in offerer.locator("body").inner_text()
    shoot(offerer, "learning-4-proposed-desktop")
    proposal.get_by_role("button", name="Aanvaarden").click()
    block(offerer, line).get_by_text("U hebt aanvaard; de andere kant nog niet.").wait_for()

    # the asking factory sees that a plant accepted (no name) and accepts
    requester.reload()
    accepted = f"Een fabriek wil haar praktijk over {chosen['kpi']} delen."
    requester.get_by_text(accepted).wait_for()
    assert names[sharer][0] not in requester.locator("body").inner_text()
    shoot(requester, "learning-5-partner-accepted-390")
    block(requester, accepted).get_by_role("button", name="Aanvaarden").click()
    introduced_to_sharer = f"Voorgesteld aan {names[sharer][0]} — contact: {names[sharer][1]}"
    requester.get_by_text(introduced_to_sharer).wait_for()
    shoot(requester, "learning-6-introduced-390")
    offerer.reload()
    introduced_to_asker = f"Voorgesteld aan {names[asker][0]} — contact: {names[asker][1]}"
    offerer.get_by_text(introduced_to_asker).wait_for()
    shoot(offerer, "learning-7-introduced-desktop")

    # the coordinator sees the introduction by name
    for width in (1400, 390):
        coordinator = log_in(
            browser, url, "coordinator@test.example", width=width, path="learning_network"
        )
        coordinator.get_by_role("heading", name="Leerpartners").wait_for()
        table = coordinator.locator("[data-testid=stDataFrame]").first
        table.wait_for()
        coordinator.wait_for_timeout(1000)
        shoot(coordinator, f"learning-8-coordinator-{width}")
        coordinator.close()

    # the asking factory withdraws: the names are gone for the other side on reload
    block(requester, introduced_to_sharer).get_by_role(
        "button", name="Toestemming intrekken"
    ).click()
    requester.get_by_text(introduced_to_sharer).wait_for(state="detached")
    offerer.reload()
    offerer.get_by_role("heading", name="Leerpartners").wait_for()
    block(offerer, line).wait_for()
    assert introduced_to_asker not in offerer.locator("body").inner_text()
    shoot(offerer, "learning-9-withdrawn-desktop")
