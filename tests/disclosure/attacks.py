"""The attacks: what a curious member factory or the city can try with what its pages show.

Each attack reads only through ``dashboards.data`` as the attacker's role (the calls its
pages make) and produces estimates of other factories' figures. The suite scores every
estimate against the truth and reports the best one (its error). The attacker is
generous to itself: it knows the network's composition (who is in which sector and size
band: in a small regional network that is public), hence every group's exact size.

When does an attack *recover* a figure? When the attacker can rely on it: a method that
lands within the published precision of the target in at least half of its attempts. A
method that lands there now and then by coincidence tells the attacker nothing, since it
cannot tell a hit from a miss; the suite still reports its best error and hit count.
Sums are recovered when the estimate is within the p % protection of the p % rule.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from dataclasses import dataclass, field

import polars as pl

from dashboards import data
from tests.disclosure.network import Network

DOMAINS = ("efficiency", "quality", "people")
KINDS = ("network", "sector", "size")
RELIABLE = 0.5
"""Share of attempts within precision from which an attack's method counts as reliable."""


@dataclass
class Result:
    attack: str
    attempts: int = 0
    hits: int = 0
    best_error: float = math.inf
    examples: list[str] = field(default_factory=list)
    structural: bool = False
    """A rule that must never be broken (n shown, a partial window): one hit is a leak."""

    def score(self, error: float, tolerance: float, what: str) -> None:
        self.attempts += 1
        if error <= tolerance:
            self.hits += 1
            if len(self.examples) < 3:
                self.examples.append(what)
        self.best_error = min(self.best_error, error)

    @property
    def recovered(self) -> bool:
        if self.structural:
            return self.hits > 0
        return self.attempts > 0 and self.hits / self.attempts >= RELIABLE

    def line(self) -> str:
        best = "-" if math.isinf(self.best_error) else f"{self.best_error:.6g}"
        return (
            f"{self.attack:<34} attempts {self.attempts:>5}  within precision {self.hits:>4}  "
            f"best error {best:>10}  {'RECOVERED' if self.recovered else 'safe'}"
        )


def _tolerance(decimals: int) -> float:
    return 0.5 * 10.0 ** (-decimals) + 1e-9


def readings(net: Network, attacker: str) -> pl.DataFrame:
    """Everything the attacker's Benchmark page shows of its peers, for every released
    month, domain and peer-group kind (long form: month, kind, group, kpi, statistic, value)."""
    viewer = net.factory(attacker)
    rows = []
    for month in data.months(viewer):
        for domain in DOMAINS:
            for kind in KINDS:
                shown = data.own_month(viewer, domain, month, kind)
                for row in shown.iter_rows(named=True):
                    for statistic in ("p25", "median", "p75"):
                        if row[statistic] is not None:
                            rows.append(
                                (
                                    month,
                                    row["peer_group"],
                                    row["kpi"],
                                    statistic,
                                    row[statistic],
                                    row["decimals"],
                                )
                            )
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.Date,
            "peer_group": pl.String,
            "kpi": pl.String,
            "statistic": pl.String,
            "value": pl.Float64,
            "decimals": pl.Int64,
        },
        orient="row",
    )


class Truth:
    """Every factory's real KPI values and peer groups, to score attacks (read once)."""

    def __init__(self, net: Network) -> None:
        self.values: dict[tuple, dict[str, float]] = {}
        for code, period, kpi, value in (
            net.true_kpis().select("code", "period", "kpi", "value").iter_rows()
        ):
            self.values.setdefault((period, kpi), {})[code] = value
        self.members: dict[tuple, set[str]] = {}
        for code, period, group in (
            net.true_members().select("code", "period", "peer_group").iter_rows()
        ):
            self.members.setdefault((period, group), set()).add(code)

    def peers(self, period: dt.date, group: str, kpi: str) -> list[tuple[str, float]]:
        """(code, value) of the group's members with a value, lowest first."""
        values = self.values.get((period, kpi), {})
        members = self.members.get((period, group), set())
        return sorted(((c, v) for c, v in values.items() if c in members), key=lambda item: item[1])


def order_statistics(net: Network, attacker: str) -> Result:
    """Passive reading: where a textbook quantile would be one factory's value ((n-1)p a
    whole number: the median of an odd n, all quartiles at n = 5, 9, 13 ...), read the
    published quantile as the value of the factory at that rank."""
    result = Result("passive: quantile = a peer's value")
    position = {"p25": 0.25, "median": 0.5, "p75": 0.75}
    truth = Truth(net)
    for period, group, kpi, statistic, value, decimals in readings(net, attacker).iter_rows():
        peers = truth.peers(period, group, kpi)
        rank = (len(peers) - 1) * position[statistic]
        if not peers or abs(rank - round(rank)) > 1e-9:
            continue
        target, actual = peers[round(rank)]
        if target == attacker:
            continue
        result.score(abs(value - actual), _tolerance(decimals), f"{target} {kpi} {period:%Y-%m}")
    return result


def snapshot_of_statistics(net: Network, attacker: str) -> dict[tuple, tuple[float, int]]:
    """What the attacker's pages show now: (month, group, kpi, statistic) -> (value,
    decimals)."""
    return {(p, g, k, s): (v, d) for p, g, k, s, v, d in readings(net, attacker).iter_rows()}


def compare_readings(
    net: Network, before: dict, after: dict, name: str, target: str | None = None
) -> Result:
    """From two readings of the same statistics (before and after a change the attacker
    made or saw), estimate a peer's value: a quantile of n factories that moved, moved by
    what entered or left it, so ``n * after - (n - 1) * before``, and linear
    interpolation's favourite ``2 * after - before``, are read as a peer's value (the
    late factory's, when ``target`` names it)."""
    result = Result(name)
    truth = Truth(net)
    for key, (old, decimals) in before.items():
        new = after.get(key, (None, None))[0]
        if new is None or new == old:
            continue  # nothing moved: nothing learnt
        period, group, kpi, _ = key
        members = truth.peers(period, group, kpi)
        peers = [(c, v) for c, v in members if target is None or c == target]
        if not peers:
            continue
        n = len(members)
        for estimate in (n * new - (n - 1) * old, 2 * new - old):
            code, value = min(peers, key=lambda item: abs(item[1] - estimate))
            result.score(
                abs(estimate - value), _tolerance(decimals), f"{code} {kpi} {period:%Y-%m}"
            )
    return result


def region_sums(net: Network) -> dict[tuple[dt.date, str], float]:
    """The city's published sums (indicator, month) -> value."""
    shown = data.region_indicators(net.city).filter(~pl.col("suppressed"))
    return {
        (r["period"], r["indicator"]): r["value"]
        for r in shown.iter_rows(named=True)
        if r["unit"] in ("persons", "EUR")
    }


def sum_differences(net: Network, p_percent: float) -> Result:
    """The city subtracts every two published sums of one indicator up to a year apart;
    the difference is read as the change of the factory that changed most."""
    result = Result("city: subtract published sums")
    published = region_sums(net)
    basis = net.con.sql(
        "SELECT period, name, factory_pseudonym, numerator FROM marts.release_basis "
        "WHERE figure = 'region' AND figure_group = 'network'"
    ).pl()
    contributions: dict[tuple, dict[str, float]] = {}
    for period, name, factory, amount in basis.iter_rows():
        contributions.setdefault((period, name), {})[factory] = amount
    for (period, indicator), value in published.items():
        for (other, same), earlier in published.items():
            if same != indicator or not (0 < (period - other).days <= 370):
                continue
            now, then = contributions[(period, indicator)], contributions[(other, indicator)]
            deltas = {f: now.get(f, 0) - then.get(f, 0) for f in set(now) | set(then)}
            largest = max(deltas.values(), key=abs, default=0)
            if largest == 0:
                continue
            estimate = value - earlier
            relative = abs(estimate - largest) / abs(largest)
            result.score(relative, p_percent / 100, f"{indicator} {period:%Y-%m}-{other:%Y-%m}")
    return result


def late_sum(net: Network, before: dict, after: dict, target: str, month: dt.date) -> Result:
    """The city reads a month's sums before and after a late file: the difference is the
    late factory's own figures (headcount, investment ...)."""
    result = Result("city: late file moves a total")
    rows = {
        "employment": ("people", "headcount_end"),
    }
    truth = net.true_rows("people").filter((pl.col("code") == target) & (pl.col("period") == month))
    for indicator, (_, column) in rows.items():
        if (month, indicator) not in before or (month, indicator) not in after:
            continue
        estimate = after[(month, indicator)] - before[(month, indicator)]
        actual = truth[column].item()
        result.score(abs(estimate - actual), 0.5, f"{target} {column} {month:%Y-%m}")
    return result


def exact_sizes(net: Network, attacker: str) -> Result:
    """Anything that shows how many factories a figure covers exactly (or anything about
    a suppressed one) lets an attacker follow who joins, leaves or arrives late."""
    result = Result("n shown exactly / for suppressed", structural=True)
    viewer = net.factory(attacker)
    for month in data.months(viewer):
        for kind in KINDS:
            shown = data.own_month(viewer, "efficiency", month, kind)
            for row in shown.iter_rows(named=True):
                exposed = "n" in row or (row["suppressed"] and row["n_band"] is not None)
                result.score(0 if exposed else 1, 0, f"{row['kpi']} {month:%Y-%m}")
    return result


def partial_windows(net: Network) -> Result:
    """A 12-month figure over a factory with fewer than 12 months (a new member, a missed
    month) moves by that factory's single months: count every such figure shown."""
    result = Result("12-month figure over a partial window", structural=True)
    people = net.true_rows("regional")
    # a figure marked not revised keeps the factories of its release, by design
    shown = data.region_indicators(net.city).filter(
        pl.col("indicator").is_in(["investment_12m_eur"])
        & ~pl.col("suppressed")
        & (pl.col("status") != "not_revised")
    )
    for row in shown.iter_rows(named=True):
        end = row["period"]
        start = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=32)
        start = start.replace(day=1)
        window = people.filter((pl.col("period") >= start) & (pl.col("period") <= end))
        complete = window.group_by("code").len().filter(pl.col("len") == 12).height
        result.score(0 if row["coverage"] != complete else 1, 0, f"{end:%Y-%m}")
    return result


def totals_minus_change(net: Network, target: str) -> Result:
    """The city subtracts three published figures: employment of a month, employment a
    year earlier, and the 12-month job change. The change covers only factories with every
    month, so what is left is exactly the factories outside it: here ``target``, which
    joined the network within the year."""
    result = Result("city: total - total a year ago - change")
    shown = data.region_indicators(net.city).filter(~pl.col("suppressed"))
    value = {(r["indicator"], r["period"]): r["value"] for r in shown.iter_rows(named=True)}
    headcount = {
        period: amount
        for period, amount in net.true_rows("people")
        .filter(pl.col("code") == target)
        .select("period", "headcount_end")
        .iter_rows()
    }
    for (indicator, period), change in value.items():
        if indicator != "net_job_change_12m" or period not in headcount:
            continue
        year_before = dt.date(period.year - 1, period.month, 1)
        now, before = value.get(("employment", period)), value.get(("employment", year_before))
        if now is None or before is None:
            continue
        estimate = now - before - change
        result.score(abs(estimate - headcount[period]), 0.5, f"{target} {period:%Y-%m}")
    return result


# --- the learning loop (learning partners, success stories) --------------------------------


def _plain(value: object) -> object:
    """What a page could show of ``value``, with the log's random ids and clock times
    left out (they differ between two runs whatever happens)."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {
            k: _plain(v)
            for k, v in sorted(value.items())
            if k not in ("request_id", "pairing_id", "handle", "at", "since", "entry_id")
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, str):
        return re.sub(r"\b[0-9a-f]{12}\b", "<id>", value)  # a request's id in a subject
    return value


def learning_view(net: Network, attacker: str) -> dict:
    """Everything the attacker's learning page is served."""
    from dashboards import learning

    viewer = net.factory(attacker)
    return _plain(
        {
            "offers": learning.offers(viewer),
            "requests": learning.own_requests(viewer),
            "proposals": learning.proposals(viewer),
            "stories": learning.own_stories(viewer),
            "history": learning.history(viewer),
        }
    )


def probe_requests(net: Network, attacker: str) -> dict:
    """The attacker offers on every domain and withdraws one, and asks for a partner on
    every KPI it may; every other factory offers on every domain and asks where it may.
    Returns what the attacker was shown after each step, and the coordinator's overview."""
    from dashboards import learning
    from kpi.learning.consent import DOMAINS
    from kpi.learning.log import LearningLog

    LearningLog(net.settings).path.unlink(missing_ok=True)
    codes = [m.code for m in net.members]
    others = [c for c in codes if c != attacker]
    for code in others:
        for domain in DOMAINS:
            learning.set_offer(net.factory(code), domain, True)
    for code in others:
        for kpi in learning.requestable_kpis(net.factory(code)):
            with contextlib.suppress(learning.LearningRefused):
                learning.ask(net.factory(code), kpi)
    viewer = net.factory(attacker)
    seen = {}
    for domain in DOMAINS:
        learning.set_offer(viewer, domain, True)
    learning.set_offer(viewer, DOMAINS[0], False)
    for kpi in learning.requestable_kpis(viewer):
        try:
            learning.ask(viewer, kpi)
            outcome = "asked"
        except learning.LearningRefused as refused:
            outcome = refused.key
        seen[kpi] = (outcome, learning_view(net, attacker))
    overview = learning.overview(net.coordinator)
    seen["coordinator"] = _plain(
        {k: overview[k] for k in ("requests", "introductions", "brokered")}
    )
    return seen


def learning_probes(net: Network, attacker: str) -> Result:
    """Is factory X in the top quartile? The attacker probes with requests and offers and
    watches what it is shown, in the real network and in one where every other factory's
    top-quartile position is flipped (same published statistics, same offers). Until a
    partner accepts (the double opt-in that reveals a name by design) nothing it is shown
    may differ; one differing view is a breach."""
    from unittest import mock

    from kpi.learning.positions import Positions

    real = probe_requests(net, attacker)
    truth = Positions.top_quartile

    def flipped(self, factory, kpi, period):
        position = truth(self, factory, kpi, period)
        return position if factory == attacker else not position

    with mock.patch.object(Positions, "top_quartile", flipped):
        counterfactual = probe_requests(net, attacker)
    result = Result("learning: probe top quartile", structural=True)
    for key, view in real.items():
        result.score(0.0 if view != counterfactual[key] else 1.0, 0.0, f"view after {key}")
    return result


def learning_figures(net: Network, attacker: str) -> tuple[Result, int]:
    """A full round: the attacker asks, a top-quartile peer accepts, the attacker accepts
    and is introduced; is any number it was shown another factory's figure (within the
    KPI's display precision)? Returns the result and how many introductions were made."""
    from dashboards import learning

    view = probe_requests(net, attacker)
    for item in learning.own_requests(net.factory(attacker)):
        kpi = item["request"].kpi
        for code in [m.code for m in net.members if m.code != attacker]:
            for proposal in learning.proposals(net.factory(code)):
                if proposal["kpi"] == kpi and not proposal["accepted_by_me"]:
                    learning.answer(net.factory(code), proposal["handle"], True)
    for item in learning.own_requests(net.factory(attacker)):
        for side in item["partners"]:
            if not side["introduced"]:
                learning.answer(net.factory(attacker), side["handle"], True)
    view["introduced"] = learning_view(net, attacker)
    numbers: list[float] = []

    def collect(value: object) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, dict):
            # a story's quartiles are the attacker's own (its benchmark page shows them)
            value = {k: v for k, v in value.items() if k not in ("quartile_then", "quartile_now")}
        if isinstance(value, int | float):
            numbers.append(float(value))
        if isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list | tuple):
            for v in value:
                collect(v)

    collect(view)
    truth = net.true_kpis().filter(pl.col("code") != attacker)
    decimals = dict(data.kpi_catalogue(net.factory(attacker))[["kpi", "decimals"]].iter_rows())
    result = Result("learning: figures in the flow", structural=True)
    for code, kpi, value in truth.select("code", "kpi", "value").iter_rows():
        precision = _tolerance(decimals.get(kpi) or 0)
        for number in numbers:
            result.score(abs(number - value), precision, f"{code} {kpi}")
    introduced = sum(
        side["introduced"] for item in view["introduced"]["requests"] for side in item["partners"]
    )
    return result, introduced


# --- the self-scan: the network's median profile -------------------------------------------


SCAN_DECIMALS = 1
"""Published medians of the self-scan are rounded to one decimal."""


def scan_readings(net: Network, viewer) -> dict[tuple[int, str], float]:
    """Every released median of the self-scan that ``viewer``'s page shows:
    (year, transformation) -> median."""
    from dashboards import maturity

    shown = maturity.network_profile(viewer).filter(~pl.col("suppressed"))
    return {
        (year, transformation): median
        for year, transformation, median in shown.select(
            "year", "transformation", "median"
        ).iter_rows()
    }


def _scan_truth(net: Network) -> dict[tuple[int, str], list[tuple[str, float]]]:
    truth: dict[tuple[int, str], list[tuple[str, float]]] = {}
    for code, year, transformation, score in (
        net.true_profiles().select("code", "year", "transformation", "score").iter_rows()
    ):
        truth.setdefault((year, transformation), []).append((code, score))
    return {key: sorted(values, key=lambda item: item[1]) for key, values in truth.items()}


def scan_order_statistics(net: Network, attacker: str) -> Result:
    """Passive reading of the self-scan: with an odd number of scans the textbook median
    is the middle factory's score; read the published median as that score. A score
    that at least ``scan_median_shared_by`` contributors share is no one plant's figure
    (the attacker learns a value several plants have, not whose): only a score of fewer
    plants is a target."""
    result = Result("scan passive: median = a peer's score")
    truth = _scan_truth(net)
    company = {m.code: m.company or m.code for m in net.members}
    for (year, transformation), median in scan_readings(net, net.factory(attacker)).items():
        peers = truth.get((year, transformation), [])
        if len(peers) % 2 == 0:
            continue
        target, actual = peers[len(peers) // 2]
        sharing = {company[code] for code, score in peers if abs(score - actual) < 1e-9}
        if target == attacker or len(sharing) >= net.rules.scan_median_shared_by:
            continue
        result.score(
            abs(median - actual), _tolerance(SCAN_DECIMALS), f"{target} {transformation} {year}"
        )
    return result


def scan_differencing(net: Network, before: dict, after: dict, name: str) -> Result:
    """Two readings of the network's profile around a change (the attacker's own
    re-submission, or a late scan): ``n * after - (n - 1) * before`` and
    ``2 * after - before`` read as a peer's score."""
    result = Result(name)
    truth = _scan_truth(net)
    for key, old in before.items():
        new = after.get(key)
        if new is None or new == old:
            continue
        peers = truth.get(key, [])
        n = len(peers)
        for estimate in (n * new - (n - 1) * old, 2 * new - old):
            code, value = min(peers, key=lambda item: abs(item[1] - estimate))
            result.score(abs(estimate - value), _tolerance(SCAN_DECIMALS), f"{code} {key}")
    return result


def scan_sizes(net: Network, viewer) -> Result:
    """Structural: the page shows n only as a band, and nothing of n (nor a median) for
    a suppressed transformation."""
    from dashboards import maturity

    result = Result("scan: exact n or suppressed shown", structural=True)
    for row in maturity.network_profile(viewer).iter_rows(named=True):
        leak = (row["suppressed"] and (row["median"] is not None or row["n_band"])) or (
            row["n_band"] not in (None, "5-9", "10-19", "20+")
        )
        result.score(0.0 if leak else 1.0, 0.5, f"{row['year']} {row['transformation']}")
    return result
