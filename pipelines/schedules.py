"""Schedules: the close day and the quarterly revision.

Every morning the monthly cycle runs, so that a month whose close day has come is
released even when no file arrives that day. Once a quarter a run tagged
``kpi/revise=all`` revises every released month whose data changed since.
"""

from __future__ import annotations

import dagster as dg

from assets.names import MONTHLY_JOB, REVISE_TAG, WAREHOUSE_TAG, WAREHOUSE_WRITER
from kpi.disclosure.requests import ALL_MONTHS

TIMEZONE = "Europe/Brussels"

close_day_schedule = dg.ScheduleDefinition(
    name="close_day",
    job_name=MONTHLY_JOB,
    cron_schedule="0 6 * * *",
    execution_timezone=TIMEZONE,
    tags={WAREHOUSE_TAG: WAREHOUSE_WRITER},
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Releases every month whose close day has come (config/disclosure.yaml).",
)

quarterly_revision_schedule = dg.ScheduleDefinition(
    name="quarterly_revision",
    job_name=MONTHLY_JOB,
    cron_schedule="0 7 1 1,4,7,10 *",
    execution_timezone=TIMEZONE,
    tags={WAREHOUSE_TAG: WAREHOUSE_WRITER, REVISE_TAG: ALL_MONTHS},
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Revises every released month whose data changed, where the rules allow.",
)
