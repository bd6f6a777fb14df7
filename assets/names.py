"""Asset keys, group names, check names and tags: constants, defined once."""

from __future__ import annotations

import dagster as dg

INGEST_GROUP = "ingest"
KPIS_GROUP = "kpis"
BENCHMARKS_GROUP = "benchmarks"
RELEASES_GROUP = "releases"
PUBLISH_GROUP = "publish"
CONTRACT_CHECK = "contract_suite"
"""The asset check that runs a dataset's Great Expectations suite on its stored table."""

PRIORITY_TAG = "dagster/priority"
"""Dagster's step priority tag: of the steps ready to run, the higher priority runs first."""

WAREHOUSE_TAG = "kpi/warehouse"
WAREHOUSE_WRITER = "writer"
MONTHLY_JOB = "monthly_cycle"
REVISE_TAG = "kpi/revise"
"""On a run: ``all`` revises every released month whose data changed (the quarterly
revision)."""

SUBMISSIONS_KEY = dg.AssetKey(["warehouse", "submissions"])


def table_key(dataset: str) -> dg.AssetKey:
    """``warehouse/<dataset>``: asset keys mirror warehouse tables."""
    return dg.AssetKey(["warehouse", dataset])


FACTORY_KPIS_KEY = dg.AssetKey(["marts", "factory_kpis"])
FACTORY_PEER_GROUPS_KEY = dg.AssetKey(["marts", "factory_peer_groups"])
PEER_STATS_KEY = dg.AssetKey(["marts", "peer_stats"])
REGION_INDICATORS_KEY = dg.AssetKey(["marts", "region_indicators"])
RELEASES_KEY = dg.AssetKey(["marts", "releases"])
SNAPSHOT_KEY = dg.AssetKey(["serving", "benchmark_snapshot"])

REMINDERS_JOB = "send_reminders"
"""Writes to every factory still late for the open month (e-mail, never a figure)."""
