"""The landing-zone sensor: one run for everything waiting, keyed by the files' content."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRun

from assets.names import MONTHLY_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER
from kpi.landing import submit
from pipelines.resources import build_resources
from pipelines.sensors import landing_zone_sensor


def evaluate(settings, instance):
    resources = {"platform": build_resources(settings)["platform"]}
    context = dg.build_sensor_context(instance=instance, resources=resources)
    return landing_zone_sensor(context)


def test_no_files_no_run(settings):
    with dg.instance_for_test() as instance:
        result = evaluate(settings, instance)
    assert isinstance(result, dg.SkipReason)


def test_waiting_files_start_one_run_keyed_by_their_content(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    submit(make_file("people"), "people", "F01", settings)
    with dg.instance_for_test() as instance:
        result = evaluate(settings, instance)
    (request,) = result.run_requests
    assert request.tags[WAREHOUSE_TAG] == WAREHOUSE_WRITER
    assert request.tags["kpi/files"] == "2"

    # the identical files dropped again, in another order, in a fresh landing zone
    for path in settings.pending_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    submit(make_file("people"), "people", "F01", settings)
    submit(make_file("quality"), "quality", "F01", settings)
    with dg.instance_for_test() as instance:
        again = evaluate(settings, instance)
    assert again.run_requests[0].run_key == request.run_key

    submit(make_file("regional"), "regional", "F01", settings)
    with dg.instance_for_test() as instance:
        more = evaluate(settings, instance)
    assert more.run_requests[0].run_key != request.run_key


def test_waits_while_a_monthly_cycle_runs(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    with dg.instance_for_test() as instance:
        instance.add_run(
            DagsterRun(job_name=MONTHLY_JOB, run_id="running", status=dg.DagsterRunStatus.STARTED)
        )
        result = evaluate(settings, instance)
    assert isinstance(result, dg.SkipReason)
    assert "running" in str(result.skip_message)
