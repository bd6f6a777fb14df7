"""Runs whose process died: found and failed, so that the next run can start.

Dagster's own run monitoring (``run_monitoring`` in pipelines/dagster.yaml, done by the
daemon of ``dg dev``) fails a run stuck while starting and any run past its maximum
run time; the default run launcher cannot tell whether a started run's process is alive.
This module can: every monthly-cycle run records its process (``kpi/process``: host,
process id and the process's start time, so a reused process id is not mistaken for
it), and the sensor fails a started run whose process is gone on this host, at once.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import dagster as dg

from kpi.i18n import both_languages
from kpi.settings import Settings

PROCESS_TAG = "kpi/process"
LIVE_STATUSES = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def _start_time(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot), '' where /proc is absent."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            # the command name (field 2) may hold spaces: count fields after its ')'
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def this_process() -> str:
    """The identity of this process, for the ``kpi/process`` tag of its run."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def process_is_gone(identity: str) -> bool:
    """Whether the process named by a ``kpi/process`` tag surely no longer runs.

    Unknown (another host, a malformed tag) counts as running: Dagster's maximum run
    time is the backstop for those."""
    host, _, rest = identity.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another account's
        return False
    return bool(started) and _start_time(pid) not in ("", started)


def record_process(context: dg.AssetExecutionContext) -> None:
    """Tag the run with this process, unless it was tagged when it was launched."""
    if PROCESS_TAG not in context.run.tags:
        context.instance.add_run_tags(context.run_id, {PROCESS_TAG: this_process()})


def fail_dead_runs(instance: dg.DagsterInstance, job_name: str) -> list[str]:
    """Mark failed every starting or started run of ``job_name`` whose process is gone;
    return their run ids."""
    failed = []
    for record in instance.get_run_records(
        dg.RunsFilter(job_name=job_name, statuses=LIVE_STATUSES)
    ):
        run = record.dagster_run
        identity = run.tags.get(PROCESS_TAG)
        if identity and process_is_gone(identity):
            instance.report_run_failed(
                run, message=both_languages("run_process_gone", process=identity)
            )
            failed.append(run.run_id)
    return failed


WORKER_FILE = "run-worker"
"""In the Dagster home: the identity of the live run worker (``pipelines.worker``)."""
WORKER_STALE_SECONDS = 30.0
"""A worker that has not looked at the landing zone for this long (outside a run) is
not counted on: the sensor starts the runs again."""


def announce_worker(home: Path) -> Path:
    """Say that this process is the run worker (and is looking now); return the file."""
    path = home / WORKER_FILE
    identity = this_process()
    if not path.exists() or path.read_text(encoding="ascii") != identity:
        tmp = path.with_name(f".{WORKER_FILE}-{os.getpid()}")
        tmp.write_text(identity, encoding="ascii")
        os.replace(tmp, path)
    else:
        os.utime(path)
    return path


def live_worker(settings: Settings) -> str | None:
    """The identity of a run worker that is alive and looking, or None."""
    path = settings.dagster_home / WORKER_FILE
    try:
        identity = path.read_text(encoding="ascii")
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    if age > WORKER_STALE_SECONDS or process_is_gone(identity):
        return None
    return identity
