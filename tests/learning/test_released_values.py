"""Finding 1b of the attack review: whether a factory may ask (and whether a request is
proposed to it) follows its RELEASED figures, not a file stored after the release: a
factory re-uploading its released month with a worse value could otherwise ask on any KPI
and collect the top-quartile factories that accept."""

from __future__ import annotations

import pytest

from dashboards import data, learning
from kpi.contracts import kpi_definitions
from kpi.i18n import message
from kpi.learning.positions import Positions
from kpi.register import load_register
from kpi.settings import reset_settings_cache
from tests.disclosure.network import Network
from tests.disclosure.test_attacks import DEMO, MONTHS, RELEASED_LAST, TODAY

FAKER = "F07"
KPI = "energy_per_production_hour"


@pytest.fixture(scope="module")
def faked(tmp_path_factory):
    """A released demo network where FAKER then stores its released month again with ten
    times its energy use, and a factory not in the released top quartile of energy per
    production hour (the booster) stores it with a tenth of its own (no revision yet)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        net = Network(tmp_path_factory.mktemp("faked"), DEMO, MONTHS, 42, monkeypatch)
        net.store_months(MONTHS[:-1])
        net.cycle(TODAY)
        where = Positions(data.query)
        before = {
            kpi: where.below_median(FAKER, kpi, RELEASED_LAST)
            for kpi in learning.requestable_kpis(net.factory(FAKER))
        }
        top = {
            kpi: {m.code for m in net.members if where.top_quartile(m.code, kpi, RELEASED_LAST)}
            for kpi in before
        }
        booster = next(
            m.code
            for m in net.members
            if m.code != FAKER
            and m.code not in top[KPI]
            and where.below_median(m.code, KPI, RELEASED_LAST) is False
        )

        def energy(code: str) -> float:
            rows = net.rows["efficiency"]
            mine = (rows["factory_code"] == code) & (rows["period"] == RELEASED_LAST)
            return rows.filter(mine)["energy_kwh"][0]

        net.store(FAKER, RELEASED_LAST, ["efficiency"], energy_kwh=energy(FAKER) * 10)
        net.store(booster, RELEASED_LAST, ["efficiency"], energy_kwh=energy(booster) / 10)
        net.cycle(TODAY)
        try:
            yield net, before, booster
        finally:
            net.close()
    reset_settings_cache()
    load_register.cache_clear()
    data.clear_cache()


def test_a_factory_whose_released_month_changed_cannot_ask(faked):
    net, before, _ = faked
    assert (
        data.query("SELECT changes_pending FROM months WHERE period = ?", (RELEASED_LAST,)).item()
        == 2
    )
    # the fake moved its own row below the median where it was not (the fishing attempt)
    now = Positions(data.query)
    assert before["energy_per_production_hour"] is False
    for kpi in before:
        with pytest.raises(learning.LearningRefused) as refused:
            learning.ask(net.factory(FAKER), kpi)
        assert refused.value.key == "learning_refused_changed", kpi
    assert now.below_median(FAKER, "energy_per_production_hour", RELEASED_LAST) is None
    nl = message(refused.value.key, "nl", **refused.value.params)
    en = message(refused.value.key, "en", **refused.value.params)
    assert nl.startswith("Uw cijfers van 2025-12 zijn gewijzigd na de vrijgave")
    assert "possible again after the next revision" in en
    assert learning.own_requests(net.factory(FAKER)) == []


def test_a_factory_whose_released_month_changed_is_not_proposed_to(faked):
    net, _, booster = faked
    # its current row would now lie in the top quartile; its released one did not
    asker = next(
        m.code
        for m in net.members
        if m.code not in (FAKER, booster)
        and Positions(data.query).below_median(m.code, KPI, RELEASED_LAST)
    )
    domain = next(d.domain for d in kpi_definitions() if d.name == KPI)
    learning.set_offer(net.factory(booster), domain, True)
    learning.ask(net.factory(asker), KPI)
    assert learning.proposals(net.factory(booster)) == []
    assert Positions(data.query).quartile(booster, KPI, RELEASED_LAST) is None
