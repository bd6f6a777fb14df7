"""Stage publish: the serving snapshot the dashboards read."""

import dagster as dg
import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.maturity import MATURITY_KEYS
from assets.names import (
    FACTORY_KPIS_KEY,
    FACTORY_PEER_GROUPS_KEY,
    PEER_STATS_KEY,
    PUBLISH_GROUP,
    REGION_INDICATORS_KEY,
    RELEASES_KEY,
    SNAPSHOT_KEY,
    SUBMISSIONS_KEY,
)
from kpi.contracts import serving_tables
from kpi.faults import fault_point
from kpi.serving import IDENTIFIED_TABLES, clean_staging, open_snapshot, publish_snapshot
from kpi.warehouse import mark_published, unpublished_change
from pipelines.resources import PlatformResource


def contract_differences(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Where the snapshot's tables differ from contracts/serving.odcs.yaml."""
    actual: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    ).fetchall():
        actual.setdefault(table, []).append((column, kind))
    expected = serving_tables()
    return [
        f"{table}: expected {columns}, found {actual.get(table)}"
        for table, columns in expected.items()
        if actual.get(table) != columns
    ] + [f"{table}: not in the contract" for table in set(actual) - set(expected)]


def identity_leaks(
    con: duckdb.DuckDBPyConnection,
    codes: list[str],
    names: list[str],
    pseudonyms: list[str] | None = None,
) -> list[str]:
    """Columns that hold a factory code or name outside the identified tables, or a
    pseudonym anywhere (the snapshot publishes none)."""
    pseudonyms = pseudonyms or []
    # a join with the identities rather than a list searched per row: the snapshot holds
    # millions of rows, the register thousands of codes, names and pseudonyms
    identities = pl.DataFrame(
        {
            "identity": [*pseudonyms, *codes, *names],
            "anywhere": [True] * len(pseudonyms) + [False] * (len(codes) + len(names)),
        },
        schema={"identity": pl.String, "anywhere": pl.Boolean},
    )
    con.register("identities", identities)
    try:
        leaks = []
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            which = "WHERE anywhere" if table in IDENTIFIED_TABLES else ""
            text_columns = [
                c
                for (c, kind) in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = ?",
                    [table],
                ).fetchall()
                if kind == "VARCHAR"
            ]
            for column in text_columns:
                hits = con.execute(
                    f"SELECT count(*) FROM {table} "
                    f"WHERE {column} IN (SELECT identity FROM identities {which})"
                ).fetchall()[0][0]
                if hits:
                    leaks.append(f"{table}.{column}")
        return leaks
    finally:
        con.unregister("identities")


@dg.asset(
    key=SNAPSHOT_KEY,
    group_name=PUBLISH_GROUP,
    deps=[
        FACTORY_KPIS_KEY,
        FACTORY_PEER_GROUPS_KEY,
        PEER_STATS_KEY,
        REGION_INDICATORS_KEY,
        RELEASES_KEY,
        SUBMISSIONS_KEY,
        *MATURITY_KEYS,
    ],
    check_specs=[
        dg.AssetCheckSpec("matches_serving_contract", asset=SNAPSHOT_KEY),
        dg.AssetCheckSpec(
            "no_factory_identity",
            asset=SNAPSHOT_KEY,
            description="No factory code or name outside the identified tables, "
            "no pseudonym anywhere.",
        ),
    ],
)
def benchmark_snapshot(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, platform: PlatformResource
) -> dg.MaterializeResult:
    """The serving snapshot ($KPI_DATA_DIR/serving/benchmark.duckdb): a new file written
    beside the current one and swapped in whole, which the dashboards open read-only.
    Peers and the city find only released figures in it; each factory its own at once."""
    settings = platform.settings()
    register = platform.register()
    pseudonyms = platform.pseudonyms()
    with platform.warehouse_lock(), warehouse.get_connection() as con:
        for path in clean_staging(settings.serving_path):
            context.log.warning(f"Removed a snapshot an interrupted run never swapped in: {path}")
        change = unpublished_change(settings)
        path = publish_snapshot(
            con,
            settings.serving_path,
            run_id=context.run_id,
            disclosure=platform.disclosure(),
            register=register,
            pseudonym_of=pseudonyms,
        )
        fault_point("publish:swapped")
        mark_published(settings, change)
    with open_snapshot(path) as snapshot:
        differences = contract_differences(snapshot)
        leaks = identity_leaks(
            snapshot,
            [f.code for f in register.factories],
            [f.name for f in register.factories],
            list(pseudonyms.values()),
        )
        sizes = dict(
            snapshot.execute("SELECT table_name, estimated_size FROM duckdb_tables()").fetchall()
        )
    return dg.MaterializeResult(
        metadata={
            "path": str(path),
            "tables": dg.MetadataValue.json(sizes),
            "bytes": path.stat().st_size,
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="matches_serving_contract",
                passed=not differences,
                metadata={"differences": dg.MetadataValue.json(differences)},
            ),
            dg.AssetCheckResult(
                check_name="no_factory_identity",
                passed=not leaks,
                metadata={"leaking_columns": dg.MetadataValue.json(leaks)},
            ),
        ],
    )
