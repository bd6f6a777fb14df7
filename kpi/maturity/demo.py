"""Fictional self-scans of the demo factories: two years, so the change since last year
shows. Invented scores of invented plants, deterministic from the seed: each plant has
its own level and strengths, and most improve a little on a few transformations."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import polars as pl

from kpi.maturity.statements import DATASET, transformations

LEFT_OUT = {0: ("F12",), 1: ("F11", "F12")}
"""Factories without a scan: F12 sent none; F11 has not sent this year's yet."""


def _rng(seed: int, *parts: str) -> np.random.Generator:
    digest = hashlib.sha256("/".join((str(seed), *parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def scan_scores(code: str, year_index: int, seed: int) -> dict[str, int]:
    """One factory's scores: its level, its strength per transformation, this year's
    progress (year_index 1 = a year after 0), and a little noise per statement."""
    plant = _rng(seed, "maturity", code)
    level = plant.uniform(2.0, 3.6)
    scores = {}
    for transformation in transformations():
        strength = plant.normal(0, 0.45)
        progress = plant.choice([0.0, 0.0, 0.5, 0.8]) * year_index
        for statement in transformation.statements:
            noise = _rng(seed, "maturity", code, statement.column, str(year_index)).normal(0, 0.5)
            scores[statement.column] = int(
                np.clip(round(level + strength + progress + noise), 1, 5)
            )
    return scores


def scan_files(
    factories: list[tuple[str, str]], last_month: dt.date, seed: int, folder: Path
) -> list:
    """The self-scans of the year before ``last_month``'s year and of that year, as
    files the factories upload (in the demo's file styles), for most factories."""
    from kpi.demo import STYLES, DemoFile, write_file

    files = []
    for year_index, year in enumerate((last_month.year - 1, last_month.year)):
        for position, (code, _) in enumerate(factories):
            if code in LEFT_OUT[year_index]:
                continue
            row = {"factory_code": code, "year": year, **scan_scores(code, year_index, seed)}
            style = STYLES[(position + year_index) % len(STYLES)]
            path = write_file(
                pl.DataFrame([row]), DATASET, style, folder / f"{code}_{DATASET}_{year}"
            )
            files.append(DemoFile(path, DATASET, code, f"self-scan {year}"))
    return files
