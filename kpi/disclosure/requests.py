"""The coordinator's requests to close or revise a month (or a year's self-scan).

The dashboards never write the warehouse, so a button (or ``kpi release``) leaves a small
request file in ``$KPI_DATA_DIR/requests/pending/``; the next pipeline run (started by the
sensor, or at once by the CLI) carries it out as the warehouse's one writer and moves it
to ``requests/done/`` with its outcome. Carrying a request out twice does no harm: a
released month is not released again, and a revision without changes is no revision.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kpi.settings import Settings

Action = Literal["close", "revise", "close_scan", "revise_scan"]
MONTH_ACTIONS: tuple[str, ...] = ("close", "revise")
SCAN_ACTIONS: tuple[str, ...] = ("close_scan", "revise_scan")
"""Release or revise the network profile of a year's self-scan (``kpi.maturity``): the
request's period is the year, written ``YYYY``."""
ALL_MONTHS = "all"
"""``revise all``: every released month with changes waiting (the quarterly revision)."""


@dataclass(frozen=True)
class ReleaseRequest:
    action: Action
    period: dt.date | None
    """The month (the year's 1 January for a scan); None with ``revise`` means every
    released month."""
    requested_by: str | None
    requested_at: str
    path: Path


def _pending(settings: Settings) -> Path:
    return settings.data_dir / "requests" / "pending"


def _done(settings: Settings) -> Path:
    return settings.data_dir / "requests" / "done"


def parse_month(text: str) -> dt.date:
    """``2026-10`` -> 2026-10-01; ValueError otherwise."""
    year, month = text.strip().split("-")
    return dt.date(int(year), int(month), 1)


def place_request(
    settings: Settings, action: Action, period: dt.date | None, requested_by: str | None
) -> ReleaseRequest:
    """Leave a request for the next run (written whole, then renamed into place)."""
    folder = _pending(settings)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    name = f"{now.replace(':', '')}-{action}-{uuid.uuid4().hex[:8]}.json"
    body = {
        "action": action,
        "period": None
        if period is None
        else f"{period:%Y}"
        if action in SCAN_ACTIONS
        else f"{period:%Y-%m}",
        "requested_by": requested_by,
        "requested_at": now,
    }
    staging = folder / f".{name}.tmp"
    staging.write_text(json.dumps(body))
    os.replace(staging, folder / name)
    return ReleaseRequest(action, period, requested_by, now, folder / name)


def _period(action: str, text: str | None) -> dt.date | None:
    if text in (None, ALL_MONTHS):
        return None
    if action in SCAN_ACTIONS:
        return dt.date(int(str(text)), 1, 1)
    return parse_month(str(text))


def pending_requests(
    settings: Settings, actions: tuple[str, ...] = MONTH_ACTIONS
) -> list[ReleaseRequest]:
    """Requests of ``actions`` waiting, oldest first (the monthly releases by default;
    :data:`SCAN_ACTIONS` for the self-scan); unreadable ones are set aside, not fatal."""
    folder = _pending(settings)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            body = json.loads(path.read_text())
            if body["action"] not in actions:
                continue
            found.append(
                ReleaseRequest(
                    body["action"],
                    _period(body["action"], body.get("period")),
                    body.get("requested_by"),
                    body.get("requested_at", ""),
                    path,
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            path.rename(path.with_suffix(".unreadable"))
    return found


def mark_done(settings: Settings, request: ReleaseRequest, outcomes: list[dict]) -> None:
    """Move a carried-out request to ``requests/done/`` with what became of it."""
    folder = _done(settings)
    folder.mkdir(parents=True, exist_ok=True)
    body = json.loads(request.path.read_text()) if request.path.exists() else {}
    body["outcomes"] = outcomes
    (folder / request.path.name).write_text(json.dumps(body, default=str))
    request.path.unlink(missing_ok=True)
