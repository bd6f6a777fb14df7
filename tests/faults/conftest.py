"""Deployments for the fault-injection suite, each with files waiting and a real
``kpi run`` process that kills itself at one stage boundary (``KPI_FAULT_AT``, see
kpi/faults.py). The processes run side by side, once for the whole folder, forked from
one warm start (tests/faults/forked_runs.py) so that they do not each pay the seconds of
importing Dagster and Great Expectations; the data is a handful of files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest

from kpi.landing import submit
from kpi.settings import REPO_ROOT, Settings
from tests.conftest import valid_rows, write_rows

FAULTS = (
    "ingest:validated",
    "store:inserted",
    "ingest:stored",
    "settle:archived#3",
    "settle:moved#3",
    "ingest:settled",
    "publish:staged",
    "publish:swapped",
)
"""Every stage boundary of kpi/faults.py; settling is killed half-way, at the third file."""

FILES = (
    ("F01", "efficiency", "accepted"),
    ("F01", "quality", "accepted"),
    ("F01", "people", "accepted"),
    ("F01", "regional", "accepted"),
    ("F04", "quality", "accepted"),
    ("F04", "people", "refused"),
    ("F08", "efficiency", "accepted"),
)
"""(factory, dataset, what becomes of it): F04's people file has negative hires."""


@dataclass
class Deployment:
    """A data directory with files submitted, and the ``kpi run`` processes started on it."""

    root: Path
    expected: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """submission id -> (factory, dataset, status it must end with)."""
    runs: list[dict] = field(default_factory=list)
    """The `kpi run` processes asked for, with their ``returncode`` once they ended."""

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def env(self) -> dict[str, str]:
        return {
            "KPI_DATA_DIR": str(self.data_dir),
            "DAGSTER_HOME": str(self.data_dir / "dagster"),
            "GX_ANALYTICS_ENABLED": "False",
        }

    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir)

    def add_run(self, fault: str | None = None) -> None:
        """Ask for a `kpi run` on this deployment (killing itself at ``fault``)."""
        index = len(self.runs)
        self.runs.append(
            {
                "env": {**self.env, **({"KPI_FAULT_AT": fault} if fault else {})},
                "stdout": str(self.root / f"run{index}.out"),
                "stderr": str(self.root / f"run{index}.err"),
            }
        )

    def output(self, index: int) -> tuple[str, str]:
        return (
            (self.root / f"run{index}.out").read_text(),
            (self.root / f"run{index}.err").read_text(),
        )


def new_deployment(root: Path) -> Deployment:
    deployment = Deployment(root)
    settings = deployment.settings()
    for factory, dataset, status in FILES:
        rows = valid_rows(dataset, factory)
        if status == "refused":
            rows = rows.with_columns(pl.lit(-4).alias("hires"))
        path = write_rows(rows, dataset, root / "files" / f"{factory}_{dataset}", "csv-semicolon")
        submission = submit(path, dataset, factory, settings, submitted_by=f"{factory}@test")
        deployment.expected[submission.submission_id] = (factory, dataset, status)
    return deployment


def start_all(deployments: list[Deployment], workdir: Path) -> None:
    """Run every deployment's `kpi run` processes at once; wait for all of them."""
    spec = workdir / "runs.json"
    runs = [run for deployment in deployments for run in deployment.runs]
    spec.write_text(json.dumps(runs))
    subprocess.run(
        [sys.executable, "-m", "tests.faults.forked_runs", str(spec)],
        check=True,
        timeout=600,
        cwd=REPO_ROOT,
        env={**os.environ, "KPI_DATA_DIR": str(workdir / "warm-up")},
    )
    done = iter(json.loads(spec.read_text()))
    for deployment in deployments:
        deployment.runs = [next(done) for _ in deployment.runs]


@pytest.fixture(scope="package")
def deployments(tmp_path_factory) -> dict[str, Deployment]:
    """One deployment per fault, its killed run ended; and one ("concurrent") where two
    runs were started at the same moment."""
    started: dict[str, Deployment] = {}
    for fault in FAULTS:
        deployment = new_deployment(tmp_path_factory.mktemp(fault.replace(":", "-")))
        deployment.add_run(fault)
        started[fault] = deployment
    concurrent = new_deployment(tmp_path_factory.mktemp("concurrent"))
    concurrent.add_run()
    concurrent.add_run()
    started["concurrent"] = concurrent
    start_all(list(started.values()), tmp_path_factory.mktemp("runs"))
    return started
