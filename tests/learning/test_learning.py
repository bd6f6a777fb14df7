"""The learning loop through the calls its pages make (``dashboards.learning``), on a
released demo network: who may ask, to whom a request is proposed, what each side and
the coordinator see before and after both accept, withdrawal and expiry, offers as bands,
success stories only with consent."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards import learning
from kpi.i18n import message
from kpi.learning.consent import expires_at
from kpi.learning.positions import Positions
from kpi.learning.service import Learning
from tests.disclosure.network import Network
from tests.disclosure.test_attacks import RELEASED_LAST


def positions() -> Positions:
    from dashboards import data

    return Positions(data.query)


def a_gap(requester: str) -> tuple[str, str, str]:
    """(kpi, a top-quartile factory, a factory neither top nor the requester) for a KPI
    where ``requester`` lies below the released median."""
    where = positions()
    codes = [f"F{i:02d}" for i in range(1, 13)]
    for kpi in learning.requestable_kpis(Network.factory(requester)):
        if not where.below_median(requester, kpi, RELEASED_LAST):
            continue
        top = [c for c in codes if c != requester and where.top_quartile(c, kpi, RELEASED_LAST)]
        rest = [
            c for c in codes if c != requester and not where.top_quartile(c, kpi, RELEASED_LAST)
        ]
        if top and rest:
            return kpi, top[0], rest[0]
    raise AssertionError("the demo network has no gap to ask about")


def domain_of(kpi: str) -> str:
    from kpi.contracts import kpi_definitions

    return next(d.domain for d in kpi_definitions() if d.name == kpi)


def test_a_request_above_the_median_is_refused_with_the_reason(net):
    where = positions()
    viewer = net.factory("F01")
    kpi = next(
        k
        for k in learning.requestable_kpis(viewer)
        if where.below_median("F01", k, RELEASED_LAST) is False
    )
    with pytest.raises(learning.LearningRefused) as refused:
        learning.ask(viewer, kpi)
    assert refused.value.key == "learning_refused_not_below"
    text = message(refused.value.key, "nl", **refused.value.params)
    assert text.startswith(f"Uw waarde van {kpi} in 2025-12 ligt niet onder de mediaan")
    assert "not below the network median" in message(
        refused.value.key, "en", **refused.value.params
    )
    assert learning.own_requests(viewer) == []


def test_a_kpi_without_a_better_side_cannot_be_asked_about(net):
    with pytest.raises(learning.LearningRefused) as refused:
        learning.ask(net.factory("F01"), "temp_worker_share")
    assert refused.value.key == "learning_refused_no_direction"
    assert "temp_worker_share" not in learning.requestable_kpis(net.factory("F01"))


def test_a_full_round_reveals_names_only_when_both_accepted(net):
    requester, viewer = "F01", net.factory("F01")
    kpi, top, other = a_gap(requester)
    domain = domain_of(kpi)
    for code in (top, other):
        learning.set_offer(net.factory(code), domain, True)
    learning.ask(viewer, kpi)
    # proposed to the offering factory in the top quartile only: KPI and domain, no name
    assert learning.proposals(net.factory(other)) == []
    [proposal] = learning.proposals(net.factory(top))
    assert (proposal["kpi"], proposal["domain"], proposal["partner"]) == (kpi, domain, None)
    # the requester sees nothing of the proposal until the offering side accepts
    [mine] = learning.own_requests(viewer)
    assert mine["partners"] == []
    learning.answer(net.factory(top), proposal["handle"], True)
    [mine] = learning.own_requests(viewer)
    [side] = mine["partners"]
    assert side["partner"] is None and not side["introduced"]
    assert learning.overview(net.coordinator)["introductions"] == []
    learning.answer(viewer, side["handle"], True)
    [side] = learning.own_requests(viewer)[0]["partners"]
    assert side["partner"].name == f"Demo Attack Plant {top}"
    assert side["partner"].contact == f"kpi@{top.lower()}.attack.example"
    [proposal] = learning.proposals(net.factory(top))
    assert proposal["partner"].name == f"Demo Attack Plant {requester}"
    [introduction] = learning.overview(net.coordinator)["introductions"]
    assert (introduction["requester"].name, introduction["offerer"].name, introduction["kpi"]) == (
        f"Demo Attack Plant {requester}",
        f"Demo Attack Plant {top}",
        kpi,
    )
    # either side withdraws: the names are gone on the next page load, for everyone
    learning.answer(net.factory(top), proposal["handle"], False)
    assert all(p["partner"] is None for p in learning.proposals(net.factory(top)))
    assert learning.own_requests(viewer)[0]["partners"] == []
    assert learning.overview(net.coordinator)["introductions"] == []
    # the log keeps every step: who, when, what
    kinds = [(e["type"], e.get("given")) for e in learning.history(net.factory(top))]
    assert kinds == [("consent", True), ("consent", True), ("consent", False)]


def test_an_introduction_lapses_after_a_year(net):
    kpi, top, _ = a_gap("F01")
    learning.set_offer(net.factory(top), domain_of(kpi), True)
    learning.ask(net.factory("F01"), kpi)
    [proposal] = learning.proposals(net.factory(top))
    learning.answer(net.factory(top), proposal["handle"], True)
    [side] = learning.own_requests(net.factory("F01"))[0]["partners"]
    learning.answer(net.factory("F01"), side["handle"], True)
    loop = learning.learning(net.coordinator)
    assert len(loop.introductions()) == 1
    given_at = max(dt.datetime.fromisoformat(e["at"]) for e in loop.log.entries())
    later = Learning(loop.log_settings, loop.query, loop.register, 5, now=expires_at(given_at))
    assert later.introductions() == []
    assert later.own_requests("F01") == []  # the request lapsed too
    assert later.own_offers(top) == set()


def test_the_coordinator_can_pair_by_hand_and_it_still_needs_both(net):
    kpi, _, other = a_gap("F01")
    learning.ask(net.factory("F01"), kpi)
    request_id = learning.overview(net.coordinator)["requests"][0]["request"].request_id
    learning.broker(net.coordinator, request_id, other)
    [proposal] = learning.proposals(net.factory(other))
    assert proposal["brokered"] and proposal["partner"] is None
    [pairing] = learning.overview(net.coordinator)["brokered"]
    assert not pairing["offerer_accepted"] and not pairing["requester_accepted"]
    learning.answer(net.factory(other), proposal["handle"], True)
    assert learning.overview(net.coordinator)["introductions"] == []
    [side] = learning.own_requests(net.factory("F01"))[0]["partners"]
    learning.answer(net.factory("F01"), side["handle"], True)
    assert len(learning.overview(net.coordinator)["introductions"]) == 1
    with pytest.raises(learning.LearningRefused):
        learning.broker(net.coordinator, request_id, "F01")


def test_offers_show_to_peers_only_as_a_band_of_other_contributors(net):
    viewer = net.factory("F01")
    # F02 and F03 are one company group: together one contributor
    for code in ("F02", "F03", "F04", "F05", "F06"):
        learning.set_offer(net.factory(code), "quality", True)
    assert learning.offers(viewer)["bands"]["quality"] is None  # 4 contributors
    learning.set_offer(net.factory("F07"), "quality", True)
    assert learning.offers(viewer)["bands"]["quality"] == "5-9"
    # the viewer's own offer does not count: toggling it tells it nothing
    learning.set_offer(viewer, "quality", True)
    assert learning.offers(viewer)["bands"]["quality"] == "5-9"
    assert learning.offers(net.factory("F07"))["bands"]["quality"] == "5-9"
    learning.set_offer(net.factory("F05"), "quality", False)
    assert learning.offers(net.factory("F07"))["bands"]["quality"] is None


def test_a_factory_cannot_answer_a_pairing_it_is_not_part_of(net):
    kpi, top, other = a_gap("F01")
    learning.set_offer(net.factory(top), domain_of(kpi), True)
    learning.ask(net.factory("F01"), kpi)
    [proposal] = learning.proposals(net.factory(top))
    for outsider in (other, "F12" if top != "F12" else "F11"):
        with pytest.raises(learning.LearningRefused):
            learning.answer(net.factory(outsider), proposal["handle"], True)
    # nor can the requester accept before the offering side did
    with pytest.raises(learning.LearningRefused):
        learning.answer(net.factory("F01"), proposal["handle"], True)


def test_success_stories_reach_the_coordinator_only_with_consent(net):
    loop = learning.learning(net.coordinator)
    found = next(((kpi, s) for kpi in loop.requestable() for s in loop.qualifying(kpi)), None)
    assert found is not None, "the demo network has no factory that rose a quartile"
    kpi, story = found
    assert story.quartile_now < story.quartile_then
    assert learning.success_stories(net.coordinator) == []
    viewer = net.factory(story.factory)
    mine = [s for s in learning.own_stories(viewer) if s["story"].kpi == kpi]
    assert mine and not mine[0]["named"]
    learning.set_story_consent(viewer, kpi, True)
    named = learning.success_stories(net.coordinator)
    assert [(s["partner"].name, s["story"].kpi) for s in named if s["story"].kpi == kpi][0] == (
        f"Demo Attack Plant {story.factory}",
        kpi,
    )
    learning.set_story_consent(viewer, kpi, False)
    assert all(
        s["story"].factory != story.factory for s in learning.success_stories(net.coordinator)
    )


def test_roles_other_than_factory_and_coordinator_get_nothing(net):
    from dashboards.data import AccessDenied

    with pytest.raises(AccessDenied):
        learning.overview(net.city)
    with pytest.raises(AccessDenied):
        learning.offers(net.coordinator)
    with pytest.raises(AccessDenied):
        learning.overview(net.factory("F01"))


def test_every_factory_may_ask_exactly_where_it_lies_below_the_released_median(net):
    """For every factory and KPI of the demo network: the request is accepted if and only
    if the factory's value lies below the published median, and the platform proposes it
    to exactly the factories that offer on the domain and lie in the top quartile."""
    where = positions()
    codes = [m.code for m in net.members]
    for code in codes:
        for domain in ("efficiency", "quality", "people"):
            learning.set_offer(net.factory(code), domain, True)
    asked = 0
    for code in codes:
        for kpi in learning.requestable_kpis(net.factory(code)):
            below = where.below_median(code, kpi, RELEASED_LAST)
            try:
                learning.ask(net.factory(code), kpi)
            except learning.LearningRefused as refused:
                assert not below, (code, kpi, refused.key)
                continue
            assert below, (code, kpi)
            asked += 1
    assert asked > 20
    loop = learning.learning(net.coordinator)
    requests = {r.request_id: r for r in loop.state.open_requests()}
    proposed: dict[str, set[str]] = {rid: set() for rid in requests}
    for code in codes:
        for proposal in learning.proposals(net.factory(code)):
            pairing = loop._pairing(code, proposal["handle"])
            proposed[pairing.request.request_id].add(code)
    for rid, request in requests.items():
        top = {
            c
            for c in codes
            if c != request.factory and where.top_quartile(c, request.kpi, RELEASED_LAST)
        }
        assert proposed[rid] == top, (request.factory, request.kpi)
    assert any(proposed.values())


def test_the_asking_side_never_holds_the_offerers_code_before_both_accepted(net):
    """Finding 1 of the attack review: the pairing id named the offering factory and
    reached the asking side's page (its button keys) once the offerer accepted."""
    requester, viewer = "F01", net.factory("F01")
    kpi, top, _ = a_gap(requester)
    learning.set_offer(net.factory(top), domain_of(kpi), True)
    learning.ask(viewer, kpi)
    [proposal] = learning.proposals(net.factory(top))
    learning.answer(net.factory(top), proposal["handle"], True)
    [side] = learning.own_requests(viewer)[0]["partners"]
    served = repr((learning.own_requests(viewer), learning.history(viewer)))
    assert top not in served and side["partner"] is None
    # each side has its own handle; the offerer's does not work for the asking side
    assert side["handle"] != proposal["handle"]
    with pytest.raises(learning.LearningRefused):
        learning.answer(viewer, proposal["handle"], True)
    # declining leaves no trace of the offerer in what the asking side is served
    learning.answer(viewer, side["handle"], False)
    served = repr((learning.own_requests(viewer), learning.history(viewer)))
    assert top not in served
    assert learning.history(viewer)[-1]["subject"] == "pairing"


def test_the_coordinators_pairing_does_not_count_an_acceptance_of_the_platforms(net):
    """Finding 2: brokering an open request to a factory that had accepted the platform's
    proposal showed "offerer accepted" at once, telling the coordinator it is top."""
    kpi, top, _ = a_gap("F01")
    learning.set_offer(net.factory(top), domain_of(kpi), True)
    learning.ask(net.factory("F01"), kpi)
    [proposal] = learning.proposals(net.factory(top))
    learning.answer(net.factory(top), proposal["handle"], True)
    request_id = learning.overview(net.coordinator)["requests"][0]["request"].request_id
    learning.broker(net.coordinator, request_id, top)
    [pairing] = learning.overview(net.coordinator)["brokered"]
    assert not pairing["offerer_accepted"] and not pairing["requester_accepted"]
    # the coordinator's pairing is a proposal of its own, answered on its own
    brokered = [p for p in learning.proposals(net.factory(top)) if p["brokered"]]
    assert len(brokered) == 1 and not brokered[0]["accepted_by_me"]
    learning.answer(net.factory(top), brokered[0]["handle"], True)
    [pairing] = learning.overview(net.coordinator)["brokered"]
    assert pairing["offerer_accepted"]


def test_withdrawing_the_request_ends_its_introductions(net):
    """Finding 3: a withdrawn (or lapsed) request left the introduction and names in force."""
    requester, viewer = "F01", net.factory("F01")
    kpi, top, _ = a_gap(requester)
    learning.set_offer(net.factory(top), domain_of(kpi), True)
    learning.ask(viewer, kpi)
    [proposal] = learning.proposals(net.factory(top))
    learning.answer(net.factory(top), proposal["handle"], True)
    [side] = learning.own_requests(viewer)[0]["partners"]
    learning.answer(viewer, side["handle"], True)
    assert len(learning.overview(net.coordinator)["introductions"]) == 1
    [item] = learning.own_requests(viewer)
    learning.withdraw_request(viewer, item["request"].request_id)
    assert learning.overview(net.coordinator)["introductions"] == []
    assert learning.overview(net.coordinator)["requests"] == []
    assert all(p["partner"] is None for p in learning.proposals(net.factory(top)))
    assert requester not in repr(learning.proposals(net.factory(top)))


def test_success_stories_with_equal_gains_are_in_order_of_name(net):
    """Finding 4: equal quartile gains were ordered by the size of the improvement of the
    plants' values, so the row order ranked named plants' figures."""
    loop = learning.learning(net.coordinator)
    for kpi in loop.requestable():
        for story in loop.qualifying(kpi):
            learning.set_story_consent(net.factory(story.factory), kpi, True)
    shown = [
        (s["story"].kpi, -s["story"].quartiles_gained, s["partner"].name)
        for s in learning.success_stories(net.coordinator)
    ]
    ties = [a for a, b in zip(shown, shown[1:], strict=False) if a[:2] == b[:2]]
    assert ties, "the demo network has no two stories with equal gains on one KPI"
    by_kpi = {}
    for kpi, gain, name in shown:
        by_kpi.setdefault(kpi, []).append((gain, name))
    assert all(rows == sorted(rows) for rows in by_kpi.values())
