"""Hostile and careless users as they meet the pages: revoked and idle sessions, a login
that cannot be recorded, Markdown in file names and cells, uploads that hit the checking
limits, an unreadable snapshot (Streamlit AppTest)."""

from __future__ import annotations

import shutil
import time

import polars as pl
import pytest
from typer.testing import CliRunner

from dashboards import data
from kpi.cli import app as kpi
from kpi.settings import reset_settings_cache
from kpi.users import UserStore
from tests.conftest import valid_rows, write_rows
from tests.dashboards.conftest import PASSWORD
from tests.dashboards.test_pages import open_page, rendered, start, texts

ENDED = "Uw sessie is beëindigd"


def log_in_as(email: str, password: str = PASSWORD):
    app = start()
    app.text_input(key="login_email").input(email)
    app.text_input(key="login_password").input(password)
    app.button[0].click().run()
    return app


@pytest.fixture
def account(env):
    """A factory account of its own, so revoking it touches no other test."""
    email = f"revoke-{time.monotonic_ns()}@test.example"
    UserStore(env.data_dir).add(email, "factory", PASSWORD, "F01")
    yield email
    store = UserStore(env.data_dir)
    if any(user.email == email for user in store.users()):  # the test may have deleted it
        store.delete(email)


def on_login_page(app) -> bool:
    return "Aanmelden" in [b.label for b in app.button] and not app.dataframe


def test_a_disabled_account_loses_its_open_session_at_the_next_page_load(env, account):
    app = open_page(log_in_as(account), "benchmark")
    assert app.dataframe
    result = CliRunner().invoke(kpi, ["user", "disable", account])
    assert result.exit_code == 0, result.output
    app.run()
    assert on_login_page(app)
    assert ENDED in texts(app)
    assert [e.value for e in log_in_as(account).error] == [
        "E-mailadres of wachtwoord is niet juist."
    ]
    CliRunner().invoke(kpi, ["user", "enable", account])
    assert not on_login_page(log_in_as(account))


def test_a_changed_role_applies_to_the_open_session_at_once(env, account):
    app = open_page(log_in_as(account), "benchmark")
    CliRunner().invoke(kpi, ["user", "set-role", account, "--role", "city"])
    app.run()
    # the factory pages are gone from this session; the city's page opens
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/benchmark.py")
    open_page(app, "region")
    assert app.metric
    CliRunner().invoke(kpi, ["user", "delete", account])
    app.run()
    assert on_login_page(app)


def test_an_idle_session_expires(env, account, monkeypatch):
    monkeypatch.setenv("KPI_SESSION_IDLE_MINUTES", "0.02")  # 1.2 seconds
    reset_settings_cache()
    app = open_page(log_in_as(account), "upload")
    assert not on_login_page(app)
    time.sleep(1.5)
    app.run()
    assert on_login_page(app)
    assert ENDED in texts(app)


def test_the_admin_disables_an_account_but_not_its_own(env, account):
    app = open_page(log_in_as("admin@test.example"), "users")
    app.selectbox(key="change-account").set_value(account)
    next(b for b in app.button if b.label == "Uitschakelen").click().run()
    assert rendered(app.success[0].value) == f"Account {account}: uitgeschakeld."
    table = app.dataframe[0].value
    assert table[table["E-mailadres"] == account]["Status"].item() == "uitgeschakeld"
    assert UserStore(env.data_dir).get(account) is None

    app.selectbox(key="change-account").set_value("admin@test.example")
    next(b for b in app.button if b.label == "Verwijderen").click().run()
    assert app.error[0].value == (
        "U kunt uw eigen account niet uitschakelen, verwijderen of van rol veranderen."
    )
    assert UserStore(env.data_dir).get("admin@test.example") is not None


def test_a_login_that_cannot_be_recorded_is_refused(env, tmp_path, monkeypatch):
    """Fail closed: with nowhere to record failed attempts, no password is tried."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(env.data_dir / "users.json", data_dir / "users.json")
    (data_dir / "auth").write_text("not a folder")
    monkeypatch.setenv("KPI_DATA_DIR", str(data_dir))
    reset_settings_cache()
    for _ in range(8):
        app = log_in_as("city@test.example")
        assert [e.value for e in app.error] == [
            "Aanmelden is op dit moment niet mogelijk. Probeer later opnieuw of verwittig "
            "de beheerder."
        ]
        assert on_login_page(app)


def test_markdown_in_a_file_name_and_cells_shows_as_text(env, tmp_path):
    app = open_page(log_in_as("f01@test.example"), "upload")
    app.selectbox[0].set_value("quality").run()
    rows = valid_rows("quality", "F01", months=2)
    hostile = "![x](http://evil.example/pixel.png)"
    spoiled = rows.with_columns(pl.col("parts_shipped").cast(pl.String)).with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(hostile))
        .otherwise(pl.col("parts_shipped"))
        .alias("parts_shipped")
    )
    path = write_rows(spoiled, "quality", tmp_path / "kwaliteit", "csv-semicolon")
    name = f"{hostile} **vet** [klik](http://evil.example).csv"
    app.file_uploader[0].set_value((name, path.read_bytes(), "text/csv")).run()
    message = app.error[0].value
    # the raw Markdown holds no image or link; rendered, the name is shown as written
    assert "](" not in message and "**" not in message
    assert rendered(message).startswith(f"{name}: geweigerd")
    refused = app.table[0].value
    cell = refused[refused["Kolom"].map(rendered) == "parts_shipped"].iloc[0]
    assert "](" not in cell["Waarde"] and rendered(cell["Waarde"]) == hostile
    assert "](" not in cell["Uitleg"]


def big_upload(tmp_path):
    rows = valid_rows("quality", "F01", months=12)
    return write_rows(pl.concat([rows] * 8000), "quality", tmp_path / "groot", "csv-comma")


@pytest.mark.parametrize(
    ("setting", "value"),
    [("KPI_UPLOAD_CHECK_MEMORY_MB", "700"), ("KPI_UPLOAD_CHECK_SECONDS", "0.5")],
)
def test_an_upload_that_hits_a_checking_limit_is_refused_with_a_clear_message(
    env, tmp_path, monkeypatch, setting, value
):
    """The check runs in a process of its own: past its memory or time limit that process
    ends, the uploader reads why, and the server goes on serving pages."""
    monkeypatch.setenv("KPI_MAX_FILE_MB", "50")
    # past the readers' own row and cell caps, so that the process limit is what stops it
    monkeypatch.setenv("KPI_MAX_ROWS", "1000000")
    monkeypatch.setenv("KPI_MAX_CELLS", "100000000")
    monkeypatch.setenv("KPI_MAX_UNPACKED_MB", "1000")
    monkeypatch.setenv(setting, value)
    reset_settings_cache()
    app = open_page(log_in_as("f01@test.example"), "upload")
    app.selectbox[0].set_value("quality").run()
    path = big_upload(tmp_path)
    app.file_uploader[0].set_value(("groot.csv", path.read_bytes(), "text/csv")).run()
    assert not app.exception
    assert rendered(app.error[0].value).startswith("groot.csv: geweigerd")
    explanation = rendered(app.table[0].value.iloc[0]["Uitleg"])
    assert explanation.startswith("Het controleren van dit bestand vroeg meer dan")
    assert "er is niets opgeslagen" in explanation
    assert not [
        w
        for w in data.waiting_files(data.Viewer("f01@test.example", "factory", "F01"))
        if w["file_name"] == "groot.csv"
    ]
    open_page(app, "benchmark")  # the session goes on
    assert app.dataframe


def test_an_unreadable_snapshot_shows_a_message_not_a_traceback(env, tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(env.data_dir, copy, ignore=shutil.ignore_patterns("dagster", "*.lock"))
    snapshot = copy / "serving" / "benchmark.duckdb"
    snapshot.write_bytes(snapshot.read_bytes()[: snapshot.stat().st_size // 3])
    monkeypatch.setenv("KPI_DATA_DIR", str(copy))
    reset_settings_cache()
    app = log_in_as("city@test.example")
    app.switch_page("views/region.py").run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "De gepubliceerde cijfers zijn op dit moment niet leesbaar. De fout is gelogd; ze "
        "verschijnen weer na de volgende verwerking."
    ]
    assert str(tmp_path) not in texts(app) and "Traceback" not in texts(app)
    app.session_state["language"] = "en"
    app.run()
    assert app.error[0].value.startswith("The published figures cannot be read")


def test_a_failing_page_names_no_server_path(env, tmp_path, monkeypatch, caplog):
    """A broken users file: the login fails with a message in the user's language; the
    traceback, with its paths, goes to the log only."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "users.json").write_text("{ not json")
    monkeypatch.setenv("KPI_DATA_DIR", str(data_dir))
    reset_settings_cache()
    app = log_in_as("city@test.example")
    assert not app.exception
    assert app.error[0].value.startswith(
        "Deze pagina kon niet getoond worden door een fout op de server. De fout is gelogd"
    )
    assert str(data_dir) not in texts(app) and "JSONDecodeError" not in texts(app)
    assert "JSONDecodeError" in caplog.text


def test_a_check_that_crashes_is_a_refusal_and_logged(env, tmp_path, caplog):
    from dashboards.upload_check import check_upload
    from kpi.validation import Upload

    path = write_rows(valid_rows("quality", "F01"), "quality", tmp_path / "q", "csv-comma")
    # a dataset without a contract makes the checking process fail
    report = check_upload(Upload(path, "no-such-dataset", "F01", "q.csv"), env)
    assert not report.accepted
    assert report.errors[0].message("en") == (
        "This file could not be checked because of an error on the server; nothing was "
        "stored. The error was logged."
    )
    assert "Traceback" in caplog.text and "no-such-dataset" in caplog.text


def test_a_huge_upload_is_checked_outside_the_server_process(env, tmp_path, monkeypatch):
    """The work of checking 96,000 rows is done by a worker process: the server's own CPU
    time (what would slow every other user's pages) stays a small part of it."""
    import resource

    monkeypatch.setenv("KPI_MAX_FILE_MB", "50")
    # past the readers' own row and cell caps, so that the rows are checked, not refused
    # by their count at once (a check of 0.1 s, where any pause of the server failed this)
    monkeypatch.setenv("KPI_MAX_ROWS", "1000000")
    monkeypatch.setenv("KPI_MAX_CELLS", "100000000")
    monkeypatch.setenv("KPI_MAX_UNPACKED_MB", "1000")
    reset_settings_cache()
    viewer = data.Viewer("f01@test.example", "factory", "F01")
    data.prepare_upload_checks(viewer)
    path = big_upload(tmp_path)

    def server_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    cpu, began = server_cpu(), time.monotonic()
    report = data.check_and_submit(viewer, "quality", "groot.csv", path.read_bytes())
    wall, cpu = time.monotonic() - began, server_cpu() - cpu
    assert not report.accepted  # every month repeated
    assert cpu < 0.4 * wall, (cpu, wall)
