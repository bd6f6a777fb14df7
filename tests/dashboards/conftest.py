"""A published snapshot and accounts for the dashboard tests (built once per module)."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.names import MONTHLY_JOB
from dashboards import data
from kpi.landing import submit
from kpi.settings import get_settings, reset_settings_cache
from kpi.users import UserStore
from pipelines.definitions import build_definitions
from tests.conftest import valid_rows, write_rows

FACTORIES = ["F01", "F02", "F04", "F05", "F08", "F09"]
PASSWORD = "dashboard-test-password"
ACCOUNTS = {
    "factory": ("f01@test.example", "factory", "F01"),
    "other_factory": ("f02@test.example", "factory", "F02"),
    "coordinator": ("coordinator@test.example", "coordinator", None),
    "city": ("city@test.example", "city", None),
    "admin": ("admin@test.example", "admin", None),
    "guesser": ("guessed@test.example", "city", None),  # gets locked out in its test
}


@pytest.fixture(scope="package")
def published(tmp_path_factory):
    """Six factories' files processed by the real monthly cycle, and five accounts."""
    root = tmp_path_factory.mktemp("dashboards")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KPI_DATA_DIR", str(root / "data"))
        patch.setenv("DAGSTER_HOME", str(root / "data" / "dagster"))
        patch.delenv("KPI_PSEUDONYM_KEY", raising=False)
        reset_settings_cache()
        data.clear_cache()
        settings = get_settings()
        for code in FACTORIES:
            for dataset in ("efficiency", "quality", "people", "regional"):
                path = write_rows(
                    valid_rows(dataset, code, months=14),
                    dataset,
                    root / "files" / f"{code}-{dataset}",
                )
                submit(path, dataset, code, settings)
        job = build_definitions(settings).resolve_job_def(MONTHLY_JOB)
        with dg.DagsterInstance.ephemeral() as instance:
            assert job.execute_in_process(instance=instance).success
        store = UserStore(settings.data_dir)
        for email, role, factory in ACCOUNTS.values():
            store.add(email, role, PASSWORD, factory)
        yield settings
    reset_settings_cache()
    data.clear_cache()


@pytest.fixture
def env(published, monkeypatch):
    """Point this test's process at the published data directory."""
    monkeypatch.setenv("KPI_DATA_DIR", str(published.data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(published.data_dir / "dagster"))
    reset_settings_cache()
    yield published
    reset_settings_cache()
