"""The learning log is written by several page sessions at once: no entry is lost, and
the file stays private."""

from __future__ import annotations

import multiprocessing
import stat

from kpi.learning.log import LearningLog
from kpi.settings import Settings


def _append_many(data_dir: str, worker: int) -> None:
    log = LearningLog(Settings(data_dir=data_dir))
    for i in range(15):
        log.consent(f"F{worker:02d}", f"offer:quality-{i}", True, f"w{worker}@test")


def test_concurrent_sessions_lose_no_entry(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), w)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    log = LearningLog(Settings(data_dir=tmp_path))
    entries = log.entries()
    assert len(entries) == 60
    assert len({e["entry_id"] for e in entries}) == 60
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
