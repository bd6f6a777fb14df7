"""The learning log: ``$KPI_DATA_DIR/learning/log.json`` (mode 0600), append-only.

Every offer, request, acceptance, withdrawal, success-story consent and coordinator
pairing is one entry: who (the account's e-mail), for which factory, when, what. Nothing
is ever changed or removed: a withdrawal is a new entry, and the state at any moment is
read from the whole log (``consent.LearningState``). Dashboards in several processes
write it through one file lock and an atomic replace, as the coordinator's notes are."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from filelock import FileLock

from kpi.learning.consent import LearningState
from kpi.settings import Settings
from kpi.users import _write_private


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class LearningLog:
    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.data_dir / "learning" / "log.json"
        self._lock = FileLock(str(settings.data_dir / ".learning.lock"), timeout=10)

    def entries(self) -> list[dict]:
        """Every entry, oldest first."""
        if not self.path.exists():
            return []
        return json.loads(self.path.read_text(encoding="utf-8"))["entries"]

    def state(self, now: dt.datetime | None = None) -> LearningState:
        return LearningState(self.entries(), now or now_utc())

    def append(self, entry: dict, at: dt.datetime | None = None) -> dict:
        """Add ``entry`` (stamped with its time and an id) at the end of the log."""
        stamped = {
            **entry,
            "entry_id": uuid.uuid4().hex,
            "at": (at or now_utc()).isoformat(timespec="seconds"),
        }
        with self._lock:
            entries = self.entries()
            entries.append(stamped)
            _write_private(self.path, json.dumps({"entries": entries}, indent=1, default=str))
        return stamped

    def consent(
        self, factory: str, subject: str, given: bool, by: str, at: dt.datetime | None = None
    ) -> dict:
        return self.append(
            {"type": "consent", "factory": factory, "subject": subject, "given": given, "by": by},
            at,
        )
