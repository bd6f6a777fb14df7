"""Where the time and memory of a run go, stage by stage, for the benchmark (`kpi bench`).

Recording is a dictionary update per stage and always on; a run writes the seconds to
the file named by ``KPI_TIMINGS_FILE`` when that is set, and beside it (``.memory.json``)
the process's peak memory (MiB) by the end of each stage's last pass, so that the stage
where the peak grew can be found. Tests never look at timings.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_seconds: dict[str, float] = defaultdict(float)
_peak_mib: dict[str, float] = {}


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time spent inside the block to stage ``name``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _seconds[name] += time.perf_counter() - start
        _peak_mib[name] = peak_mib()


def peak_mib() -> float:
    """This process's peak memory so far (MiB): its high-water mark (``VmHWM``) on Linux.
    Not ``getrusage``'s ``ru_maxrss``: a process started by another keeps, in that
    figure, the memory its parent had when it started it (across ``exec``), so a run
    started by the benchmark, which holds the generated data, reported the benchmark's
    memory whenever the run's own was smaller."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recorded() -> dict[str, float]:
    return dict(_seconds)


def peak_memory() -> dict[str, float]:
    """Stage -> the process's peak memory (MiB) when the stage last ended."""
    return dict(_peak_mib)


def write_if_requested() -> None:
    target = os.environ.get("KPI_TIMINGS_FILE")
    if target:
        Path(target).write_text(json.dumps(recorded(), indent=2))
        peaks = {**peak_memory(), RUN: peak_mib()}
        memory_file(Path(target)).write_text(json.dumps(peaks, indent=2))


RUN = "run"
"""The key of the whole run's peak in the memory file, beside each stage's."""


def memory_file(timings: Path) -> Path:
    return timings.with_suffix(".memory.json")


def reset() -> None:
    """Start counting afresh (a long-lived process, before each run)."""
    _seconds.clear()
    _peak_mib.clear()
