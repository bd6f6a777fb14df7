"""Disclosure control, as properties that must hold for any data (hypothesis)."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.benchmarks import peer_stats_sql
from kpi.contracts import indicator_definitions
from kpi.disclosure import DisclosureSettings, fails_p_percent, fails_threshold, load_disclosure
from kpi.region import CONTRIBUTION_SCHEMA, NETWORK, aggregate
from kpi.settings import REPO_ROOT

PERIOD = dt.date(2025, 6, 1)
YEAR_BEFORE = dt.date(2024, 6, 1)
SECTORS = ("powertrain", "chassis", "electronics")
DEFINITIONS = {d.name: d for d in indicator_definitions()}

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
    assert configured.peer_groups == ["network", "sector", "size"]
    assert [configured.size_band(h) for h in (0, 249, 250, 999, 1000)] == [
        "<250",
        "<250",
        "250-999",
        "250-999",
        ">=1000",
    ]


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
def test_no_peer_statistic_is_published_below_the_threshold(rule, factories):
    kpis = pl.DataFrame(
        {
            "factory_pseudonym": [f"P-{i}" for i in range(len(factories))],
            "period": [PERIOD] * len(factories),
            "kpi": ["oee"] * len(factories),
            "value": [None if undefined else value for _, _, value, undefined in factories],
        },
        schema={
            "factory_pseudonym": pl.String,
            "period": pl.Date,
            "kpi": pl.String,
            "value": pl.Float64,
        },
    )
    groups = pl.DataFrame(
        {
            "factory_pseudonym": [f"P-{i}" for i in range(len(factories))],
            "period": [PERIOD] * len(factories),
            "sector": [s for s, _, _, _ in factories],
            "size_band": [b for _, b, _, _ in factories],
        },
        schema={
            "factory_pseudonym": pl.String,
            "period": pl.Date,
            "sector": pl.String,
            "size_band": pl.String,
        },
    )
    with duckdb.connect() as con:
        con.register("kpis", kpis)
        con.register("groups", groups)
        stats = con.sql(peer_stats_sql(rule, "kpis", "groups")).pl()
    for row in stats.iter_rows(named=True):
        members = [
            f
            for f in factories
            if row["peer_group"] == "network"
            or row["peer_group"] == f"sector:{f[0]}"
            or row["peer_group"] == f"size:{f[1]}"
        ]
        assert row["n"] == sum(1 for f in members if not f[3])  # undefined values don't count
        if row["n"] < rule.threshold:
            assert row["suppressed"] and row["suppressed_reason"] == "threshold"
            assert (row["p25"], row["median"], row["p75"], row["top_quartile_boundary"]) == (
                None,
                None,
                None,
                None,
            )
        else:
            assert not row["suppressed"]
            assert row["p25"] <= row["median"] <= row["p75"]
            assert row["top_quartile_boundary"] == row["p75"]  # OEE: higher is better


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
