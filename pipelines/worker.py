"""The run worker: the monthly cycle starts within a fraction of a second of an upload.

Left to Dagster's daemon, an upload waited for the sensor's next tick (every 15 s), then
for the run queue (a few seconds), then for a new run process to import Dagster, the code
location and Great Expectations again (7 s on a quiet machine, over 20 s on a busy one)
before the run did a second of work: 30 to 41 s from upload to the Benchmark page.

The worker is one long-lived process that has all of that imported once. Several times a
second it looks whether anything waits (:func:`waiting_work`: a few directory listings, no
query, while nothing waits); when something does, it takes the sensor's own decision
(:func:`next_monthly_run`: one monthly cycle at a time, a batch that runs did not finish
tried again less often) and executes the run in its own process on the same Dagster
instance, so the run shows in the Dagster UI with its events and asset checks like any
other. While the worker is alive the sensor leaves the runs to it; when it stops or dies
the sensor takes over again, and a run it was executing is failed
(:func:`fail_dead_runs`) and its batch tried again, as after any killed run.

Started by ``kpi serve`` (and ``kpi worker``); ``python -m pipelines.worker`` runs it too.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from kpi.settings import Settings, ensure_dagster_home, get_settings, prepare_data_dir

log = logging.getLogger("kpi.worker")

POLL_SECONDS = 0.2
"""How often the worker looks whether anything waits."""
BUSY_POLL_SECONDS = 1.0
"""How often it looks again while a run started elsewhere goes on, or a batch waits for
its next attempt (each look then queries the Dagster instance)."""
DEAD_RUN_SECONDS = 10.0
"""How often it fails runs whose process is gone while nothing waits (the sensor's job,
which it leaves to the worker)."""


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Run(threading.Thread):
    """One run, in a thread of its own: Dagster turns a stop signal that reaches the
    thread running it into a failed run, while a stop request must wait for the run's
    end. The main thread keeps the signals and only waits."""

    def __init__(self, execute: Callable[[], Any]) -> None:
        super().__init__(name="monthly-cycle", daemon=True)
        self._execute = execute
        self._outcome: Any = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._outcome = self._execute()
        except BaseException as error:  # handed to the main thread
            self._error = error

    def result(self, beat: Callable[[], object]) -> Any:
        """Wait for the run's end, calling ``beat`` every half second meanwhile."""
        while self.is_alive():
            beat()
            self.join(timeout=0.5)  # short waits: a signal's handler runs in between
        if self._error is not None:
            raise self._error
        return self._outcome


class _Stop:
    """Set by SIGTERM or SIGINT: the worker finishes the run in progress, then ends."""

    requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


def serve(settings: Settings, *, max_runs: int | None = None) -> int:
    """Start runs as work arrives until stopped (or after ``max_runs`` runs); return how
    many runs it executed."""
    prepare_data_dir(settings)
    home = ensure_dagster_home(settings)
    began = time.perf_counter()
    import dagster as dg
    from filelock import FileLock

    from assets.names import MONTHLY_JOB
    from kpi import timing
    from kpi.expectations import warm_up
    from pipelines.definitions import build_definitions, long_lived_frozen
    from pipelines.monitoring import PROCESS_TAG, announce_worker, fail_dead_runs, this_process
    from pipelines.sensors import next_monthly_run, waiting_work

    job = build_definitions(settings).resolve_job_def(MONTHLY_JOB)
    warm_up()
    # two processes opening a new instance at once would both create its tables
    with FileLock(str(home / ".instance.lock")):
        instance = dg.DagsterInstance.get()
    gc.collect()  # what warming up left: the rest is frozen while the worker serves
    stop = _Stop()
    for number in STOP_SIGNALS:
        signal.signal(number, stop)
    presence = announce_worker(home)
    log.warning("run worker ready in %.1f s (process %s)", time.perf_counter() - began, presence)
    executed = 0
    checked_dead = 0.0
    with instance, long_lived_frozen():
        while not stop.requested and (max_runs is None or executed < max_runs):
            announce_worker(home)
            waiting = waiting_work(settings)
            if waiting.batch is None:
                if time.monotonic() - checked_dead > DEAD_RUN_SECONDS:
                    fail_dead_runs(instance, MONTHLY_JOB)
                    checked_dead = time.monotonic()
                time.sleep(POLL_SECONDS)
                continue
            for run_id in fail_dead_runs(instance, MONTHLY_JOB):
                log.warning("run %s had lost its process; it is marked failed", run_id)
            decision = next_monthly_run(instance, waiting)
            if isinstance(decision, dg.SkipReason):
                time.sleep(BUSY_POLL_SECONDS)
                continue
            timing.reset()
            start = time.perf_counter()
            run = _Run(
                lambda tags=decision.tags: job.execute_in_process(
                    instance=instance,
                    raise_on_error=False,
                    # if this process dies, the sensor (or the next worker) fails the run
                    tags={**tags, PROCESS_TAG: this_process()},
                    run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
                )
            )
            result = run.result(beat=lambda: announce_worker(home))
            executed += 1
            stages = " ".join(f"{k}={v:.2f}" for k, v in timing.recorded().items())
            log.warning(
                "run %s %s in %.2f s (%s file(s); %s)",
                result.run_id,
                "succeeded" if result.success else "FAILED",
                time.perf_counter() - start,
                waiting.files,
                stages,
            )
    if presence.exists() and presence.read_text(encoding="ascii") == this_process():
        presence.unlink(missing_ok=True)
    return executed


def main() -> None:  # pragma: no cover - the process entry point
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    max_runs = int(sys.argv[1]) if len(sys.argv) > 1 else None
    serve(get_settings(), max_runs=max_runs)


if __name__ == "__main__":  # pragma: no cover
    main()
