"""Schedules: the close day and the quarterly revision.

Every morning the monthly cycle runs, so that a month whose close day has come is
released even when no file arrives that day. Once a quarter a run tagged
``kpi/revise=all`` revises every released month whose data changed since. And
``KPI_REMINDER_DAYS_BEFORE_CLOSE`` days before the open month's close day, every factory
still late is reminded by e-mail.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from assets.names import (
    MONTHLY_JOB,
    REMINDERS_JOB,
    REVISE_TAG,
    WAREHOUSE_TAG,
    WAREHOUSE_WRITER,
)
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


def reminder_day(today: dt.date) -> bool:
    """Whether ``today`` is the reminder day of the open month: the configured number of
    days (``KPI_REMINDER_DAYS_BEFORE_CLOSE``) before its close day."""
    from kpi.coordination.chase import open_month
    from kpi.disclosure.rules import load_disclosure
    from kpi.settings import get_settings

    settings = get_settings()
    disclosure = load_disclosure(settings.disclosure_config)
    close = disclosure.close_date(open_month(disclosure.close_day, today))
    return close - dt.timedelta(days=settings.reminder_days_before_close) == today


@dg.schedule(
    name="reminders",
    job_name=REMINDERS_JOB,
    cron_schedule="0 8 * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Reminds the late factories a configured number of days before the close day.",
)
def reminder_schedule(context):
    today = (context.scheduled_execution_time or dt.datetime.now()).date()
    if not reminder_day(today):
        return dg.SkipReason(f"{today}: not the reminder day of the open month")
    return dg.RunRequest(run_key=f"reminders-{today}")
