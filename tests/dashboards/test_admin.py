"""The admin's Users and Factories pages as the admin clicks them (Streamlit AppTest)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.data import expected_month
from kpi.register import current_register
from kpi.users import FREE_ATTEMPTS, LoginGuard, UserStore
from tests.dashboards.conftest import ACCOUNTS
from tests.dashboards.test_pages import log_in, open_page, rendered, texts

ADMIN = ACCOUNTS["admin"][0]


def button(app, label: str):
    return next(b for b in app.button if rendered(b.label) == label)


def accounts(app) -> pl.DataFrame:
    return pl.from_pandas(app.dataframe[0].value)


def messages(app) -> list[str]:
    return [rendered(e.value) for e in (*app.error, *app.success, *app.warning)]


def test_an_existing_address_is_refused_until_the_admin_confirms(env):
    app = open_page(log_in("admin"), "users")
    app.text_input(key="add-email-0").input(ACCOUNTS["city"][0])
    app.selectbox(key="add-role-0").set_value("factory")
    app.selectbox(key="add-factory-0").set_value("F04")
    app.text_input(key="add-password-0").input("another-good-password")
    button(app, "Gebruiker toevoegen").click().run()
    assert messages(app) == [
        f"Er bestaat al een account {ACCOUNTS['city'][0]}. Bevestig om het te vervangen "
        "(nieuwe rol, fabriek en wachtwoord), of wijzig het hieronder."
    ]
    # what was typed is kept, and the city account is untouched
    assert app.text_input(key="add-email-0").value == ACCOUNTS["city"][0]
    assert app.selectbox(key="add-factory-0").value == "F04"
    assert UserStore(env.data_dir).get(ACCOUNTS["city"][0]).role == "city"

    app.selectbox(key="add-role-0").set_value("city")
    app.selectbox(key="add-factory-0").set_value("")
    app.text_input(key="add-password-0").input("dashboard-test-password")
    app.checkbox(key="add-replace-0").check()
    button(app, "Gebruiker toevoegen").click().run()
    assert messages(app) == [f"Account {ACCOUNTS['city'][0]} is aangemaakt."]
    assert app.text_input(key="add-email-1").value == ""  # an empty form for the next one
    audit = pl.from_pandas(app.dataframe[-1].value)
    assert audit.row(0, named=True)["Wie"] == ADMIN
    assert audit.row(0, named=True)["Wat"] == "replace"
    assert audit.row(0, named=True)["Betreft"] == ACCOUNTS["city"][0]


def test_messages_follow_the_admins_language_and_name_no_command_line_flag(env):
    app = open_page(log_in("admin"), "users")
    app.session_state["language"] = "en"
    app.run()
    app.text_input(key="add-email-0").input("plant@new.example")
    app.selectbox(key="add-role-0").set_value("factory")
    app.text_input(key="add-password-0").input("a-good-password-1")
    button(app, "Add a user").click().run()
    assert messages(app) == ["a factory user needs a factory"]
    assert "--" not in " ".join(messages(app))


def test_the_admin_changes_resets_unlocks_and_disables_an_account(env):
    store = UserStore(env.data_dir)
    store.add("temp@test.example", "city", "first-password-123")
    guard = LoginGuard(env.data_dir)
    for _ in range(FREE_ATTEMPTS["pair"] + 1):
        guard.attempt("temp@test.example", "10.1.2.3", lambda: None)
    log_in("factory")
    app = open_page(log_in("admin"), "users")
    row = accounts(app).filter(pl.col("E-mailadres") == "temp@test.example").row(0, named=True)
    assert row["Status"].startswith("geblokkeerd")
    assert row["Laatst aangemeld"] == ""
    f01 = accounts(app).filter(pl.col("E-mailadres") == ACCOUNTS["factory"][0]).row(0, named=True)
    assert f01["Fabriek"] == "F01 Demo Aandrijftechniek Brustem"
    assert f01["Laatst aangemeld"].startswith(f"{dt.datetime.now(dt.UTC):%Y-%m-%d}")

    app.selectbox(key="change-account").set_value("temp@test.example")
    button(app, "Deblokkeren").click().run()
    assert messages(app) == ["Account temp@test.example: gedeblokkeerd."]
    row = accounts(app).filter(pl.col("E-mailadres") == "temp@test.example").row(0, named=True)
    assert row["Status"] == "actief"

    app.selectbox(key="change-role").set_value("factory")
    app.selectbox(key="change-factory").set_value("F05")
    button(app, "Rol wijzigen").click().run()
    row = accounts(app).filter(pl.col("E-mailadres") == "temp@test.example").row(0, named=True)
    assert (row["Rol"], row["Fabriek"]) == ("fabriek", "F05 Demo Ophanging Nieuwerkerken")

    button(app, "Wachtwoord opnieuw instellen").click().run()
    assert messages(app) == ["Vul een nieuw wachtwoord in."]
    app.text_input(key="change-password").input("short")
    button(app, "Wachtwoord opnieuw instellen").click().run()
    assert messages(app) == ["wachtwoord te kort (minstens 10 tekens)"]
    app.text_input(key="change-password").input("second-password-456")
    button(app, "Wachtwoord opnieuw instellen").click().run()
    assert store.verify("temp@test.example", "second-password-456") is not None

    button(app, "Uitschakelen").click().run()
    row = accounts(app).filter(pl.col("E-mailadres") == "temp@test.example").row(0, named=True)
    assert row["Status"] == "uitgeschakeld"
    button(app, "Verwijderen").click().run()
    assert "temp@test.example" not in set(accounts(app)["E-mailadres"])
    audit = pl.from_pandas(app.dataframe[-1].value).filter(pl.col("Betreft") == "temp@test.example")
    assert audit.filter(pl.col("Wie") == ADMIN)["Wat"].to_list() == [
        "delete",
        "disable",
        "reset",
        "set_role",
        "unlock",
    ]


def test_the_register_as_a_screen_add_change_and_leave(env):
    settings = env
    try:
        app = open_page(log_in("admin"), "factories")
        assert "F12" in set(pl.from_pandas(app.dataframe[0].value)["Code"])
        app.text_input(key="add-0-code").input("f01")
        app.text_input(key="add-0-name").input("Demo Nieuwe Fabriek")
        app.text_input(key="add-0-sector").input("chassis")
        app.text_input(key="add-0-contact").input("niet-een-adres")
        button(app, "Fabriek toevoegen").click().run()
        assert messages(app) == ["'niet-een-adres' is geen e-mailadres."]
        assert app.text_input(key="add-0-name").value == "Demo Nieuwe Fabriek"
        app.text_input(key="add-0-contact").input("kpi@f13.demo.example")
        button(app, "Fabriek toevoegen").click().run()
        assert messages(app) == ["Er bestaat al een fabriek met code F01."]
        app.text_input(key="add-0-code").input("F13")
        app.text_input(key="add-0-municipality").input("Sint-Truiden")
        app.selectbox(key="add-0-language").set_value("en")
        button(app, "Fabriek toevoegen").click().run()
        assert messages(app) == ["Fabriek F13 is opgeslagen."]
        assert app.text_input(key="add-1-code").value == ""  # an empty form for the next one
        register = current_register(settings)
        assert register.by_code("F13").contact == "kpi@f13.demo.example"
        assert register.by_code("F13").language == "en"
        assert settings.register_path == settings.data_register_path

        # F12 left the network two months ago: it keeps its history, is no longer chased
        app.selectbox(key="change-code").set_value("F12").run()
        left = (expected_month() - dt.timedelta(days=40)).replace(day=1)
        app.date_input(key="change-F12-left").set_value(left)
        app.text_input(key="change-F12-name").input("Demo Verlichting Kortenaken (gesloten)")
        button(app, "Opslaan").click().run()
        assert messages(app) == ["Fabriek F12 is opgeslagen."]
        assert current_register(settings).by_code("F12").left == left
        coordinator = open_page(log_in("coordinator"), "network")
        chased = set(pl.from_pandas(coordinator.dataframe[0].value)["Fabriek"])
        assert not any(name.startswith("F12") for name in chased)
        assert "F13 Demo Nieuwe Fabriek" in chased
        assert "geen lid" in texts(coordinator)
        audit = pl.from_pandas(open_page(log_in("admin"), "users").dataframe[-1].value)
        assert audit.filter(pl.col("Betreft") == "F12")["Wat"].to_list() == ["factory_change"]
    finally:
        settings.data_register_path.unlink(missing_ok=True)


def test_a_register_managed_elsewhere_is_shown_not_edited(env, monkeypatch, tmp_path):
    from kpi.settings import REPO_ROOT, reset_settings_cache

    register = tmp_path / "register.yaml"
    register.write_text((REPO_ROOT / "config" / "factories.yaml").read_text())
    monkeypatch.setenv("KPI_FACTORY_REGISTER", str(register))
    reset_settings_cache()
    app = open_page(log_in("admin"), "factories")
    assert [rendered(i.value) for i in app.info] == [
        f"Het register wordt elders beheerd ({register}); het kan hier niet gewijzigd worden."
    ]
    assert not [b for b in app.button if rendered(b.label) in ("Opslaan", "Fabriek toevoegen")]
    assert "F12" in set(pl.from_pandas(app.dataframe[0].value)["Code"])
    assert not env.data_register_path.exists()
