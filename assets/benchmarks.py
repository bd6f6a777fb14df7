"""Stage benchmarks: peer groups, and the monthly releases of peer statistics and the
city's regional indicators, under the disclosure rules of config/disclosure.yaml."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.names import (
    BENCHMARKS_GROUP,
    FACTORY_KPIS_KEY,
    FACTORY_PEER_GROUPS_KEY,
    PEER_STATS_KEY,
    REGION_INDICATORS_KEY,
    RELEASES_GROUP,
    RELEASES_KEY,
    REVISE_TAG,
    table_key,
)
from kpi.contracts import DATASETS
from kpi.disclosure import releases
from kpi.disclosure.peers import compute_peer_groups
from kpi.disclosure.requests import ALL_MONTHS, mark_done, pending_requests
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
    """Which peers each factory is compared with, month by month: the network, its sector
    (from the register, merged as configured for the year) and its size band (from its
    average headcount of the previous calendar year)."""
    disclosure = platform.disclosure()
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        rows = compute_peer_groups(con, platform.register(), platform.pseudonyms(), disclosure)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RELEASES_KEY,
            group_name=RELEASES_GROUP,
            deps=[FACTORY_KPIS_KEY, FACTORY_PEER_GROUPS_KEY, table_key("people")]
            + [table_key("regional")],
            description="The release history: every month released, and every revision.",
        ),
        dg.AssetSpec(
            PEER_STATS_KEY,
            group_name=RELEASES_GROUP,
            deps=[RELEASES_KEY],
            description="The released peer statistics, frozen except through revisions.",
        ),
        dg.AssetSpec(
            REGION_INDICATORS_KEY,
            group_name=RELEASES_GROUP,
            deps=[RELEASES_KEY],
            description="The released regional indicators of the city.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "threshold_respected",
            asset=PEER_STATS_KEY,
            description="No statistic is published with fewer contributors than its minimum.",
        ),
        dg.AssetCheckSpec("quartiles_ordered", asset=PEER_STATS_KEY),
        dg.AssetCheckSpec(
            "disclosure_respected",
            asset=REGION_INDICATORS_KEY,
            description="Every published figure has enough contributors; "
            "every suppressed one has no value and a reason.",
        ),
    ],
)
def monthly_releases(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, platform: PlatformResource
):
    """Publish what is due: every month whose close day has come is released (oldest
    first), then the coordinator's requests (close a month early, revise a month) are
    carried out, and on a run tagged ``kpi/revise=all`` (the quarterly schedule) every
    released month whose data changed is revised. Nothing else changes a published
    figure: a late file or a correction waits for a revision."""
    settings = platform.settings()
    requests = pending_requests(settings)
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        outcomes, done = releases.carry_out(
            con,
            platform.publication,
            releases.today(),
            requests,
            revise_all=context.run.tags.get(REVISE_TAG) == ALL_MONTHS,
        )
        publication = platform.publication()
        rules = publication.disclosure
        peer_leaks = scalar(
            con,
            f"SELECT count(*) FROM {releases.PEER_STATS} WHERE "
            "(median IS NOT NULL AND contributors < greatest(?, ?)) OR "
            "(p25 IS NOT NULL AND contributors < greatest(?, ?)) OR "
            "(suppressed AND (median IS NOT NULL OR p25 IS NOT NULL OR p75 IS NOT NULL))",
            [rules.threshold, rules.median_min_n, rules.threshold, rules.quartiles_min_n],
        )
        disorder = scalar(
            con,
            f"SELECT count(*) FROM {releases.PEER_STATS} WHERE p25 IS NOT NULL AND "
            "NOT (p25 <= median AND median <= p75)",
        )
        region_broken = scalar(
            con,
            f"SELECT count(*) FROM {releases.REGION_INDICATORS} WHERE "
            "(NOT suppressed AND n < ?) OR (suppressed AND (value IS NOT NULL "
            "OR suppressed_reason IS NULL))",
            [rules.threshold],
        )
        released = len(releases.released_revisions(con))
    # a request is done once its outcome is committed; carried out again, it changes nothing
    for request, found in done:
        mark_done(settings, request, [vars(o) for o in found])
    acted = [o for o in outcomes if o.action in ("released", "revised", "held")]
    if acted:  # one log event (a stored event each): a history load acts on 120 months
        context.log.info(
            "\n".join(
                f"{o.period:%Y-%m}: {o.action} (revision {o.revision}), "
                f"{o.published} figures published, {o.not_revised} not revised"
                for o in acted
            )
        )
    summary = {
        "months_released": released,
        "acted": dg.MetadataValue.json(
            [f"{o.period:%Y-%m} {o.action} r{o.revision}" for o in acted][-50:]
        ),
    }
    yield dg.MaterializeResult(asset_key=RELEASES_KEY, metadata=summary)
    yield dg.MaterializeResult(asset_key=PEER_STATS_KEY)
    yield dg.MaterializeResult(asset_key=REGION_INDICATORS_KEY)
    yield dg.AssetCheckResult(
        asset_key=PEER_STATS_KEY,
        check_name="threshold_respected",
        passed=peer_leaks == 0,
        metadata={"published_below_minimum": peer_leaks},
    )
    yield dg.AssetCheckResult(
        asset_key=PEER_STATS_KEY,
        check_name="quartiles_ordered",
        passed=disorder == 0,
        metadata={"rows_out_of_order": disorder},
    )
    yield dg.AssetCheckResult(
        asset_key=REGION_INDICATORS_KEY,
        check_name="disclosure_respected",
        passed=region_broken == 0,
        metadata={"rows_breaking_rules": region_broken},
    )
