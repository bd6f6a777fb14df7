"""Fictional demo data: monthly files of invented factories, deterministic from a seed.

The figures are invented and belong to no real company. They are shaped to look like
the network's reality so that dashboards and benchmarks have something to show:
August and Christmas shutdowns, slow trends (powertrain shrinking, electronics growing),
differences between plants, a few small ones, seasonal absence and temp work, and lumpy
investment. The same generator makes the benchmark's scale data.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from kpi.contracts import DATASETS, load_contract
from kpi.maturity import demo as maturity_demo

# Headcounts of the twelve demo factories: three small (< 250), two large (>= 1000).
DEMO_HEADCOUNT = {
    "F01": 1450,
    "F02": 620,
    "F03": 140,
    "F04": 480,
    "F05": 310,
    "F06": 760,
    "F07": 1080,
    "F08": 540,
    "F09": 190,
    "F10": 880,
    "F11": 420,
    "F12": 115,
}
SECTOR_TREND = {"powertrain": -0.0025, "chassis": 0.0, "electronics": 0.004}
"""Monthly headcount drift per sector: the EV transition, in broad strokes."""


def months_until(last: dt.date, count: int) -> list[dt.date]:
    """The ``count`` months ending with ``last`` (first days of month), oldest first."""
    index = last.year * 12 + last.month - 1
    return [dt.date((i) // 12, (i) % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def latest_due_month(today: dt.date, close_day: int) -> dt.date:
    """The newest month whose close day has come by ``today``: released in the demo."""
    last = previous_month(today)
    return last if today.day >= close_day else previous_month(last)


def _weekdays(month: dt.date) -> int:
    days = calendar.monthrange(month.year, month.month)[1]
    return sum(1 for d in range(1, days + 1) if dt.date(month.year, month.month, d).weekday() < 5)


@dataclass(frozen=True)
class Profile:
    """How one fictional factory behaves."""

    code: str
    sector: str
    headcount: int
    lines: int
    availability: float
    effectiveness: float
    quality: float
    units_per_hour: float
    kw_per_line: float
    turnover: float
    voluntary_share: float
    absence: float
    local_share: float
    regional_spend_share: float
    ppm: float
    on_time: float
    accident_rate: float


def _rng(seed: int, *parts: str) -> np.random.Generator:
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def profile(code: str, sector: str, seed: int) -> Profile:
    rng = _rng(seed, "profile", code)
    headcount = DEMO_HEADCOUNT.get(code) or int(np.clip(rng.lognormal(6.0, 0.8), 40, 4000))
    return Profile(
        code=code,
        sector=sector,
        headcount=headcount,
        lines=max(1, round(headcount / 90)),
        availability=rng.uniform(0.78, 0.91),
        effectiveness=rng.uniform(0.76, 0.93),
        quality=rng.uniform(0.962, 0.993),
        units_per_hour={"powertrain": 45.0, "chassis": 70.0, "electronics": 160.0}.get(sector, 80.0)
        * rng.uniform(0.7, 1.3),
        kw_per_line={"powertrain": 900.0, "chassis": 650.0, "electronics": 350.0}.get(sector, 600.0)
        * rng.uniform(0.8, 1.2),
        turnover=rng.uniform(0.006, 0.016),
        voluntary_share=rng.uniform(0.55, 0.85),
        absence=rng.uniform(0.045, 0.08),
        local_share=rng.uniform(0.55, 0.88),
        regional_spend_share=rng.uniform(0.12, 0.45),
        ppm=rng.uniform(15, 350),
        on_time=rng.uniform(0.87, 0.99),
        accident_rate=rng.uniform(4, 22),
    )


def generate(
    factories: list[tuple[str, str]], months: list[dt.date], seed: int
) -> dict[str, pl.DataFrame]:
    """Rows of every dataset for ``factories`` ((code, sector) pairs) over ``months``."""
    rows: dict[str, list[dict]] = {name: [] for name in DATASETS}
    for code, sector in factories:
        p = profile(code, sector, seed)
        rng = _rng(seed, "months", code)
        headcount = float(p.headcount)
        for step, month in enumerate(months):
            days = _weekdays(month)
            shutdown = {8: 0.42, 12: 0.68}.get(month.month, 1.0)
            winter = 1.25 if month.month in (1, 2, 12) else 1.0
            summer = month.month in (7, 8)

            # people: headcount moves with sector trend and flows that add up exactly
            start = round(headcount)
            leavers = int(rng.poisson(start * p.turnover * (1.3 if summer else 1.0)))
            voluntary = int(rng.binomial(leavers, p.voluntary_share))
            target = headcount * (1 + SECTOR_TREND.get(sector, 0.0)) + rng.normal(0, start * 0.002)
            hires = max(0, round(target - start + leavers))
            end = start + hires - leavers
            headcount = float(end)
            fte = round((start + end) / 2 * rng.uniform(0.9, 0.96), 1)
            temp = round(start * rng.uniform(0.04, 0.16) * (1.4 if summer else 1.0), 1)
            scheduled = round(fte * 7.6 * days * 0.93, 1)
            absence = round(scheduled * p.absence * winter * rng.uniform(0.85, 1.15), 1)
            worked = round(scheduled - absence + temp * 7.6 * days * shutdown, 1)
            rows["people"].append(
                {
                    "factory_code": code,
                    "period": month,
                    "headcount_start": start,
                    "headcount_end": end,
                    "hires": hires,
                    "leavers": leavers,
                    "leavers_voluntary": voluntary,
                    "fte_avg": fte,
                    "temp_workers_fte": temp,
                    "scheduled_hours": scheduled,
                    "absence_hours": absence,
                    "training_hours": round(fte * rng.uniform(0.8, 3.2) * shutdown, 1),
                    "hours_worked": worked,
                    "lost_time_accidents": int(rng.poisson(p.accident_rate * worked / 1e6)),
                }
            )

            # efficiency: ISO 22400 times, improving slowly
            improvement = 1 + 0.0015 * step
            busy = round(p.lines * days * 16 * shutdown * rng.uniform(0.97, 1.0), 1)
            availability = min(0.97, p.availability * improvement * rng.uniform(0.96, 1.03))
            actual = round(busy * availability, 1)
            effectiveness = min(1.02, p.effectiveness * improvement * rng.uniform(0.95, 1.04))
            run_time = round(actual * effectiveness, 1)
            produced = int(run_time * p.units_per_hour)
            quality = min(0.999, p.quality * rng.uniform(0.995, 1.004))
            good = int(produced * quality)
            scrap = int((produced - good) * rng.uniform(0.5, 0.8))
            rework = produced - good - scrap
            rows["efficiency"].append(
                {
                    "factory_code": code,
                    "period": month,
                    "planned_busy_time_h": busy,
                    "actual_production_time_h": actual,
                    "planned_run_time_of_output_h": run_time,
                    "produced_quantity": produced,
                    "good_quantity": good,
                    "scrap_quantity": scrap,
                    "rework_quantity": rework,
                    "direct_labour_h": round(run_time * rng.uniform(1.1, 1.6) * p.lines**0.3, 1),
                    "energy_kwh": round(
                        actual * p.kw_per_line / p.lines * rng.uniform(0.9, 1.1) + busy * 30, 1
                    ),
                }
            )

            # quality: what reaches the customer
            shipped = int(good * rng.uniform(0.96, 1.02))
            inspected = produced
            deliveries = int(max(5, p.lines * 18 * shutdown * rng.uniform(0.8, 1.2)))
            rows["quality"].append(
                {
                    "factory_code": code,
                    "period": month,
                    "parts_shipped": shipped,
                    "parts_rejected_by_customer": int(
                        min(shipped, rng.poisson(shipped * p.ppm / 1e6))
                    ),
                    "customer_complaints": int(rng.poisson(0.3 + p.ppm / 200)),
                    "parts_inspected_first_pass": inspected,
                    "parts_good_first_pass": int(
                        inspected * min(0.999, quality * rng.uniform(0.985, 1.0))
                    ),
                    "deliveries_total": deliveries,
                    "deliveries_on_time": int(
                        deliveries * min(1.0, p.on_time * rng.uniform(0.97, 1.02))
                    ),
                }
            )

            # regional anchoring: who lives here, who we buy from, what we invest
            spend = round(end * rng.uniform(7_000, 14_000) * shutdown, 2)
            big_project = rng.random() < 0.04
            rows["regional"].append(
                {
                    "factory_code": code,
                    "period": month,
                    "employees_resident_in_region": int(end * p.local_share),
                    "hires_resident_in_region": int(
                        rng.binomial(hires, min(1.0, p.local_share + 0.05))
                    ),
                    "apprentices": int(end * rng.uniform(0.008, 0.03)),
                    "interns": int(rng.poisson(end * (0.02 if summer else 0.006))),
                    "purchasing_spend_eur": spend,
                    "purchasing_spend_regional_eur": round(
                        spend * p.regional_spend_share * rng.uniform(0.9, 1.1), 2
                    ),
                    "investment_eur": round(
                        rng.uniform(1e6, 6e6) if big_project else end * rng.uniform(20, 160), 2
                    ),
                }
            )
    return {name: pl.DataFrame(rows[name]) for name in DATASETS}


# --- writing files the way factories write them --------------------------------------


@dataclass(frozen=True)
class FileStyle:
    """How a factory's spreadsheet exports look."""

    kind: str  # "xlsx", "csv-semicolon" (decimal comma, Windows-1252), "csv-comma" (UTF-8 BOM)
    shuffle_columns: bool = False
    upper_headers: bool = False
    month_as_date: bool = False


def _ordered(frame: pl.DataFrame, dataset: str, style: FileStyle) -> pl.DataFrame:
    names = load_contract(dataset).column_names
    if style.shuffle_columns:
        names = names[:2] + list(reversed(names[2:]))
    return frame.select(names)


def _text(value: object, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if decimal_comma else text
    return str(value)


def write_file(frame: pl.DataFrame, dataset: str, style: FileStyle, path: Path) -> Path:
    """Write ``frame`` as a factory would: xlsx, or CSV in one of the Belgian dialects."""
    frame = _ordered(frame, dataset, style)
    headers = [h.upper() if style.upper_headers else h for h in frame.columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    if style.kind == "xlsx":
        from openpyxl import Workbook

        path = path.with_suffix(".xlsx")
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = dataset
        sheet.append(headers)
        for row in frame.iter_rows():
            sheet.append(
                [
                    dt.datetime(v.year, v.month, 1)
                    if isinstance(v, dt.date) and style.month_as_date
                    else (f"{v:%Y-%m}" if isinstance(v, dt.date) else v)
                    for v in row
                ]
            )
        workbook.save(path)
        return path
    path = path.with_suffix(".csv")
    semicolon = style.kind == "csv-semicolon"
    encoding = "cp1252" if semicolon else "utf-8-sig"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";" if semicolon else ",", lineterminator="\r\n")
        writer.writerow(headers)
        for row in frame.iter_rows():
            writer.writerow([_text(v, decimal_comma=semicolon) for v in row])
        if semicolon:
            handle.write(";" * (len(headers) - 1) + "\r\n")  # Excel's trailing blank row
    return path


STYLES = [
    FileStyle("xlsx"),
    FileStyle("csv-semicolon"),
    FileStyle("csv-comma", upper_headers=True),
    FileStyle("xlsx", shuffle_columns=True, month_as_date=True),
    FileStyle("csv-semicolon", shuffle_columns=True),
    FileStyle("csv-comma"),
]


@dataclass(frozen=True)
class DemoFile:
    """A demo file to submit, in the order it is submitted."""

    path: Path
    dataset: str
    factory_code: str
    note: str
    late: bool = False
    """Submitted only after the month's release: stored, and held for a revision."""


def write_demo_files(
    factories: list[tuple[str, str]],
    last_month: dt.date,
    month_count: int,
    seed: int,
    folder: Path,
    *,
    monthly_tail: int = 3,
    with_mistakes: bool = True,
    open_month_factories: int = 0,
) -> list[DemoFile]:
    """Write the demo's files: each factory uploads its history once, then one file a
    month for the last ``monthly_tail`` months; then a correction, and faulty files.
    F12's regional file of ``last_month`` comes late (``DemoFile.late``); the first
    ``open_month_factories`` factories have already sent the month after ``last_month``."""
    months = months_until(last_month, month_count)
    following = months_until(last_month + dt.timedelta(days=31), 1)[0]
    upcoming = generate(factories, [*months, following], seed)
    data = {name: frame.filter(pl.col("period") <= last_month) for name, frame in upcoming.items()}
    history, tail = months[:-monthly_tail], months[-monthly_tail:]
    files: list[DemoFile] = []
    for position, (code, _) in enumerate(factories):
        style = STYLES[position % len(STYLES)]
        for dataset in DATASETS:
            rows = data[dataset].filter(pl.col("factory_code") == code)
            path = write_file(
                rows.filter(pl.col("period").is_in(history)),
                dataset,
                style,
                folder / f"{code}_{dataset}_history",
            )
            files.append(DemoFile(path, dataset, code, "history"))
    for month in tail:
        for position, (code, _) in enumerate(factories):
            style = STYLES[(position + 1) % len(STYLES)]
            for dataset in DATASETS:
                rows = data[dataset].filter(
                    (pl.col("factory_code") == code) & (pl.col("period") == month)
                )
                path = write_file(rows, dataset, style, folder / f"{code}_{dataset}_{month:%Y-%m}")
                # F12 is late with last month's regional figures: after the release
                late = with_mistakes and (code, dataset, month) == ("F12", "regional", tail[-1])
                files.append(DemoFile(path, dataset, code, "late" if late else "monthly", late))
    for position, (code, _) in enumerate(factories[:open_month_factories]):
        style = STYLES[(position + 2) % len(STYLES)]
        for dataset in DATASETS:
            rows = upcoming[dataset].filter(
                (pl.col("factory_code") == code) & (pl.col("period") == following)
            )
            path = write_file(rows, dataset, style, folder / f"{code}_{dataset}_{following:%Y-%m}")
            files.append(DemoFile(path, dataset, code, "open month"))
    if with_mistakes and len(factories) >= 11:
        files += _corrections_and_mistakes(data, tail, folder)
    files += maturity_demo.scan_files(factories, last_month, seed, folder)
    return files


def _corrections_and_mistakes(
    data: dict[str, pl.DataFrame], tail: list[dt.date], folder: Path
) -> list[DemoFile]:
    files = []
    month = tail[-1]
    # F04 corrects last month's efficiency: 120 more scrap found in the end-of-month count
    row = data["efficiency"].filter((pl.col("factory_code") == "F04") & (pl.col("period") == month))
    corrected = row.with_columns(
        (pl.col("good_quantity") - 120).alias("good_quantity"),
        (pl.col("scrap_quantity") + 120).alias("scrap_quantity"),
    )
    path = write_file(
        corrected, "efficiency", STYLES[1], folder / f"F04_efficiency_{month:%Y-%m}_v2"
    )
    files.append(DemoFile(path, "efficiency", "F04", "correction (replaces the earlier month)"))
    # F05 people: headcount_end typed without the month's hires -> accepted with a warning
    row = data["people"].filter((pl.col("factory_code") == "F05") & (pl.col("period") == month))
    odd = row.with_columns((pl.col("headcount_end") - pl.col("hires") - 12).alias("headcount_end"))
    path = write_file(odd, "people", STYLES[2], folder / f"F05_people_{month:%Y-%m}_v2")
    files.append(DemoFile(path, "people", "F05", "warning: headcount does not add up"))
    # F07 quality: more rejects than shipped parts in one row -> refused
    rows = data["quality"].filter((pl.col("factory_code") == "F07") & pl.col("period").is_in(tail))
    wrong = rows.with_columns(
        pl.when(pl.col("period") == month)
        .then(pl.col("parts_shipped") + 10)
        .otherwise(pl.col("parts_rejected_by_customer"))
        .alias("parts_rejected_by_customer")
    )
    path = write_file(wrong, "quality", STYLES[0], folder / "F07_quality_last-quarter")
    files.append(DemoFile(path, "quality", "F07", "refused: rejects above shipped"))
    # F03 efficiency: 'n.b.' typed for energy and a blank cell -> refused
    row = data["efficiency"].filter((pl.col("factory_code") == "F03") & (pl.col("period") == month))
    broken = row.with_columns(
        pl.lit("n.b.").alias("energy_kwh"), pl.lit(None, pl.Float64).alias("direct_labour_h")
    )
    path = write_file(broken, "efficiency", STYLES[1], folder / f"F03_efficiency_{month:%Y-%m}_v2")
    files.append(DemoFile(path, "efficiency", "F03", "refused: text and blank in numbers"))
    # F11 submits the people file of its sister plant F10 by mistake -> refused
    row = data["people"].filter((pl.col("factory_code") == "F10") & (pl.col("period") == month))
    path = write_file(row, "people", STYLES[5], folder / f"F10_people_{month:%Y-%m}_sent-by-F11")
    files.append(DemoFile(path, "people", "F11", "refused: file of another factory"))
    return files
