"""A snapshot of the code location: a change to the asset graph shows up in review."""

from __future__ import annotations

import dagster as dg

from assets.names import MONTHLY_JOB
from pipelines.definitions import build_definitions, defs


def test_definitions_load(settings):
    dg.Definitions.validate_loadable(build_definitions(settings))
    dg.Definitions.validate_loadable(defs)


def test_asset_graph_snapshot(settings):
    graph = build_definitions(settings).resolve_asset_graph()
    assert sorted(key.to_user_string() for key in graph.get_all_asset_keys()) == [
        "warehouse/efficiency",
        "warehouse/people",
        "warehouse/quality",
        "warehouse/regional",
        "warehouse/submissions",
    ]
    assert sorted(
        f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys
    ) == [
        "warehouse/efficiency:contract_suite",
        "warehouse/people:contract_suite",
        "warehouse/quality:contract_suite",
        "warehouse/regional:contract_suite",
    ]


def test_job_and_sensor(settings):
    definitions = build_definitions(settings)
    assert definitions.resolve_job_def(MONTHLY_JOB).name == MONTHLY_JOB
    assert definitions.resolve_sensor_def("landing_zone_sensor").job_name == MONTHLY_JOB
