"""The city's figures of many months at once (region.figures_by_month) must be exactly, to
the bit, what computing each month on its own gives, for any data: company groups, missing
denominators, sizes from tiny to dominant, and breakdowns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.contracts import indicator_definitions
from kpi.disclosure import DisclosureSettings, region

MONTHS = [dt.date(2025, month, 1) for month in (1, 2, 3)]
INDICATORS = [d.name for d in indicator_definitions()]
PSEUDONYM = "factory_pseudonym"

rules = st.builds(
    DisclosureSettings,
    threshold=st.integers(min_value=1, max_value=6),
    p_percent=st.sampled_from([0.0, 10.0, 30.0]),
    median_min_n=st.integers(min_value=3, max_value=6),
    quartiles_min_n=st.integers(min_value=3, max_value=12),
)


def _company_of(count: int, pairs: int) -> dict[str, str]:
    """The first ``2 x pairs`` factories two by two in a company group (one of three)."""
    return {f"P-{i}": f"C-{i // 2}" if i < 2 * pairs and i % 3 else f"P-{i}" for i in range(count)}


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


def _bits(value: float | None) -> int | None:
    return None if value is None else int(np.float64(value).view(np.int64))
