"""The Dagster code location: assembles assets, checks, jobs, sensors and resources.

It computes nothing; configuration is read once, from the ``KPI_*`` environment.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from assets import benchmarks, ingest, kpis, maturity, publish
from kpi.settings import Settings, get_settings, make_private
from pipelines.jobs import monthly_cycle_job, reminders_job
from pipelines.resources import build_resources
from pipelines.schedules import (
    close_day_schedule,
    quarterly_revision_schedule,
    reminder_schedule,
)
from pipelines.sensors import landing_zone_sensor


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Within the block, every object this process holds at its start is left out of
    Python's cyclic garbage collection (``gc.freeze``): what a process imported and built
    once (Dagster, the code location, GX in the run worker) lives as long as it does, and
    every full collection of a run walked it all again with every thread stopped (a
    history load's seven took 0.4-0.6 s; 0.12-0.18 s frozen). What the block allocates
    is collected as before. After it, they are collected as usual again: DuckDB's objects
    never collected would be reported as leaks when the process ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=dg.load_assets_from_modules([ingest, kpis, benchmarks, maturity, publish]),
        asset_checks=dg.load_asset_checks_from_modules([ingest]),
        jobs=[monthly_cycle_job, reminders_job],
        sensors=[landing_zone_sensor],
        schedules=[close_day_schedule, quarterly_revision_schedule, reminder_schedule],
        resources=build_resources(settings),
    )


# policy of every process that loads this code location (and of the runs it starts):
# what it writes in the data directory is private to the service
make_private()
defs = build_definitions(get_settings())
