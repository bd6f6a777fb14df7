"""The coordinator's notes: a small JSON file in the data directory, shared by every
dashboard process and the reminder schedule through a file lock."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from kpi.settings import Settings
from kpi.users import _write_private

MAX_REFUSALS = 5000
"""Upload-page refusals kept (the oldest are forgotten first)."""
MAX_REMINDERS = 5000


def _key(factory_code: str, month: dt.date) -> str:
    return f"{factory_code}|{month:%Y-%m}"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class CoordinatorNotes:
    """``$KPI_DATA_DIR/coordination/notes.json``: exemptions and promised dates per factory
    and month, the refusals made on the upload page (reasons only: severity, rule, row,
    column - never a value), and the log of reminders sent."""

    def __init__(self, settings: Settings) -> None:
        folder = settings.data_dir / "coordination"
        self.path: Path = folder / "notes.json"
        self._lock = FileLock(str(settings.data_dir / ".coordination.lock"), timeout=10)

    def _load(self) -> dict:
        if not self.path.exists():
            return {"exempt": {}, "promised": {}, "refusals": [], "reminders": []}
        document = json.loads(self.path.read_text(encoding="utf-8"))
        for name, empty in (("exempt", {}), ("promised", {}), ("refusals", []), ("reminders", [])):
            document.setdefault(name, empty)
        return document

    def _update(self, change: Callable[[dict], None]) -> None:
        with self._lock:
            document = self._load()
            change(document)
            _write_private(self.path, json.dumps(document, indent=1, default=str))

    # --- exemptions and promises -----------------------------------------------------

    def set_exempt(self, factory_code: str, month: dt.date, by: str, exempt: bool = True) -> None:
        """Mark ``factory_code`` exempt for ``month`` (e.g. a shutdown): it is not late."""

        def change(document: dict) -> None:
            if exempt:
                document["exempt"][_key(factory_code, month)] = {"by": by, "at": now_utc()}
            else:
                document["exempt"].pop(_key(factory_code, month), None)

        self._update(change)

    def exempt(self, month: dt.date) -> set[str]:
        """The factories exempt for ``month``."""
        wanted = f"|{month:%Y-%m}"
        return {key.split("|")[0] for key in self._load()["exempt"] if key.endswith(wanted)}

    def exempt_cells(self) -> set[tuple[str, str]]:
        """(factory code, 'YYYY-MM') of every exemption."""
        return {tuple(key.split("|", 1)) for key in self._load()["exempt"]}  # type: ignore[misc]

    def promise(self, factory_code: str, month: dt.date, promised: dt.date, by: str) -> None:
        """Note the date by which ``factory_code`` promised its files of ``month``."""

        def change(document: dict) -> None:
            document["promised"][_key(factory_code, month)] = {
                "date": promised.isoformat(),
                "by": by,
                "at": now_utc(),
            }

        self._update(change)

    def promised(self, month: dt.date) -> dict[str, dt.date]:
        """Factory code -> the promised date, for ``month``."""
        wanted = f"|{month:%Y-%m}"
        return {
            key.split("|")[0]: dt.date.fromisoformat(entry["date"])
            for key, entry in self._load()["promised"].items()
            if key.endswith(wanted)
        }

    # --- refusals on the upload page -------------------------------------------------

    def record_refusal(
        self,
        factory_code: str,
        dataset: str,
        file_name: str,
        periods: list[str],
        reasons: list[dict],
        submitted_by: str | None,
    ) -> None:
        """Keep a refusal made on the upload page (the file itself is not kept). Only the
        severity, rule, row and column of each finding are stored."""
        entry = {
            "refusal_id": uuid.uuid4().hex,
            "factory_code": factory_code,
            "dataset": dataset,
            "file_name": file_name,
            "periods": list(periods),
            "received_at": now_utc(),
            "submitted_by": submitted_by,
            "reasons": [
                {key: reason.get(key) for key in ("severity", "rule", "row", "column")}
                for reason in reasons
            ],
        }

        def change(document: dict) -> None:
            document["refusals"] = [*document["refusals"], entry][-MAX_REFUSALS:]

        self._update(change)

    def refusals(self) -> list[dict]:
        """Refusals made on the upload page, oldest first."""
        return self._load()["refusals"]

    # --- reminders -------------------------------------------------------------------

    def log_reminder(
        self,
        factory_code: str,
        month: dt.date,
        to: str,
        language: str,
        by: str,
        backend: str,
        day: dt.date,
    ) -> None:
        """Note that ``factory_code`` was reminded on ``day`` (the local date)."""
        entry = {
            "factory_code": factory_code,
            "month": f"{month:%Y-%m}",
            "day": day.isoformat(),
            "to": to,
            "language": language,
            "sent_at": now_utc(),
            "by": by,
            "backend": backend,
        }

        def change(document: dict) -> None:
            document["reminders"] = [*document["reminders"], entry][-MAX_REMINDERS:]

        self._update(change)

    def reminders(self) -> list[dict]:
        """Every reminder sent, oldest first."""
        return self._load()["reminders"]

    def reminded_on(self, factory_code: str, day: dt.date) -> bool:
        """Whether ``factory_code`` was sent a reminder on ``day``."""
        return any(
            entry["factory_code"] == factory_code
            and entry.get("day", entry["sent_at"][:10]) == day.isoformat()
            for entry in self._load()["reminders"]
        )
