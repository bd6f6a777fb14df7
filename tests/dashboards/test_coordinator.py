"""The coordinator running the network (Network page, Streamlit AppTest): the chase list
of the open month and its actions, every refusal with its status, closing a month."""

from __future__ import annotations

import email
from email.policy import default

import dagster as dg
import polars as pl

from assets.names import MONTHLY_JOB
from dashboards import data
from kpi.coordination.chase import open_month
from kpi.register import current_register, save_factory
from pipelines.definitions import build_definitions
from tests.conftest import valid_rows, write_rows
from tests.dashboards.test_pages import log_in, open_page, rendered, texts

MONTH = f"{open_month(20):%Y-%m}"
"""The open month: the chase list's (close day 20, config/disclosure.yaml)."""


def button(app, label: str):
    return next(b for b in app.button if rendered(b.label) == label)


def refusal_table(app) -> pl.DataFrame:
    """The list of refusals (the one table with a file column)."""
    frame = next(f.value for f in app.dataframe if "Bestand" in f.value.columns)
    return pl.from_pandas(frame)


def chase_table(app) -> pl.DataFrame:
    return pl.from_pandas(app.dataframe[0].value)


def test_chase_list_names_each_late_factory_and_is_acted_on(env):
    settings = env
    register = current_register(settings)
    f03 = register.by_code("F03")
    save_factory(settings, f03.model_copy(update={"contact": "plant@f03.example"}), new=False)
    f06 = current_register(settings).by_code("F06")
    save_factory(settings, f06.model_copy(update={"contact": None}), new=False)
    try:
        app = open_page(log_in("coordinator"), "network")
        assert f"Op te volgen voor {MONTH}" in texts(app)
        table = chase_table(app)
        f03_rows = table.filter(pl.col("Fabriek") == "F03 Demo Transmissies Zepperen")
        assert f03_rows.height == 4  # F03 sent nothing: every dataset
        assert set(f03_rows["Status"]) == {"niet ontvangen"}
        assert set(f03_rows["Contact"]) == {"plant@f03.example"}
        other = table.filter(pl.col("Fabriek").str.starts_with("F06"))
        assert set(other["Contact"]) == {"(geen adres in het register)"}

        factory_box = next(s for s in app.selectbox if s.label == "Fabriek")
        factory_box.set_value("F03").run()
        button(app, "Herinnering sturen").click().run()
        assert [rendered(s.value) for s in app.success] == [
            "Herinnering gestuurd aan F03 Demo Transmissies Zepperen."
        ]
        mails = sorted(settings.outbox_dir.glob("*.eml"))
        assert len(mails) == 1
        mail = email.message_from_bytes(mails[0].read_bytes(), policy=default)
        assert mail["To"] == "plant@f03.example"
        assert mail["Subject"] == f"Herinnering: KPI-gegevens van {MONTH}"

        button(app, "Herinnering sturen").click().run()
        assert [rendered(w.value) for w in app.warning] == [
            "F03 Demo Transmissies Zepperen kreeg vandaag al een herinnering; "
            "er is geen tweede gestuurd."
        ]
        assert len(list(settings.outbox_dir.glob("*.eml"))) == 1

        button(app, "Vrijstellen voor deze maand").click().run()
        assert (
            f"F03 Demo Transmissies Zepperen is vrijgesteld voor {MONTH}: ze telt niet als te laat."
            in texts(app)
        )
        app.run()
        assert "F03 Demo Transmissies Zepperen" not in set(chase_table(app)["Fabriek"])
        assert f"Vrijgesteld voor {MONTH}: F03" in texts(app)
        button(app, "Vrijstelling opheffen").click().run()
        app.run()
        assert "F03 Demo Transmissies Zepperen" in set(chase_table(app)["Fabriek"])
    finally:
        settings.data_register_path.unlink(missing_ok=True)
        for path in settings.outbox_dir.glob("*.eml"):
            path.unlink()


def test_newest_month_first_with_completeness(env):
    app = open_page(log_in("coordinator"), "network")
    shares = app.dataframe[1].value
    assert list(shares.columns)[0] == MONTH
    assert list(shares.columns) == sorted(shares.columns, reverse=True)
    # the test network: 6 of the register's 12 factories sent 2024-11..2025-12
    assert shares["2025-12"].iloc[0] == "50% (6/12)"
    assert shares[MONTH].iloc[0] == "0% (0/12)"


def test_a_refusal_on_the_upload_page_is_listed_then_resolved_by_a_later_file(env, tmp_path):
    rows = valid_rows("people", "F02", months=2)
    broken = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(-987654)
        .otherwise(pl.col(rows.columns[-1]))
        .alias(rows.columns[-1])
    )
    factory = open_page(log_in("other_factory"), "upload")
    factory.selectbox[0].set_value("people").run()
    bad = write_rows(broken, "people", tmp_path / "mensen-fout", "csv-semicolon")
    factory.file_uploader[0].set_value((bad.name, bad.read_bytes(), "text/csv")).run()
    assert "geweigerd" in factory.error[0].value

    app = open_page(log_in("coordinator"), "network")
    listed = refusal_table(app)
    mine = listed.filter(pl.col("Bestand") == bad.name)
    assert mine["Via"].to_list() == ["uploadpagina"]
    assert mine["Status"].to_list() == ["open"]
    assert mine["Fabriek"].to_list() == ["F02 Demo Gietwerk Haspengouw"]
    report = next(e for e in app.expander if bad.name in rendered(e.label))
    lines = report.table[0].value
    assert rows.columns[-1] in set(lines["Kolom"].map(rendered))
    assert "987654" not in texts(app) and "987654" not in lines.to_string()

    good = write_rows(rows, "people", tmp_path / "mensen-goed", "xlsx")
    factory.file_uploader[0].set_value((good.name, good.read_bytes(), "application/octet-stream"))
    factory.run()
    job = build_definitions(env).resolve_job_def(MONTHLY_JOB)
    with dg.DagsterInstance.ephemeral() as instance:
        assert job.execute_in_process(instance=instance).success
    data.clear_cache()
    app = open_page(log_in("coordinator"), "network")
    assert bad.name not in texts(app)  # open refusals only, by default
    next(t for t in app.toggle).set_value(False).run()
    listed = refusal_table(app)
    assert listed.filter(pl.col("Bestand") == bad.name)["Status"].to_list() == ["opgelost"]


def test_the_reminder_job_writes_to_each_late_factory_with_a_contact_once(env):
    from pipelines.jobs import reminders_job
    from pipelines.resources import build_resources

    settings = env
    f05 = current_register(settings).by_code("F05")
    update = {"contact": "plant@f05.example", "language": "en"}
    save_factory(settings, f05.model_copy(update=update), new=False)
    try:
        for _ in range(2):  # a second run the same day writes to nobody again
            result = reminders_job.execute_in_process(resources=build_resources(settings))
            assert result.success
        mails = {
            m["To"]: m
            for m in (
                email.message_from_bytes(p.read_bytes(), policy=default)
                for p in settings.outbox_dir.glob("*.eml")
            )
        }
        # every factory is late in the test network: each contact once (no duplicates)
        assert len(mails) == len(list(settings.outbox_dir.glob("*.eml"))) >= 10
        english = mails["plant@f05.example"]
        assert english["Subject"] == f"Reminder: KPI data of {MONTH}"
        assert "Dear contact of Demo Ophanging Nieuwerkerken" in english.get_content()
        assert mails["kpi@f01.demo.example"]["Subject"].startswith("Herinnering")
    finally:
        settings.data_register_path.unlink(missing_ok=True)
        for path in settings.outbox_dir.glob("*.eml"):
            path.unlink()


def test_the_outcome_of_a_close_request_carried_out_is_shown(env):
    import json

    done = env.data_dir / "requests" / "done"
    done.mkdir(parents=True, exist_ok=True)
    outcome = {"period": "2025-12-01", "action": "too_few", "contributors": 3}
    request = {
        "action": "close",
        "period": "2025-12",
        "requested_by": "coordinator@test.example",
        "requested_at": "2026-11-25T10:00:00+00:00",
        "outcomes": [outcome],
    }
    path = done / "20261125T100000-close-test.json"
    path.write_text(json.dumps(request))
    try:
        app = open_page(log_in("coordinator"), "network")
        assert (
            "vrijgeven 2025-12 (gevraagd door coordinator@test.example op 2026-11-25 10:00): "
            "te weinig bijdragers, niet vrijgegeven" in texts(app)
        )
    finally:
        path.unlink()
