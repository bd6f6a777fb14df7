"""Two `kpi run` started at the same moment: one processes the files, the other waits
for the warehouse, and both end cleanly, saying what they did."""

from __future__ import annotations

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
