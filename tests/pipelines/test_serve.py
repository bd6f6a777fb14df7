"""`kpi serve` (what `make demo` ends with): Dagster's UI and daemon (`dg dev`), the run
worker and the dashboards come up, and stopping the command stops all of them, whether by
Ctrl-C in its terminal, by SIGTERM to it alone (a service manager, `kill`) or by closing
its terminal (SIGHUP)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kpi.settings import REPO_ROOT, Settings
from pipelines.monitoring import live_worker
from tests.conftest import alive, free_port

PATIENCE = 300.0
"""Seconds to wait on a busy machine (not a timing requirement)."""


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children...), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.parametrize(
    "stop_signal",
    [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
    ids=["SIGTERM", "Ctrl-C", "terminal-closed"],
)
def test_serve_starts_every_service_and_stopping_it_leaves_none_running(tmp_path, stop_signal):
    data = tmp_path / "data"
    dagster_port, app_port = free_port(), free_port()
    env = {
        **os.environ,
        "KPI_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster"),
        "GX_ANALYTICS_ENABLED": "False",
    }
    log = tmp_path / "serve.log"
    with log.open("w") as handle:
        serve = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "kpi"),
                "serve",
                "--dagster-port",
                str(dagster_port),
                "--app-port",
                str(app_port),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            # its own process group: the SIGINT below reaches it and its children, as Ctrl-C
            # in its terminal does, and nothing of the test's own
            start_new_session=True,
        )
    settings = Settings(data_dir=data)
    started: set[int] = set()
    try:
        began = time.monotonic()
        while not (
            answers(f"http://127.0.0.1:{app_port}/_stcore/health")
            and answers(f"http://127.0.0.1:{dagster_port}/server_info")
            and live_worker(settings) is not None
        ):
            assert serve.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() - began < PATIENCE, log.read_text()[-3000:]
            time.sleep(1)
        started = descendants(serve.pid)
        assert len(started) >= 3, started  # dg dev (and what it starts), worker, streamlit

        if stop_signal == signal.SIGINT:
            os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        else:
            serve.send_signal(stop_signal)  # to `kpi serve` alone
        serve.wait(timeout=PATIENCE)
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [pid for pid in started if alive(pid)], log.read_text()[-3000:]
        assert serve.returncode == 0, log.read_text()[-3000:]
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        for pid in started:  # what a failed stop left behind must not outlive the test
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
