"""Checking an uploaded file out of the web server's process, within limits.

A file is read and validated in a child process (``python -m dashboards.upload_check``)
that gets a memory limit and a CPU-time limit (``resource.setrlimit``), runs at a lower
priority on one thread, and is killed after a wall-clock limit. A huge or hostile upload
then costs its own process, not the Streamlit server that serves every other user's
pages; when a limit is hit the uploader is told so, in its language, and nothing is
stored. At most ``CONCURRENT_CHECKS`` checks run at once; further uploads wait their turn.

This module is imported by the server (:func:`check_upload`) and run as the child
(:func:`main`); it imports nothing of Streamlit.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from kpi.findings import finding
from kpi.settings import REPO_ROOT, Settings
from kpi.validation import FileReport, Upload

log = logging.getLogger(__name__)

CONCURRENT_CHECKS = 2
LIMIT_EXIT = 3
"""The child's exit code when it ran out of memory."""
LIMIT_RETURN_CODES = (
    LIMIT_EXIT,
    -signal.SIGXCPU,  # the CPU-time limit
    -signal.SIGKILL,
    -signal.SIGABRT,  # native code (Polars) that cannot allocate aborts
    -signal.SIGSEGV,
)
_slots = threading.BoundedSemaphore(CONCURRENT_CHECKS)


def _refusal(upload: Upload, key: str, **params: object) -> FileReport:
    """A report refusing ``upload`` with one file-level finding (message ``key``)."""
    return FileReport(upload, findings=[finding("error", "upload_check", key, **params)])


def check_upload(upload: Upload, settings: Settings) -> FileReport:
    """The validation report of ``upload`` (feedback engine), computed in a child process
    within the limits of ``settings``; a refusal naming the limit when one is hit."""
    seconds = settings.upload_check_seconds
    memory_mb = settings.upload_check_memory_mb
    limit = _refusal(
        upload, "upload_check_limit", seconds=f"{seconds:g}", memory_mb=f"{memory_mb:g}"
    )
    with tempfile.TemporaryDirectory(prefix="upload-check-") as folder:
        request = Path(folder) / "request.json"
        result = Path(folder) / "report.pickle"
        request.write_text(
            json.dumps(
                {
                    "path": str(upload.path),
                    "dataset": upload.dataset,
                    "factory_code": upload.factory_code,
                    "file_name": upload.file_name,
                    "max_bytes": settings.max_file_bytes,
                    "memory_mb": memory_mb,
                    "cpu_seconds": max(1, int(seconds * 2)),
                }
            ),
            encoding="utf-8",
        )
        # one core for the check, the other stays free for the server's pages
        env = {**os.environ, "POLARS_MAX_THREADS": "1", "GX_ANALYTICS_ENABLED": "False"}
        with _slots:
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "dashboards.upload_check", str(request), str(result)],
                    cwd=REPO_ROOT,
                    env=env,
                    capture_output=True,
                    timeout=seconds,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                log.warning("upload check of %r stopped after %s s", upload.display_name, seconds)
                return limit
        if done.returncode == 0 and result.exists():
            report: FileReport = pickle.loads(result.read_bytes())
            # the child read the file at the same path; the caller's upload is the same one
            report.upload = upload
            return report
        stderr = done.stderr.decode("utf-8", "replace")[-4000:]
        if done.returncode in LIMIT_RETURN_CODES:
            log.warning(
                "upload check of %r hit a limit (exit %s): %s",
                upload.display_name,
                done.returncode,
                stderr,
            )
            return limit
        log.error(
            "upload check of %r failed (exit %s): %s",
            upload.display_name,
            done.returncode,
            stderr,
        )
        return _refusal(upload, "upload_check_failed")


def _limit_self(memory_mb: int, cpu_seconds: int) -> None:
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    os.nice(10)


def main(argv: list[str]) -> int:
    """The child: check the file described in ``argv[0]``, pickle the report to
    ``argv[1]``. Exit 0 when done, ``LIMIT_EXIT`` when out of memory."""
    # the code first, then the limits: running out of memory is then the file's doing
    import fastexcel  # noqa: F401
    import openpyxl  # noqa: F401

    from kpi.validation import validate_uploads

    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    upload = Upload(
        Path(request["path"]), request["dataset"], request["factory_code"], request["file_name"]
    )
    _limit_self(request["memory_mb"], request["cpu_seconds"])
    try:
        # the Polars interpretation of the contract's suite: feedback within a second
        report = validate_uploads([upload], request["max_bytes"], engine="polars")[0]
        Path(argv[1]).write_bytes(pickle.dumps(report))
    except MemoryError:
        return LIMIT_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
