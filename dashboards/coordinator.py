"""The coordinator's data layer for running the network: the chase list of the open
month, every refusal with its status, the completeness of each month, reminders,
exemptions and promised dates, and what closing a month would publish.

Like ``dashboards.data`` it returns statuses, rule names, rows and columns - never a
value of a factory's figures. What the coordinator notes is kept in the data directory
(``kpi.coordination.notes``), never in the warehouse.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from dashboards.data import Viewer, require, submission_grid, submissions
from kpi.coordination.chase import all_refusals, chase_list, open_month
from kpi.coordination.mail import rule_label, send_reminders
from kpi.coordination.notes import CoordinatorNotes
from kpi.register import current_register
from kpi.settings import get_settings


def _notes() -> CoordinatorNotes:
    return CoordinatorNotes(get_settings())


def refusals(viewer: Viewer) -> list[dict]:
    """Every refused file (pipeline runs and the upload page), newest first, with its
    reasons (severity, rule, row, column) and status 'open' or 'resolved'."""
    require(viewer, "coordinator")
    register = current_register(get_settings())
    found = all_refusals(submissions(viewer), _notes().refusals())
    for refusal in found:
        if refusal["factory_name"] is None:
            factory = register.by_code(refusal["factory_code"])
            refusal["factory_name"] = factory.name if factory else "?"
    return found


def report_lines(dataset: str, reasons: list[dict], lang: str) -> list[dict]:
    """The full report of a refusal as rows: severity, row, column and what the rule
    checks (never a value)."""
    return [
        {
            "severity": r.get("severity"),
            "row": r.get("row"),
            "column": r.get("column"),
            "rule": rule_label(dataset, r.get("rule") or "", lang),
        }
        for r in reasons
    ]


def chase(viewer: Viewer, today: dt.date | None = None) -> dict:
    """The open month, its close date, and its chase list: per factory and dataset not
    delivered, the status ('late' or 'refused'), the reasons, the contact, the promised
    date and the last reminder."""
    require(viewer, "coordinator")
    from kpi.disclosure.rules import load_disclosure
    from kpi.landing import list_pending

    settings = get_settings()
    disclosure = load_disclosure(settings.disclosure_config)
    month = open_month(disclosure.close_day, today)
    notes = _notes()
    waiting = [(s.factory_code, s.dataset) for s in list_pending(settings)]
    rows = chase_list(
        month,
        current_register(settings),
        submissions(viewer),
        refusals(viewer),
        waiting,
        notes.exempt(month),
    )
    promised = notes.promised(month)
    reminded: dict[str, str] = {}
    for entry in notes.reminders():
        if entry["month"] == f"{month:%Y-%m}":
            reminded[entry["factory_code"]] = entry["sent_at"]
    for row in rows:
        row["promised"] = promised.get(row["factory_code"])
        row["reminded_at"] = reminded.get(row["factory_code"])
    return {
        "month": month,
        "close_date": disclosure.close_date(month),
        "rows": rows,
        "exempt": sorted(notes.exempt(month)),
    }


def remind(viewer: Viewer, factory_codes: set[str] | None = None) -> list[dict]:
    """Send reminders of the open month to the factories of the chase list (all, or
    ``factory_codes``); one outcome per factory (see ``kpi.coordination.mail``)."""
    state = chase(viewer)
    return send_reminders(
        get_settings(),
        state["rows"],
        state["month"],
        state["close_date"],
        by=viewer.email,
        only=factory_codes,
    )


def _close_day() -> int:
    from kpi.disclosure.rules import load_disclosure

    return load_disclosure(get_settings().disclosure_config).close_day


def _open_month() -> dt.date:
    return open_month(_close_day())


def set_exempt(viewer: Viewer, factory_code: str, exempt: bool = True) -> dt.date:
    """Mark ``factory_code`` exempt for the open month (a shutdown), or lift it."""
    require(viewer, "coordinator")
    month = _open_month()
    _notes().set_exempt(factory_code, month, viewer.email, exempt)
    return month


def note_promise(viewer: Viewer, factory_code: str, promised: dt.date) -> dt.date:
    """Note the date by which ``factory_code`` promised the open month's files."""
    require(viewer, "coordinator")
    month = _open_month()
    _notes().promise(factory_code, month, promised, viewer.email)
    return month


def grid(viewer: Viewer, month_count: int = 12, today: dt.date | None = None) -> pl.DataFrame:
    """The submission grid (ok, refused, late, missing) with what the register and the
    notes add: 'not_member' before a factory joined or after it left, 'exempt' for an
    exempted month, and 'refused' for a refusal on the upload page."""
    register = current_register(get_settings())
    exempt = _notes().exempt_cells()
    open_refused = {
        (r["factory_code"], r["dataset"], month)
        for r in refusals(viewer)
        if r["status"] == "open" and r["source"] == "upload"
        for month in r["periods"]
    }
    # the grid ends with the open month (the chase list's month)
    month = open_month(_close_day(), today)
    cells = submission_grid(viewer, month_count, (month + dt.timedelta(days=32)).replace(day=1))
    members = {
        (f.code, month)
        for f in register.factories
        for month in cells["month"].unique().to_list()
        if f.expected_in(dt.date.fromisoformat(f"{month}-01"))
    }
    statuses = [
        "not_member"
        if (code, month) not in members
        else "exempt"
        if (code, month) in exempt and status != "ok"
        else "refused"
        if status in ("late", "missing") and (code, dataset, month) in open_refused
        else status
        for code, dataset, month, status in cells.select(
            "factory_code", "dataset", "month", "status"
        ).iter_rows()
    ]
    return cells.with_columns(pl.Series("status", statuses, dtype=pl.String))


def completeness(cells: pl.DataFrame) -> pl.DataFrame:
    """Per month, newest first: the factories expected (members, not exempt), those that
    submitted every dataset, and the share."""
    per_factory = (
        cells.filter(~pl.col("status").is_in(["not_member", "exempt"]))
        .group_by("month", "factory_code")
        .agg((pl.col("status") == "ok").all().alias("complete"))
    )
    return (
        per_factory.group_by("month")
        .agg(pl.len().alias("expected"), pl.col("complete").sum().alias("complete"))
        .with_columns((pl.col("complete") / pl.col("expected")).alias("share"))
        .sort("month", descending=True)
    )


def release_preview(viewer: Viewer, month: dt.date) -> dict:
    """What closing ``month`` now would publish, as far as can be known before the run:
    the factories that submitted, the contributors they make (company groups count as
    one) and the thresholds they must reach. No figure."""
    require(viewer, "coordinator")
    from kpi.disclosure.rules import load_disclosure

    settings = get_settings()
    register = current_register(settings)
    disclosure = load_disclosure(settings.disclosure_config)
    wanted = f"{month:%Y-%m}"
    stored = {
        row["factory_code"]
        for row in submissions(viewer).filter(pl.col("status") != "refused").iter_rows(named=True)
        if wanted in (row["periods"] or [])
    }
    factories = [f for f in register.factories if f.code in stored]
    return {
        "month": month,
        "submitted": len(factories),
        "expected": sum(f.expected_in(month) for f in register.factories),
        "contributors": len({f.company or f.code for f in factories}),
        "median_min": max(disclosure.median_min_n, disclosure.threshold),
        "quartiles_min": max(disclosure.quartiles_min_n, disclosure.threshold),
    }


def release_outcomes(viewer: Viewer, limit: int = 10) -> list[dict]:
    """The last requests carried out (``requests/done/``), newest first, with outcomes."""
    require(viewer, "coordinator")
    folder = get_settings().data_dir / "requests" / "done"
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json"), reverse=True)[:limit]:
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return found
