"""Stage benchmarks: peer groups, peer statistics and the city's regional indicators,
all under the disclosure rules of config/disclosure.yaml."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.names import (
    BENCHMARKS_GROUP,
    FACTORY_KPIS_KEY,
    FACTORY_PEER_GROUPS_KEY,
    PEER_STATS_KEY,
    REGION_INDICATORS_KEY,
    table_key,
)
from kpi.benchmarks import PEER_STATS, compute_peer_groups, compute_peer_stats
from kpi.contracts import DATASETS
from kpi.region import REGION_INDICATORS, compute_region_indicators
from kpi.warehouse import scalar
from pipelines.resources import PlatformResource


@dg.asset(
    key=FACTORY_PEER_GROUPS_KEY,
    group_name=BENCHMARKS_GROUP,
    deps=[table_key(d) for d in DATASETS],
)
def factory_peer_groups(
    warehouse: DuckDBResource, platform: PlatformResource
) -> dg.MaterializeResult:
    """Which peers each factory is compared with, month by month: its sector (from the
    factory register) and its size band (from that month's headcount)."""
    disclosure = platform.disclosure()
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        rows = compute_peer_groups(con, platform.register(), platform.pseudonyms(), disclosure)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


@dg.asset(
    key=PEER_STATS_KEY,
    group_name=BENCHMARKS_GROUP,
    deps=[FACTORY_KPIS_KEY, FACTORY_PEER_GROUPS_KEY],
    check_specs=[
        dg.AssetCheckSpec(
            "threshold_respected",
            asset=PEER_STATS_KEY,
            description="No statistic is published with fewer factories than the threshold.",
        ),
        dg.AssetCheckSpec("quartiles_ordered", asset=PEER_STATS_KEY),
    ],
)
def peer_stats(warehouse: DuckDBResource, platform: PlatformResource) -> dg.MaterializeResult:
    """For every KPI, month and peer group: n, P25, median, P75 and the top-quartile
    boundary on the better side; suppressed when too few factories contribute."""
    disclosure = platform.disclosure()
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        rows = compute_peer_stats(con, disclosure)
        leaks = scalar(
            con,
            f"SELECT count(*) FROM {PEER_STATS} WHERE n < ? AND "
            "(NOT suppressed OR p25 IS NOT NULL OR median IS NOT NULL OR p75 IS NOT NULL)",
            [disclosure.threshold],
        )
        disorder = scalar(
            con, f"SELECT count(*) FROM {PEER_STATS} WHERE NOT (p25 <= median AND median <= p75)"
        )
        suppressed = scalar(con, f"SELECT count(*) FROM {PEER_STATS} WHERE suppressed")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "suppressed": suppressed,
            "threshold": disclosure.threshold,
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="threshold_respected",
                passed=leaks == 0,
                metadata={"published_below_threshold": leaks},
            ),
            dg.AssetCheckResult(
                check_name="quartiles_ordered",
                passed=disorder == 0,
                metadata={"rows_out_of_order": disorder},
            ),
        ],
    )


@dg.asset(
    key=REGION_INDICATORS_KEY,
    group_name=BENCHMARKS_GROUP,
    deps=[table_key("people"), table_key("regional")],
    check_specs=[
        dg.AssetCheckSpec(
            "disclosure_respected",
            asset=REGION_INDICATORS_KEY,
            description="Every published figure has enough factories; "
            "every suppressed one has no value and a reason.",
        ),
    ],
)
def region_indicators(
    warehouse: DuckDBResource, platform: PlatformResource
) -> dg.MaterializeResult:
    """The city's regional anchoring indicators (jobs, local hiring, apprentices,
    regional purchasing, investment) as network totals, never one factory, with the
    threshold and p % rules and secondary suppression applied."""
    disclosure = platform.disclosure()
    breakdowns = {}
    if "sector" in disclosure.region_breakdowns:
        pseudonyms = platform.pseudonyms()
        breakdowns["sector"] = {pseudonyms[f.code]: f.sector for f in platform.register().factories}
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        rows = compute_region_indicators(con, disclosure, breakdowns)
        broken = scalar(
            con,
            f"SELECT count(*) FROM {REGION_INDICATORS} WHERE "
            "(NOT suppressed AND n < ?) OR (suppressed AND (value IS NOT NULL "
            "OR suppressed_reason IS NULL))",
            [disclosure.threshold],
        )
        reasons = dict(
            con.execute(
                f"SELECT coalesce(suppressed_reason, 'published'), count(*) "
                f"FROM {REGION_INDICATORS} GROUP BY 1"
            ).fetchall()
        )
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "by_outcome": dg.MetadataValue.json(reasons)},
        check_results=[
            dg.AssetCheckResult(
                check_name="disclosure_respected",
                passed=broken == 0,
                metadata={"rows_breaking_rules": broken},
            ),
        ],
    )
