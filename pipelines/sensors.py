"""Sensors: new files in the landing zone start one run for everything waiting."""

import hashlib

import dagster as dg

from assets.names import MONTHLY_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER
from kpi.disclosure.requests import pending_requests
from kpi.landing import list_pending
from pipelines.resources import PlatformResource

ACTIVE_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def run_key_for(hashes: list[str]) -> str:
    """The run key of a set of waiting files: their content hashes, order-free.
    The same files dropped again make the same key, and Dagster runs a key once."""
    return hashlib.sha256("\n".join(sorted(set(hashes))).encode()).hexdigest()


@dg.sensor(
    job_name=MONTHLY_JOB,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the monthly cycle when files wait in the landing zone, or the "
    "coordinator asked to close or revise a month.",
)
def landing_zone_sensor(
    context: dg.SensorEvaluationContext, platform: PlatformResource
) -> dg.SensorResult | dg.SkipReason:
    pending = list_pending(platform.settings())
    requests = pending_requests(platform.settings())
    if not pending and not requests:
        return dg.SkipReason("No files or release requests wait.")
    active = context.instance.get_run_records(
        dg.RunsFilter(job_name=MONTHLY_JOB, statuses=ACTIVE_STATUSES), limit=1
    )
    if active:
        # the run in progress may take these files; the next tick looks again
        return dg.SkipReason(f"{len(pending)} file(s) wait; a monthly cycle is running.")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key_for([s.sha256 for s in pending] + [r.path.name for r in requests]),
                tags={WAREHOUSE_TAG: WAREHOUSE_WRITER, "kpi/files": str(len(pending))},
            )
        ]
    )
