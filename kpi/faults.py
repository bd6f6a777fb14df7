"""Fault injection for the recovery tests (``tests/faults/``).

A run passes named points at the boundaries of its stages. When the environment variable
``KPI_FAULT_AT`` names one (``ingest:stored``, or ``settle:archived#3`` for the third
time the point is passed), the process kills itself there with SIGKILL: no handler, no
``finally``, no flush, as after a power cut or the OOM killer. Unset, a point costs one
dictionary lookup. The points, in the order a run passes them:

``ingest:validated``  files read and validated, nothing stored yet
``store:inserted``    rows and audit-log lines written, transaction not committed
``ingest:stored``     transaction committed, no file moved out of the landing zone
``settle:archived``   a file's archive (or quarantine) record written, the file not moved
``settle:moved``      a file moved, its landing-zone metadata not yet removed
``ingest:settled``    every file moved; KPIs, statistics and snapshot not yet refreshed
``publish:staged``    the new snapshot written beside the current one, not swapped in
``publish:swapped``   the new snapshot swapped in, the warehouse not yet marked published
"""

from __future__ import annotations

import os
import signal
from collections import Counter

FAULT_ENV = "KPI_FAULT_AT"
POINTS = (
    "ingest:validated",
    "store:inserted",
    "ingest:stored",
    "settle:archived",
    "settle:moved",
    "ingest:settled",
    "publish:staged",
    "publish:swapped",
)

_passes: Counter[str] = Counter()


def fault_point(name: str) -> None:
    """Kill this process here if ``KPI_FAULT_AT`` names this point (and pass count)."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    _passes[name] += 1
    if _passes[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
