"""A released demo network (the attack suite's harness) shared by the learning tests;
each test starts with an empty learning log."""

from __future__ import annotations

import pytest

from dashboards import data
from kpi.learning.log import LearningLog
from kpi.register import load_register
from kpi.settings import reset_settings_cache
from tests.disclosure.network import Network
from tests.disclosure.test_attacks import DEMO, MONTHS, TODAY


@pytest.fixture(scope="module")
def released_network(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        net = Network(tmp_path_factory.mktemp("learning"), DEMO, MONTHS, 42, monkeypatch)
        net.store_months(MONTHS[:-1])
        net.cycle(TODAY)
        try:
            yield net, monkeypatch
        finally:
            net.close()
    reset_settings_cache()
    load_register.cache_clear()
    data.clear_cache()


@pytest.fixture
def net(released_network):
    network, _ = released_network
    LearningLog(network.settings).path.unlink(missing_ok=True)
    return network
