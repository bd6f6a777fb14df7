"""Settings an operator gets wrong are named in both languages with exit code 2, and the
data directory is private to the service."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kpi.settings import ConfigurationError, get_settings, prepare_data_dir, reset_settings_cache


def kpi_process(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpi.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan"])
def test_a_bad_file_size_limit_is_named_in_both_languages(settings, make_file, value):
    process = kpi_process(
        "validate", str(make_file("quality")), "-d", "quality", "-f", "F01",
        env={"KPI_MAX_FILE_MB": value},
    )  # fmt: skip
    assert process.returncode == 2
    assert process.stderr.strip() == (
        f"KPI_MAX_FILE_MB: '{value}' is geen geldige waarde: verwacht een getal groter dan 0. / "
        f"KPI_MAX_FILE_MB: '{value}' is not a valid value: expected a number greater than 0."
    )
    assert "Traceback" not in process.stderr


@pytest.mark.parametrize(
    ("setting", "value", "nl", "en"),
    [
        ("KPI_MAX_ROWS", "1.5", "een geheel getal groter dan 0", "a whole number greater than 0"),
        (
            "KPI_REMINDER_DAYS_BEFORE_CLOSE",
            "40",
            "een geheel getal van minstens 0 en van hoogstens 27",
            "a whole number of at least 0 and of at most 27",
        ),
        ("KPI_SMTP_STARTTLS", "maybe", "true of false", "true or false"),
    ],
)
def test_a_bad_setting_says_what_it_expects_in_each_language(
    settings, make_file, setting, value, nl, en
):
    """The Dutch half of the message is Dutch all through (Pydantic's English used to
    appear in it)."""
    process = kpi_process(
        "validate", str(make_file("quality")), "-d", "quality", "-f", "F01",
        env={setting: value},
    )  # fmt: skip
    assert process.returncode == 2
    assert process.stderr.strip() == (
        f"{setting}: '{value}' is geen geldige waarde: verwacht {nl}. / "
        f"{setting}: '{value}' is not a valid value: expected {en}."
    )


def test_a_file_as_data_directory_is_named(settings, make_file, tmp_path):
    a_file = tmp_path / "data.txt"
    a_file.write_text("not a folder")
    process = kpi_process(
        "submit", str(make_file("quality")), "-d", "quality", "-f", "F01",
        env={"KPI_DATA_DIR": str(a_file)},
    )  # fmt: skip
    assert process.returncode == 2
    assert f"KPI_DATA_DIR: {a_file} is geen map maar een bestand." in process.stderr
    assert f"KPI_DATA_DIR: {a_file} is a file, not a directory." in process.stderr
    assert "Traceback" not in process.stderr


def test_an_unwritable_data_directory_is_named(settings, make_file):
    # /proc: a directory in which nobody, not even root (tests may run as root), creates files
    process = kpi_process(
        "submit", str(make_file("quality")), "-d", "quality", "-f", "F01",
        env={"KPI_DATA_DIR": "/proc"},
    )  # fmt: skip
    assert process.returncode == 2
    assert "KPI_DATA_DIR: in /proc kan niet geschreven worden" in process.stderr
    assert "KPI_DATA_DIR: /proc cannot be written to" in process.stderr
    assert "Traceback" not in process.stderr


def test_settings_read_in_process_raise_a_configuration_error(settings, monkeypatch):
    monkeypatch.setenv("KPI_MAX_FILE_MB", "-1")
    reset_settings_cache()
    with pytest.raises(ConfigurationError, match="KPI_MAX_FILE_MB"):
        get_settings()


@pytest.fixture
def restore_umask():
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode)
        for path in [root, *root.rglob("*")]
    }


def test_the_data_directory_becomes_private(settings, restore_umask):
    # what an older version left: world-readable folders and files
    os.umask(0o022)
    old = settings.archive_dir / "quality" / "F01"
    old.mkdir(parents=True)
    (old / "x.csv").write_text("period;value\n")
    settings.warehouse_path.parent.mkdir(parents=True)
    settings.warehouse_path.write_bytes(b"")
    assert stat.S_IMODE((old / "x.csv").stat().st_mode) == 0o644

    prepare_data_dir(settings)
    (settings.data_dir / "serving").mkdir()
    (settings.data_dir / "serving" / "new.duckdb").write_bytes(b"")

    found = modes(settings.data_dir)
    assert {mode for path, mode in found.items() if "." not in Path(path).name} == {0o700}
    assert {mode for path, mode in found.items() if "." in Path(path).name} == {0o600}
    assert "serving/new.duckdb" in found and "landing/archive/quality/F01/x.csv" in found


def test_the_data_directory_is_walked_once_until_its_mark_is_removed(settings, restore_umask):
    os.umask(0o022)
    prepare_data_dir(settings)
    copied = settings.archive_dir / "restored.csv"  # put there by hand, readable by all
    copied.parent.mkdir(parents=True)
    copied.write_text("period;value\n")
    os.chmod(copied, 0o644)

    prepare_data_dir(settings)  # not walked again: what the platform writes is private
    assert stat.S_IMODE(copied.stat().st_mode) == 0o644
    (settings.data_dir / ".made-private").unlink()  # as docs/deployment.md says
    prepare_data_dir(settings)
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600
