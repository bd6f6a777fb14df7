"""A history of months is released with batch forms of the month-by-month computations
(kpi.disclosure.releases.close_months): they must publish exactly what the month-by-month
forms publish, to the bit, for any data. Random networks: company groups, factories
without a sector or size band, KPIs outside the catalogue, ties, zeros and signs, and
breakdowns of the city's figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kpi.contracts import indicator_definitions, kpi_definitions
from kpi.disclosure import DisclosureSettings, peers, region
from kpi.disclosure.releases import PublishedRegion

MONTHS = [dt.date(2025, month, 1) for month in (1, 2, 3)]
KPIS = [d.name for d in kpi_definitions()][:3] + ["not_in_the_catalogue"]
INDICATORS = [d.name for d in indicator_definitions()]
PSEUDONYM = "factory_pseudonym"

rules = st.builds(
    DisclosureSettings,
    threshold=st.integers(min_value=1, max_value=6),
    p_percent=st.sampled_from([0.0, 10.0, 30.0]),
    median_min_n=st.integers(min_value=3, max_value=6),
    quartiles_min_n=st.integers(min_value=3, max_value=12),
)
# few distinct values, so that ties, zeros and signs all occur
values = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0]), st.floats(-1e6, 1e6, allow_nan=False)
)
# groups that often hold nearly the same factories, so that the overlap rule bites
factory = st.tuples(
    st.sampled_from(["network", "network", "network", None]),
    st.sampled_from(["sector:a", "sector:a", "sector:a", "sector:b", None]),
    st.sampled_from(["size:<500", "size:<500", "size:>=500", None]),
    st.lists(st.tuples(st.sampled_from(MONTHS), st.sampled_from(KPIS), values), max_size=8),
)


def _company_of(count: int, pairs: int) -> dict[str, str]:
    """The first ``2 x pairs`` factories two by two in a company group (one of three)."""
    return {f"P-{i}": f"C-{i // 2}" if i < 2 * pairs and i % 3 else f"P-{i}" for i in range(count)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(factory, min_size=1, max_size=40), rules, st.integers(0, 6))
def test_statistics_of_months_are_those_of_each_month(factories, rule, pairs):
    values_rows, membership_rows = [], []
    for i, (network, sector, band, observations) in enumerate(factories):
        seen = set()
        for month, kpi, value in observations:
            if (month, kpi) not in seen:  # one value per factory, month and KPI
                seen.add((month, kpi))
                values_rows.append((month, f"P-{i}", kpi, value))
        for month in MONTHS:
            membership_rows += [(month, f"P-{i}", g) for g in (network, sector, band) if g]
    values_frame = pl.DataFrame(
        values_rows,
        schema={"period": pl.Date, PSEUDONYM: pl.String, "kpi": pl.String, "value": pl.Float64},
        orient="row",
    )
    memberships = pl.DataFrame(
        membership_rows,
        schema={"period": pl.Date, PSEUDONYM: pl.String, "peer_group": pl.String},
        orient="row",
    )
    company = _company_of(len(factories), pairs)

    batch = peers.statistics_of_months(values_frame, memberships, rule, company)
    event("overlap" if "overlap" in batch["suppressed_reason"].to_list() else "no overlap")
    expected = _statistics_month_by_month(values_frame, memberships, rule, company)
    _assert_identical(batch, expected, ["period", "peer_group", "kpi"])


def _statistics_month_by_month(
    values_frame: pl.DataFrame,
    memberships: pl.DataFrame,
    rule: DisclosureSettings,
    company: dict[str, str],
) -> pl.DataFrame:
    """What :func:`peers.statistics_of_month` publishes for each month, as one frame."""
    inputs = values_frame.join(memberships, on=["period", PSEUDONYM])
    expected = []
    for month in inputs["period"].unique().sort():
        month_inputs = inputs.filter(pl.col("period") == month).drop("period")
        for s in peers.statistics_of_month(month_inputs, rule, company).values():
            expected.append(
                (month, s.peer_group, s.kpi, s.n, s.contributors, s.p25, s.median, s.p75)
                + (s.top_quartile_boundary, s.suppressed, s.reason)
            )
    return pl.DataFrame(expected, schema=peers.STATISTIC_SCHEMA, orient="row")


def test_a_group_named_like_two_groups_is_not_mistaken_for_them():
    """The batch form puts factories with the same set of groups together: a sector
    named after two groups joined (``sector:a,sector:b``, as a register may name one)
    must not share the values of the factories in both ``sector:a`` and ``sector:b``."""
    kpi = KPIS[0]
    groups = [
        ["sector:a,sector:b"],
        ["sector:a", "sector:b"],
        ["sector:a", "sector:b"],
        ["sector:a"],
        ["sector:b"],
        ["sector:a,sector:b"],
        ["sector:a,sector:b"],
    ]
    values_frame = pl.DataFrame(
        [(MONTHS[0], f"P-{i}", kpi, float(10 * i + 1)) for i in range(len(groups))],
        schema={"period": pl.Date, PSEUDONYM: pl.String, "kpi": pl.String, "value": pl.Float64},
        orient="row",
    )
    memberships = pl.DataFrame(
        [(MONTHS[0], f"P-{i}", g) for i, own in enumerate(groups) for g in own],
        schema={"period": pl.Date, PSEUDONYM: pl.String, "peer_group": pl.String},
        orient="row",
    )
    rule = DisclosureSettings(threshold=3, median_min_n=3, quartiles_min_n=3, p_percent=0.0)

    batch = peers.statistics_of_months(values_frame, memberships, rule, {})

    expected = _statistics_month_by_month(values_frame, memberships, rule, {})
    _assert_identical(batch, expected, ["period", "peer_group", "kpi"])
    assert dict(batch.select("peer_group", "n").iter_rows()) == {
        "sector:a": 3,
        "sector:b": 3,
        "sector:a,sector:b": 3,
    }


contribution = st.tuples(
    st.sampled_from(MONTHS),
    st.sampled_from(INDICATORS),
    st.one_of(st.integers(0, 50), st.integers(50, 5_000), st.integers(50_000, 500_000)),
    st.one_of(st.none(), st.floats(0.5, 1e4)),
    st.floats(0, 1, exclude_max=True),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(contribution, max_size=10), min_size=1, max_size=25),
    rules,
    st.integers(0, 6),
    st.booleans(),
)
def test_figures_by_month_are_those_of_each_month(factories, rule, pairs, broken_down):
    rows = []
    for i, observations in enumerate(factories):
        seen = set()
        for month, indicator, numerator, denominator, fraction in observations:
            if (month, indicator) not in seen:  # one row per factory, month and indicator
                seen.add((month, indicator))
                rows.append((indicator, month, f"P-{i}", numerator + fraction, denominator))
    contributions = pl.DataFrame(rows, schema=region.CONTRIBUTION_SCHEMA, orient="row")
    company = _company_of(len(factories), pairs)
    breakdowns = (
        {"sector": {f"P-{i}": ("a", "b")[i % 2] for i in range(0, len(factories), 3)}}
        if broken_down
        else {}
    )

    by_month = region.figures_by_month(contributions, rule, company, breakdowns)

    for month in MONTHS:
        expected = region.figures(
            contributions.filter(pl.col("period") == month), rule, company, breakdowns
        )
        found = by_month.get(month, {})
        assert list(found) == list(expected)  # the same figures, in the same order
        for key, figure in expected.items():
            other = found[key]
            assert (other.reason, other.scope, other.indicator) == (
                figure.reason,
                figure.scope,
                figure.indicator,
            )
            assert _bits(other.value) == _bits(figure.value), key
            assert list(other.factories.items()) == list(figure.factories.items())
            assert list(other.denominators.items()) == list(figure.denominators.items())


def test_numbers_are_given_as_one_by_one():
    one_by_one, at_once = PublishedRegion(), PublishedRegion()
    batches = [["b", "a", "b"], ["c", "a", "d", "c"], [], ["d", "e"]]
    for batch in batches:
        expected = [one_by_one.number(f) for f in batch]
        assert at_once.numbers(batch).tolist() == expected
    assert at_once.names == one_by_one.names == ["b", "a", "c", "d", "e"]


def _bits(value: float | None) -> int | None:
    return None if value is None else int(np.float64(value).view(np.int64))


def _assert_identical(found: pl.DataFrame, expected: pl.DataFrame, key: list[str]) -> None:
    found, expected = found.sort(key), expected.sort(key)
    assert found.select(key).equals(expected.select(key))
    for column in expected.columns:
        one, other = found[column], expected[column]
        if one.dtype == pl.Float64:  # bit for bit, nulls where nulls
            assert (one.is_null() == other.is_null()).all(), column
            assert (
                one.fill_null(0.0).to_numpy().view(np.int64)
                == other.fill_null(0.0).to_numpy().view(np.int64)
            ).all(), column
        else:
            assert one.equals(other, null_equal=True), column
