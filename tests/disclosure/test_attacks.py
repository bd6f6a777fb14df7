"""The disclosure attack suite: every role, through the calls its pages make, over several
releases and revisions, on the demo network and on small generated ones. No attack may
recover another factory's figure; the table of how close each came is written to
test-artifacts/disclosure/. The last tests mutate the rules and check that the suite
then does find the leak (a suite that cannot fail proves nothing)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from kpi.demo import months_until
from kpi.disclosure import peers, quantiles, releases
from kpi.settings import REPO_ROOT
from tests.disclosure import attacks
from tests.disclosure.network import Member, Network

MONTHS = months_until(dt.date(2026, 1, 1), 15)  # 2024-11 .. 2026-01
RELEASED_LAST = dt.date(2025, 12, 1)  # closes on 20 January 2026
OPEN = dt.date(2026, 1, 1)  # closes on 20 February 2026
TODAY = dt.date(2026, 1, 25)
ARTIFACTS = REPO_ROOT / "test-artifacts" / "disclosure"

DEMO = [
    Member("F01", "powertrain"),
    Member("F02", "powertrain", "Demo Haspengouw Industries"),
    Member("F03", "powertrain", "Demo Haspengouw Industries"),
    Member("F04", "chassis"),
    Member("F05", "chassis"),
    Member("F06", "chassis"),
    Member("F07", "chassis"),
    Member("F08", "electronics"),
    Member("F09", "electronics"),
    Member("F10", "electronics"),
    Member("F11", "electronics"),
    Member("F12", "electronics"),
]


def generated(size: int, sectors: tuple[int, ...], company_pair: bool) -> list[Member]:
    names = ("powertrain", "chassis", "electronics", "interiors")
    members = []
    for sector, count in zip(names, sectors, strict=False):
        members += [Member(f"G{len(members) + i + 1:02d}", sector) for i in range(count)]
    members = members[:size]
    if company_pair:
        members[0] = Member(members[0].code, members[0].sector, "Demo Group")
        members[1] = Member(members[1].code, members[1].sector, "Demo Group")
    return members


CATALOGUE_DEFAULTS = "threshold: 5\np_percent: 10\n"
NETWORKS = {
    "demo-12": (DEMO, None, 42),
    "small-5": (generated(5, (5,), False), CATALOGUE_DEFAULTS, 3),
    "small-8-sectors-3-5": (generated(8, (3, 5), True), CATALOGUE_DEFAULTS, 5),
    "small-12-sectors-3-4-5": (generated(12, (3, 4, 5), False), CATALOGUE_DEFAULTS, 8),
}


def build(tmp_path: Path, monkeypatch, name: str) -> Network:
    members, config, seed = NETWORKS[name]
    path = None
    if config is not None:
        path = tmp_path / "disclosure.yaml"
        path.write_text(config)
    return Network(tmp_path, members, MONTHS, seed, monkeypatch, path)


def play_the_months(net: Network) -> dict:
    """A year of releases, then a late file, a correction, an attacker re-uploading its
    own month with extreme values, revisions, and an open month some have submitted."""
    codes = [m.code for m in net.members]
    attacker, late, corrector = codes[0], codes[-1], codes[len(codes) // 2]
    net.store_months(MONTHS[:-2])
    net.store_months([RELEASED_LAST], [c for c in codes if c != late])
    net.store_months([OPEN], codes[: max(1, len(codes) // 2)])  # the open month, partly in
    net.cycle(TODAY)
    seen = {
        "attacker": attacker,
        "late": late,
        "before": attacks.snapshot_of_statistics(net, attacker),
        "city_before": attacks.region_sums(net),
    }
    # the late factory's month arrives after the release; another factory corrects its own
    net.store(late, RELEASED_LAST)
    net.store(corrector, RELEASED_LAST, ["efficiency"], scrap_quantity=0.0)
    # the attacker re-uploads its released month with extremes, and the coordinator
    # revises after every upload (the attacker's best case)
    busy = (
        net.rows["efficiency"]
        .filter((pl.col("factory_code") == attacker) & (pl.col("period") == RELEASED_LAST))[
            "planned_busy_time_h"
        ]
        .item()
    )
    net.store(attacker, RELEASED_LAST, ["efficiency"], actual_production_time_h=0.0)
    net.cycle(TODAY, revise=[RELEASED_LAST])
    seen["low"] = attacks.snapshot_of_statistics(net, attacker)
    net.store(attacker, RELEASED_LAST, ["efficiency"], actual_production_time_h=busy)
    net.cycle(TODAY, revise=[RELEASED_LAST], revise_all=True)
    seen["high"] = attacks.snapshot_of_statistics(net, attacker)
    seen["city_after"] = attacks.region_sums(net)
    return seen


def run_attacks(net: Network, seen: dict) -> list[attacks.Result]:
    attacker, late = seen["attacker"], seen["late"]
    return [
        attacks.order_statistics(net, attacker),
        attacks.compare_readings(net, seen["before"], seen["low"], "re-upload: own value to 0"),
        attacks.compare_readings(net, seen["low"], seen["high"], "re-upload: own value 0 -> 1"),
        attacks.compare_readings(
            net, seen["before"], seen["high"], "late file: 2*after-before", target=late
        ),
        attacks.late_sum(net, seen["city_before"], seen["city_after"], late, RELEASED_LAST),
        attacks.sum_differences(net, net.rules.p_percent),
        attacks.exact_sizes(net, attacker),
        attacks.partial_windows(net),
    ]


def report(name: str, results: list[attacks.Result]) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    text = "\n".join([f"network {name}", *(r.line() for r in results)]) + "\n"
    (ARTIFACTS / f"attacks-{name}.txt").write_text(text)
    print(text)
    return text


@pytest.mark.parametrize("name", list(NETWORKS))
def test_no_attack_recovers_another_factorys_figure(tmp_path, monkeypatch, name):
    net = build(tmp_path, monkeypatch, name)
    try:
        seen = play_the_months(net)
        results = run_attacks(net, seen)
        text = report(name, results)
        assert [r.attack for r in results if r.recovered] == [], text
        # the attacks had something to work with: released statistics were shown
        assert seen["before"], text
        assert results[-1].attempts > 0, text  # 12-month figures were published
        # nothing of the open month reaches a peer
        assert all(key[0] != OPEN for key in seen["high"])
    finally:
        net.close()


def test_released_figures_stay_frozen_when_one_factory_changes_its_data(tmp_path, monkeypatch):
    net = build(tmp_path, monkeypatch, "demo-12")
    try:
        seen = play_the_months(net)
        # the attacker's extremes and the late file changed fewer than `threshold`
        # contributors: every released statistic is as it was released
        assert seen["low"] == seen["before"] and seen["high"] == seen["before"]
        not_revised = net.con.execute(
            f"SELECT count(*) FROM {releases.PEER_STATS} WHERE status = 'not_revised'"
        ).fetchall()[0][0]
        assert not_revised > 0
    finally:
        net.close()


def test_a_revision_publishes_a_change_that_is_a_figure_of_its_own(tmp_path, monkeypatch):
    """Five contributors correcting the same released month is a publishable change."""
    net = build(tmp_path, monkeypatch, "demo-12")
    try:
        net.store_months(MONTHS[:-1])
        net.cycle(TODAY)
        before = attacks.snapshot_of_statistics(net, "F01")
        for code in ("F04", "F05", "F06", "F08", "F09"):
            net.store(code, RELEASED_LAST, ["efficiency"], scrap_quantity=0.0, rework_quantity=0.0)
        outcomes = net.cycle(TODAY, revise=[RELEASED_LAST])
        assert [o.action for o in outcomes] == ["revised"]
        after = attacks.snapshot_of_statistics(net, "F01")
        changed = {k for k in before if k[0] == RELEASED_LAST and before[k] != after[k]}
        assert any(k[2] == "scrap_ratio" and k[1] == "network" for k in changed)
        history = net.con.execute(
            "SELECT revision, kind FROM marts.releases WHERE period = ? ORDER BY revision",
            [RELEASED_LAST],
        ).fetchall()
        assert history == [(0, "release"), (1, "revision")]
    finally:
        net.close()


# --- the suite finds the leaks the rules close (mutation checks) ----------------------------


def test_the_suite_catches_linear_interpolation(tmp_path, monkeypatch):
    monkeypatch.setattr(peers, "ESTIMATOR", quantiles.linear_interpolation)
    net = build(tmp_path, monkeypatch, "demo-12")
    try:
        net.store_months(MONTHS[:-1])
        net.cycle(TODAY)
        result = attacks.order_statistics(net, "F01")
        report("mutant-linear-interpolation", [result])
        assert result.recovered and result.best_error < 1e-3
    finally:
        net.close()


def new_member_arrives_late(net: Network) -> attacks.Result:
    """A new member's first month arrives after the release: before and after, the city's
    totals of that month are both over a consistent set of factories, so their difference
    would be the newcomer's own figures, unless the revision holds it back."""
    codes = [m.code for m in net.members]
    newcomer = codes[-1]
    net.store_months(MONTHS[:-1], codes[:-1])
    net.cycle(TODAY)
    before = attacks.region_sums(net)
    net.store(newcomer, RELEASED_LAST)
    net.cycle(TODAY, revise=[RELEASED_LAST])
    return attacks.late_sum(net, before, attacks.region_sums(net), newcomer, RELEASED_LAST)


def test_a_new_members_late_first_month_moves_no_total(tmp_path, monkeypatch):
    net = build(tmp_path, monkeypatch, "demo-12")
    try:
        result = new_member_arrives_late(net)
        report("demo-12-newcomer", [result])
        assert result.attempts == 1 and not result.recovered
    finally:
        net.close()


def test_the_suite_catches_changes_published_without_the_rules(tmp_path, monkeypatch):
    """Revisions without the threshold and p % rule on the change, and no differencing
    check against the month before (either alone still holds this attack off)."""
    monkeypatch.setattr(releases, "change_reason", lambda *args: None)
    monkeypatch.setattr(releases, "contributor_count", lambda *args: 99)
    monkeypatch.setattr(releases, "_differencing_failures", lambda *args: set())
    net = build(tmp_path, monkeypatch, "demo-12")
    try:
        result = new_member_arrives_late(net)
        report("mutant-lax-revisions", [result])
        assert result.recovered and result.best_error <= 0.5
    finally:
        net.close()


def a_factory_joins(net: Network) -> attacks.Result:
    """A year of monthly releases in which the last factory joins in the fourth month."""
    codes = [m.code for m in net.members]
    joiner = codes[-1]
    for month in MONTHS[:-1]:
        net.store_months([month], codes if month >= MONTHS[3] else codes[:-1])
        close_day = net.rules.close_date(month)
        net.cycle(close_day)
    return attacks.totals_minus_change(net, joiner)


def test_totals_and_the_job_change_together_reveal_no_joiner(tmp_path, monkeypatch):
    """Found by an independent review: employment now - employment a year ago - the job
    change is exactly the headcount of a factory that joined (or left, or missed a month)."""
    net = build(tmp_path, monkeypatch, "demo-12")
    try:
        result = a_factory_joins(net)
        report("demo-12-joiner", [result])
        assert not result.recovered
    finally:
        net.close()


def test_the_suite_catches_a_job_change_published_beside_both_totals(tmp_path, monkeypatch):
    monkeypatch.setattr(releases, "_guard_changes_against_totals", lambda *args: None)
    net = build(tmp_path, monkeypatch, "demo-12")
    try:
        result = a_factory_joins(net)
        report("mutant-no-totals-guard", [result])
        assert result.recovered and result.best_error <= 0.5
    finally:
        net.close()


# --- the learning loop --------------------------------------------------------------------


def released_year(tmp_path: Path, monkeypatch, name: str) -> Network:
    net = build(tmp_path, monkeypatch, name)
    net.store_months(MONTHS[:-1])
    net.cycle(TODAY)
    return net


@pytest.mark.parametrize("name", ["demo-12", "small-12-sectors-3-4-5"])
def test_the_learning_loop_reveals_no_position_and_no_figure(tmp_path, monkeypatch, name):
    """An attacker that offers, withdraws and asks on every KPI learns nothing about who
    is in a top quartile until a partner accepts, and no figure of anyone at all."""
    net = released_year(tmp_path, monkeypatch, name)
    try:
        attacker = net.members[-1].code
        probes = attacks.learning_probes(net, attacker)
        figures, introduced = attacks.learning_figures(net, attacker)
        text = report(f"{name}-learning", [probes, figures])
        assert probes.attempts > 1 and not probes.recovered, text
        assert not figures.recovered, text
        assert introduced >= 1, "the round never reached an introduction: nothing was tested"
    finally:
        net.close()


def test_the_suite_catches_proposals_shown_to_the_requester(tmp_path, monkeypatch):
    """Show a requester every pairing its request was proposed to (before anyone
    accepted) and the probe tells who is in the top quartile."""
    from kpi.learning.consent import Pairing

    monkeypatch.setattr(Pairing, "seen_by_requester", lambda self: self.proposed)
    net = released_year(tmp_path, monkeypatch, "demo-12")
    try:
        result = attacks.learning_probes(net, "F12")
        report("mutant-learning-proposals-shown", [result])
        assert result.recovered
    finally:
        net.close()


def test_the_suite_catches_a_partners_figure_in_the_flow(tmp_path, monkeypatch):
    from kpi.learning.service import Learning

    shown = Learning._side

    def with_value(self, pairing, me, other, mine_accepted):
        side = shown(self, pairing, me, other, mine_accepted)
        period = pairing.request.period
        return {**side, "value": self.positions.value(other, pairing.request.kpi, period)}

    monkeypatch.setattr(Learning, "_side", with_value)
    net = released_year(tmp_path, monkeypatch, "demo-12")
    try:
        result, _ = attacks.learning_figures(net, "F12")
        report("mutant-learning-figure-shown", [result])
        assert result.recovered
    finally:
        net.close()


# --- the self-scan: the network's median profile ----------------------------------------------

SCAN_YEAR = dt.date(2025, 1, 1)  # the 2025 scan, due on 20 January 2026 (before TODAY)
SCAN_NETWORKS = ("demo-12", "small-5", "small-8-sectors-3-5", "small-12-sectors-3-4-5")


def play_the_scans(net: Network) -> dict:
    """Every member but one sends its 2025 scan and the year is released on its close
    day; then the attacker re-submits its scan with every statement at 1, then at 5, and
    the coordinator revises after each; then the last member's scan arrives late and the
    coordinator revises again."""
    from kpi.maturity.statements import statements

    codes = [m.code for m in net.members]
    attacker, late = codes[0], codes[-1]
    for code in codes[:-1]:
        net.store_scan(code, SCAN_YEAR.year)
    net.cycle(TODAY)
    viewer = net.factory(attacker)
    seen = {"attacker": attacker, "before": attacks.scan_readings(net, viewer)}
    # read passively at once: the truth it is scored against changes below
    seen["passive"] = attacks.scan_order_statistics(net, attacker)
    for label, score in (("low", 1), ("high", 5)):
        net.store_scan(attacker, SCAN_YEAR.year, **{s.column: score for s in statements()})
        net.cycle(TODAY, revise_scan=[SCAN_YEAR])
        seen[label] = attacks.scan_readings(net, viewer)
    net.store_scan(late, SCAN_YEAR.year)
    net.cycle(TODAY, revise_scan=[SCAN_YEAR])
    seen["late"] = attacks.scan_readings(net, viewer)
    return seen


@pytest.mark.parametrize("name", SCAN_NETWORKS)
def test_no_attack_recovers_a_factorys_self_scan_score(tmp_path, monkeypatch, name):
    net = build(tmp_path, monkeypatch, name)
    try:
        seen = play_the_scans(net)
        attacker = seen["attacker"]
        results = [
            seen["passive"],
            attacks.scan_order_statistics(net, attacker),
            attacks.scan_differencing(
                net, seen["before"], seen["low"], "scan re-submit: own scores to 1"
            ),
            attacks.scan_differencing(net, seen["low"], seen["high"], "scan re-submit: 1 -> 5"),
            attacks.scan_differencing(net, seen["high"], seen["late"], "scan late: after-before"),
            *(attacks.scan_sizes(net, viewer) for viewer in (net.factory(attacker), net.city)),
        ]
        text = report(f"scan-{name}", results)
        assert [r.attack for r in results if r.recovered] == [], text
        # once released, one factory's re-submission or late scan moves no published median
        assert seen["low"] == seen["before"] == seen["high"], text
        if name == "small-5":
            # four scans at the close day: nothing released, not even to the coordinator
            assert seen["before"] == {} and seen["late"] != {}, text
        else:
            assert seen["late"] == seen["before"] != {}, text
    finally:
        net.close()


def test_the_suite_catches_a_self_scan_median_that_is_one_plants_score(tmp_path, monkeypatch):
    """Without the shared-score rule, coarse scores make the median one plant's own
    score too often: the suite finds it on the 12-plant network."""
    config = tmp_path / "unshared.yaml"
    config.write_text("threshold: 5\np_percent: 10\nscan_median_shared_by: 1\n")
    members, _, seed = NETWORKS["small-12-sectors-3-4-5"]
    net = Network(tmp_path, members, MONTHS, seed, monkeypatch, config)
    try:
        for member in net.members[:-1]:
            net.store_scan(member.code, SCAN_YEAR.year)
        net.cycle(TODAY)
        net.rules = net.rules.model_copy(update={"scan_median_shared_by": 3})  # the scoring
        # the plant without a scan reads the page: every middle score is another's
        result = attacks.scan_order_statistics(net, members[-1].code)
        report("mutant-scan-unshared-median", [result])
        assert result.recovered
    finally:
        net.close()
