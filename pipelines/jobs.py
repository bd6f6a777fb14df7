"""Jobs: the monthly cycle materialises every asset, as one writer of the warehouse; the
reminders job only reads the serving snapshot and writes e-mails."""

from __future__ import annotations

import dagster as dg

from assets.names import MONTHLY_JOB, REMINDERS_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER

monthly_cycle_job = dg.define_asset_job(
    MONTHLY_JOB,
    selection=dg.AssetSelection.all(),
    tags={WAREHOUSE_TAG: WAREHOUSE_WRITER},
    # one process: the warehouse has one writer, and imports (GX) are paid once per run
    executor_def=dg.in_process_executor,
    description="Process waiting files and refresh everything downstream of them.",
)


@dg.op(required_resource_keys={"platform"})
def send_reminders_op(context) -> None:
    """Remind every factory on the open month's chase list (late, or last file refused)
    of what it still has to send; a factory reminded today already is not written again."""
    from kpi.coordination.chase import current_chase, open_month
    from kpi.coordination.mail import send_reminders
    from kpi.disclosure.rules import load_disclosure

    settings = context.resources.platform.settings()
    if not settings.serving_path.exists():
        context.log.info("nothing published yet: no reminders")
        return
    disclosure = load_disclosure(settings.disclosure_config)
    month = open_month(disclosure.close_day)
    close = disclosure.close_date(month)
    outcomes = send_reminders(settings, current_chase(settings, month), month, close, "schedule")
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome["outcome"]] = counts.get(outcome["outcome"], 0) + 1
    context.log.info(f"reminders for {month:%Y-%m}: {counts or 'nobody to remind'}")


@dg.job(name=REMINDERS_JOB, description="Remind the factories still late for the open month.")
def reminders_job() -> None:
    send_reminders_op()
