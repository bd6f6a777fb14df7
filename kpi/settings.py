"""Typed configuration, read once from the environment (prefix ``KPI_``)."""

from __future__ import annotations

import os
import stat
import tempfile
from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kpi.i18n import LANGUAGES, both_languages, message

REPO_ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL_PREFIX = "postgresql+psycopg2://"


class Settings(BaseSettings):
    """Where the platform keeps its data and which limits apply.

    Every field can be set with an environment variable: ``KPI_DATA_DIR``,
    ``KPI_FACTORY_REGISTER``, ``KPI_DISCLOSURE_CONFIG``, ``KPI_PSEUDONYM_KEY``,
    ``KPI_MAX_FILE_MB``, ``KPI_LANG``, and the reading limits ``KPI_MAX_UNPACKED_MB``,
    ``KPI_MAX_ZIP_RATIO``, ``KPI_MAX_ROWS``, ``KPI_MAX_CELLS``, ``KPI_MAX_FINDINGS_PER_RULE``
    (see docs/files.md), ``KPI_SESSION_IDLE_MINUTES``,
    ``KPI_UPLOAD_CHECK_SECONDS``, ``KPI_UPLOAD_CHECK_MEMORY_MB``, ``KPI_TRUST_FORWARDED_FOR``
    (see docs/security.md), and the reminders' ``KPI_SMTP_HOST``, ``KPI_SMTP_PORT``,
    ``KPI_SMTP_USER``, ``KPI_SMTP_PASSWORD``, ``KPI_SMTP_FROM``, ``KPI_SMTP_STARTTLS``,
    ``KPI_REMINDER_DAYS_BEFORE_CLOSE`` (see docs/coordination.md), and
    ``KPI_DAGSTER_POSTGRES_URL`` (see docs/deployment.md).
    """

    model_config = SettingsConfigDict(env_prefix="KPI_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data")
    factory_register: Path = Field(default=REPO_ROOT / "config" / "factories.yaml")
    contracts_dir: Path = Field(default=REPO_ROOT / "contracts")
    disclosure_config: Path = Field(default=REPO_ROOT / "config" / "disclosure.yaml")
    pseudonym_key: SecretStr | None = None
    max_file_mb: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    lang: str = "nl"
    # what one uploaded file may unpack to and hold, checked before and while reading it
    max_unpacked_mb: float = Field(default=50.0, gt=0)
    max_zip_ratio: float = Field(default=100.0, gt=1)
    max_rows: int = Field(default=10_000, gt=0)
    max_cells: int = Field(default=500_000, gt=0)
    max_findings_per_rule: int = Field(default=50, gt=0)
    session_idle_minutes: float = Field(default=30.0, gt=0)
    """A dashboard session without a page load for this long must log in again."""
    upload_check_seconds: float = Field(default=60.0, gt=0)
    """Wall-clock limit of checking one uploaded file (in its own process)."""
    upload_check_memory_mb: int = Field(default=2048, gt=0)
    """Memory limit of the process that checks one uploaded file."""
    trust_forwarded_for: bool = False
    """Behind one reverse proxy: throttle logins by the client address the proxy adds to
    ``X-Forwarded-For`` rather than by the proxy's own address."""
    # reminders by e-mail (docs/coordination.md); without a host they are written to
    # $KPI_DATA_DIR/outbox/ instead of sent (the demo)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "kpi-netwerk@localhost"
    smtp_starttls: bool = True
    reminder_days_before_close: int = Field(default=5, ge=0, le=27)
    """The reminder schedule writes to every late factory this many days before the
    open month's close day."""
    dagster_postgres_url: SecretStr | None = None
    """Keep Dagster's runs, events and schedules in this PostgreSQL database
    (``postgresql+psycopg2://user:password@host:5432/dagster``) instead of SQLite files
    in the data directory: what a production deployment does (docs/deployment.md)."""

    @field_validator("dagster_postgres_url")
    @classmethod
    def _psycopg2_driver(cls, url: SecretStr | None) -> SecretStr | None:
        # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; dagster-postgres ships psycopg2
        if url is not None and not url.get_secret_value().startswith(POSTGRES_URL_PREFIX):
            raise ValueError(f"must start with {POSTGRES_URL_PREFIX}")
        return url

    @property
    def register_managed_elsewhere(self) -> bool:
        """``KPI_FACTORY_REGISTER`` is set: the register is kept outside the platform."""
        return "factory_register" in self.model_fields_set

    @property
    def data_register_path(self) -> Path:
        """The register as the admin's Factories page keeps it."""
        return self.data_dir / "register.yaml"

    @property
    def register_path(self) -> Path:
        """The register in force: ``KPI_FACTORY_REGISTER`` when set; else the one kept in
        the data directory once the admin changed it; else the shipped one."""
        if not self.register_managed_elsewhere and self.data_register_path.exists():
            return self.data_register_path
        return self.factory_register

    @property
    def outbox_dir(self) -> Path:
        """Where reminders are written when no SMTP host is configured."""
        return self.data_dir / "outbox"

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
    def unpublished_path(self) -> Path:
        """Present while the warehouse holds changes the snapshot does not show yet."""
        return self.data_dir / "warehouse" / "unpublished"

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

    # libyaml's parser with PyYAML's safe constructors: the same documents, ~10x faster
    # (a register of thousands of factories)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)
    except FileNotFoundError as exc:
        raise ConfigurationError(
            f"{setting}: bestand {path} bestaat niet / file {path} does not exist"
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(
            f"{setting}: {path} is geen geldige YAML / is not valid YAML: {exc}"
        ) from exc


EXPECTED = {"dagster_postgres_url": "expected_postgres_url"}
"""What a setting must be when its type and bounds do not say it, as a message key."""
SECRET_SETTINGS = {"pseudonym_key", "smtp_password", "dagster_postgres_url"}
"""Settings whose value an error message never repeats (a password, a key)."""
BOUNDS = {"gt": "bound_greater_than", "ge": "bound_at_least", "le": "bound_at_most"}


def _expected(name: str, error: dict, lang: str) -> str:
    """What setting ``name`` must be, from its type and bounds, in ``lang``: "verwacht een
    geheel getal groter dan 0" (Pydantic's own English wording for other kinds of field)."""
    if name in EXPECTED:
        return message(EXPECTED[name], lang)
    field = Settings.model_fields.get(name)
    kinds = {int: "expected_whole_number", float: "expected_number", bool: "expected_true_false"}
    if field is None or field.annotation not in kinds:
        return error["msg"]
    bounds = [
        message(key, lang, limit=f"{limit:g}")
        for bound in field.metadata
        for attribute, key in BOUNDS.items()
        if (limit := getattr(bound, attribute, None)) is not None
    ]
    return " ".join(
        [
            message(kinds[field.annotation], lang),
            *bounds[:1],
            *(message("and", lang) + bound for bound in bounds[1:]),
        ]
    )


@cache
def get_settings() -> Settings:
    """The settings of this process (read once; tests clear the cache after changing env).

    A malformed setting raises :class:`ConfigurationError` naming the variable."""
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        raise ConfigurationError(
            " / ".join(
                message(
                    "setting_invalid",
                    lang,
                    setting=f"KPI_{name.upper()}",
                    value="***" if name in SECRET_SETTINGS else error.get("input", ""),
                    expected=_expected(name, error, lang),
                )
                for lang in LANGUAGES
            )
        ) from exc
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise ConfigurationError(both_languages("data_dir_not_a_directory", path=settings.data_dir))
    return settings


def reset_settings_cache() -> None:
    """Forget the cached settings so the next call reads the environment again."""
    get_settings.cache_clear()


PRIVATE_UMASK = 0o077
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private() -> None:
    """From now on, every file and folder this process (and its children) creates is
    readable and writable by the service's account only: the data directory holds
    factories' figures, the audit log and the pseudonym key."""
    os.umask(PRIVATE_UMASK)


def prepare_data_dir(settings: Settings) -> Path:
    """Make the data directory ready for a process that writes in it: created private,
    checked writable (a :class:`ConfigurationError` naming ``KPI_DATA_DIR`` if not), and
    anything in it left readable to others by an older version made private, once
    (:data:`PRIVATE_MARK`): what the platform writes since is private when written, and
    walking a data directory of years of archived files on every command would not do."""
    make_private()
    data_dir = settings.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigurationError(both_languages("data_dir_not_a_directory", path=data_dir))
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError as exc:
        raise ConfigurationError(
            both_languages("data_dir_not_writable", path=data_dir, detail=exc.strerror or exc)
        ) from exc
    mark = data_dir / PRIVATE_MARK
    if not mark.exists():
        _make_tree_private(data_dir)
        mark.touch(mode=PRIVATE_FILE_MODE)
    return data_dir


PRIVATE_MARK = ".made-private"
"""A file in the data directory once everything in it has been made private: a data
directory copied in from elsewhere (a restored backup, files put there by hand) is made
private again by removing it (docs/deployment.md)."""


def _make_tree_private(root: Path) -> None:
    for folder, _subfolders, files in os.walk(root):
        for name, mode in [(folder, PRIVATE_DIR_MODE)] + [
            (os.path.join(folder, f), PRIVATE_FILE_MODE) for f in files
        ]:
            try:
                info = os.lstat(name)
                if not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077:
                    os.chmod(name, stat.S_IMODE(info.st_mode) & mode)
            except FileNotFoundError:  # moved away meanwhile (a run settling files)
                continue


POSTGRES_STORAGE = """
# KPI_DAGSTER_POSTGRES_URL is set: runs, events and schedules live in PostgreSQL
# (docs/deployment.md). Dagster reads the URL from the environment; it is never written here.
storage:
  postgres:
    postgres_url:
      env: KPI_DAGSTER_POSTGRES_URL
"""


def dagster_instance_yaml(settings: Settings) -> str:
    """The ``dagster.yaml`` of this deployment's instance: pipelines/dagster.yaml (run
    queue, run monitoring), with its storage in PostgreSQL when
    ``KPI_DAGSTER_POSTGRES_URL`` is set and in SQLite under ``DAGSTER_HOME`` otherwise."""
    config = (REPO_ROOT / "pipelines" / "dagster.yaml").read_text()
    if settings.dagster_postgres_url is not None:
        config += POSTGRES_STORAGE
    return config


def ensure_dagster_home(settings: Settings) -> Path:
    """Create the local Dagster instance directory with its ``dagster.yaml`` and return it.

    The instance queues runs and lets one run at a time touch the warehouse: DuckDB has a
    single writer (see DESIGN.md).
    """
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    wanted = dagster_instance_yaml(settings)
    if not config.exists() or config.read_text() != wanted:
        config.write_text(wanted)
    os.environ.setdefault("DAGSTER_HOME", str(home))
    return home
