"""The ingest asset, materialised in-process against a DuckDB file in tmp_path."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import dagster as dg
import duckdb
import pytest

from assets.ingest import check_stored_table, contract_checks, ingest_submissions
from assets.names import CONTRACT_CHECK, SUBMISSIONS_KEY, table_key
from kpi import expectations
from kpi.contracts import DATASETS, UPLOAD_DATASETS
from kpi.expectations import GX_NICENESS, SuiteRunner
from kpi.landing import list_pending, submit
from kpi.settings import REPO_ROOT
from pipelines.resources import build_resources
from tests.conftest import alive

INGEST = [ingest_submissions, contract_checks]
"""The ingest asset and its contract checks (a step of their own, at the end of a run)."""


def test_materialising_stores_waiting_files_and_passes_the_contract_checks(settings, make_file):
    for dataset in DATASETS:
        submit(make_file(dataset, "F08"), dataset, "F08", settings)
    submit(
        make_file(
            "quality", "F04", change=lambda r: r.with_columns(parts_shipped=-r["parts_shipped"])
        ),
        "quality",
        "F04",
        settings,
    )

    result = dg.materialize(INGEST, resources=build_resources(settings))

    assert result.success
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    # every uploadable dataset's table, the yearly self-scan's too (empty here)
    assert materialised == {SUBMISSIONS_KEY, *(table_key(d) for d in UPLOAD_DATASETS)}
    checks = result.get_asset_check_evaluations()
    assert {(c.asset_key, c.check_name) for c in checks} == {
        (table_key(d), CONTRACT_CHECK) for d in UPLOAD_DATASETS
    }
    assert all(c.passed for c in checks)
    audit = result.asset_materializations_for_node("ingest_submissions")
    submissions = next(m for m in audit if m.asset_key == SUBMISSIONS_KEY)
    assert submissions.metadata["accepted_this_run"].value == 4
    assert submissions.metadata["refused_this_run"].value == 1
    quality = next(m for m in audit if m.asset_key == table_key("quality"))
    assert quality.metadata["dagster/row_count"].value == 3
    assert list_pending(settings) == []
    assert settings.warehouse_path.exists()


def test_contract_check_fails_when_a_stored_row_breaks_an_error_rule(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    dg.materialize(INGEST, resources=build_resources(settings))
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "UPDATE quality SET parts_rejected_by_customer = parts_shipped + 5 "
            "WHERE period = DATE '2025-11-01'"
        )
        check = check_stored_table(con, "quality")
    assert not check.passed
    assert check.metadata["error_rule_failures"].value == {"rejected_within_shipped": 1}
    assert check.metadata["rows_checked"].value == 3


def test_the_self_scans_contract_check_fails_on_a_stored_score_outside_1_to_5(settings, tmp_path):
    from kpi.maturity.drafts import Draft, scan_file
    from kpi.maturity.statements import statements

    path = tmp_path / "scan.csv"
    path.write_bytes(scan_file(Draft("F01", 2025, {s.column: 3 for s in statements()})))
    submit(path, "maturity", "F01", settings)
    result = dg.materialize(INGEST, resources=build_resources(settings))
    scans = next(
        m
        for m in result.asset_materializations_for_node("ingest_submissions")
        if m.asset_key == table_key("maturity")
    )
    assert scans.metadata["dagster/row_count"].value == 1
    assert scans.metadata["first_year"].value == scans.metadata["last_year"].value == "2025"
    with duckdb.connect(str(settings.warehouse_path)) as con:
        assert check_stored_table(con, "maturity").passed
        con.execute("UPDATE maturity SET digital_cybersecurity = 9")
        check = check_stored_table(con, "maturity")
    assert not check.passed
    assert check.metadata["error_rule_failures"].value == {"maximum": 1}


def test_nothing_waiting_still_materialises_and_checks(settings):
    result = dg.materialize(INGEST, resources=build_resources(settings))
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations())


def test_a_table_the_run_did_not_change_keeps_its_checked_result(settings, make_file):
    submit(make_file("quality"), "quality", "F01", settings)
    submit(make_file("people"), "people", "F01", settings)
    with dg.instance_for_test() as instance:
        first = dg.materialize(INGEST, resources=build_resources(settings), instance=instance)
        submit(make_file("quality", "F04"), "quality", "F04", settings)
        second = dg.materialize(INGEST, resources=build_resources(settings), instance=instance)
        # a stored row changed by hand: the state differs, the suite runs and fails
        with duckdb.connect(str(settings.warehouse_path)) as con:
            con.execute("UPDATE people SET headcount_start = -1 WHERE period = DATE '2025-12-01'")
        third = dg.materialize(INGEST, resources=build_resources(settings), instance=instance)

    def check(result, dataset):
        (found,) = [
            c for c in result.get_asset_check_evaluations() if c.asset_key == table_key(dataset)
        ]
        return found

    # quality changed in the second run: checked again, all six rows
    assert check(second, "quality").metadata["rows_checked"].value == 6
    assert "checked_in_run" not in check(second, "quality").metadata
    # people did not: the first run's result stands, and says where it was checked
    people = check(second, "people")
    assert people.passed
    assert people.metadata["rows_checked"].value == 3
    assert people.metadata["checked_in_run"].value == first.run_id
    assert not check(third, "people").passed
    assert check(third, "people").metadata["error_rule_failures"].value
    assert check(third, "quality").metadata["checked_in_run"].value == second.run_id


def _broken_quality_table(settings, make_file) -> duckdb.DuckDBPyConnection:
    submit(make_file("quality"), "quality", "F01", settings)
    dg.materialize(INGEST, resources=build_resources(settings))
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute(
        "UPDATE quality SET parts_rejected_by_customer = parts_shipped + 5 "
        "WHERE period = DATE '2025-11-01'"
    )
    return con


def test_the_contract_check_in_a_gx_process_of_its_own_finds_the_same(settings, make_file):
    """A run that has not imported GX checks its tables in a GX process started when it
    found files to store; its answer is the one GX gives in the run's own process."""
    with _broken_quality_table(settings, make_file) as con:
        here = check_stored_table(con, "quality")
        with SuiteRunner(own_process=True) as suites:
            suites.start()
            process = suites._process
            assert process is not None and process.is_alive()
            apart = check_stored_table(con, "quality", suites=suites)
            assert process.pid != os.getpid()
        assert not process.is_alive()  # the run ended: so did its GX process
    assert apart.passed is here.passed is False
    assert apart.metadata == here.metadata


def test_the_gx_process_ends_without_a_word(capfd):
    """It leaves its objects to the end of the process rather than collecting them first:
    nothing it holds may complain about that on the run's error output (DuckDB's objects
    would: it does not import DuckDB, and would not freeze if it had)."""
    with SuiteRunner(own_process=True) as suites:
        suites.start()
        process = suites._process
        assert suites.failure_counts("quality", stored_frame(), dt.date(2025, 12, 1)) == {}
    assert process is not None and process.exitcode == 0  # it ended on its own, not stopped
    assert "leaked" not in capfd.readouterr().err


def test_the_gx_process_leaves_the_cores_to_its_run_first():
    """The run's own work goes first; its GX process checks with what the run leaves:
    every thread of it, those its imports started before it could ask too."""
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    if ours + GX_NICENESS > 19:
        pytest.skip("the tests run too niced to see a GX process's niceness")
    with SuiteRunner(own_process=True) as suites:
        suites.start()
        process = suites._process
        assert process is not None
        assert suites.failure_counts("quality", stored_frame(), dt.date(2025, 12, 1)) == {}
        threads = os.listdir(f"/proc/{process.pid}/task")
        assert len(threads) > 1
        assert {os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in threads} == {
            ours + GX_NICENESS
        }


def test_the_gx_process_started_ahead_is_the_one_the_run_checks_in():
    """``kpi run`` starts its GX process before it imports the pipeline; the run's
    checks then go to that process, and no second one is started."""
    expectations.start_ahead(own_process=True)
    try:
        ((ahead, _),) = expectations._ahead
        with SuiteRunner(own_process=True) as suites:
            suites.start()
            assert suites._process is ahead and not expectations._ahead
            assert suites.failure_counts("quality", stored_frame(), dt.date(2025, 12, 1)) == {}
        assert ahead.exitcode == 0
    finally:
        expectations.end_ahead()


def test_a_gx_process_started_ahead_that_died_or_was_not_used_is_not_left_behind():
    expectations.start_ahead(own_process=True)
    ((dead, _),) = expectations._ahead
    dead.kill()
    dead.join()
    with SuiteRunner(own_process=True) as suites:
        suites.start()  # another one, which checks
        assert suites._process is not None and suites._process.pid != dead.pid
        assert suites.failure_counts("quality", stored_frame(), dt.date(2025, 12, 1)) == {}
    expectations.start_ahead(own_process=True)
    ((unused, _),) = expectations._ahead
    expectations.end_ahead()  # the command ends without a run that took it
    assert not unused.is_alive() and not expectations._ahead


def test_a_dead_gx_process_does_not_stop_the_check(settings, make_file):
    with _broken_quality_table(settings, make_file) as con, SuiteRunner(own_process=True) as suites:
        suites.start()
        suites._process.kill()
        suites._process.join()
        check = check_stored_table(con, "quality", suites=suites)
    assert check.metadata["error_rule_failures"].value == {"rejected_within_shipped": 1}


def test_the_gx_process_of_a_killed_run_ends_with_it():
    """A run that dies closes its end of the pipe by dying; the GX process then ends on
    its own (here: the pipe closed without a word, as a killed process leaves it)."""
    suites = SuiteRunner(own_process=True)
    suites.start()
    process, connection = suites._process, suites._connection
    connection.close()
    process.join(timeout=120)
    assert process.exitcode == 0


def test_the_gx_process_of_a_killed_run_dies_with_it(tmp_path):
    """A run killed (SIGKILL: no handler, no ``finally``) after its GX process started
    takes that process with it."""
    script = (
        "import datetime as dt, time\n"
        "from kpi.expectations import SuiteRunner\n"
        "from tests.assets.test_ingest_asset import stored_frame\n"
        "suites = SuiteRunner(own_process=True)\n"
        "suites.start()\n"
        "suites.failure_counts('quality', stored_frame(), dt.date(2026, 1, 1))\n"
        "print(suites._process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        gx_pid = int(run.stdout.readline())
        assert alive(gx_pid)
    finally:
        run.kill()
        run.wait()
    deadline = time.monotonic() + 120  # patience on a busy machine, not a requirement
    while alive(gx_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(gx_pid)


def stored_frame():
    """A stored quality table as the contract check hands it to GX."""
    import polars as pl

    from tests.conftest import valid_rows

    return (
        valid_rows("quality")
        .drop("factory_code")
        .with_columns(pl.lit("F01").alias("factory_pseudonym"), pl.lit("s1").alias("submission_id"))
    )


def _cannot_be_taken():
    raise ValueError("a table the GX process cannot take off the pipe")


class _Untakeable:
    """Unpickles, in the GX process, into an error (as a table too big for its memory)."""

    def __reduce__(self):
        return (_cannot_be_taken, ())


def _no_answer_and_no_hang(table: object) -> None:
    """Handing ``table`` over, the run is told there is no answer (it then checks the
    tables itself) instead of waiting for one for ever."""
    import datetime as dt
    import threading

    with SuiteRunner(own_process=True) as suites:
        suites.start()
        assert suites.submit("quality", table, dt.date(2026, 1, 1))
        answers = []
        collecting = threading.Thread(target=lambda: answers.append(suites.collect()))
        collecting.start()
        collecting.join(timeout=120)  # GX's import takes seconds; a hang takes for ever
        assert not collecting.is_alive(), "the run waits for an answer that never comes"
        assert answers == [None]
        assert not suites.has_process


def test_a_table_the_gx_process_cannot_take_does_not_hang_the_run():
    """The GX process ends when it cannot take a table; the run sees it end."""
    _no_answer_and_no_hang(_Untakeable())


class _Unsendable:
    """Cannot be pickled in the run's process (a table its sending thread cannot send)."""

    def __reduce__(self):
        raise TypeError("a table the run cannot send")


def test_a_table_the_run_cannot_send_does_not_hang_the_run():
    """The run's sending thread stops at a table it cannot send; the GX process, alive,
    waits for it for ever, so the run must not wait for its answer."""
    _no_answer_and_no_hang(_Unsendable())


def test_after_a_table_it_could_not_send_the_run_hands_over_nothing_more():
    """Once the sending thread has stopped, a table handed over would never be sent: the
    run is told so at once, and checks its tables itself."""
    import datetime as dt

    with SuiteRunner(own_process=True) as suites:
        suites.start()
        assert suites.submit("quality", _Unsendable(), dt.date(2026, 1, 1))
        deadline = time.monotonic() + 60
        while suites._unsent is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not suites.submit("quality", stored_frame(), dt.date(2026, 1, 1))
        assert not suites.has_process
