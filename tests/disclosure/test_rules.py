"""Disclosure control, as properties that must hold for any data (hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.contracts import indicator_definitions
from kpi.disclosure import DisclosureSettings, fails_p_percent, fails_threshold, load_disclosure
from kpi.disclosure.peers import statistics_of_month
from kpi.disclosure.quantiles import harrell_davis, harrell_davis_weights
from kpi.disclosure.region import CONTRIBUTION_SCHEMA, NETWORK, aggregate
from kpi.settings import REPO_ROOT

PERIOD = dt.date(2025, 6, 1)
YEAR_BEFORE = dt.date(2024, 6, 1)
SECTORS = ("powertrain", "chassis", "electronics")
DEFINITIONS = {d.name: d for d in indicator_definitions()}
INPUTS_SCHEMA = {
    "factory_pseudonym": pl.String,
    "peer_group": pl.String,
    "kpi": pl.String,
    "value": pl.Float64,
}
"""A month's peer-statistic inputs, as :func:`statistics_of_month` takes them."""

rules = st.builds(
    DisclosureSettings,
    threshold=st.integers(min_value=1, max_value=7),
    p_percent=st.sampled_from([0.0, 5.0, 10.0, 25.0]),
)
# factory sizes from tiny to dominant, so the p % rule has something to bite on
amounts = st.one_of(st.integers(0, 50), st.integers(50, 5_000), st.integers(50_000, 500_000))


def test_p_percent_rule_examples():
    rule = DisclosureSettings(threshold=1, p_percent=10)
    assert fails_p_percent([1000, 500, 50, 40], rule)  # others 90 < 100
    assert not fails_p_percent([1000, 500, 60, 40], rule)  # others 100, not less
    assert fails_p_percent([-1000, 10, 5], rule)  # sizes count, not signs
    assert not fails_p_percent([0, 0, 0], rule)
    assert fails_threshold(4, DisclosureSettings(threshold=5))


def test_the_documented_defaults_are_the_catalogue_defaults():
    configured = load_disclosure(REPO_ROOT / "config" / "disclosure.yaml")
    assert (configured.threshold, configured.p_percent) == (5, 10)
    assert (configured.median_min_n, configured.quartiles_min_n, configured.close_day) == (
        5,
        10,
        20,
    )
    assert configured.peer_groups.kinds == ["network", "sector", "size"]
    # without configuration: the catalogue's size bands
    plain = DisclosureSettings()
    assert [plain.size_band(h) for h in (0, 249, 250, 999, 1000)] == [
        "<250",
        "<250",
        "250-999",
        "250-999",
        ">=1000",
    ]
    # the first configuration files' shape still reads the same
    old = DisclosureSettings.model_validate({"peer_groups": ["network"], "size_bands": []})
    assert old.peer_groups.kinds == ["network"] and old.peer_groups.size_bands == []
    assert configured.close_date(dt.date(2026, 10, 1)) == dt.date(2026, 11, 20)
    assert configured.close_date(dt.date(2026, 12, 1)) == dt.date(2027, 1, 20)


@given(st.integers(5, 200), st.sampled_from([0.25, 0.5, 0.75]))
def test_no_published_quantile_rests_on_one_factory(n, p):
    """No quantile is one factory's value: at every size a statistic is published at, at
    least three values weigh in with 5 % or more, and none with more than half."""
    weights = harrell_davis_weights(n, p)
    assert weights.sum() == pytest.approx(1)
    assert (weights >= 0.05).sum() >= 3 and weights.max() <= 0.5


@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=5, max_size=40))
def test_quantiles_are_ordered_and_within_the_values(values):
    p25, median, p75 = (harrell_davis(values, p) for p in (0.25, 0.5, 0.75))
    assert min(values) - 1e-9 <= p25 <= median + 1e-9 <= p75 + 2e-9 <= max(values) + 3e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=rules,
    factories=st.lists(
        st.tuples(
            st.sampled_from(SECTORS),
            st.sampled_from(["<250", "250-999", ">=1000"]),
            st.floats(0, 1, allow_nan=False),
            st.booleans(),
        ),
        min_size=0,
        max_size=14,
    ),
)
def test_no_peer_statistic_breaks_the_rules(rule, factories):
    inputs = pl.DataFrame(
        [
            row
            for i, (sector, band, value, undefined) in enumerate(factories)
            if not undefined
            for row in (
                (f"P-{i}", "network", "oee", value),
                (f"P-{i}", f"sector:{sector}", "oee", value),
                (f"P-{i}", f"size:{band}", "oee", value),
            )
        ],
        schema=INPUTS_SCHEMA,
        orient="row",
    )
    # every third factory belongs to one company group with the next one
    company = {f"P-{i}": f"C-{i // 2 if i % 3 == 0 else i}" for i in range(len(factories))}
    stats = statistics_of_month(inputs, rule, company)
    published = [s for s in stats.values() if not s.suppressed]
    for statistic in stats.values():
        contributors = len({company[f] for f in statistic.values})
        assert statistic.contributors == contributors
        if statistic.suppressed:
            assert (statistic.p25, statistic.median, statistic.p75) == (None, None, None)
            continue
        assert contributors >= max(rule.threshold, rule.median_min_n)
        values = np.fromiter(statistic.values.values(), float)
        assert values.min() - 0.001 <= statistic.median <= values.max() + 0.001
        if statistic.p25 is None:
            assert contributors < rule.quartiles_min_n
        else:
            assert contributors >= rule.quartiles_min_n
            assert statistic.p25 <= statistic.median <= statistic.p75
            assert statistic.top_quartile_boundary == statistic.p75  # OEE: higher is better
    for one in published:
        for other in published:
            if one is not other:  # published groups differ by at least the threshold
                assert len(one.members ^ other.members) >= rule.threshold


def _contributions(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CONTRIBUTION_SCHEMA, orient="row")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=rules,
    factories=st.lists(
        st.tuples(st.sampled_from(SECTORS), amounts, amounts, amounts), min_size=1, max_size=16
    ),
)
def test_published_regional_figures_pass_the_rules_and_hide_no_recoverable_part(rule, factories):
    rows, sector_of = [], {}
    for index, (sector, headcount, locals_, investment) in enumerate(factories):
        factory = f"P-{index}"
        sector_of[factory] = sector
        rows.append(("employment", PERIOD, factory, float(headcount), None))
        rows.append(("investment_12m_eur", PERIOD, factory, float(investment), None))
        rows.append(
            (
                "local_employment_share",
                PERIOD,
                factory,
                float(min(locals_, headcount)),
                float(headcount),
            )
        )
    contributions = _contributions(rows)
    result = aggregate(contributions, rule, {"sector": sector_of}, tuple(DEFINITIONS.values()))

    def makings(indicator: str, scope: str) -> pl.DataFrame:
        frame = contributions.filter(pl.col("indicator") == indicator)
        if scope != NETWORK:
            part = scope.split(":", 1)[1]
            frame = frame.filter(pl.col("factory_pseudonym").replace_strict(sector_of) == part)
        return frame

    for row in result.iter_rows(named=True):
        parts = makings(row["indicator"], row["scope"])
        assert row["n"] == parts.height
        if row["suppressed"]:
            assert row["value"] is None and row["suppressed_reason"]
            continue
        assert row["n"] >= rule.threshold
        assert not fails_p_percent(parts["numerator"].to_list(), rule)
        if row["indicator"] == "local_employment_share":
            assert not fails_p_percent(parts["denominator"].to_list(), rule)

    # no differencing: a published total minus its published parts never isolates one part
    for indicator in ("employment", "investment_12m_eur"):
        family = result.filter(pl.col("indicator") == indicator)
        total = family.filter(pl.col("scope") == NETWORK).row(0, named=True)
        parts = family.filter(pl.col("scope") != NETWORK)
        hidden = parts.filter(pl.col("suppressed"))
        if total["suppressed"]:
            assert hidden.height >= 1 or parts.height == 0  # else: total = sum of parts
            continue
        assert hidden.height != 1
        if 1 < hidden.height < parts.height:
            pooled = pl.concat([makings(indicator, s) for s in hidden["scope"]])
            assert pooled.height >= rule.threshold
            assert not fails_p_percent(pooled["numerator"].to_list(), rule)


@settings(max_examples=150, deadline=None)
@given(
    rule=st.builds(
        DisclosureSettings, threshold=st.integers(2, 6), p_percent=st.sampled_from([5.0, 10.0])
    ),
    # plants of comparable size: the totals publish, so the guard has work to do
    factories=st.lists(
        st.tuples(
            st.sampled_from(["both", "both", "both", "joined", "left"]),
            st.integers(100, 2_000),
            st.integers(100, 2_000),
        ),
        min_size=1,
        max_size=14,
    ),
)
def test_job_change_never_reveals_the_factories_that_joined_or_left(rule, factories):
    rows = []
    for index, (presence, before, now) in enumerate(factories):
        factory = f"P-{index}"
        if presence in ("both", "left"):
            rows.append(("employment", YEAR_BEFORE, factory, float(before), None))
        if presence in ("both", "joined"):
            rows.append(("employment", PERIOD, factory, float(now), None))
        if presence == "both":
            rows.append(("net_job_change_12m", PERIOD, factory, float(now - before), None))
    result = aggregate(_contributions(rows), rule, None, tuple(DEFINITIONS.values()))
    published = {
        (r["indicator"], r["period"]): r["value"]
        for r in result.iter_rows(named=True)
        if not r["suppressed"]
    }
    keys = [("employment", PERIOD), ("employment", YEAR_BEFORE), ("net_job_change_12m", PERIOD)]
    if all(key in published for key in keys):
        group = [b for p, b, _ in factories if p == "left"] + [
            n for p, _, n in factories if p == "joined"
        ]
        # E(now) - E(before) - change = joiners - leavers: that group must be publishable
        assert not group or (len(group) >= rule.threshold and not fails_p_percent(group, rule))


@pytest.mark.parametrize("threshold", [5, 13])
def test_threshold_setting_decides_what_is_published(threshold):
    rows = [("employment", PERIOD, f"P-{i}", 100.0 + i, None) for i in range(12)]
    result = aggregate(
        _contributions(rows),
        DisclosureSettings(threshold=threshold),
        None,
        tuple(DEFINITIONS.values()),
    )
    (row,) = result.iter_rows(named=True)
    assert row["suppressed"] is (threshold > 12)


@given(
    scores=st.lists(st.integers(4, 20), min_size=5, max_size=30),
    company_pair=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_a_published_self_scan_median_is_never_one_or_two_plants_score(scores, company_pair):
    """Quarter-point profile scores (4..20 quarters = 1..5): whatever a published median
    equals within its precision is the score of none or of at least three contributors."""
    from kpi.maturity.profiles import statistics_of_year

    values = {f"p{i}": quarters / 4 for i, quarters in enumerate(scores)}
    company = {f: f for f in values}
    if company_pair:
        company["p1"] = company["p0"]
    inputs = pl.DataFrame(
        {
            "factory_pseudonym": list(values),
            "peer_group": "network",
            "kpi": "digital_factory",
            "value": list(values.values()),
        }
    )
    rules = DisclosureSettings()
    (statistic,) = statistics_of_year(inputs, rules, company).values()
    if statistic.median is None:
        assert statistic.reason in ("threshold", "shared")
        return
    at_median = {company[f] for f, v in values.items() if abs(v - statistic.median) <= 0.05 + 1e-9}
    assert len(at_median) == 0 or len(at_median) >= rules.scan_median_shared_by


def _overlap_reasons(
    values: dict[str, float], sector: list[str], company: dict[str, str]
) -> tuple[dict, dict]:
    """The statistics of a network of ``values`` and of its ``sector`` as a month decides
    them (revisions, the self-scan), and their suppression reasons as a release of many
    months decides them."""
    from kpi.contracts import kpi_definitions
    from kpi.disclosure.peers import statistics_of_months

    month, kpi = dt.date(2025, 1, 1), kpi_definitions()[0].name
    groups = [(f, "network") for f in values] + [(f, "sector:x") for f in sector]
    rules = DisclosureSettings()
    month_by_month = statistics_of_month(
        pl.DataFrame(
            [(f, g, kpi, float(values[f])) for f, g in groups], schema=INPUTS_SCHEMA, orient="row"
        ),
        rules,
        company,
    )
    batch = statistics_of_months(
        pl.DataFrame(
            [(month, f, kpi, float(v)) for f, v in values.items()],
            schema={
                "period": pl.Date,
                "factory_pseudonym": pl.String,
                "kpi": pl.String,
                "value": pl.Float64,
            },
            orient="row",
        ),
        pl.DataFrame(
            [(month, f, g) for f, g in groups],
            schema={"period": pl.Date, "factory_pseudonym": pl.String, "peer_group": pl.String},
            orient="row",
        ),
        rules,
        company,
    )
    in_a_month = {group: month_by_month[(group, kpi)] for group in ("network", "sector:x")}
    return in_a_month, dict(batch.select("peer_group", "suppressed_reason").iter_rows())


def test_two_groups_that_differ_by_one_company_are_not_both_published():
    """Found by an attacker: a network of 10 factories (6 contributors) and a sector of its
    5 independent factories differ by five sister plants of one company group, which is
    one contributor. Both medians published would set that company's plants apart, so
    the smaller group gives way, in a release (many months) as in a month or revision."""
    independent = [f"I{i}" for i in range(5)]
    sisters = [f"G{i}" for i in range(5)]
    company = {f: "company:G" for f in sisters}
    values = dict(zip(independent + sisters, [10, 20, 30, 40, 50, 90, 91, 92, 93, 94], strict=True))

    in_a_month, in_a_release = _overlap_reasons(values, independent, company)
    assert in_a_month["network"].median is not None
    assert in_a_month["sector:x"].reason == "overlap"
    assert in_a_release == {"network": None, "sector:x": "overlap"}


@pytest.mark.parametrize("b_in_sector", [[], ["B0"]], ids=["B outside", "B split"])
def test_a_company_on_both_sides_of_two_groups_does_not_hide_the_one_between(b_in_sector):
    """A network of five independents and two companies (A: three plants, B: two) and a
    sector without company B, or with one of B's plants: the groups differ by plants of
    B alone, one contributor, whatever A contributes to both. The smaller group gives
    way, in a month as in a release."""
    independent = [f"I{i}" for i in range(5)]
    a, b = ["A0", "A1", "A2"], ["B0", "B1"]
    company = {**{f: "company:A" for f in a}, **{f: "company:B" for f in b}}
    values = dict(zip(independent + a + b, [10, 20, 30, 40, 50, 60, 61, 62, 95, 99], strict=True))

    in_a_month, in_a_release = _overlap_reasons(values, independent + a + b_in_sector, company)
    assert {group: statistic.reason for group, statistic in in_a_month.items()} == {
        "network": None,
        "sector:x": "overlap",
    }
    assert in_a_release == {"network": None, "sector:x": "overlap"}
