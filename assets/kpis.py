"""Stage kpis: every KPI of the catalogue per factory pseudonym and month."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.names import FACTORY_KPIS_KEY, KPIS_GROUP, table_key
from kpi.contracts import DATASETS
from kpi.kpis import FACTORY_KPIS, compute_factory_kpis, duplicate_keys
from kpi.warehouse import scalar
from pipelines.resources import PlatformResource


@dg.asset(
    key=FACTORY_KPIS_KEY,
    group_name=KPIS_GROUP,
    deps=[table_key(d) for d in DATASETS],
    check_specs=[
        dg.AssetCheckSpec(
            "values_finite",
            asset=FACTORY_KPIS_KEY,
            description="No KPI is infinite or NaN: a zero denominator gives null.",
        ),
        dg.AssetCheckSpec("one_value_per_factory_month_kpi", asset=FACTORY_KPIS_KEY),
    ],
)
def factory_kpis(warehouse: DuckDBResource, platform: PlatformResource) -> dg.MaterializeResult:
    """Each factory's KPIs per month (availability ... accident frequency rate), computed
    from the latest accepted base measures with the one definition each KPI has in
    contracts/kpis.odcs.yaml, so that every factory's figure means the same."""
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        rows = compute_factory_kpis(con)
        undefined = scalar(con, f"SELECT count(*) FROM {FACTORY_KPIS} WHERE value IS NULL")
        not_finite = scalar(con, f"SELECT count(*) FROM {FACTORY_KPIS} WHERE NOT isfinite(value)")
        duplicates = duplicate_keys(con)
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "undefined_values": undefined},
        check_results=[
            dg.AssetCheckResult(
                check_name="values_finite",
                passed=not_finite == 0,
                metadata={"not_finite": not_finite},
            ),
            dg.AssetCheckResult(
                check_name="one_value_per_factory_month_kpi",
                passed=duplicates == 0,
                metadata={"duplicates": duplicates},
            ),
        ],
    )
