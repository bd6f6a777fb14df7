"""The coordinator's chase list, refusals and reminders (kpi.coordination), the
reminders against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
from email.policy import default

import polars as pl
import pytest
from aiosmtpd.controller import Controller

from kpi.coordination.chase import all_refusals, chase_list, open_month
from kpi.coordination.mail import send_reminders
from kpi.coordination.notes import CoordinatorNotes
from kpi.register import Factory, FactoryRegister
from kpi.settings import Settings

OCTOBER = dt.date(2026, 10, 1)
REGISTER = FactoryRegister(
    factories=[
        Factory(code="F01", name="Een", sector="s", municipality="m", contact="a@x.example"),
        Factory(
            code="F02",
            name="Twee",
            sector="s",
            municipality="m",
            contact="b@x.example",
            language="en",
        ),
        Factory(code="F03", name="Drie", sector="s", municipality="m", left=dt.date(2026, 8, 1)),
        Factory(code="F04", name="Vier", sector="s", municipality="m"),
    ]
)


def submission(code, dataset, status, at, periods, reasons=()):
    return {
        "factory_code": code,
        "factory_name": code,
        "dataset": dataset,
        "file_name": f"{code}-{dataset}.csv",
        "periods": periods,
        "status": status,
        "received_at": dt.datetime.fromisoformat(at),
        "submitted_by": None,
        "reasons": json.dumps(list(reasons)),
    }


def submissions(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={
            "factory_code": pl.String,
            "factory_name": pl.String,
            "dataset": pl.String,
            "file_name": pl.String,
            "periods": pl.List(pl.String),
            "status": pl.String,
            "received_at": pl.Datetime("us", "UTC"),
            "submitted_by": pl.String,
            "reasons": pl.String,
        },
    )


REASON = {"severity": "error", "rule": "non_negative", "row": 3, "column": "energy_kwh"}


def test_a_refusal_is_resolved_by_a_later_accepted_file_of_the_same_months():
    frame = submissions(
        submission(
            "F01", "efficiency", "refused", "2026-11-02T10:00:00+00:00", ["2026-10"], [REASON]
        ),
        submission("F01", "efficiency", "stored", "2026-11-03T10:00:00+00:00", ["2026-10"]),
        submission(
            "F02", "efficiency", "refused", "2026-11-04T10:00:00+00:00", ["2026-10"], [REASON]
        ),
        submission("F02", "quality", "stored", "2026-11-05T10:00:00+00:00", ["2026-10"]),
    )
    found = all_refusals(frame, [])
    assert [(r["factory_code"], r["status"]) for r in found] == [
        ("F02", "open"),  # the later accepted file is of another dataset
        ("F01", "resolved"),
    ]
    assert found[0]["reasons"] == [REASON]


def test_chase_list_names_late_and_refused_factories_but_not_leavers_or_exempt():
    frame = submissions(
        *[
            submission("F01", dataset, "stored", "2026-11-03T10:00:00+00:00", ["2026-10"])
            for dataset in ("efficiency", "quality", "people")
        ],
    )
    upload_refusal = {
        "factory_code": "F01",
        "dataset": "regional",
        "file_name": "regio.xlsx",
        "periods": ["2026-10"],
        "received_at": "2026-11-04T09:00:00+00:00",
        "reasons": [REASON | {"value": "-5"}],
    }
    refusals = all_refusals(frame, [upload_refusal])
    rows = chase_list(OCTOBER, REGISTER, frame, refusals, waiting=[], exempt={"F04"})
    chased = {(r["factory_code"], r["dataset"]): r for r in rows}
    assert chased[("F01", "regional")]["status"] == "refused"
    # reasons only: the value of the refused cell is not carried along
    assert chased[("F01", "regional")]["reasons"] == [REASON]
    assert ("F01", "efficiency") not in chased
    assert {code for code, _ in chased} == {"F01", "F02"}  # F03 left, F04 exempt
    assert chased[("F02", "people")]["status"] == "late"
    assert chased[("F02", "people")]["language"] == "en"


def test_notes_keep_exemptions_promises_and_upload_refusals(tmp_path):
    notes = CoordinatorNotes(Settings(data_dir=tmp_path))
    notes.set_exempt("F04", OCTOBER, "coord@x.example")
    notes.promise("F02", OCTOBER, dt.date(2026, 11, 18), "coord@x.example")
    notes.record_refusal(
        "F01", "quality", "q.csv", ["2026-10"], [REASON | {"value": "987654.321"}], None
    )
    again = CoordinatorNotes(Settings(data_dir=tmp_path))
    assert again.exempt(OCTOBER) == {"F04"}
    assert again.promised(OCTOBER) == {"F02": dt.date(2026, 11, 18)}
    assert again.refusals()[0]["reasons"] == [REASON]
    assert "987654" not in notes.path.read_text()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def chase_rows():
    frame = submissions()
    return chase_list(OCTOBER, REGISTER, frame, [], waiting=[], exempt={"F04"})


def test_reminders_arrive_through_smtp_in_the_contacts_language_once_a_day(tmp_path, smtp_server):
    inbox, port = smtp_server
    settings = Settings(
        data_dir=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="coordinator@network.example",
    )
    today = dt.date(2026, 11, 15)
    outcomes = send_reminders(
        settings, chase_rows(), OCTOBER, dt.date(2026, 11, 20), "coord", today=today
    )
    assert {o["factory_code"]: o["outcome"] for o in outcomes} == {"F01": "sent", "F02": "sent"}
    by_address = {m["To"]: m for m in inbox.messages}
    assert len(inbox.messages) == 2
    dutch, english = by_address["a@x.example"], by_address["b@x.example"]
    assert dutch["Subject"] == "Herinnering: KPI-gegevens van 2026-10"
    assert "- Efficiëntie (productie): niet ontvangen" in dutch.get_content()
    assert "De maand sluit op 2026-11-20" in dutch.get_content()
    assert english["Subject"] == "Reminder: KPI data of 2026-10"
    assert "Dear contact of Twee" in english.get_content()
    assert english["From"] == "coordinator@network.example"

    again = send_reminders(
        settings, chase_rows(), OCTOBER, dt.date(2026, 11, 20), "coord", today=today
    )
    assert {o["outcome"] for o in again} == {"already_today"}
    assert len(inbox.messages) == 2  # nobody is chased twice a day
    log = CoordinatorNotes(settings).reminders()
    assert [(e["factory_code"], e["language"], e["backend"]) for e in log] == [
        ("F01", "nl", "smtp"),
        ("F02", "en", "smtp"),
    ]


def test_without_an_smtp_host_reminders_go_to_the_outbox_folder(tmp_path):
    settings = Settings(data_dir=tmp_path)
    outcomes = send_reminders(settings, chase_rows(), OCTOBER, dt.date(2026, 11, 20), "coord")
    assert [o["outcome"] for o in outcomes] == ["sent", "sent"]
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert len(files) == 2
    first = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert first["To"] in {"a@x.example", "b@x.example"}


def test_a_factory_without_contact_is_named_not_mailed(tmp_path):
    rows = [r | {"contact": None} for r in chase_rows() if r["factory_code"] == "F01"]
    outcomes = send_reminders(Settings(data_dir=tmp_path), rows, OCTOBER, OCTOBER, "coord")
    assert outcomes == [{"factory_code": "F01", "factory_name": "Een", "outcome": "no_contact"}]


def test_the_open_month_is_last_month_until_its_close_day_then_this_month():
    assert open_month(20, dt.date(2026, 11, 20)) == dt.date(2026, 10, 1)
    assert open_month(20, dt.date(2026, 11, 21)) == dt.date(2026, 11, 1)
    assert open_month(20, dt.date(2027, 1, 5)) == dt.date(2026, 12, 1)
