"""Start many `kpi run` processes from one warm start (for the fault-injection suite).

Every run pays seconds to import Dagster and Great Expectations. This program imports
them once, then forks one child per run; each child is a process of its own that sets
its deployment's environment and runs `kpi run` through the console entry point, and
kills itself with SIGKILL where ``KPI_FAULT_AT`` says (kpi/faults.py). Usage::

    python -m tests.faults.forked_runs runs.json

``runs.json`` lists ``{"env": {...}, "stdout": path, "stderr": path}``; the exit codes
(negative: killed by that signal) are written back to it as ``"returncode"``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path


def warm_up() -> None:
    """Import what every run imports, so that the children share it."""
    import great_expectations  # noqa: F401
    import great_expectations.data_context.types.base  # noqa: F401
    import great_expectations.expectations.expectation_configuration  # noqa: F401

    import kpi.cli  # noqa: F401
    import pipelines.definitions  # noqa: F401


def child(run: dict) -> int:
    os.environ.pop("KPI_FAULT_AT", None)
    os.environ.update(run["env"])
    for fd, name in ((1, run["stdout"]), (2, run["stderr"])):
        target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
    from kpi.cli import main
    from kpi.settings import reset_settings_cache

    reset_settings_cache()
    sys.argv = ["kpi", "run", "--lang", "en"]
    try:
        main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def main() -> None:
    spec = Path(sys.argv[1])
    runs = json.loads(spec.read_text())
    warm_up()
    children = {}
    for index, run in enumerate(runs):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = child(run)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = index
    while children:
        pid, status = os.wait()
        runs[children.pop(pid)]["returncode"] = os.waitstatus_to_exitcode(status)
    spec.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
