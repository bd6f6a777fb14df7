"""The landing zone: where submitted files wait, and where they go once processed.

Layout under ``$KPI_DATA_DIR``::

    landing/pending/<dataset>/<factory>/<submission_id>.<ext>   waiting file
    landing/pending/<dataset>/<factory>/<submission_id>.json    who, when, original name
    landing/archive/<dataset>/<factory>/<submission_id>__<name>.<ext>   processed, stored
    landing/archive/_records/<time>-<id>.jsonl   who, when, original name, warnings: a
                                                 line per archived file, a file per batch
                                                 (a file settled again after a killed run
                                                 has a second, later line)
    quarantine/<dataset>/<factory>/...           refused, with its record and report

Files are never deleted: a processed file moves to the archive or the quarantine.
A file copied into ``pending/<dataset>/<factory>/`` by hand is picked up too.

Settling a file can be repeated: a run that dies half-way leaves the file pending (its
archive record is written again) or moved (its left-over landing metadata is debris that
:func:`clean_debris` removes at the next run). An archived file's record is written, with
those of its batch, before any of them moves, so a file in the archive always has one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from kpi.contracts import UPLOAD_DATASETS
from kpi.faults import fault_point
from kpi.register import normal_code
from kpi.settings import Settings

META_SUFFIX = ".json"
REPORT_SUFFIX = ".report.txt"
SETTLE_SECONDS = 2.0
"""A file dropped by hand is taken once it has not changed for this long (copy finished)."""
STALE_SECONDS = 3600.0
"""A hidden half-written file in ``pending`` this old belongs to an upload that died."""


@dataclass(frozen=True)
class Submission:
    """A file in the landing zone, as submitted."""

    submission_id: str
    dataset: str
    factory_code: str
    file_name: str
    sha256: str
    received_at: str
    submitted_by: str | None
    path: Path

    @property
    def meta_path(self) -> Path:
        return self.path.with_suffix(META_SUFFIX)

    def meta(self) -> dict[str, object]:
        # the fields as they are (texts): no deep copy, this runs once per settled file
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "path"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def submit(
    source: Path,
    dataset: str,
    factory_code: str,
    settings: Settings,
    *,
    file_name: str | None = None,
    submitted_by: str | None = None,
) -> Submission:
    """Place a copy of ``source`` in the landing zone and return its submission.

    Submitting the identical file again while it still waits returns the waiting one:
    it is processed once.
    """
    if dataset not in UPLOAD_DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}")
    factory_code = normal_code(factory_code)
    folder = settings.pending_dir / dataset / factory_code
    folder.mkdir(parents=True, exist_ok=True)
    sha = sha256_of(source)
    for waiting in _submissions_in(folder, dataset, factory_code):
        if waiting.sha256 == sha:
            return waiting
    received = _now()
    submission_id = f"{received:%Y%m%dT%H%M%S%f}-{sha[:10]}"
    extension = source.suffix.lower()
    target = folder / f"{submission_id}{extension}"
    # copy under a hidden name first: the sensor only sees complete files with metadata
    hidden = folder / f".{submission_id}{extension}"
    for attempt in range(3):
        try:
            shutil.copyfile(source, hidden)
            break
        except FileNotFoundError:  # the folder was just emptied and removed by a run
            if attempt == 2 or not source.exists():
                raise
            folder.mkdir(parents=True, exist_ok=True)
    os.replace(hidden, target)
    submission = Submission(
        submission_id=submission_id,
        dataset=dataset,
        factory_code=factory_code,
        file_name=file_name or source.name,
        sha256=sha,
        received_at=received.isoformat(),
        submitted_by=submitted_by,
        path=target,
    )
    _write_atomic(submission.meta_path, json.dumps(submission.meta(), indent=2))
    return submission


def _entries(folder: Path) -> dict[str, os.DirEntry]:
    """The names in ``folder`` with their directory entries (one ``scandir``: whether an
    entry is a file comes with the listing, not a ``stat`` per name); none if it is gone."""
    try:
        with os.scandir(folder) as listing:
            return {entry.name: entry for entry in listing}
    except (FileNotFoundError, NotADirectoryError):
        return {}


def _submissions_in(folder: Path, dataset: str, factory_code: str) -> list[Submission]:
    found = []
    entries = _entries(folder)
    for name in sorted(entries):
        path = folder / name
        if name.startswith(".") or path.suffix == META_SUFFIX or not entries[name].is_file():
            continue
        meta_path = path.with_suffix(META_SUFFIX)
        if meta_path.name in entries:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            found.append(Submission(path=path, **meta))
            continue
        # dropped by hand: take it once the copy has settled
        stat = path.stat()
        if time.time() - stat.st_mtime < SETTLE_SECONDS:
            continue
        sha = sha256_of(path)
        received = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
        # the same bytes may lie in two folders: the id depends on the place too
        place = hashlib.sha256(f"{dataset}/{factory_code}/{path.name}/{sha}".encode())
        found.append(
            Submission(
                submission_id=f"{received:%Y%m%dT%H%M%S%f}-{place.hexdigest()[:10]}",
                dataset=dataset,
                factory_code=factory_code,
                file_name=path.name,
                sha256=sha,
                received_at=received.isoformat(),
                submitted_by=None,
                path=path,
            )
        )
    return found


def anything_waiting(settings: Settings) -> bool:
    """Whether anything lies in the landing zone's factory folders: what :func:`list_pending`
    would look at, without reading it (it stops at the first entry)."""
    for dataset in UPLOAD_DATASETS:
        for folder in _entries(settings.pending_dir / dataset).values():
            if folder.is_dir() and _entries(Path(folder.path)):
                return True
    return False


def list_pending(settings: Settings, factory_code: str | None = None) -> list[Submission]:
    """Every file waiting in the landing zone (of one factory, if given), oldest first."""
    pending: list[Submission] = []
    for dataset in UPLOAD_DATASETS:
        root = settings.pending_dir / dataset
        if not root.is_dir():
            continue
        if factory_code is not None:
            folders = [root / normal_code(factory_code)]
        else:
            folders = sorted(p for p in root.iterdir() if p.is_dir())
        for folder in folders:
            pending.extend(_submissions_in(folder, dataset, folder.name.upper()))
    return sorted(pending, key=lambda s: (s.received_at, s.submission_id))


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80]


RECORDS_DIR = "_records"
"""The archive's records (JSON lines), a file per settled batch."""


@dataclass(frozen=True)
class Settling:
    """A processed file to move out of ``pending``, with its report when refused."""

    submission: Submission
    refused: bool
    report_text: str = ""
    report_json: dict | None = None


def settle_all(items: list[Settling], settings: Settings) -> None:
    """Move processed files out of ``pending``: each refused one to the quarantine with
    its record and report (:func:`settle`), the others to the archive.

    The archived files' records go into one file for the batch, written before the first
    of them moves (a file per file cost a run of thousands of files a second per
    thousand: creating a file is the slowest thing a file system does here). Folders are
    made once, and the landing folders emptied are removed at the end."""
    made: set[Path] = set()
    archived = [item for item in items if not item.refused]
    if archived:
        records = settings.archive_dir / RECORDS_DIR
        records.mkdir(parents=True, exist_ok=True)
        lines = [
            json.dumps(
                _record(item.submission, item.report_json, settings.archive_dir),
                ensure_ascii=False,
            )
            for item in archived
        ]
        batch = f"{_now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
        _write_atomic(records / f"{batch}.jsonl", "\n".join(lines) + "\n")
    for item in items:
        if item.refused:
            settle(
                item.submission,
                settings,
                refused=True,
                report_text=item.report_text,
                report_json=item.report_json,
                made=made,
            )
        else:
            _move(item.submission, _archived_path(item.submission, settings.archive_dir), made)
    remove_empty({item.submission.path.parent for item in items})


def _archived_path(submission: Submission, base: Path) -> Path:
    stem = f"{submission.submission_id}__{_safe(Path(submission.file_name).stem)}"
    return (
        base
        / submission.dataset
        / submission.factory_code
        / (stem + submission.path.suffix.lower())
    )


def _record(submission: Submission, report_json: dict | None, base: Path) -> dict[str, object]:
    record = {
        **submission.meta(),
        "original_path": str(submission.path),
        "archived_as": str(_archived_path(submission, base).relative_to(base)),
    }
    if report_json is not None:
        record["report"] = report_json
    return record


def _move(submission: Submission, target: Path, made: set[Path] | None) -> None:
    """Move a settled file whose record is written to ``target``, then drop its landing
    metadata (the fault points mark the two steps for the recovery tests)."""
    if made is None or target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(target.parent)
    fault_point("settle:archived")
    os.replace(submission.path, target)
    fault_point("settle:moved")
    submission.meta_path.unlink(missing_ok=True)


def settle(
    submission: Submission,
    settings: Settings,
    *,
    refused: bool,
    report_text: str = "",
    report_json: dict | None = None,
    made: set[Path] | None = None,
) -> Path:
    """Move a processed file out of ``pending``: to the archive, or to the quarantine
    with its report when refused. Returns the new location of the file.

    ``made`` holds the folders this caller created or found already (a run settling
    thousands of files asks the file system once per folder, not once per file); the
    caller then removes the emptied landing folders itself (:func:`remove_empty`)."""
    base = settings.quarantine_dir if refused else settings.archive_dir
    target = _archived_path(submission, base)
    folder, stem = target.parent, target.stem
    if made is None or folder not in made:
        folder.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(folder)
    meta = {**submission.meta(), "original_path": str(submission.path)}
    if report_json is not None:
        meta["report"] = report_json
    _write_atomic(folder / f"{stem}{META_SUFFIX}", json.dumps(meta, indent=2, ensure_ascii=False))
    if refused:
        _write_atomic(folder / f"{stem}{REPORT_SUFFIX}", report_text + "\n")
    _move(submission, target, made)
    if made is None:
        remove_empty([submission.path.parent])
    return target


def remove_empty(folders: Iterable[Path]) -> None:
    """Remove the landing folders that settling emptied, so that listing the landing
    zone costs what waits (a folder something still waits in stays)."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def clean_debris(settings: Settings) -> list[Path]:
    """Remove what a run or an upload that died left behind; return what was removed.

    Only called by a run holding the warehouse lock, so no other run is settling files:
    half-written records (``.tmp-*``) in the archive and quarantine, landing metadata
    whose file has already moved out, and hidden half-copied uploads older than
    :data:`STALE_SECONDS` (younger ones may still be being written by an upload).
    """
    moment = time.time()
    removed: list[Path] = []
    for base in (settings.archive_dir, settings.quarantine_dir):
        if base.is_dir():
            for path in base.rglob(".tmp-*"):
                path.unlink(missing_ok=True)
                removed.append(path)
    if not settings.pending_dir.is_dir():
        return removed
    for folder in sorted(p for p in settings.pending_dir.glob("*/*") if p.is_dir()):
        entries = _entries(folder)
        for name in sorted(entries):
            path = folder / name
            if not entries[name].is_file():
                continue
            if name.startswith("."):
                with contextlib.suppress(FileNotFoundError):
                    if moment - path.stat().st_mtime > STALE_SECONDS:
                        path.unlink()
                        removed.append(path)
                        del entries[name]
            elif _is_orphan_meta(path, entries):
                path.unlink(missing_ok=True)
                removed.append(path)
                del entries[name]
        if not entries:
            with contextlib.suppress(OSError):
                folder.rmdir()
    return removed


def _is_orphan_meta(path: Path, entries: dict[str, os.DirEntry]) -> bool:
    """A landing metadata file whose submitted file has moved out (settling interrupted).
    ``entries``: the folder's listing; the record is read only when no file of its name
    is listed beside it (the rare case), not for every waiting file."""
    if path.suffix != META_SUFFIX:
        return False
    sibling_prefix = path.stem + "."
    if any(
        name.startswith(sibling_prefix) and Path(name).suffix != META_SUFFIX for name in entries
    ):
        return False
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("submission_id") == path.stem
