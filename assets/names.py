"""Asset keys, group names, check names and tags: constants, defined once."""

from __future__ import annotations

import dagster as dg

INGEST_GROUP = "ingest"
CONTRACT_CHECK = "contract_suite"
"""The asset check that runs a dataset's Great Expectations suite on its stored table."""

WAREHOUSE_TAG = "kpi/warehouse"
WAREHOUSE_WRITER = "writer"
MONTHLY_JOB = "monthly_cycle"

SUBMISSIONS_KEY = dg.AssetKey(["warehouse", "submissions"])


def table_key(dataset: str) -> dg.AssetKey:
    """``warehouse/<dataset>``: asset keys mirror warehouse tables."""
    return dg.AssetKey(["warehouse", dataset])
