"""Sensors: new files in the landing zone, or the coordinator's requests to close or revise
a month, start one run for everything waiting."""

import datetime as dt
import hashlib
from dataclasses import dataclass

import dagster as dg

from assets.names import MONTHLY_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER
from kpi.disclosure.requests import pending_requests
from kpi.landing import list_pending
from kpi.settings import Settings
from kpi.warehouse import unpublished_change
from pipelines.monitoring import fail_dead_runs, live_worker
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


@dataclass(frozen=True)
class Waiting:
    """What waits for the monthly cycle, read from the data directory alone (cheap: a
    few directory listings, no query), so a poller can ask it several times a second."""

    files: int
    batch: str | None
    """The key of the waiting batch; None when nothing waits."""


def waiting_work(settings: Settings) -> Waiting:
    """Files in the landing zone, release requests, or a snapshot behind the warehouse."""
    pending = list_pending(settings)
    requests = pending_requests(settings)
    waiting = [s.submission_id for s in pending] + [r.path.name for r in requests]
    if waiting:
        return Waiting(len(pending), batch_key(waiting))
    unpublished = unpublished_change(settings)
    return Waiting(0, None if unpublished is None else f"publish-{unpublished}")


def next_monthly_run(
    instance: dg.DagsterInstance, waiting: Waiting
) -> dg.RunRequest | dg.SkipReason:
    """The run to start now for ``waiting``, or why none starts: one monthly cycle at a
    time, and a batch that runs ended without finishing is tried again, less often
    (:func:`retry_delay`). The one decision of the sensor and the run worker."""
    if waiting.batch is None:
        return dg.SkipReason("No files or release requests wait.")
    active = instance.get_run_records(
        dg.RunsFilter(job_name=MONTHLY_JOB, statuses=ACTIVE_STATUSES), limit=1
    )
    if active:
        # the run in progress may take these files; the next tick looks again
        return dg.SkipReason(f"{waiting.files} file(s) wait; a monthly cycle is running.")
    batch = waiting.batch
    # a batch still here after a run for it ended (the run failed or died) is tried again
    attempts = instance.get_run_records(
        dg.RunsFilter(job_name=MONTHLY_JOB, tags={BATCH_TAG: batch}, statuses=FINISHED_STATUSES)
    )
    if attempts:
        last = max(r.end_time or r.update_timestamp.timestamp() for r in attempts)
        due = dt.datetime.fromtimestamp(last, dt.UTC) + retry_delay(len(attempts))
        if dt.datetime.now(dt.UTC) < due:
            return dg.SkipReason(
                f"{waiting.files} file(s) wait; {len(attempts)} run(s) for them ended "
                f"without finishing them; next attempt at {due:%H:%M:%S} UTC."
            )
    return dg.RunRequest(
        run_key=f"{batch}-{len(attempts)}" if attempts else batch,
        tags={
            WAREHOUSE_TAG: WAREHOUSE_WRITER,
            BATCH_TAG: batch,
            "kpi/files": str(waiting.files),
        },
    )


@dg.sensor(
    job_name=MONTHLY_JOB,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the monthly cycle when files wait in the landing zone, the "
    "coordinator asked to close or revise a month, or the snapshot is behind the warehouse "
    "because a run died before publishing; leaves them to the run worker while one runs.",
)
def landing_zone_sensor(
    context: dg.SensorEvaluationContext, platform: PlatformResource
) -> dg.SensorResult | dg.SkipReason:
    instance = context.instance
    # first, so that a dead run never holds the queue, even when nothing waits
    for run_id in fail_dead_runs(instance, MONTHLY_JOB):
        context.log.warning(f"Run {run_id} had lost its process; it is marked failed.")
    settings = platform.settings()
    worker = live_worker(settings)
    if worker is not None:
        # the worker starts a run within a fraction of a second of an upload; a run this
        # sensor requested would wait in the queue and start a new process
        return dg.SkipReason(f"The run worker ({worker}) starts the runs.")
    decision = next_monthly_run(instance, waiting_work(settings))
    if isinstance(decision, dg.SkipReason):
        return decision
    return dg.SensorResult(run_requests=[decision])
