"""Stage maturity: the Factory of the Future self-scan's profiles and their yearly release.

The scans themselves are stored by the ingest stage (``warehouse/maturity``), like every
uploaded dataset; here they become profiles (the average score per transformation) and,
once a year's scan closes, the network's released median profile.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.names import RELEASES_GROUP, table_key
from kpi.disclosure.releases import today
from kpi.disclosure.requests import SCAN_ACTIONS, mark_done, pending_requests
from kpi.maturity import profiles
from kpi.warehouse import scalar
from pipelines.resources import PlatformResource

MATURITY_GROUP = "maturity"
MATURITY_PROFILES_KEY = dg.AssetKey(["marts", "maturity_profiles"])
MATURITY_RELEASES_KEY = dg.AssetKey(["marts", "maturity_releases"])
MATURITY_PEER_STATS_KEY = dg.AssetKey(["marts", "maturity_peer_stats"])
MATURITY_KEYS = (MATURITY_PROFILES_KEY, MATURITY_RELEASES_KEY, MATURITY_PEER_STATS_KEY)
"""What the serving snapshot publishes of the self-scan."""


@dg.asset(
    key=MATURITY_PROFILES_KEY,
    group_name=MATURITY_GROUP,
    deps=[table_key(profiles.DATASET)],
)
def maturity_profiles(
    warehouse: DuckDBResource, platform: PlatformResource
) -> dg.MaterializeResult:
    """Each factory's self-scan profile per year: its average score (1-5) per
    transformation, which the factory sees as soon as its scan is stored."""
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        rows = profiles.compute_profiles(con)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            MATURITY_RELEASES_KEY,
            group_name=RELEASES_GROUP,
            deps=[MATURITY_PROFILES_KEY],
            description="The self-scan's release history: every year released, every revision.",
        ),
        dg.AssetSpec(
            MATURITY_PEER_STATS_KEY,
            group_name=RELEASES_GROUP,
            deps=[MATURITY_RELEASES_KEY],
            description="The network's released median profile per year and transformation.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "threshold_respected",
            asset=MATURITY_PEER_STATS_KEY,
            description="No median is published with fewer contributors than its minimum.",
        )
    ],
)
def maturity_releases(warehouse: DuckDBResource, platform: PlatformResource):
    """Publish what is due of the self-scan: every year whose close day has come (the
    close day of its December), then the coordinator's requests to close a year's scan
    early or revise it. A scan stored later changes nothing published until a revision."""
    settings = platform.settings()
    requests = pending_requests(settings, SCAN_ACTIONS)
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        outcomes, done = profiles.carry_out(con, platform.publication, today(), requests)
        rules = platform.disclosure()
        leaks = scalar(
            con,
            f"SELECT count(*) FROM {profiles.PEER_STATS} WHERE "
            "(median IS NOT NULL AND contributors < greatest(?, ?)) OR "
            "(suppressed AND median IS NOT NULL)",
            [rules.threshold, rules.median_min_n],
        )
        released = len(profiles.released_years(con))
    for request, found in done:
        mark_done(settings, request, [vars(o) for o in found])
    acted = [f"{o.period:%Y} {o.action} r{o.revision}" for o in outcomes]
    yield dg.MaterializeResult(
        asset_key=MATURITY_RELEASES_KEY,
        metadata={"years_released": released, "acted": dg.MetadataValue.json(acted)},
    )
    yield dg.MaterializeResult(asset_key=MATURITY_PEER_STATS_KEY)
    yield dg.AssetCheckResult(
        asset_key=MATURITY_PEER_STATS_KEY,
        check_name="threshold_respected",
        passed=leaks == 0,
        metadata={"published_below_minimum": leaks},
    )
