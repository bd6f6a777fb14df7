"""Where the time of a run goes, stage by stage, for the benchmark (`kpi bench`).

Recording is a dictionary update per stage and always on; a run writes the figures to
the file named by ``KPI_TIMINGS_FILE`` when that is set. Tests never look at timings.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_seconds: dict[str, float] = defaultdict(float)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time spent inside the block to stage ``name``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _seconds[name] += time.perf_counter() - start


def recorded() -> dict[str, float]:
    return dict(_seconds)


def write_if_requested() -> None:
    target = os.environ.get("KPI_TIMINGS_FILE")
    if target:
        Path(target).write_text(json.dumps(recorded(), indent=2))


def reset() -> None:
    """Start counting afresh (a long-lived process, before each run)."""
    _seconds.clear()
