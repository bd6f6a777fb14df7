"""`kpi bench` prints every figure of the committed baseline beside the new one and the
target (the measuring itself is `make bench`; tests contain no timings)."""

from __future__ import annotations

import io
import json

from rich.console import Console

from kpi.bench import BASELINE, comparison_table, figure, machine_load


def _printed(table) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(table)
    return out.getvalue().splitlines()


def test_old_new_and_target_side_by_side():
    baseline = json.loads(BASELINE.read_text())
    results = {
        "cycle": {"seconds": 12.5, "peak_mib": 600.0},
        "reference_read_csv_seconds": 2.5,
        "cycle_vs_reference": 5.0,
        "history_load": {"seconds": 14.2, "peak_mib": 1300.0, "stages": {"releases": 2.25}},
        "machine": {"cores": 2},
        "repeats": 3,
        "load_at_start": {"load_1m": 1.5, "speed_seconds": 0.125},
        "load_at_end": {"load_1m": 2.25, "speed_seconds": 0.1375},
    }
    lines = _printed(comparison_table(results, baseline))
    row = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
        for line in lines
        if line.count("│") == 6
    }
    assert row["history load 1000 x 120, s"] == ["39.60", "14.20", "15.00", "yes"]
    assert row["history load peak memory, MiB"] == ["1,823", "1,300", "1,024", "no"]
    assert row["of which releasing the months, s"] == ["41.15", "2.25", "-", ""]
    assert row["cycle / read_csv"] == ["7.30", "5.00", "4.00", "no"]
    # not measured in this run (the large load was skipped): no verdict
    assert row["load 10000 x 12 peak memory, MiB"] == ["-", "-", "2,048", ""]
    caption = " ".join(" ".join(lines).split())
    assert "3 run(s) per load, median" in caption
    assert "load average (1 min) 1.50 at the start, 2.25 at the end, on 2 cores" in caption
    assert "machine speed 0.125 s at the start, 0.138 s at the end" in caption


def test_the_load_says_how_fast_the_machine_was():
    load = machine_load()
    assert set(load) == {"load_1m", "load_5m", "load_15m", "speed_seconds"}
    assert 0 < load["speed_seconds"] < 60


def test_figures_are_found_by_their_path_in_the_results():
    results = {"single_file": {"upload_to_benchmark_seconds": 3.2}, "cycle": {"seconds": 9}}
    assert figure(results, "single_file.upload_to_benchmark_seconds") == 3.2
    assert figure(results, "cycle.seconds") == 9
    assert figure(results, "cycle_5000.seconds") is None
    assert figure(results, "cycle") is None


def test_a_run_reports_its_own_peak_memory_not_that_of_the_process_that_started_it():
    """`kpi bench` starts its runs while it holds the generated data: the run's peak is its
    own high-water mark, where the child's ``ru_maxrss`` starts at the parent's size."""
    import subprocess
    import sys

    held = bytearray(400 * 1024 * 1024)
    held[::4096] = b"\x01" * len(held[::4096])  # in memory, not only reserved
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource; from kpi.timing import peak_mib; "
            "print(peak_mib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    own, inherited = map(float, child.stdout.split())
    assert inherited >= 400  # what the bench reported before
    assert own < 200
    del held
