"""The run worker (`kpi worker`, started by `kpi serve`): a submitted file is processed by
a run on the Dagster instance without waiting for the sensor; while the worker lives the
sensor leaves the runs to it; a worker killed in a run leaves nothing the next one cannot
finish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from assets.names import MONTHLY_JOB
from kpi.landing import list_pending, submit
from kpi.serving import open_snapshot
from kpi.settings import REPO_ROOT
from pipelines.monitoring import PROCESS_TAG, live_worker
from pipelines.resources import build_resources
from pipelines.sensors import landing_zone_sensor

PATIENCE = 300.0
"""Seconds to wait for a worker on a busy machine (not a timing requirement)."""


def start_worker(log: Path, **env: str) -> subprocess.Popen:
    with log.open("a") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "pipelines.worker"],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stderr=handle,
        )


def wait_for(condition, worker: subprocess.Popen, log: Path) -> None:
    began = time.monotonic()
    while not condition():
        assert worker.poll() is None or condition(), log.read_text()[-3000:]
        assert time.monotonic() - began < PATIENCE, log.read_text()[-3000:]
        time.sleep(0.1)


def processed(settings) -> bool:
    return (
        not list_pending(settings)
        and settings.serving_path.exists()
        and not settings.unpublished_path.exists()
    )


def sensor_tick(settings):
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"platform": build_resources(settings)["platform"]}
        )
        return landing_zone_sensor(context)


def monthly_runs(settings) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        return [
            r.dagster_run for r in instance.get_run_records(dg.RunsFilter(job_name=MONTHLY_JOB))
        ]


def test_the_worker_runs_the_cycle_for_an_upload_and_the_sensor_leaves_it_to_it(
    settings, make_file, tmp_path
):
    log = tmp_path / "worker.log"
    worker = start_worker(log)
    try:
        wait_for(lambda: live_worker(settings) is not None, worker, log)
        submit(make_file("quality"), "quality", "F01", settings)
        tick = sensor_tick(settings)
        wait_for(lambda: processed(settings), worker, log)
    finally:
        worker.terminate()
        code = worker.wait(timeout=PATIENCE)

    assert isinstance(tick, dg.SkipReason)
    assert "The run worker" in str(tick.skip_message)
    with open_snapshot(settings.serving_path) as con:
        ((months,),) = con.execute(
            "SELECT count(DISTINCT period) FROM own_kpis WHERE factory_code = 'F01'"
        ).fetchall()
    assert months == 3
    (run,) = monthly_runs(settings)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.tags[PROCESS_TAG].split(":")[1] == str(worker.pid)
    # stopped on request: it is gone, and the sensor starts the runs again
    assert code == 0, log.read_text()[-3000:]
    assert live_worker(settings) is None
    submit(make_file("people"), "people", "F01", settings)
    assert len(sensor_tick(settings).run_requests) == 1


def test_a_worker_killed_in_a_run_leaves_nothing_the_next_one_cannot_finish(
    settings, make_file, tmp_path
):
    log = tmp_path / "worker.log"
    submit(make_file("quality"), "quality", "F01", settings)
    killed = start_worker(log, KPI_FAULT_AT="ingest:stored")
    assert killed.wait(timeout=PATIENCE) == -signal.SIGKILL, log.read_text()[-3000:]
    assert list_pending(settings), "the killed run moved no file"

    worker = start_worker(log)
    try:
        wait_for(lambda: processed(settings), worker, log)
    finally:
        worker.terminate()
        worker.wait(timeout=PATIENCE)

    statuses = sorted(r.status.value for r in monthly_runs(settings))
    assert statuses == ["FAILURE", "SUCCESS"]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        audit = con.execute("SELECT dataset, status FROM submissions").fetchall()
        ((rows,),) = con.execute("SELECT count(*) FROM quality").fetchall()
    assert audit == [("quality", "accepted")]
    assert rows == 3
    assert [p for p in settings.pending_dir.rglob("*") if p.is_file()] == []
