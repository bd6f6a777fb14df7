"""Who must still send which file, and every refusal with its status.

Works on what the coordinator may see: the snapshot's submissions (status, months and the
reasons of a refusal: severity, rule, row, column) and the refusals noted on the upload
page. Never a value of a factory's figures.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from kpi.contracts import DATASETS
from kpi.register import FactoryRegister

LATE = "late"
REFUSED = "refused"


def _moment(value: object) -> dt.datetime:
    """A time as an aware UTC datetime (the snapshot's and the notes' alike)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _reasons(value: object) -> list[dict]:
    items = json.loads(value) if isinstance(value, str) else list(value or [])
    return [{key: item.get(key) for key in ("severity", "rule", "row", "column")} for item in items]


def all_refusals(submissions: pl.DataFrame, upload_refusals: list[dict]) -> list[dict]:
    """Every refused file, from a pipeline run (``source`` 'pipeline') or the upload page
    ('upload'), newest first, each with its reasons and a ``status``: 'resolved' when the
    same factory later had a file of that dataset accepted for the same months (any
    month, when the refused file's months could not be read), else 'open'."""
    accepted = [
        (row["factory_code"], row["dataset"], _moment(row["received_at"]), set(row["periods"]))
        for row in submissions.filter(pl.col("status") != "refused").iter_rows(named=True)
    ]
    found = [
        {
            "source": "pipeline",
            "factory_code": row["factory_code"],
            "factory_name": row["factory_name"],
            "dataset": row["dataset"],
            "file_name": row["file_name"],
            "periods": list(row["periods"] or []),
            "received_at": _moment(row["received_at"]),
            "submitted_by": row["submitted_by"],
            "reasons": _reasons(row["reasons"]),
        }
        for row in submissions.filter(pl.col("status") == "refused").iter_rows(named=True)
    ]
    found += [
        {
            "source": "upload",
            "factory_code": entry["factory_code"],
            "factory_name": None,
            "dataset": entry["dataset"],
            "file_name": entry["file_name"],
            "periods": list(entry.get("periods") or []),
            "received_at": _moment(entry["received_at"]),
            "submitted_by": entry.get("submitted_by"),
            "reasons": _reasons(entry["reasons"]),
        }
        for entry in upload_refusals
    ]
    for refusal in found:
        months = set(refusal["periods"])
        refusal["status"] = (
            "resolved"
            if any(
                code == refusal["factory_code"]
                and dataset == refusal["dataset"]
                and received > refusal["received_at"]
                and (not months or months <= periods)
                for code, dataset, received, periods in accepted
            )
            else "open"
        )
    return sorted(found, key=lambda r: r["received_at"], reverse=True)


def chase_list(
    month: dt.date,
    register: FactoryRegister,
    submissions: pl.DataFrame,
    refusals: list[dict],
    waiting: list[tuple[str, str]],
    exempt: set[str],
) -> list[dict]:
    """Each factory expected to report ``month`` (a member then, not exempt) and each
    dataset it has not delivered: 'refused' when its last file for it was refused and is
    not resolved, else 'late'. ``refusals`` as :func:`all_refusals` gives them;
    ``waiting``: (factory, dataset) of files accepted and waiting for the next run."""
    wanted = f"{month:%Y-%m}"
    stored = {
        (row["factory_code"], row["dataset"])
        for row in submissions.filter(pl.col("status") != "refused").iter_rows(named=True)
        if wanted in (row["periods"] or [])
    }
    last_refusal: dict[tuple[str, str], dict] = {}
    for refusal in refusals:  # newest first: keep the first one seen
        if refusal["status"] == "open" and (not refusal["periods"] or wanted in refusal["periods"]):
            last_refusal.setdefault((refusal["factory_code"], refusal["dataset"]), refusal)
    rows = []
    for factory in register.factories:
        if not factory.expected_in(month) or factory.code in exempt:
            continue
        for dataset in DATASETS:
            cell = (factory.code, dataset)
            if cell in stored or cell in waiting:
                continue
            refusal = last_refusal.get(cell)
            rows.append(
                {
                    "factory_code": factory.code,
                    "factory_name": factory.name,
                    "dataset": dataset,
                    "status": REFUSED if refusal else LATE,
                    "reasons": refusal["reasons"] if refusal else [],
                    "contact": factory.contact,
                    "language": factory.language or "nl",
                }
            )
    return rows


def open_month(close_day: int, today: dt.date | None = None) -> dt.date:
    """The month the factories are reporting now: last month until its close day
    (``close_day`` of this month), this month after it."""
    day = today or dt.date.today()
    this_month = day.replace(day=1)
    if day.day <= close_day:
        return (this_month - dt.timedelta(days=1)).replace(day=1)
    return this_month


def snapshot_submissions(settings) -> pl.DataFrame:
    """Every submission in the serving snapshot, as the coordinator sees it: statuses,
    months and refusal reasons, no value (for the reminder schedule and the CLI)."""
    from kpi.serving import open_snapshot

    with open_snapshot(settings.serving_path) as con:
        return con.sql(
            "SELECT factory_code, factory_name, dataset, file_name, periods, status, "
            "received_at, submitted_by, reasons FROM coordinator_submissions"
        ).pl()


def current_chase(settings, month: dt.date) -> list[dict]:
    """The chase list of ``month`` from the snapshot, the coordinator's notes and the
    files waiting in the landing zone."""
    from kpi.coordination.notes import CoordinatorNotes
    from kpi.landing import list_pending
    from kpi.register import current_register

    notes = CoordinatorNotes(settings)
    refusals = all_refusals(snapshot_submissions(settings), notes.refusals())
    waiting = [(s.factory_code, s.dataset) for s in list_pending(settings)]
    return chase_list(
        month,
        current_register(settings),
        snapshot_submissions(settings),
        refusals,
        waiting,
        notes.exempt(month),
    )
