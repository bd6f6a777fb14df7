"""Shared fixtures: a fresh data directory per test, and valid rows to spoil."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

from kpi.demo import FileStyle, generate, months_until, write_file  # noqa: E402
from kpi.settings import Settings, get_settings, reset_settings_cache  # noqa: E402

LAST_MONTH = dt.date(2025, 12, 1)
"""Test data ends here: a fixed month in the past keeps every test deterministic."""


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings of a brand-new deployment whose data directory is in ``tmp_path``."""
    monkeypatch.setenv("KPI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "data" / "dagster"))
    monkeypatch.delenv("KPI_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("KPI_MAX_FILE_MB", raising=False)
    monkeypatch.delenv("KPI_LANG", raising=False)
    reset_settings_cache()
    yield get_settings()
    reset_settings_cache()


def valid_rows(
    dataset: str, factory: str = "F01", months: int = 3, last: dt.date = LAST_MONTH, seed: int = 7
) -> pl.DataFrame:
    """Rows of ``dataset`` that satisfy every rule of its contract."""
    sector = {"F01": "powertrain", "F04": "chassis", "F08": "electronics"}.get(factory, "chassis")
    return generate([(factory, sector)], months_until(last, months), seed)[dataset]


def write_rows(rows: pl.DataFrame, dataset: str, path: Path, kind: str = "csv-comma") -> Path:
    """Write rows as a factory would (xlsx, csv-comma or csv-semicolon)."""
    return write_file(rows, dataset, FileStyle(kind), path)


@pytest.fixture
def make_file(tmp_path: Path):
    """Write valid (or spoiled) rows of a dataset into a file in ``tmp_path``."""

    def make(
        dataset: str,
        factory: str = "F01",
        *,
        months: int = 3,
        kind: str = "csv-comma",
        name: str | None = None,
        change=None,
        last: dt.date = LAST_MONTH,
    ) -> Path:
        rows = valid_rows(dataset, factory, months, last)
        if change is not None:
            rows = change(rows)
        return write_rows(
            rows, dataset, tmp_path / "files" / (name or f"{factory}_{dataset}"), kind
        )

    return make


def free_port() -> int:
    """A TCP port of localhost that nothing listens on now (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
