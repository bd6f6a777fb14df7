"""Two `kpi run` started at the same moment: one processes the files, the other waits
for the warehouse, and both end cleanly, saying what they did."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from tests.faults.conftest import FILES


def test_two_runs_at_once_both_end_cleanly_each_file_once(deployments):
    deployment = deployments["concurrent"]
    outputs = [deployment.output(i) for i in range(2)]
    for run, (out, err) in zip(deployment.runs, outputs, strict=True):
        assert run["returncode"] == 0, (out, err)
        assert "Traceback" not in err
    reports = [
        line
        for out, _ in outputs
        for line in out.splitlines()
        if line.startswith(("accepted", "refused"))
    ]
    # every file reported by exactly one of the two runs
    assert sorted(line.split()[-1] for line in reports) == sorted(
        f"{factory}_{dataset}.csv" for factory, dataset, _ in FILES
    )
    assert any("no files were waiting" in out for out, _ in outputs) or all(
        "accepted" in out or "refused" in out for out, _ in outputs
    )
    with duckdb.connect(str(deployment.settings().warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions").fetchall() == [(len(FILES),)]


HOLD_THE_WAREHOUSE = """
import sys, time, duckdb
from filelock import FileLock
with FileLock(sys.argv[1]), duckdb.connect(sys.argv[2]) as con:
    print("holding", flush=True)
    time.sleep(3)
"""


def test_the_summary_of_a_run_waits_while_another_run_writes(settings, make_file, capsys):
    from kpi.cli import _print_run
    from kpi.ingest import ingest_pending
    from kpi.landing import submit

    submit(make_file("quality"), "quality", "F01", settings)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ingest_pending(con, settings, run_id="this-run")
    # another run takes the warehouse right after this one stored its files
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WAREHOUSE, str(settings.warehouse_lock_path),
         str(settings.warehouse_path)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert other.stdout.readline().strip() == "holding"
        _print_run(settings, "this-run", "en")
    finally:
        other.wait(timeout=60)
    assert other.returncode == 0
    assert capsys.readouterr().out.startswith(
        "accepted    quality     2025-10, 2025-11, 2025-12 F01_quality.csv"
    )
