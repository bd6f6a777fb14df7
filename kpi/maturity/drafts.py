"""A factory's self-scan as it is filled in on the page: saved half-way, submitted whole.

The dashboards never write the warehouse. A draft is a small JSON file per factory and
year under ``$KPI_DATA_DIR/maturity/drafts/<factory>/<year>.json`` (written whole, then
renamed into place). Submitting turns the draft into a CSV file of the ``maturity``
contract, which goes through the same check and landing zone as an uploaded file; the
pipeline validates and stores it. The draft stays, marked submitted, so the factory
finds its answers again next time (and next year starts from them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kpi.contracts import load_contract
from kpi.maturity.statements import DATASET, Statement, statements
from kpi.register import normal_code
from kpi.settings import Settings


@dataclass
class Draft:
    """The answers of one factory for one year, complete or not."""

    factory_code: str
    year: int
    scores: dict[str, int] = field(default_factory=dict)
    saved_at: str | None = None
    saved_by: str | None = None
    submitted_at: str | None = None
    """When the scan was last submitted; None while it is only saved."""

    def missing(self) -> list[Statement]:
        """The statements not answered yet, in file order."""
        return [s for s in statements() if s.column not in self.scores]

    @property
    def complete(self) -> bool:
        return not self.missing()


def _folder(settings: Settings, factory_code: str) -> Path:
    return settings.data_dir / "maturity" / "drafts" / normal_code(factory_code)


def _checked(scores: dict[str, object]) -> dict[str, int]:
    known = {s.column for s in statements()}
    checked = {}
    for column, score in scores.items():
        if score is None:
            continue
        if column not in known:
            raise ValueError(f"unknown statement {column!r}")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ValueError(f"{column}: a score is a whole number from 1 to 5, not {score!r}")
        checked[column] = score
    return checked


def load_draft(settings: Settings, factory_code: str, year: int) -> Draft:
    """The factory's saved answers for ``year``; an empty draft when there are none."""
    path = _folder(settings, factory_code) / f"{year}.json"
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Draft(normal_code(factory_code), year)
    return Draft(
        factory_code=body["factory_code"],
        year=int(body["year"]),
        scores=_checked(body.get("scores", {})),
        saved_at=body.get("saved_at"),
        saved_by=body.get("saved_by"),
        submitted_at=body.get("submitted_at"),
    )


def save_draft(
    settings: Settings,
    factory_code: str,
    year: int,
    scores: dict[str, object],
    saved_by: str | None,
    *,
    submitted: bool = False,
) -> Draft:
    """Keep the answers given so far (unanswered statements are left out)."""
    previous = load_draft(settings, factory_code, year)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    draft = Draft(
        normal_code(factory_code),
        year,
        _checked(scores),
        saved_at=now,
        saved_by=saved_by,
        submitted_at=now if submitted else previous.submitted_at,
    )
    folder = _folder(settings, factory_code)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{year}.json.tmp"
    staging.write_text(json.dumps(asdict(draft), indent=1), encoding="utf-8")
    os.replace(staging, folder / f"{year}.json")
    return draft


def scan_file(draft: Draft) -> bytes:
    """The draft as a file of the ``maturity`` contract: CSV, ``;``, UTF-8 with BOM, one
    row; an unanswered statement is a blank cell (which validation refuses, naming it)."""
    names = load_contract(DATASET).column_names
    values = {"factory_code": draft.factory_code, "year": str(draft.year)}
    values.update({column: str(score) for column, score in draft.scores.items()})
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(names)
    writer.writerow([values.get(name, "") for name in names])
    return buffer.getvalue().encode("utf-8-sig")
