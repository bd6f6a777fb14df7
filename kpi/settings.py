"""Typed configuration, read once from the environment (prefix ``KPI_``)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Where the platform keeps its data and which limits apply.

    Every field can be set with an environment variable: ``KPI_DATA_DIR``,
    ``KPI_FACTORY_REGISTER``, ``KPI_DISCLOSURE_CONFIG``, ``KPI_PSEUDONYM_KEY``,
    ``KPI_MAX_FILE_MB``, ``KPI_LANG``, ``KPI_SESSION_IDLE_MINUTES``,
    ``KPI_UPLOAD_CHECK_SECONDS``, ``KPI_UPLOAD_CHECK_MEMORY_MB``, ``KPI_TRUST_FORWARDED_FOR``.
    """

    model_config = SettingsConfigDict(env_prefix="KPI_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data")
    factory_register: Path = Field(default=REPO_ROOT / "config" / "factories.yaml")
    contracts_dir: Path = Field(default=REPO_ROOT / "contracts")
    disclosure_config: Path = Field(default=REPO_ROOT / "config" / "disclosure.yaml")
    pseudonym_key: SecretStr | None = None
    max_file_mb: float = 10.0
    lang: str = "nl"
    session_idle_minutes: float = Field(default=30.0, gt=0)
    """A dashboard session without a page load for this long must log in again."""
    upload_check_seconds: float = Field(default=60.0, gt=0)
    """Wall-clock limit of checking one uploaded file (in its own process)."""
    upload_check_memory_mb: int = Field(default=2048, gt=0)
    """Memory limit of the process that checks one uploaded file."""
    trust_forwarded_for: bool = False
    """Behind one reverse proxy: throttle logins by the client address the proxy adds to
    ``X-Forwarded-For`` rather than by the proxy's own address."""

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def pending_dir(self) -> Path:
        return self.landing_dir / "pending"

    @property
    def archive_dir(self) -> Path:
        return self.landing_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "warehouse.duckdb"

    @property
    def warehouse_lock_path(self) -> Path:
        return self.data_dir / "warehouse" / "warehouse.lock"

    @property
    def serving_path(self) -> Path:
        """The serving snapshot the dashboards read (replaced whole by every run)."""
        return self.data_dir / "serving" / "benchmark.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


class ConfigurationError(RuntimeError):
    """A setting points at something missing or malformed; the message names it."""


def read_config_yaml(path: Path, setting: str) -> object:
    """The YAML file behind ``setting`` (e.g. ``KPI_FACTORY_REGISTER``), or a clear error."""
    import yaml

    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise ConfigurationError(
            f"{setting}: bestand {path} bestaat niet / file {path} does not exist"
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(
            f"{setting}: {path} is geen geldige YAML / is not valid YAML: {exc}"
        ) from exc


@cache
def get_settings() -> Settings:
    """The settings of this process (read once; tests clear the cache after changing env)."""
    return Settings()


def reset_settings_cache() -> None:
    """Forget the cached settings so the next call reads the environment again."""
    get_settings.cache_clear()


def ensure_dagster_home(settings: Settings) -> Path:
    """Create the local Dagster instance directory with its ``dagster.yaml`` and return it.

    The instance queues runs and lets one run at a time touch the warehouse: DuckDB has a
    single writer (see DESIGN.md).
    """
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    template = REPO_ROOT / "pipelines" / "dagster.yaml"
    if not config.exists() or config.read_text() != template.read_text():
        config.write_text(template.read_text())
    os.environ.setdefault("DAGSTER_HOME", str(home))
    return home
