"""Checking an uploaded file out of the web server's process, within limits.

Files are read and validated by a small pool of worker processes
(``python -m dashboards.upload_check``), each with a memory limit and a CPU-time limit
per file (``resource.setrlimit``), at a lower priority and on one thread; a check that
passes the wall-clock limit has its worker killed. A huge or hostile upload then costs
its own worker, not the Streamlit server that serves every other user's pages; when a
limit is hit the uploader is told so, in its language, and nothing is stored.

Workers are started ahead (:func:`warm_up`) and reused, so a check costs no interpreter
start; at most ``CONCURRENT_CHECKS`` run at once, further uploads wait their turn. A
worker that hit a limit, crashed, or has checked ``JOBS_PER_WORKER`` files is replaced.

This module is imported by the server (:func:`check_upload`) and run as the worker
(:func:`serve`); it imports nothing of Streamlit.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kpi.findings import finding
from kpi.settings import REPO_ROOT, Settings
from kpi.validation import FileReport, Upload

log = logging.getLogger(__name__)

CONCURRENT_CHECKS = 2
JOBS_PER_WORKER = 50
STARTUP_SECONDS = 60
"""How long a new worker may take to import its code (not counted against a file)."""
LIMIT_RETURN_CODES = (
    -signal.SIGXCPU,  # the CPU-time limit
    -signal.SIGKILL,
    -signal.SIGABRT,  # native code (Polars) that cannot allocate aborts
    -signal.SIGSEGV,
)


def _refusal(upload: Upload, key: str, **params: object) -> FileReport:
    """A report refusing ``upload`` with one file-level finding (message ``key``)."""
    return FileReport(upload, findings=[finding("error", "upload_check", key, **params)])


class _Worker:
    """One worker process and the pipe to it: one JSON line per request and per answer."""

    def __init__(self, memory_mb: int, cpu_seconds: int) -> None:
        self.limits = (memory_mb, cpu_seconds)
        self.jobs = 0
        self.ready = False
        # one core for the check, the other stays free for the server's pages
        env = {**os.environ, "POLARS_MAX_THREADS": "1", "GX_ANALYTICS_ENABLED": "False"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dashboards.upload_check", str(memory_mb), str(cpu_seconds)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _answer(self, timeout: float) -> dict | None:
        """The worker's next line, or None when it died or gave none in ``timeout``."""
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not readable:
            return None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def check(self, request: dict, timeout: float) -> dict:
        """Send one file's request; the worker's answer, or what became of the worker."""
        assert self.process.stdin is not None
        if not self.ready:
            if self._answer(STARTUP_SECONDS) != {"status": "ready"}:
                self.stop()
                return {"status": "failed", "detail": "the worker did not start"}
            self.ready = True
        self.jobs += 1
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return {"status": "failed", "detail": "the worker had stopped"}
        answer = self._answer(timeout)
        if answer is not None:
            return answer
        if self.process.poll() is None:
            self.stop()
            return {"status": "timeout"}
        code = self.process.wait()
        status = "limit" if code in LIMIT_RETURN_CODES else "failed"
        return {"status": status, "detail": f"worker ended with exit code {code}"}

    def usable(self, limits: tuple[int, int]) -> bool:
        return self.limits == limits and self.process.poll() is None and self.jobs < JOBS_PER_WORKER

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


_idle: list[_Worker] = []
_idle_lock = threading.Lock()
_slots = threading.BoundedSemaphore(CONCURRENT_CHECKS)


def _limits(settings: Settings) -> tuple[int, int]:
    return settings.upload_check_memory_mb, max(1, int(settings.upload_check_seconds * 2))


def _take(limits: tuple[int, int]) -> _Worker:
    with _idle_lock:
        while _idle:
            worker = _idle.pop()
            if worker.usable(limits):
                return worker
            worker.stop()
    return _Worker(*limits)


def _give_back(worker: _Worker, reusable: bool) -> None:
    with _idle_lock:
        if reusable and len(_idle) < CONCURRENT_CHECKS:
            _idle.append(worker)
            return
    worker.stop()


def warm_up(settings: Settings) -> None:
    """Start a worker ahead of the first upload (when none is waiting); returns at once."""
    limits = _limits(settings)
    with _idle_lock:
        if any(worker.usable(limits) for worker in _idle):
            return
        _idle.append(_Worker(*limits))


def check_upload(upload: Upload, settings: Settings) -> FileReport:
    """The validation report of ``upload`` (feedback engine), computed by a worker
    process within the limits of ``settings``; a refusal naming the limit when one is
    hit, or saying the check failed (details in the log)."""
    seconds = settings.upload_check_seconds
    limits = _limits(settings)
    with tempfile.TemporaryDirectory(prefix="upload-check-") as folder:
        result = Path(folder) / "report.pickle"
        request = {
            "path": str(upload.path),
            "dataset": upload.dataset,
            "factory_code": upload.factory_code,
            "file_name": upload.file_name,
            "max_bytes": settings.max_file_bytes,
            "result": str(result),
        }
        with _slots:
            worker = _take(limits)
            reusable = False
            try:
                answer = worker.check(request, seconds)
                reusable = answer["status"] == "done" and worker.usable(limits)
            finally:  # whatever happens to this thread, no worker is left behind
                _give_back(worker, reusable)
        if answer["status"] == "done":
            report: FileReport = pickle.loads(result.read_bytes())
            report.upload = upload
            return report
    name = upload.display_name
    if answer["status"] in ("timeout", "limit"):
        log.warning("upload check of %r hit a limit: %s", name, answer)
        return _refusal(
            upload,
            "upload_check_limit",
            seconds=f"{seconds:g}",
            memory_mb=f"{settings.upload_check_memory_mb:g}",
        )
    log.error("upload check of %r failed: %s", name, answer.get("detail"))
    return _refusal(upload, "upload_check_failed")


# --- the worker --------------------------------------------------------------------------


def serve(memory_mb: int, cpu_seconds: int) -> None:
    """The worker: answer one JSON request per line on standard input until it closes
    (the server stopped). Its memory limit holds for the process; the CPU-time limit
    for each file. Runs nice, so the server's own work comes first."""
    import resource
    import traceback

    # the code first, then the limits: running out of memory is then a file's doing
    import fastexcel  # noqa: F401
    import openpyxl  # noqa: F401

    from kpi.validation import validate_uploads

    # answers go to a private copy of stdout; anything else printed goes to stderr
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    def answer(**fields: object) -> None:
        channel.write(json.dumps(fields) + "\n")
        channel.flush()

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.nice(10)
    answer(status="ready")
    for line in sys.stdin:
        request = json.loads(line)
        used = resource.getrusage(resource.RUSAGE_SELF)
        allowed = int(used.ru_utime + used.ru_stime) + cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (allowed, resource.RLIM_INFINITY))
        upload = Upload(
            Path(request["path"]), request["dataset"], request["factory_code"], request["file_name"]
        )
        began = time.monotonic()
        try:
            # the Polars interpretation of the contract's suite: feedback within a second
            report = validate_uploads([upload], request["max_bytes"], engine="polars")[0]
            Path(request["result"]).write_bytes(pickle.dumps(report))
        except MemoryError:
            answer(status="limit", detail="out of memory")
            return  # what is left of this process is not worth reusing
        except Exception:
            answer(status="failed", detail=traceback.format_exc())
            continue
        answer(status="done", seconds=round(time.monotonic() - began, 3))


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
