"""Sensors: new files in the landing zone, or the coordinator's requests to close or revise
a month, start one run for everything waiting."""

import datetime as dt
import hashlib

import dagster as dg

from assets.names import MONTHLY_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER
from kpi.disclosure.requests import pending_requests
from kpi.landing import list_pending
from kpi.warehouse import unpublished_change
from pipelines.monitoring import fail_dead_runs
from pipelines.resources import PlatformResource

ACTIVE_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
FINISHED_STATUSES = [
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
]
BATCH_TAG = "kpi/batch"
"""The batch a run was requested for (see :func:`batch_key`)."""


def batch_key(submission_ids: list[str]) -> str:
    """The key of a set of waiting submissions, order-free. Every upload is a new
    submission (identical bytes uploaded again too), so a new upload makes a new batch."""
    return hashlib.sha256("\n".join(sorted(set(submission_ids))).encode()).hexdigest()


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its last attempt a batch still waiting is tried again: at once
    after the first (a killed run), then 1, 2, 4 ... minutes, at most an hour apart."""
    if attempts <= 1:
        return dt.timedelta(0)
    return dt.timedelta(minutes=min(60, 2 ** (attempts - 2)))


@dg.sensor(
    job_name=MONTHLY_JOB,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the monthly cycle when files wait in the landing zone, the "
    "coordinator asked to close or revise a month, or the snapshot is behind the warehouse "
    "because a run died before publishing.",
)
def landing_zone_sensor(
    context: dg.SensorEvaluationContext, platform: PlatformResource
) -> dg.SensorResult | dg.SkipReason:
    instance = context.instance
    # first, so that a dead run never holds the queue, even when nothing waits
    for run_id in fail_dead_runs(instance, MONTHLY_JOB):
        context.log.warning(f"Run {run_id} had lost its process; it is marked failed.")
    settings = platform.settings()
    pending = list_pending(settings)
    requests = pending_requests(settings)
    unpublished = unpublished_change(settings)
    if not pending and not requests and unpublished is None:
        return dg.SkipReason("No files or release requests wait.")
    active = instance.get_run_records(
        dg.RunsFilter(job_name=MONTHLY_JOB, statuses=ACTIVE_STATUSES), limit=1
    )
    if active:
        # the run in progress may take these files; the next tick looks again
        return dg.SkipReason(f"{len(pending)} file(s) wait; a monthly cycle is running.")

    waiting = [s.submission_id for s in pending] + [r.path.name for r in requests]
    batch = batch_key(waiting) if waiting else f"publish-{unpublished}"
    # a batch still here after a run for it ended (the run failed or died) is tried again
    attempts = instance.get_run_records(
        dg.RunsFilter(job_name=MONTHLY_JOB, tags={BATCH_TAG: batch}, statuses=FINISHED_STATUSES)
    )
    if attempts:
        last = max(r.end_time or r.update_timestamp.timestamp() for r in attempts)
        due = dt.datetime.fromtimestamp(last, dt.UTC) + retry_delay(len(attempts))
        if dt.datetime.now(dt.UTC) < due:
            return dg.SkipReason(
                f"{len(pending)} file(s) wait; {len(attempts)} run(s) for them ended without "
                f"finishing them; next attempt at {due:%H:%M:%S} UTC."
            )
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"{batch}-{len(attempts)}" if attempts else batch,
                tags={
                    WAREHOUSE_TAG: WAREHOUSE_WRITER,
                    BATCH_TAG: batch,
                    "kpi/files": str(len(pending)),
                },
            )
        ]
    )
