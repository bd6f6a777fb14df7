"""kill -9 at every stage boundary of a real `kpi run`; then the sensor and the next run
finish the job: each file stored and logged exactly once, moved out of the landing zone
exactly once, the snapshot readable and current, nothing left behind, no run blocking."""

from __future__ import annotations

import signal
import stat

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from assets.names import MONTHLY_JOB
from kpi.cli import app
from kpi.landing import META_SUFFIX, REPORT_SUFFIX, list_pending
from kpi.serving import open_snapshot
from kpi.settings import reset_settings_cache
from pipelines.resources import build_resources
from pipelines.sensors import landing_zone_sensor
from tests.faults.conftest import FAULTS

EXPECTED_ROWS = {"efficiency": 6, "quality": 6, "people": 3, "regional": 3}
"""Three months per accepted file (F04's refused people file stores nothing)."""


@pytest.fixture
def recovered(request, deployments, monkeypatch):
    """The deployment after its killed run: the sensor's tick, then the next `kpi run`."""
    deployment = deployments[request.param]
    monkeypatch.setenv("KPI_DATA_DIR", str(deployment.data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(deployment.data_dir / "dagster"))
    monkeypatch.delenv("KPI_FAULT_AT", raising=False)
    reset_settings_cache()
    yield deployment
    reset_settings_cache()


def runs(instance: dg.DagsterInstance) -> dict[str, dg.DagsterRunStatus]:
    return {
        r.dagster_run.run_id: r.dagster_run.status
        for r in instance.get_run_records(dg.RunsFilter(job_name=MONTHLY_JOB))
    }


@pytest.mark.parametrize("recovered", FAULTS, indirect=True)
def test_a_killed_run_is_finished_by_the_next_one(recovered):
    deployment = recovered
    settings = deployment.settings()
    (killed,) = deployment.runs
    assert killed["returncode"] == -signal.SIGKILL, deployment.output(0)

    # the sensor is not blocked by the dead run: it fails it and asks for a new one
    home = deployment.data_dir / "dagster"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (dead_run,) = [i for i, s in runs(instance).items() if s == dg.DagsterRunStatus.STARTED]
        context = dg.build_sensor_context(
            instance=instance, resources={"platform": build_resources(settings)["platform"]}
        )
        tick = landing_zone_sensor(context)
        assert runs(instance)[dead_run] == dg.DagsterRunStatus.FAILURE
    assert isinstance(tick, dg.SensorResult), tick
    assert len(tick.run_requests) == 1

    result = CliRunner().invoke(app, ["run", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output

    # nothing waits, nothing is left half-done
    assert list_pending(settings) == []
    leftovers = [p for p in settings.pending_dir.rglob("*") if p.is_file()]
    assert leftovers == []
    debris = [p for p in deployment.data_dir.rglob("*") if ".tmp" in p.name]
    assert debris == []
    assert not settings.unpublished_path.exists()

    # every file logged once, with the outcome it deserves
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        audit = con.execute(
            "SELECT submission_id, count(*), any_value(status) FROM submissions GROUP BY 1"
        ).fetchall()
        stored = {
            dataset: con.execute(f"SELECT count(*) FROM {dataset}").fetchall()[0][0]
            for dataset in EXPECTED_ROWS
        }
    assert {sid: (n, status) for sid, n, status in audit} == {
        sid: (1, status) for sid, (_, _, status) in deployment.expected.items()
    }
    assert stored == EXPECTED_ROWS

    # every file moved out exactly once: accepted to the archive, refused to the
    # quarantine with the report the uploader reads
    for sid, (factory, dataset, status) in deployment.expected.items():
        copies = [
            p
            for base in (settings.archive_dir, settings.quarantine_dir)
            for p in base.rglob(f"{sid}__*")
            if not p.name.endswith((META_SUFFIX, REPORT_SUFFIX))
        ]
        base = settings.quarantine_dir if status == "refused" else settings.archive_dir
        assert [p.parent for p in copies] == [base / dataset / factory], sid
        if status == "refused":
            report = copies[0].with_name(copies[0].stem + REPORT_SUFFIX).read_text()
            assert "REFUSED: F04_people.csv (people, F04); nothing was stored." in report
            assert "row 2, column hires: -4 is below the minimum 0." in report

    # the snapshot is readable and made by the run that finished the job
    with dg.DagsterInstance.from_config(str(home)) as instance:
        statuses = runs(instance)
    (finisher,) = [i for i, s in statuses.items() if s == dg.DagsterRunStatus.SUCCESS]
    assert not {dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING} & set(statuses.values())
    with open_snapshot(settings.serving_path) as snapshot:
        ((source_run,),) = snapshot.execute("SELECT source_run_id FROM snapshot_info").fetchall()
        ((logged,),) = snapshot.execute("SELECT count(*) FROM coordinator_submissions").fetchall()
        ((figures,),) = snapshot.execute("SELECT count(*) FROM own_kpis").fetchall()
    assert source_run == finisher
    assert logged == len(deployment.expected)
    assert figures > 0

    # and everything in the data directory is the service's alone
    for path in [deployment.data_dir, *deployment.data_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
