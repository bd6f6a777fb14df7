"""The demo's learning loop: offers, open requests, an introduction made and one waiting
for the asking side, every pairing one the matching rules would make."""

from __future__ import annotations

from dashboards import learning
from kpi.learning.demo import seed
from tests.disclosure.test_attacks import RELEASED_LAST
from tests.learning.test_learning import positions


def test_the_demo_has_an_introduction_a_pending_one_and_open_requests(net):
    done = seed(net.settings)
    assert seed(net.settings) == []  # once only
    overview = learning.overview(net.coordinator)
    [introduction] = overview["introductions"]
    assert introduction["requester"].code == "F01"
    assert len(overview["requests"]) >= 3
    assert len(overview["offers"]) >= 10
    where = positions()
    loop = learning.learning(net.coordinator)
    pairings = loop.state.pairings(loop.positions.top_quartile)
    waiting = [p for p in pairings if p.offerer_accepted and not p.requester_accepted]
    assert [p.request.factory for p in waiting] == ["F07"]
    for pairing in pairings:
        request = pairing.request
        assert where.below_median(request.factory, request.kpi, RELEASED_LAST)
        assert where.top_quartile(pairing.offerer, request.kpi, RELEASED_LAST)
    # F07 sees that a plant accepted, without its name
    [side] = [s for item in learning.own_requests(net.factory("F07")) for s in item["partners"]]
    assert side["partner"] is None and not side["introduced"]
    assert any("introduced" in line for line in done)
