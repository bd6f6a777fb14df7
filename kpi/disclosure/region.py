"""The city's regional anchoring indicators: network totals only, under disclosure control.

Two steps, so that the disclosure rules can be tested on their own:
1. :func:`contributions` (SQL): what each factory contributes to each indicator and month.
   12-month figures count only factories that reported all 12 months (and, for the job
   change, the month a year earlier too).
2. :func:`figures` (pure): the totals, with primary suppression (threshold on distinct
   contributors, p % rule on every sum a figure is made of), the differencing guard of the
   12-month job change, and secondary suppression of parts published beside their total.
Differencing against figures published in earlier releases is the release's business
(:mod:`kpi.disclosure.releases`), since only it knows what was published.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import compress

import duckdb
import numpy as np
import polars as pl

from kpi.contracts import Definition, indicator_definitions
from kpi.disclosure.rules import (
    DIFFERENCING,
    SECONDARY,
    DisclosureSettings,
    by_contributor,
    contributor_count,
    fails_p_percent,
    fails_threshold,
    primary_reason,
)
from kpi.warehouse import PSEUDONYM_COLUMN

NETWORK = "network"
CONTRIBUTION_SCHEMA = {
    "indicator": pl.String,
    "period": pl.Date,
    PSEUDONYM_COLUMN: pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
}
RESULT_SCHEMA = {
    "period": pl.Date,
    "indicator": pl.String,
    "scope": pl.String,
    "value": pl.Float64,
    "n": pl.Int64,
    "suppressed": pl.Boolean,
    "suppressed_reason": pl.String,
}


def _window(months: int) -> str:
    return (
        f"(PARTITION BY {PSEUDONYM_COLUMN} ORDER BY period "
        f"RANGE BETWEEN INTERVAL {months - 1} MONTH PRECEDING AND CURRENT ROW)"
    )


def _contribution_sql(definition: Definition) -> str:
    name = definition.name
    num = f'"{name}__num"'
    den = f'"{name}__den"'
    keys = f"'{name}' AS indicator, period, {PSEUDONYM_COLUMN}"
    match definition.kind:
        case "sum":
            return f"SELECT {keys}, {num}, NULL FROM base WHERE {num} IS NOT NULL"
        case "ratio_of_sums":
            return (
                f"SELECT {keys}, {num}, {den} FROM base "
                f"WHERE {num} IS NOT NULL AND {den} IS NOT NULL"
            )
        case "sum_12m":
            # only factories with every month of the window: a partial window would
            # show a false rise or fall (a new member, a missed month)
            window = _window(definition.window_months)
            return (
                f"SELECT indicator, period, {PSEUDONYM_COLUMN}, total, NULL FROM ("
                f"SELECT {keys}, sum({num}) OVER {window} AS total, "
                f"count(*) OVER {window} AS months FROM base WHERE {num} IS NOT NULL) "
                f"WHERE months = {definition.window_months}"
            )
        case "change_12m":
            months = definition.window_months
            window = _window(months)
            return (
                f"SELECT '{name}', now.period, now.{PSEUDONYM_COLUMN}, "
                f"now.value - before.{num}, NULL FROM ("
                f"SELECT period, {PSEUDONYM_COLUMN}, {num} AS value, "
                f"count(*) OVER {window} AS months FROM base WHERE {num} IS NOT NULL) AS now "
                f"JOIN base AS before "
                f"ON before.{PSEUDONYM_COLUMN} = now.{PSEUDONYM_COLUMN} "
                f"AND before.period = now.period - INTERVAL {months} MONTH "
                f"WHERE now.months = {months} AND before.{num} IS NOT NULL"
            )
        case "retention_12m":
            window = _window(definition.window_months)
            return (
                f"SELECT indicator, period, {PSEUDONYM_COLUMN}, numerator, denominator FROM ("
                f"SELECT {keys}, sum({num}) OVER {window} AS numerator, "
                f"avg({den}) OVER {window} AS denominator, count(*) OVER {window} AS months "
                f"FROM base WHERE {num} IS NOT NULL AND {den} IS NOT NULL) "
                f"WHERE months = {definition.window_months}"
            )
    raise ValueError(f"indicator {name}: unknown kind {definition.kind}")


def contributions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per indicator, month and factory: its numerator and denominator contribution."""
    definitions = indicator_definitions()
    columns = []
    for d in definitions:
        columns.append(f'{d.numerator} AS "{d.name}__num"')
        columns.append(f'{d.denominator or "NULL"} AS "{d.name}__den"')
    base = (
        f"SELECT coalesce(people.{PSEUDONYM_COLUMN}, regional.{PSEUDONYM_COLUMN}) "
        f"AS {PSEUDONYM_COLUMN}, coalesce(people.period, regional.period) AS period, "
        + ", ".join(columns)
        + f" FROM people FULL OUTER JOIN regional ON people.{PSEUDONYM_COLUMN} = "
        f"regional.{PSEUDONYM_COLUMN} AND people.period = regional.period"
    )
    query = f"WITH base AS ({base}) " + " UNION ALL ".join(
        _contribution_sql(d) for d in definitions
    )
    frame = con.sql(query).pl()
    frame.columns = list(CONTRIBUTION_SCHEMA)
    # a fixed order: sums are added in row order, and DuckDB returns the rows of a join
    # in any order, so a total ending in .5 was rounded either way from run to run (and a
    # revision could see a change that is none)
    return frame.cast(CONTRIBUTION_SCHEMA).sort("indicator", "period", PSEUDONYM_COLUMN)


@dataclass
class Figure:
    """One publishable number: an indicator of one month and scope, with its makings."""

    period: object
    indicator: str
    scope: str
    value: float | None
    factories: dict[str, float]
    """factory -> numerator contribution (what sums, and the p % rule, are made of)."""
    denominators: dict[str, float] = field(default_factory=dict)
    reason: str | None = None


def _value(definition: Definition, numerator: float, denominator: float) -> float | None:
    if definition.kind in ("sum", "sum_12m", "change_12m"):
        return numerator
    if denominator == 0:
        return None
    if definition.kind == "retention_12m":
        return 1 - numerator / denominator
    return definition.scale * numerator / denominator


def figures(
    contributions: pl.DataFrame,
    disclosure: DisclosureSettings,
    contributor_of: dict[str, str] | None = None,
    breakdowns: dict[str, dict[str, str]] | None = None,
    definitions: tuple[Definition, ...] | None = None,
) -> dict[tuple, Figure]:
    """The indicators of every month in ``contributions``, network-wide and per breakdown
    part, suppressed where the disclosure rules say so. ``contributor_of``: factory ->
    its contributor (company group); ``breakdowns``: dimension -> factory -> part."""
    definitions = definitions or indicator_definitions()
    by_name = {d.name: d for d in definitions}
    breakdowns = breakdowns or {}
    found = _primary_figures(contributions, disclosure, contributor_of or {}, breakdowns, by_name)
    _guard_job_change(found, by_name, disclosure)
    for dimension in breakdowns:
        _secondary_suppression(found, by_name, dimension, disclosure)
    return found


def figures_by_month(
    contributions: pl.DataFrame,
    disclosure: DisclosureSettings,
    contributor_of: dict[str, str] | None = None,
    breakdowns: dict[str, dict[str, str]] | None = None,
    definitions: tuple[Definition, ...] | None = None,
) -> dict[object, dict[tuple, Figure]]:
    """Month -> :func:`figures` of that month's contributions alone (as a release computes
    a month, before it checks it against the months published), for many months at once:
    the contributions are grouped once rather than filtered month by month."""
    definitions = definitions or indicator_definitions()
    by_name = {d.name: d for d in definitions}
    breakdowns = breakdowns or {}
    months: dict[object, dict[tuple, Figure]] = {}
    primary = _primary_figures(contributions, disclosure, contributor_of or {}, breakdowns, by_name)
    for key, figure in primary.items():
        months.setdefault(key[0], {})[key] = figure
    for found in months.values():
        _guard_job_change(found, by_name, disclosure)
        for dimension in breakdowns:
            _secondary_suppression(found, by_name, dimension, disclosure)
    return months


def scoped(contributions: pl.DataFrame, breakdowns: dict[str, dict[str, str]]) -> pl.DataFrame:
    """``contributions`` with a ``scope``: each row once for the network and once for its
    part of each breakdown (``dimension:part``, ``unknown`` for a factory without one), in
    the contributions' order and, per row, in that order of scopes."""
    rows = contributions.with_row_index("row").with_columns(
        pl.lit(NETWORK).alias("scope"), pl.lit(0).alias("scope_order")
    )
    if not breakdowns:
        return rows.drop("row", "scope_order")
    factories = rows[PSEUDONYM_COLUMN].unique().to_list()
    parts = [rows]
    for order, (dimension, part_of) in enumerate(breakdowns.items(), start=1):
        scope_of = {f: f"{dimension}:{part_of.get(f, 'unknown')}" for f in factories}
        parts.append(
            rows.with_columns(
                pl.col(PSEUDONYM_COLUMN)
                .replace_strict(scope_of, return_dtype=pl.String)
                .alias("scope"),
                pl.lit(order).alias("scope_order"),
            )
        )
    return pl.concat(parts).sort("row", "scope_order").drop("row", "scope_order")


def _primary_figures(
    contributions: pl.DataFrame,
    disclosure: DisclosureSettings,
    contributor_of: dict[str, str],
    breakdowns: dict[str, dict[str, str]],
    by_name: dict[str, Definition],
) -> dict[tuple, Figure]:
    """(period, indicator, scope) -> its figure with the primary rules applied (threshold,
    p % rule on every sum), in the order the contributions first name them.

    One Python step per figure, none per factory where it can be helped: Polars groups the
    rows, a figure's factories become a dictionary at once, and the sums per contributor
    are numpy's (``bincount`` adds in the rows' order, as :func:`by_contributor` does)."""
    number: dict[str, int] = {}
    factories = contributions[PSEUDONYM_COLUMN].unique().to_list()
    code_of = {f: number.setdefault(contributor_of.get(f, f), len(number)) for f in factories}
    rows = scoped(contributions, breakdowns).with_columns(
        pl.col(PSEUDONYM_COLUMN).replace_strict(code_of, return_dtype=pl.Int64).alias("owner")
    )
    # each figure's rows together, in the order the figures are first named and, within a
    # figure, in the rows' order: a figure is a slice of these columns
    columns = [PSEUDONYM_COLUMN, "numerator", "denominator", "owner"]
    grouped = rows.group_by("period", "indicator", "scope", maintain_order=True).agg(
        pl.len().alias("rows"), *columns
    )
    flat = grouped.select(columns).explode(columns)
    names = flat[PSEUDONYM_COLUMN].to_list()
    numerator_list = flat["numerator"].to_list()  # a missing numerator stays None, as before
    amounts = flat["numerator"].to_numpy()
    given = flat["denominator"].is_not_null().to_numpy()
    denominator_amounts = flat["denominator"].to_numpy()
    owners = flat["owner"].to_numpy()
    found: dict[tuple, Figure] = {}
    end = 0
    for period, indicator, scope, count in grouped.drop(columns).iter_rows():
        start, end = end, end + count
        figure_names = names[start:end]
        numerators = dict(zip(figure_names, numerator_list[start:end], strict=True))
        with_denominator = given[start:end]
        denominator_names = list(compress(figure_names, with_denominator))
        denominator_owners = owners[start:end][with_denominator]
        paid = denominator_amounts[start:end][with_denominator]
        denominators = dict(zip(denominator_names, paid.tolist(), strict=True))
        definition = by_name[indicator]
        value = _value(definition, sum(numerators.values()), sum(denominators.values()))
        figure = Figure(
            period,
            indicator,
            scope,
            None if value is None else round(value, definition.decimals),
            numerators,
            denominators,
        )
        if len(numerators) == count and len(denominators) == len(denominator_names):
            sums = [_pooled(owners[start:end], amounts[start:end])]
            if denominators:
                sums.append(_pooled(denominator_owners, paid))
            contributors = len(sums[0])
        else:  # a factory twice in a figure: its last row counts, as a dictionary keeps it
            sums = [by_contributor(numerators, contributor_of)]
            if denominators:
                sums.append(by_contributor(denominators, contributor_of))
            contributors = contributor_count(numerators, contributor_of)
        figure.reason = primary_reason(contributors, sums, disclosure)
        found[(period, indicator, scope)] = figure
    return found


def _pooled(owners: np.ndarray, amounts: np.ndarray) -> list[float]:
    """The amounts summed per contributor (numbered ``owners``), as
    :func:`by_contributor` sums them: from 0.0, in the rows' order (``bincount`` adds
    them one after the other). Only the contributors present, in no particular order."""
    pooled = np.bincount(owners, weights=amounts)
    return pooled[np.bincount(owners) > 0].tolist()


def as_frame(found: dict[tuple, Figure]) -> pl.DataFrame:
    rows = [
        {
            "period": f.period,
            "indicator": f.indicator,
            "scope": f.scope,
            "value": None if f.reason else f.value,
            "n": len(f.factories),
            "suppressed": f.reason is not None,
            "suppressed_reason": f.reason,
        }
        for f in found.values()
    ]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA).sort("period", "indicator", "scope")


def aggregate(
    contributions: pl.DataFrame,
    disclosure: DisclosureSettings,
    breakdowns: dict[str, dict[str, str]] | None = None,
    definitions: tuple[Definition, ...] | None = None,
    contributor_of: dict[str, str] | None = None,
) -> pl.DataFrame:
    """:func:`figures` as a frame (one row per month, indicator and scope)."""
    return as_frame(figures(contributions, disclosure, contributor_of, breakdowns, definitions))


def _guard_job_change(
    figures: dict[tuple, Figure], by_name: dict[str, Definition], disclosure: DisclosureSettings
) -> None:
    """No differencing across time: employment now - employment a year ago - the published
    job change of the same factories = the headcount of the factories that joined or left.
    That group must itself be publishable, or the job change is suppressed."""
    for change in figures.values():
        definition = by_name[change.indicator]
        if definition.kind != "change_12m" or change.reason:
            continue
        totals = [
            d for d in by_name.values() if d.kind == "sum" and d.numerator == definition.numerator
        ]
        for total in totals:
            now = figures.get((change.period, total.name, change.scope))
            before_period = _months_back(change.period, definition.window_months)
            before = figures.get((before_period, total.name, change.scope))
            if now is None or before is None or now.reason or before.reason:
                continue
            joined = set(now.factories) - set(before.factories)
            left = set(before.factories) - set(now.factories)
            group = [now.factories[f] for f in joined] + [before.factories[f] for f in left]
            if group and (
                fails_threshold(len(group), disclosure) or fails_p_percent(group, disclosure)
            ):
                change.reason = DIFFERENCING


def _months_back(period, months: int):
    index = period.year * 12 + period.month - 1 - months
    return period.replace(year=index // 12, month=index % 12 + 1, day=1)


def _secondary_suppression(
    figures: dict[tuple, Figure],
    by_name: dict[str, Definition],
    dimension: str,
    disclosure: DisclosureSettings,
) -> None:
    """Where a total and its parts are published together, the suppressed parts must not
    be recoverable by subtraction: a lone suppressed part, or suppressed parts that
    together would fail the rules, take the smallest published part with them."""
    families: dict[tuple, list[Figure]] = defaultdict(list)
    for (period, indicator, scope), figure in figures.items():
        if by_name[indicator].additive and scope.startswith(f"{dimension}:"):
            families[(period, indicator)].append(figure)
    for (period, indicator), parts in families.items():
        total = figures.get((period, indicator, NETWORK))
        if total is None or total.reason:
            continue
        while True:
            hidden = [p for p in parts if p.reason]
            shown = [p for p in parts if not p.reason]
            if not hidden or not shown:
                break
            pooled = [c for p in hidden for c in p.factories.values()]
            if len(hidden) > 1 and not (
                fails_threshold(len(pooled), disclosure) or fails_p_percent(pooled, disclosure)
            ):
                break
            smallest = min(shown, key=lambda p: (abs(p.value or 0), p.scope))
            smallest.reason = SECONDARY
