"""A production Dagster instance keeps its runs and events in PostgreSQL
(``KPI_DAGSTER_POSTGRES_URL``); without it, SQLite files in the data directory.

The PostgreSQL test starts a real server from Debian's ``postgresql`` package in a
temporary directory (its own port, its unix socket in that directory), and stops it after,
also when the test fails.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from assets.names import MONTHLY_JOB, WAREHOUSE_TAG, WAREHOUSE_WRITER
from kpi.landing import list_pending, submit
from kpi.settings import ensure_dagster_home, get_settings, reset_settings_cache
from pipelines.definitions import build_definitions
from tests.conftest import free_port
from tests.pipelines.test_sensors import evaluate

SERVER_USER = "kpi"
DATABASE = "dagster"


def _postgres_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda initdb: int(initdb.parent.parent.name),
    )
    if not found:
        pytest.fail("PostgreSQL is missing: `make test` installs Debian's postgresql package")
    return found[-1].parent


def _unprivileged_account() -> str:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    pytest.fail("no unprivileged account (postgres, nobody) to run the PostgreSQL server as")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of an empty database on a PostgreSQL server of this test alone."""
    bin_dir = _postgres_bin()
    # not pytest's tmp_path: the server's account must be able to reach its directory
    root = Path(tempfile.mkdtemp(prefix="kpi-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        # initdb and the server refuse to run as root
        account = _unprivileged_account()
        shutil.chown(root, account)
        run_as = ["runuser", "-u", account, "--"]
    data, log = root / "data", root / "server.log"
    port = free_port()
    ctl = [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", SERVER_USER]
            + ["--auth=trust", "--encoding=UTF8", "--no-sync"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        # unix socket only, in the test's directory: nothing else on the machine can reach it
        options = f"-p {port} -k {root} -c listen_addresses=''"
        started = subprocess.run(
            [*ctl, "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
            capture_output=True,
            text=True,
            timeout=90,
        )
        if started.returncode != 0:
            pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{_read(log)}")
        subprocess.run(
            [str(bin_dir / "createdb"), "-h", str(root), "-p", str(port), "-U", SERVER_USER]
            + [DATABASE],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield f"postgresql+psycopg2://{SERVER_USER}@/{DATABASE}?host={root}&port={port}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*ctl, "-m", "fast", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _query(url: str, sql: str, *params: object) -> list[tuple]:
    import psycopg2

    # libpq takes the URL without SQLAlchemy's driver name
    with (
        psycopg2.connect(url.replace("+psycopg2", "")) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    connection.close()
    return rows


def test_without_a_postgres_url_the_instance_keeps_sqlite_files(settings):
    home = ensure_dagster_home(settings)
    assert "storage:" not in (home / "dagster.yaml").read_text()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"


def test_a_postgres_url_without_the_driver_is_refused_without_repeating_it(settings, monkeypatch):
    from kpi.settings import ConfigurationError

    monkeypatch.setenv("KPI_DAGSTER_POSTGRES_URL", "postgresql://dagster:s3cret@db/dagster")
    reset_settings_cache()
    with pytest.raises(ConfigurationError) as refused:
        get_settings()
    assert "KPI_DAGSTER_POSTGRES_URL" in str(refused.value)
    assert "begint met postgresql+psycopg2://" in str(refused.value)
    assert "starting with postgresql+psycopg2://" in str(refused.value)
    assert "s3cret" not in str(refused.value)
    reset_settings_cache()


def test_kpi_instance_prepares_the_instance_of_a_deployment(settings, postgres_url, monkeypatch):
    from typer.testing import CliRunner

    from kpi.cli import app

    monkeypatch.setenv("KPI_DAGSTER_POSTGRES_URL", postgres_url)
    reset_settings_cache()
    result = CliRunner().invoke(app, ["instance"])
    assert result.exit_code == 0, result.output
    assert f"DAGSTER_HOME={settings.dagster_home}" in result.output
    assert "runs and events in: PostgreSQL (KPI_DAGSTER_POSTGRES_URL)" in result.output
    assert postgres_url not in result.output
    # the new database got Dagster's tables, ready for the daemon and the webserver
    tables = {name for (name,) in _query(postgres_url, "SELECT tablename FROM pg_tables")}
    assert {"runs", "event_logs", "jobs", "instigators"} <= tables

    # a server that is gone: a clear refusal naming the setting, and no password echoed
    gone = postgres_url.rsplit("port=", 1)[0] + f"port={free_port()}"
    monkeypatch.setenv("KPI_DAGSTER_POSTGRES_URL", gone)
    reset_settings_cache()
    result = CliRunner().invoke(app, ["instance"])
    assert result.exit_code == 1
    assert "the Dagster instance cannot be opened (KPI_DAGSTER_POSTGRES_URL)" in result.output
    reset_settings_cache()


def test_sensor_and_run_on_a_postgres_backed_instance(
    settings, make_file, postgres_url, monkeypatch
):
    monkeypatch.setenv("KPI_DAGSTER_POSTGRES_URL", postgres_url)
    reset_settings_cache()
    settings = get_settings()
    home = ensure_dagster_home(settings)
    config = (home / "dagster.yaml").read_text()
    # the URL (a password, in production) stays in the environment
    assert postgres_url not in config
    assert "env: KPI_DAGSTER_POSTGRES_URL" in config

    submit(make_file("quality"), "quality", "F01", settings)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        # the queue's one-writer rule and run monitoring hold on PostgreSQL too
        queue = instance.get_concurrency_config().run_queue_config
        assert {"key": WAREHOUSE_TAG, "value": WAREHOUSE_WRITER, "limit": 1} in (
            queue.tag_concurrency_limits
        )
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_max_runtime_seconds == 3600

        (request,) = evaluate(settings, instance).run_requests
        job = build_definitions(settings).resolve_job_def(MONTHLY_JOB)
        result = job.execute_in_process(instance=instance, tags=request.tags)
        assert result.success
        # the sensor reads the run's outcome back from PostgreSQL: nothing is left to do
        assert isinstance(evaluate(settings, instance), dg.SkipReason)
    assert list_pending(settings) == []

    assert _query(postgres_url, "SELECT status FROM runs WHERE run_id = %s", result.run_id) == [
        ("SUCCESS",)
    ]
    # the sensor's tags (the one-writer rule, the batch) went with the run
    tags = dict(
        _query(postgres_url, "SELECT key, value FROM run_tags WHERE run_id = %s", result.run_id)
    )
    assert tags[WAREHOUSE_TAG] == WAREHOUSE_WRITER
    assert tags["kpi/files"] == "1"
    materialised = {
        key
        for (key,) in _query(
            postgres_url,
            "SELECT asset_key FROM event_logs WHERE run_id = %s"
            " AND dagster_event_type = 'ASSET_MATERIALIZATION'",
            result.run_id,
        )
    }
    assert '["serving", "benchmark_snapshot"]' in materialised
    # and nothing went to SQLite beside it
    assert not list(home.rglob("*.db"))
    reset_settings_cache()
