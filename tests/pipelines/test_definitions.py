"""A snapshot of the code location: a change to the asset graph shows up in review."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from assets.names import MONTHLY_JOB
from pipelines.definitions import build_definitions, defs


def test_definitions_load(settings):
    dg.Definitions.validate_loadable(build_definitions(settings))
    dg.Definitions.validate_loadable(defs)


def test_asset_graph_snapshot(settings):
    graph = build_definitions(settings).resolve_asset_graph()
    assert sorted(key.to_user_string() for key in graph.get_all_asset_keys()) == [
        "marts/factory_kpis",
        "marts/factory_peer_groups",
        "marts/maturity_peer_stats",
        "marts/maturity_profiles",
        "marts/maturity_releases",
        "marts/peer_stats",
        "marts/region_indicators",
        "marts/releases",
        "serving/benchmark_snapshot",
        "warehouse/efficiency",
        "warehouse/maturity",
        "warehouse/people",
        "warehouse/quality",
        "warehouse/regional",
        "warehouse/submissions",
    ]
    assert sorted(
        f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys
    ) == [
        "marts/factory_kpis:one_value_per_factory_month_kpi",
        "marts/factory_kpis:values_finite",
        "marts/maturity_peer_stats:threshold_respected",
        "marts/peer_stats:quartiles_ordered",
        "marts/peer_stats:threshold_respected",
        "marts/region_indicators:disclosure_respected",
        "serving/benchmark_snapshot:matches_serving_contract",
        "serving/benchmark_snapshot:no_factory_identity",
        "warehouse/efficiency:contract_suite",
        "warehouse/maturity:contract_suite",
        "warehouse/people:contract_suite",
        "warehouse/quality:contract_suite",
        "warehouse/regional:contract_suite",
    ]


def test_job_and_sensor(settings):
    definitions = build_definitions(settings)
    assert definitions.resolve_job_def(MONTHLY_JOB).name == MONTHLY_JOB
    assert definitions.resolve_sensor_def("landing_zone_sensor").job_name == MONTHLY_JOB
    # the close day and the quarterly revision run without anyone pressing a button
    close_day = definitions.resolve_schedule_def("close_day")
    quarterly = definitions.resolve_schedule_def("quarterly_revision")
    assert close_day.job_name == quarterly.job_name == MONTHLY_JOB
    assert quarterly.tags["kpi/revise"] == "all"
    assert quarterly.cron_schedule == "0 7 1 1,4,7,10 *"


def test_groups_follow_the_stages(settings):
    graph = build_definitions(settings).resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups["warehouse/people"] == "ingest"
    assert groups["marts/factory_kpis"] == "kpis"
    assert groups["marts/factory_peer_groups"] == "benchmarks"
    assert (
        groups["marts/releases"]
        == groups["marts/peer_stats"]
        == groups["marts/region_indicators"]
        == "releases"
    )
    assert groups["serving/benchmark_snapshot"] == "publish"
    assert groups["marts/maturity_profiles"] == "maturity"
    assert groups["marts/maturity_peer_stats"] == groups["marts/maturity_releases"] == "releases"


def test_the_instance_fails_runs_stuck_starting_or_running_too_long(settings):
    from kpi.settings import ensure_dagster_home

    home = ensure_dagster_home(settings)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 180
        assert instance.run_monitoring_max_runtime_seconds == 3600


def test_reminders_are_scheduled_the_configured_days_before_the_close_day(settings, monkeypatch):
    from kpi.settings import reset_settings_cache

    monkeypatch.setenv("KPI_REMINDER_DAYS_BEFORE_CLOSE", "4")
    reset_settings_cache()
    definitions = build_definitions(settings)
    schedule = definitions.resolve_schedule_def("reminders")
    assert schedule.job_name == "send_reminders"
    with dg.DagsterInstance.ephemeral() as instance:
        # the open month on 16 November is October, closing on 20 November (the default)
        for day, runs in (("2026-11-15", False), ("2026-11-16", True), ("2026-11-17", False)):
            context = dg.build_schedule_context(
                instance=instance,
                scheduled_execution_time=dt.datetime.fromisoformat(f"{day}T08:00:00+01:00"),
            )
            result = schedule.evaluate_tick(context)
            assert bool(result.run_requests) is runs, day
    reset_settings_cache()
