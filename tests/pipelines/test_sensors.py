"""The landing-zone sensor: one run for everything waiting, keyed by the submissions;
a batch a run did not finish is tried again; a run whose process died blocks nothing."""

from __future__ import annotations

import datetime as dt
import subprocess

import dagster as dg
import duckdb
from dagster._core.storage.dagster_run import DagsterRun

from assets.names import MONTHLY_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER
from kpi.ingest import ingest_pending
from kpi.landing import list_pending, submit
from kpi.warehouse import mark_unpublished
from pipelines.monitoring import PROCESS_TAG, this_process
from pipelines.resources import build_resources
from pipelines.sensors import BATCH_TAG, landing_zone_sensor


def evaluate(settings, instance):
    resources = {"platform": build_resources(settings)["platform"]}
    context = dg.build_sensor_context(instance=instance, resources=resources)
    return landing_zone_sensor(context)


def process_waiting(settings):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        result = ingest_pending(con, settings, run_id="r", today=dt.date(2026, 1, 15))
        statuses = con.execute("SELECT status FROM submissions ORDER BY processed_at").fetchall()
    return result, [s for (s,) in statuses]


def test_no_files_no_run(settings):
    with dg.instance_for_test() as instance:
        result = evaluate(settings, instance)
    assert isinstance(result, dg.SkipReason)


def test_waiting_files_start_one_run_for_the_whole_batch(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    submit(make_file("people"), "people", "F01", settings)
    with dg.instance_for_test() as instance:
        result = evaluate(settings, instance)
        again = evaluate(settings, instance)
        submit(make_file("regional"), "regional", "F01", settings)
        more = evaluate(settings, instance)
    (request,) = result.run_requests
    assert request.tags[WAREHOUSE_TAG] == WAREHOUSE_WRITER
    assert request.tags["kpi/files"] == "2"
    assert again.run_requests[0].run_key == request.run_key
    assert more.run_requests[0].run_key != request.run_key


def test_the_identical_file_uploaded_again_after_processing_is_processed(settings, make_file):
    path = make_file("quality")
    submit(path, "quality", "F01", settings)
    with dg.instance_for_test() as instance:
        first = evaluate(settings, instance).run_requests[0]
        assert process_waiting(settings)[1] == ["accepted"]

        submit(path, "quality", "F01", settings)
        second = evaluate(settings, instance).run_requests[0]
    # a run key Dagster has seen is never run again: the new upload has its own
    assert second.run_key != first.run_key
    result, statuses = process_waiting(settings)
    assert statuses == ["accepted", "unchanged"]
    assert list_pending(settings) == []


def test_a_batch_whose_run_failed_is_tried_again_then_less_often(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    with dg.instance_for_test() as instance:
        request = evaluate(settings, instance).run_requests[0]
        batch = request.tags[BATCH_TAG]
        instance.add_run(
            DagsterRun(
                job_name=MONTHLY_JOB,
                run_id="failed-1",
                status=dg.DagsterRunStatus.FAILURE,
                tags={BATCH_TAG: batch},
            )
        )
        retry = evaluate(settings, instance)
        assert retry.run_requests[0].run_key == f"{batch}-1"
        assert retry.run_requests[0].run_key != request.run_key

        instance.add_run(
            DagsterRun(
                job_name=MONTHLY_JOB,
                run_id="failed-2",
                status=dg.DagsterRunStatus.FAILURE,
                tags={BATCH_TAG: batch},
            )
        )
        later = evaluate(settings, instance)
    assert isinstance(later, dg.SkipReason)
    assert "2 run(s) for them ended without finishing them; next attempt at" in str(
        later.skip_message
    )


def test_waits_while_a_monthly_cycle_runs(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    with dg.instance_for_test() as instance:
        instance.add_run(
            DagsterRun(
                job_name=MONTHLY_JOB,
                run_id="running",
                status=dg.DagsterRunStatus.STARTED,
                tags={PROCESS_TAG: this_process()},
            )
        )
        result = evaluate(settings, instance)
        assert instance.get_run_by_id("running").status == dg.DagsterRunStatus.STARTED
    assert isinstance(result, dg.SkipReason)
    assert "a monthly cycle is running" in str(result.skip_message)


def add_run_of_a_dead_process(instance: dg.DagsterInstance, run_id: str) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    host = this_process().split(":")[0]
    instance.add_run(
        DagsterRun(
            job_name=MONTHLY_JOB,
            run_id=run_id,
            status=dg.DagsterRunStatus.STARTED,
            tags={PROCESS_TAG: f"{host}:{gone.pid}:12345"},
        )
    )


def test_a_run_whose_process_died_is_failed_and_the_next_one_starts(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    with dg.instance_for_test() as instance:
        add_run_of_a_dead_process(instance, "killed")
        result = evaluate(settings, instance)
        assert instance.get_run_by_id("killed").status == dg.DagsterRunStatus.FAILURE
        (failure,) = [
            e
            for e in instance.all_logs("killed")
            if e.dagster_event and e.dagster_event.event_type_value == "PIPELINE_FAILURE"
        ]
    assert len(result.run_requests) == 1
    assert "is gone; the run was marked failed so that the next one can start" in (
        failure.dagster_event.message or ""
    )


def test_a_snapshot_behind_the_warehouse_starts_a_run(settings):
    mark_unpublished(settings)
    with dg.instance_for_test() as instance:
        result = evaluate(settings, instance)
    (request,) = result.run_requests
    assert request.tags["kpi/files"] == "0"
    assert request.run_key.startswith("publish-")


def test_a_dead_run_is_failed_even_when_nothing_waits(settings):
    with dg.instance_for_test() as instance:
        add_run_of_a_dead_process(instance, "killed")
        result = evaluate(settings, instance)
        assert instance.get_run_by_id("killed").status == dg.DagsterRunStatus.FAILURE
    assert isinstance(result, dg.SkipReason)
