"""Jobs: the monthly cycle materialises every asset, as one writer of the warehouse."""

from __future__ import annotations

import dagster as dg

from assets.names import MONTHLY_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER

monthly_cycle_job = dg.define_asset_job(
    MONTHLY_JOB,
    selection=dg.AssetSelection.all(),
    tags={WAREHOUSE_TAG: WAREHOUSE_WRITER},
    # one process: the warehouse has one writer, and imports (GX) are paid once per run
    executor_def=dg.in_process_executor,
    description="Process waiting files and refresh everything downstream of them.",
)
