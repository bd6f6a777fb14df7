"""Found by an attacker session (2026-12-03): the differencing rule checked a new month's
city sums against the versions of earlier months that are published *now*, but the city
has also seen the versions a revision replaced, and can subtract those. A revision now
keeps the bases it replaces (``marts.release_basis_superseded``) and differencing checks
every version.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from kpi.demo import months_until
from kpi.disclosure import releases
from kpi.disclosure.peers import compute_peer_groups
from kpi.disclosure.rules import DIFFERENCING
from kpi.kpis import compute_factory_kpis
from tests.disclosure.network import Member, Network

MONTHS = months_until(dt.date(2025, 6, 1), 6)
MEMBERS = [Member(f"F{i}", ("powertrain", "chassis", "electronics")[i % 3]) for i in range(8)]


def _run(network: Network, today: dt.date, revise: tuple[dt.date, ...] = ()) -> None:
    compute_factory_kpis(network.con)
    compute_peer_groups(network.con, network.register, network.pseudonym_of, network.rules)
    requests = [
        SimpleNamespace(action="revise", period=p, requested_by="coordinator") for p in revise
    ]
    releases.carry_out(network.con, network.publication, today, requests)


def _employment(network: Network, period: dt.date) -> tuple:
    return network.con.execute(
        f"SELECT value, suppressed_reason FROM {releases.REGION_INDICATORS} "
        "WHERE period = ? AND indicator = 'employment' AND scope = 'network'",
        [period],
    ).fetchone()


HEADCOUNT = {m.code: 200 + 37 * i for i, m in enumerate(MEMBERS)}
FIVE = ("F0", "F1", "F2", "F3", "F4")


def _released_network(tmp_path, monkeypatch, months: list[dt.date], today: dt.date) -> Network:
    """``months`` stored and released, the last of them with known headcounts."""
    network = Network(tmp_path, MEMBERS, MONTHS, 3, monkeypatch)
    for period in months:
        for member in MEMBERS:
            known = {"headcount_end": HEADCOUNT[member.code]} if period == months[-1] else {}
            network.store(member.code, period, **known)
    _run(network, today)
    return network


def _five_correct(network: Network, period: dt.date) -> None:
    """Five factories correct ``period``: +100 headcount each."""
    for code in FIVE:
        network.store(code, period, headcount_end=HEADCOUNT[code] + 100)


def _five_back_and_f7_up(network: Network, period: dt.date) -> None:
    """The five at their first headcount, F7 +50: next to the corrected version, six
    factories changed; next to the first version, F7 alone."""
    for member in MEMBERS:
        bump = 50 if member.code == "F7" else 0
        network.store(member.code, period, headcount_end=HEADCOUNT[member.code] + bump)


def test_a_month_is_not_published_when_it_differs_from_a_superseded_version_by_one_factory(
    tmp_path, monkeypatch
):
    before, month = MONTHS[-2], MONTHS[-1]
    network = _released_network(tmp_path, monkeypatch, MONTHS[:-1], dt.date(2025, 6, 20))
    first_version, _ = _employment(network, before)

    # the revision publishes a new total
    _five_correct(network, before)
    _run(network, dt.date(2025, 6, 21), revise=(before,))
    assert _employment(network, before)[0] == first_version + 500

    _five_back_and_f7_up(network, month)
    _run(network, dt.date(2025, 7, 20))
    value, reason = _employment(network, month)
    # published, it minus the superseded total the city kept is F7's change alone
    assert reason == DIFFERENCING, f"published {value}: {value - first_version} is F7's change"


def test_a_month_revised_twice_is_checked_against_its_first_version(tmp_path, monkeypatch):
    """Five factories correct a released month (+100 each), then take it back while one
    other factory corrects +50: the second revision against the first passes the p % rule
    (six factories changed), but against the release itself it is that one factory's
    change, and the city has seen both."""
    month = MONTHS[-1]
    network = _released_network(tmp_path, monkeypatch, MONTHS, dt.date(2025, 7, 20))
    released, _ = _employment(network, month)

    _five_correct(network, month)
    _run(network, dt.date(2025, 7, 21), revise=(month,))
    assert _employment(network, month)[0] == released + 500

    _five_back_and_f7_up(network, month)
    _run(network, dt.date(2025, 7, 22), revise=(month,))
    value, reason = _employment(network, month)
    assert value is None or value - released != 50, "the second revision reveals F7's change"
