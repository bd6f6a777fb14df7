"""The demo data: fictional, deterministic, realistic enough, with its faulty files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from kpi.demo import generate, months_until, write_demo_files
from kpi.register import load_register
from kpi.settings import REPO_ROOT
from kpi.validation import Upload, validate_uploads

REGISTER = load_register(REPO_ROOT / "config" / "factories.yaml")
FACTORIES = [(f.code, f.sector) for f in REGISTER.factories]
LAST = dt.date(2025, 12, 1)


def test_register_holds_twelve_fictional_factories():
    assert REGISTER.codes == [f"F{n:02d}" for n in range(1, 13)]
    assert all(f.name.startswith("Demo ") for f in REGISTER.factories)
    assert {f.sector for f in REGISTER.factories} == {"powertrain", "chassis", "electronics"}


def test_same_seed_same_files(tmp_path: Path):
    first = write_demo_files(FACTORIES[:3], LAST, 6, 42, tmp_path / "a", with_mistakes=False)
    second = write_demo_files(FACTORIES[:3], LAST, 6, 42, tmp_path / "b", with_mistakes=False)
    for one, other in zip(first, second, strict=True):
        if one.path.suffix == ".csv":  # xlsx zips carry a timestamp
            assert one.path.read_bytes() == other.path.read_bytes()
    data = generate(FACTORIES, months_until(LAST, 6), 42)
    assert data["people"].equals(generate(FACTORIES, months_until(LAST, 6), 42)["people"])


def test_shape_of_the_network():
    data = generate(FACTORIES, months_until(LAST, 36), 42)
    people = data["people"]
    size = people.group_by("factory_code").agg(pl.col("headcount_end").mean())
    assert size.filter(pl.col("headcount_end") < 250).height >= 3  # a few small factories
    assert size.filter(pl.col("headcount_end") >= 1000).height >= 1
    efficiency = data["efficiency"].with_columns(pl.col("period").dt.month().alias("month"))
    busy = efficiency.group_by("month").agg(pl.col("planned_busy_time_h").sum()).sort("month")
    by_month = dict(busy.iter_rows())
    assert by_month[8] < 0.6 * by_month[9]  # August shutdown
    assert by_month[12] < 0.8 * by_month[11]  # Christmas shutdown
    assert people.height == 12 * 36


def test_all_demo_files_pass_but_the_deliberate_mistakes(tmp_path: Path):
    files = write_demo_files(FACTORIES, LAST, 8, 42, tmp_path)
    reports = validate_uploads(
        [Upload(f.path, f.dataset, f.factory_code) for f in files],
        10_000_000,
        today=dt.date(2026, 1, 10),
    )
    outcome = {
        f.path.name: (r.accepted, sorted({x.rule for x in r.findings}))
        for f, r in zip(files, reports, strict=True)
        if r.findings
    }
    assert outcome == {
        "F05_people_2025-12_v2.csv": (True, ["headcount_balance"]),
        "F07_quality_last-quarter.xlsx": (False, ["rejected_within_shipped"]),
        "F03_efficiency_2025-12_v2.csv": (False, ["required", "type_number"]),
        "F10_people_2025-12_sent-by-F11.csv": (False, ["factory_is_submitter"]),
    }
    kinds = {f.path.suffix for f in files}
    assert kinds == {".csv", ".xlsx"}
