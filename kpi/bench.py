"""`kpi bench`: how fast and how big one monthly cycle is, measured, not guessed.

On a fresh data directory it generates scale data with the demo generator, runs one full
cycle as a user starts it (`kpi run`, a child process: wall time, stages, peak memory),
times DuckDB's own read_csv of the same files as the physical floor, loads a 10-year
history and times the dashboards' data-access queries on it, and times single-file
feedback. It prints a table and writes the same figures as JSON.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import yaml
from rich.console import Console
from rich.progress import track
from rich.table import Table

from kpi.contracts import DATASETS
from kpi.demo import FileStyle, generate, months_until, previous_month, write_file
from kpi.timing import RUN, memory_file

SECTORS = ("powertrain", "chassis", "electronics")
STYLES = (FileStyle("csv-semicolon"), FileStyle("csv-comma"))
TARGETS = {
    "cycle_seconds": 60.0,
    "cycle_vs_reference": 4.0,
    "cycle_5000_vs_reference": 4.0,
    "query_p95_warm_ms": 100.0,
    "query_cold_ms": 1000.0,
    "validate_process_seconds": 3.0,
    "upload_feedback_seconds": 1.0,
    "cycle_peak_mib": 2048.0,
    "upload_to_benchmark_p95_seconds": 5.0,
}
LOAD_TARGETS = {
    "history_load_seconds": 15.0,
    "history_load_peak_mib": 1024.0,
    "large_load_peak_mib": 2048.0,
}
BASELINE = Path(__file__).resolve().parent.parent / "docs" / "bench-baseline.json"
"""The figures before issue 14, printed beside the new ones (old, new, target)."""
console = Console()


STAGES = ("read", "validate", "store", "settle", "checks", "kpis", "releases", "publish")
"""The stages a run records (``kpi.timing``), in the order a run reaches them. Reading,
validating and settling files run on threads beside storing, so their seconds overlap:
the stages add up to more than the run's time, or less (process start, imports and
Dagster are in none)."""


def _codes(count: int) -> list[str]:
    return [f"B{number:04d}" for number in range(1, count + 1)]


def write_register(path: Path, codes: list[str]) -> Path:
    factories = [
        {
            "code": code,
            "name": f"Bench factory {code}",
            "sector": SECTORS[i % 3],
            "municipality": "Sint-Truiden",
        }
        for i, code in enumerate(codes)
    ]
    path.write_text(yaml.safe_dump({"factories": factories}, sort_keys=False))
    return path


def write_files(codes: list[str], months: int, folder: Path, seed: int = 7) -> list[tuple]:
    """One file per factory and dataset (`;`/decimal comma and `,` CSV, alternating)."""
    periods = months_until(previous_month(dt.date.today()), months)
    written = []
    for index, code in enumerate(
        track(codes, description=f"files {months} months", console=console, transient=True)
    ):
        data = generate([(code, SECTORS[index % 3])], periods, seed)
        for dataset in DATASETS:
            path = write_file(
                data[dataset], dataset, STYLES[index % 2], folder / dataset / f"{code}_{dataset}"
            )
            written.append((path, dataset, code, STYLES[index % 2].kind))
    return written


def _environment(data_dir: Path, register: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KPI_DATA_DIR": str(data_dir),
        "KPI_FACTORY_REGISTER": str(register),
        "DAGSTER_HOME": str(data_dir / "dagster"),
        "GX_ANALYTICS_ENABLED": "False",
    }


def _submit_all(files: list[tuple], data_dir: Path, register: Path) -> float:
    from kpi.landing import submit
    from kpi.settings import Settings

    settings = Settings(data_dir=data_dir, factory_register=register)
    start = time.perf_counter()
    for path, dataset, code, _ in track(
        files, description="submit", console=console, transient=True
    ):
        submit(path, dataset, code, settings, submitted_by="bench")
    return time.perf_counter() - start


def run_cycle(data_dir: Path, register: Path) -> dict:
    """`kpi run` as a child process: wall time, its stages, and its peak memory."""
    timings = data_dir / "timings.json"
    env = {**_environment(data_dir, register), "KPI_TIMINGS_FILE": str(timings)}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "kpi.cli", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, _ = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"kpi run failed: {child.stderr.read().decode()[-2000:]}")
    stages = json.loads(timings.read_text())
    peaks = json.loads(memory_file(timings).read_text())
    return {
        "seconds": seconds,
        # the run's own high-water mark: the child's ``ru_maxrss`` starts at this
        # process's memory when it started the child (the generated data, ~700 MiB at
        # the history load), so it said this process's size whenever the run's was
        # smaller (kpi.timing.peak_mib)
        "peak_mib": peaks.pop(RUN),
        "stages": stages,
        "peak_mib_by_stage_end": peaks,
    }


def machine_load() -> dict:
    """The load average (1, 5, 15 minutes) and the machine's speed
    (:func:`machine_speed`): the machine is shared, so a figure is read against how busy
    and how fast it was."""
    one, five, fifteen = os.getloadavg()
    return {
        "load_1m": one,
        "load_5m": five,
        "load_15m": fifteen,
        "speed_seconds": machine_speed(),
    }


SPEED_LOOP = 2_000_000
"""The fixed piece of work :func:`machine_speed` times (~0.1-0.2 s)."""


def machine_speed() -> float:
    """Seconds this machine takes for a fixed piece of Python work, the best of three.
    On a shared virtual machine the same code's figures differ by 10 % and more from
    one hour to the next at the same load average (the host's other guests): a run's
    seconds are read against this figure, measured beside it."""
    best = float("inf")
    for _ in range(3):
        begin = time.perf_counter()
        sum(i * i for i in range(SPEED_LOOP))
        best = min(best, time.perf_counter() - begin)
    return best


def run_cycles(data_dir: Path, register: Path, repeats: int) -> dict:
    """:func:`run_cycle` ``repeats`` times on copies of the same waiting files: the run
    with the median wall time, every run's seconds and peak memory, and the load."""
    if repeats <= 1:
        return {**run_cycle(data_dir, register), "load": machine_load()}
    pristine = data_dir.with_name(data_dir.name + "-waiting")
    shutil.copytree(data_dir, pristine)
    runs = []
    for attempt in range(repeats):
        if attempt:
            shutil.rmtree(data_dir)
            shutil.copytree(pristine, data_dir)
        runs.append({**run_cycle(data_dir, register), "load": machine_load()})
    shutil.rmtree(pristine)
    ordered = sorted(runs, key=lambda r: r["seconds"])
    median = ordered[len(ordered) // 2]
    return {
        **median,
        "runs_seconds": [r["seconds"] for r in runs],
        "runs_peak_mib": [r["peak_mib"] for r in runs],
        "peak_mib": statistics.median(r["peak_mib"] for r in runs),
    }


def large_load(factories: int, months: int, workdir: Path, repeats: int = 1) -> dict:
    """A whole network's months loaded at once (a new deployment, or a backlog): every
    factory's file per dataset waiting, then one run (`kpi run`, a child process)."""
    codes = _codes(factories)
    register = write_register(workdir / "register-large.yaml", codes)
    files = write_files(codes, months, workdir / "files-large")
    data_dir = workdir / "large"
    _submit_all(files, data_dir, register)
    shutil.rmtree(workdir / "files-large")
    return {
        "factories": factories,
        "months": months,
        "files": len(files),
        **run_cycles(data_dir, register, repeats),
    }


def reference_read_csv(files: list[tuple], workdir: Path) -> float:
    """DuckDB's own read_csv of the same files into one table per dataset and dialect."""
    target = workdir / "reference.duckdb"
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    with duckdb.connect(str(target)) as con:
        for dataset in DATASETS:
            for kind, options in (
                ("csv-semicolon", "delim=';', decimal_separator=','"),
                ("csv-comma", "delim=','"),
            ):
                paths = [str(p) for p, d, _, k in files if d == dataset and k == kind]
                if paths:
                    con.execute(
                        f"CREATE TABLE {dataset}_{kind.replace('-', '_')} AS SELECT * FROM "
                        f"read_csv(?, {options}, header=true, union_by_name=true)",
                        [paths],
                    )
    return time.perf_counter() - start


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_queries(data_dir: Path, register: Path, repeats: int = 30) -> list[dict]:
    """Every page's data-access calls, per role: cold (first call on a new snapshot) and
    warm (cached) p50/p95, and uncached p50/p95 (the query itself, every time)."""
    from dashboards import data
    from dashboards.data import Viewer
    from kpi.settings import reset_settings_cache

    os.environ.update(_environment(data_dir, register))
    reset_settings_cache()
    data.clear_cache()
    code = _codes(1)[0]
    factory = Viewer("bench@factory.example", "factory", code)
    coordinator = Viewer("bench@coordinator.example", "coordinator")
    city = Viewer("bench@city.example", "city")
    info = data.snapshot_info(city)
    start, end = info["periods_from"], info["periods_to"]
    pages: dict[str, list[Callable]] = {
        "factory / upload": [
            lambda: data.submissions(factory),
            lambda: data.waiting_files(factory),
        ],
        "factory / benchmark": [
            lambda: data.kpi_catalogue(factory, "efficiency"),
            lambda: data.months(factory),
            lambda: data.own_series(factory, "oee", "network", start, end),
            lambda: data.own_month(factory, "efficiency", end, "network"),
        ],
        "coordinator / network": [
            lambda: data.waiting_files(coordinator),
            lambda: data.submission_grid(coordinator),
            lambda: data.submissions(coordinator),
            lambda: data.network_distribution(coordinator, "oee", start, end),
        ],
        "city / region": [lambda: data.snapshot_info(city), lambda: data.region_indicators(city)],
        "everyone / definitions": [
            lambda: data.kpi_catalogue(city),
            lambda: data.indicator_catalogue(city),
        ],
    }

    def page_seconds(calls: list[Callable]) -> float:
        begin = time.perf_counter()
        for call in calls:
            call()
        return time.perf_counter() - begin

    results = []
    for page, calls in pages.items():
        data.clear_cache()
        cold = page_seconds(calls)
        warm = [page_seconds(calls) for _ in range(repeats)]
        uncached = []
        for _ in range(max(5, repeats // 3)):
            data.clear_cache()
            uncached.append(page_seconds(calls))
        results.append(
            {
                "page": page,
                "cold_ms": cold * 1000,
                "warm_p50_ms": _percentile(warm, 0.5) * 1000,
                "warm_p95_ms": _percentile(warm, 0.95) * 1000,
                "uncached_p50_ms": _percentile(uncached, 0.5) * 1000,
                "uncached_p95_ms": _percentile(uncached, 0.95) * 1000,
            }
        )
    return results


def time_single_file(data_dir: Path, register: Path, sample: Path, dataset: str) -> dict:
    """Feedback on one file: `kpi validate` as a whole process; the upload page's check
    after warm-up; and a dropped file with new figures through the sensor and an
    in-process run (a fresh process: imports and GX paid in it) to a new serving snapshot."""
    import dagster as dg

    from assets.names import MONTHLY_JOB
    from dashboards import data
    from dashboards.data import Viewer
    from kpi.settings import get_settings, reset_settings_cache
    from pipelines.definitions import build_definitions
    from pipelines.resources import build_resources
    from pipelines.sensors import landing_zone_sensor

    env = _environment(data_dir, register)
    code = _codes(1)[0]
    runs = []
    for _ in range(3):
        begin = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kpi.cli",
                "validate",
                str(sample),
                "--dataset",
                dataset,
                "--factory",
                code,
                "--json",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        runs.append(time.perf_counter() - begin)

    os.environ.update(env)
    reset_settings_cache()
    viewer = Viewer("bench@factory.example", "factory", code)
    checks = []
    for _ in range(3):
        begin = time.perf_counter()
        report = data.check_and_submit(viewer, dataset, sample.name, sample.read_bytes())
        checks.append(time.perf_counter() - begin)
    assert report.accepted, report.to_text("en")
    # the file above is stored already (the cycle stored it): the run below processes a
    # file with new figures for this month, as a factory's upload brings
    fresh = generate([(code, SECTORS[0])], [dt.date.today().replace(day=1)], 999)[dataset]
    path = write_file(fresh, dataset, STYLES[0], data_dir.parent / "files-single" / "fresh")
    report = data.check_and_submit(viewer, dataset, path.name, path.read_bytes())
    assert report.accepted, report.to_text("en")

    settings = get_settings()
    begin = time.perf_counter()
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"platform": build_resources(settings)["platform"]}
        )
        request = landing_zone_sensor(context)
        sensed = time.perf_counter() - begin
        assert request.run_requests, "the sensor saw no file"
        job = build_definitions(settings).resolve_job_def(MONTHLY_JOB)
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    assert result.success
    return {
        "validate_process_seconds": statistics.median(runs),
        "upload_feedback_seconds": statistics.median(checks),
        "sensor_evaluation_seconds": sensed,
        "dropped_file_to_snapshot_seconds": time.perf_counter() - begin,
    }


def time_upload_to_benchmark(data_dir: Path, register: Path, uploads: int = 8) -> dict:
    """Seconds from a factory's upload to its Benchmark page showing the new figures,
    through the path of the running app: the upload page's submit
    (``data.check_and_submit``: the check in a worker process, the landing zone), the
    run worker (``pipelines.worker``, a process of its own as under ``kpi serve``)
    starting the monthly cycle on the Dagster instance, the new snapshot, and the
    Benchmark page's read (``data.own_series``) until it shows the uploaded month's value.

    Each upload is the current month's efficiency file of one factory with new values;
    the first is reported on its own (the check worker and Dagster's first run in the
    worker warm up), p50/p95 over the others."""
    from dashboards import data
    from dashboards.data import Viewer
    from kpi.settings import reset_settings_cache
    from pipelines.monitoring import live_worker

    env = _environment(data_dir, register)
    os.environ.update(env)
    reset_settings_cache()
    from kpi.settings import get_settings

    settings = get_settings()
    worker_log = data_dir / "run-worker.log"
    with worker_log.open("w") as log_file:
        worker = subprocess.Popen(
            [sys.executable, "-m", "pipelines.worker"], env=env, stderr=log_file
        )
    try:
        began = time.perf_counter()
        while live_worker(settings) is None:
            if worker.poll() is not None or time.perf_counter() - began > 300:
                raise RuntimeError(f"the run worker did not start: {worker_log.read_text()}")
            time.sleep(0.1)
        ready = time.perf_counter() - began
        code = _codes(1)[0]
        viewer = Viewer("bench@factory.example", "factory", code)
        data.prepare_upload_checks(viewer)  # what the upload page does when it opens
        month = dt.date.today().replace(day=1)
        folder = data_dir.parent / "files-uploads"
        try:
            before = data.own_series(viewer, "oee", "network", month, month)
            shown = before["value"][0] if before.height else None
        except data.NoSnapshot:
            shown = None
        totals, submits = [], []
        for number in range(uploads + 1):
            frame = generate([(code, SECTORS[0])], [month], 1000 + number)["efficiency"]
            path = write_file(frame, "efficiency", STYLES[0], folder / f"upload-{number}")
            content = path.read_bytes()
            begin = time.perf_counter()
            report = data.check_and_submit(viewer, "efficiency", path.name, content)
            submitted = time.perf_counter() - begin
            assert report.accepted, report.to_text("en")
            while True:
                try:
                    series = data.own_series(viewer, "oee", "network", month, month)
                except data.NoSnapshot:
                    series = None
                value = series["value"][0] if series is not None and series.height else None
                if value is not None and value != shown:
                    break
                if time.perf_counter() - begin > 180:
                    raise RuntimeError(f"upload {number} never showed: {worker_log.read_text()}")
                time.sleep(0.02)
            totals.append(time.perf_counter() - begin)
            submits.append(submitted)
            shown = value
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    runs = [
        float(line.split(" in ")[1].split(" s ")[0])
        for line in worker_log.read_text().splitlines()
        if " succeeded in " in line
    ]
    return {
        "p50": statistics.median(totals[1:]),
        "p95": _percentile(totals[1:], 0.95),
        "first": totals[0],
        "uploads": len(totals) - 1,
        "each": totals,
        "submit_each": submits,
        "run_each": runs,
        "worker_ready": ready,
    }


def machine() -> dict:
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    packages = ("duckdb", "polars", "dagster", "great-expectations", "streamlit", "pandas")
    return {
        "cores": os.cpu_count(),
        # the machine may be shared: compare ratios measured in the same run
        "load_average_1_5_15": os.getloadavg(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {name: importlib.metadata.version(name) for name in packages},
    }


def run_benchmark(
    factories: int,
    months: int,
    history_months: int,
    workdir: Path,
    output: Path,
    keep: bool = False,
    repeats: int = 1,
    second_cycle_factories: int = 5000,
    large: tuple[int, int] | None = (10_000, 12),
) -> dict:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    codes = _codes(factories)
    register = write_register(workdir / "register.yaml", codes)
    results: dict = {
        "machine": machine(),
        "factories": factories,
        "months": months,
        "history_months": history_months,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "repeats": repeats,
        "load_at_start": machine_load(),
    }

    console.print(f"[bold]Cycle[/]: {factories} factories x {months} months x 4 datasets")
    begin = time.perf_counter()
    files = write_files(codes, months, workdir / "files-cycle")
    results["generate_seconds"] = time.perf_counter() - begin
    results["files"] = len(files)
    results["rows"] = factories * months * len(DATASETS)
    cycle_dir = workdir / "cycle"
    results["submit_seconds"] = _submit_all(files, cycle_dir, register)
    results["reference_read_csv_seconds"] = reference_read_csv(files, workdir)
    results["cycle"] = run_cycles(cycle_dir, register, repeats)
    results["cycle_vs_reference"] = (
        results["cycle"]["seconds"] / results["reference_read_csv_seconds"]
    )

    if second_cycle_factories:
        results["cycle_5000"] = large_cycle(second_cycle_factories, months, workdir, keep)

    console.print(f"[bold]History[/]: {factories} factories x {history_months} months")
    history_files = write_files(codes, history_months, workdir / "files-history")
    history_dir = workdir / "history"
    _submit_all(history_files, history_dir, register)
    results["history_load"] = run_cycles(history_dir, register, repeats)
    results["queries"] = time_queries(history_dir, register)

    console.print("[bold]Single file[/]")
    sample = next(p for p, d, c, _ in files if d == "efficiency" and c == codes[0])
    results["single_file"] = time_single_file(cycle_dir, register, sample, "efficiency")
    results["single_file"]["upload_to_benchmark_seconds"] = time_upload_to_benchmark(
        cycle_dir, register
    )
    if large is not None:
        console.print(f"[bold]Large load[/]: {large[0]} factories x {large[1]} months")
        results["large_load"] = large_load(*large, workdir, repeats)
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["load_at_end"] = machine_load()
    results["targets"] = _verdicts(results)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str))
    if not keep:
        shutil.rmtree(workdir)
    report(results)
    return results


def large_cycle(factories: int, months: int, workdir: Path, keep: bool) -> dict:
    """The monthly cycle at a larger network (5000 factories by default), against DuckDB's
    read_csv of the same files measured right before it (the ratio must hold as it grows)."""
    console.print(f"[bold]Cycle[/]: {factories} factories x {months} months x 4 datasets")
    codes = _codes(factories)
    register = write_register(workdir / "register-large.yaml", codes)
    files = write_files(codes, months, workdir / "files-large")
    cycle_dir = workdir / "cycle-large"
    _submit_all(files, cycle_dir, register)
    reference = reference_read_csv(files, workdir)
    cycle = run_cycle(cycle_dir, register)
    if not keep:  # 20,000 files: not kept beside the history's
        shutil.rmtree(workdir / "files-large")
        shutil.rmtree(cycle_dir)
    return {
        **cycle,
        "factories": factories,
        "files": len(files),
        "reference_read_csv_seconds": reference,
        "vs_reference": cycle["seconds"] / reference,
    }


def _verdicts(results: dict) -> dict:
    single = results["single_file"]
    measured = {
        "cycle_seconds": results["cycle"]["seconds"],
        "cycle_vs_reference": results["cycle_vs_reference"],
        "query_p95_warm_ms": max(q["warm_p95_ms"] for q in results["queries"]),
        "query_cold_ms": max(q["cold_ms"] for q in results["queries"]),
        "validate_process_seconds": single["validate_process_seconds"],
        "upload_feedback_seconds": single["upload_feedback_seconds"],
        "cycle_peak_mib": results["cycle"]["peak_mib"],
        "upload_to_benchmark_p95_seconds": single["upload_to_benchmark_seconds"]["p95"],
    }
    if "cycle_5000" in results:
        measured["cycle_5000_vs_reference"] = results["cycle_5000"]["vs_reference"]
    return {
        name: {"measured": value, "target": TARGETS[name], "met": value < TARGETS[name]}
        for name, value in measured.items()
    } | _load_verdicts(results)


def _load_verdicts(results: dict) -> dict:
    measured = {
        "history_load_seconds": results["history_load"]["seconds"],
        "history_load_peak_mib": results["history_load"]["peak_mib"],
    }
    if "large_load" in results:
        measured["large_load_peak_mib"] = results["large_load"]["peak_mib"]
    return {
        name: {"measured": value, "target": LOAD_TARGETS[name], "met": value < LOAD_TARGETS[name]}
        for name, value in measured.items()
    }


def loads_table(results: dict) -> Table:
    """Where the time and the memory of each load go: seconds per stage, and the peak
    memory of the run by the end of each stage."""
    loads = {
        f"cycle {results['factories']} x {results['months']}": results.get("cycle"),
        f"history {results['factories']} x {results['history_months']}": results.get(
            "history_load"
        ),
    }
    if "large_load" in results:
        large = results["large_load"]
        loads[f"large {large['factories']} x {large['months']}"] = large
    table = Table(title="Loads per stage: seconds / peak MiB by the stage's end")
    table.add_column("stage")
    for name in loads:
        table.add_column(name, justify="right")
    for stage_name in STAGES:
        cells = []
        for load in loads.values():
            seconds = (load or {}).get("stages", {}).get(stage_name)
            peak = (load or {}).get("peak_mib_by_stage_end", {}).get(stage_name)
            cells.append(
                "-"
                if seconds is None
                else f"{seconds:.2f} / {peak:.0f}"
                if peak
                else f"{seconds:.2f}"
            )
        table.add_row(stage_name, *cells)
    table.add_row(
        "whole run", *(f"{load['seconds']:.2f} / {load['peak_mib']:.0f}" for load in loads.values())
    )
    return table


def figure(results: dict, key: str) -> float | None:
    """The figure at ``key`` (a dotted path, e.g. ``history_load.peak_mib``), or None."""
    value: object = results
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, int | float) else None


def comparison_table(results: dict, baseline: dict) -> Table:
    """Every figure of the baseline: old, new and the target, and whether it is met."""

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:,.2f}" if value < 100 else f"{value:,.0f}"

    table = Table(title=f"Before and now (old: {baseline['measured']}, {BASELINE.name})")
    for column in ("figure", "old", "new", "target", "met"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for row in baseline["rows"]:
        new = figure(results, row["key"])
        target = row.get("target")
        met = "" if target is None or new is None else "yes" if new < target else "no"
        table.add_row(row["label"], shown(row.get("old")), shown(new), shown(target), met)
    load = results.get("load_at_start"), results.get("load_at_end")
    if all(load):
        table.caption = (
            f"{results.get('repeats', 1)} run(s) per load, median; load average "
            f"(1 min) {load[0]['load_1m']:.2f} at the start, {load[1]['load_1m']:.2f} at "
            f"the end, on {results['machine']['cores']} cores"
        )
        if "speed_seconds" in load[0] and "speed_seconds" in load[1]:
            table.caption += (
                f"; machine speed {load[0]['speed_seconds']:.3f} s at the start, "
                f"{load[1]['speed_seconds']:.3f} s at the end (kpi.bench.machine_speed)"
            )
    if "factories" in results:
        large = results.get("large_load", {})
        table.caption = (table.caption or "") + (
            f"; sizes of this run: cycle {results['factories']} x {results['months']}, "
            f"history {results['factories']} x {results['history_months']}"
            + (f", large {large['factories']} x {large['months']}" if large else "")
        )
    return table


def report(results: dict) -> None:
    cycle = results["cycle"]
    table = Table(
        title=f"Monthly cycle: {results['factories']} factories x {results['months']} "
        f"months ({results['files']} files, {results['rows']} rows)"
    )
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for name in STAGES:
        table.add_row(name, f"{cycle['stages'].get(name, 0.0):.2f}")
    table.add_row("[bold]whole cycle (kpi run)[/]", f"[bold]{cycle['seconds']:.2f}[/]")
    table.add_row("DuckDB read_csv reference", f"{results['reference_read_csv_seconds']:.2f}")
    table.add_row("ratio to reference", f"{results['cycle_vs_reference']:.1f}x")
    table.add_row("peak memory (MiB)", f"{cycle['peak_mib']:.0f}")
    if "cycle_5000" in results:
        large = results["cycle_5000"]
        table.add_row(
            f"whole cycle at {large['factories']} factories",
            f"{large['seconds']:.2f}",
        )
        table.add_row(
            "  its DuckDB reference / ratio",
            f"{large['reference_read_csv_seconds']:.2f} / {large['vs_reference']:.1f}x",
        )
    table.add_row(
        f"history load ({results['history_months']} months)",
        f"{results['history_load']['seconds']:.2f}",
    )
    console.print(table)
    queries = Table(
        title=f"Dashboard data access at {results['factories']} factories x "
        f"{results['history_months']} months (ms per page)"
    )
    for column in ("page", "cold", "warm p50", "warm p95", "uncached p50", "uncached p95"):
        queries.add_column(column, justify="right" if column != "page" else "left")
    for q in results["queries"]:
        queries.add_row(
            q["page"],
            *(
                f"{q[k]:.1f}"
                for k in (
                    "cold_ms",
                    "warm_p50_ms",
                    "warm_p95_ms",
                    "uncached_p50_ms",
                    "uncached_p95_ms",
                )
            ),
        )
    console.print(queries)
    single = Table(title="Single file")
    single.add_column("what")
    single.add_column("seconds", justify="right")
    for name, value in results["single_file"].items():
        if isinstance(value, dict):  # several measurements: their p50 and p95
            single.add_row(f"{name.replace('_seconds', '')} p50", f"{value['p50']:.2f}")
            single.add_row(f"{name.replace('_seconds', '')} p95", f"{value['p95']:.2f}")
            continue
        single.add_row(name.replace("_seconds", ""), f"{value:.2f}")
    console.print(single)
    verdicts = Table(title="Targets")
    for column in ("target", "measured", "limit", "met"):
        verdicts.add_column(column)
    for name, verdict in results["targets"].items():
        verdicts.add_row(
            name,
            f"{verdict['measured']:.2f}",
            f"{verdict['target']:g}",
            "[green]yes[/]" if verdict["met"] else "[red]no[/]",
        )
    console.print(verdicts)
    if "large_load" in results:
        large = results["large_load"]
        console.print(
            f"Large load {large['factories']} x {large['months']} months "
            f"({large['files']} files): {large['seconds']:.2f} s, peak {large['peak_mib']:.0f} MiB"
        )
    console.print(loads_table(results))
    if BASELINE.exists():
        console.print(comparison_table(results, json.loads(BASELINE.read_text())))
