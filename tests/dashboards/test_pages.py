"""Every page for every role, as the user sees it (Streamlit AppTest)."""

from __future__ import annotations

import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import data
from dashboards.data import Viewer
from dashboards.ui import number
from kpi.serving import open_snapshot
from kpi.settings import REPO_ROOT
from tests.conftest import valid_rows, write_rows
from tests.dashboards.conftest import ACCOUNTS, PASSWORD

APP = str(REPO_ROOT / "dashboards" / "streamlit_app.py")


def start() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def log_in(who: str, password: str = PASSWORD) -> AppTest:
    email = ACCOUNTS[who][0]
    app = start()
    app.text_input(key="login_email").input(email)
    app.text_input(key="login_password").input(password)
    app.button[0].click().run()
    return app


def open_page(app: AppTest, page: str) -> AppTest:
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(app: AppTest) -> str:
    """Everything written on the page, tables included."""
    parts = [
        rendered(e.value)
        for e in (
            *app.title,
            *app.header,
            *app.subheader,
            *app.markdown,
            *app.caption,
            *app.success,
            *app.error,
            *app.warning,
            *app.info,
        )
    ]
    parts += [f"{m.label} {m.value}" for m in app.metric]
    for frame in (*app.dataframe, *app.table):
        value = frame.value
        parts.append(value.to_string())
    return "\n".join(str(p) for p in parts)


def rendered(markdown: str) -> str:
    """Text as Markdown shows it: a backslash-escaped character is shown as itself."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_nothing_without_login(env):
    app = start()
    assert [t.value for t in app.title] == ["KPI-platform Smart Network Sint-Truiden"]
    assert not app.dataframe and not app.metric
    app.query_params["page"] = "benchmark"
    app.run()
    assert not app.dataframe and "Aanmelden" in [b.label for b in app.button]


def test_wrong_password_is_refused_then_rate_limited(env):
    app = log_in("guesser", "wrong-password-123")
    assert [e.value for e in app.error] == ["E-mailadres of wachtwoord is niet juist."]
    for _ in range(4):
        app = log_in("guesser", "wrong-password-123")
    app = log_in("guesser")  # the right password, but the account is locked now
    assert "Te veel mislukte pogingen" in app.error[0].value
    assert not app.metric


@pytest.mark.parametrize(
    ("who", "pages"),
    [
        ("factory", ["upload", "benchmark", "definitions"]),
        ("coordinator", ["network", "region", "definitions"]),
        ("city", ["region", "definitions"]),
        ("admin", ["users", "factories", "definitions"]),
    ],
)
def test_each_role_sees_its_pages_without_errors(env, who, pages):
    app = log_in(who)
    assert not app.exception
    for page in pages:
        open_page(app, page)
        assert app.title, page


def test_factory_cannot_open_other_roles_pages(env):
    app = log_in("factory")
    for page in ("network", "region", "users"):
        # not a page of this session's navigation: there is nothing to switch to
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"views/{page}.py")
    assert "Tewerkstelling" not in texts(app)


def test_upload_names_row_and_column_then_accepts(env, tmp_path):
    app = open_page(log_in("factory"), "upload")
    rows = valid_rows("quality", "F01", months=2)
    broken = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.col("parts_shipped") + 10)
        .otherwise(pl.col("parts_rejected_by_customer"))
        .alias("parts_rejected_by_customer")
    )
    app.selectbox[0].set_value("quality").run()
    bad = write_rows(broken, "quality", tmp_path / "kwaliteit", "csv-semicolon")
    app.file_uploader[0].set_value((bad.name, bad.read_bytes(), "text/csv")).run()
    assert "geweigerd, er is niets opgeslagen" in app.error[0].value
    refused = app.table[0].value
    assert refused.iloc[0]["Rij"] == 3
    assert rendered(refused.iloc[0]["Kolom"]) == "parts_rejected_by_customer"
    assert rendered(refused.iloc[0]["Regel"]) == "rejected_within_shipped"

    good = write_rows(rows, "quality", tmp_path / "kwaliteit-goed", "xlsx")
    app.file_uploader[0].set_value((good.name, good.read_bytes(), "application/octet-stream")).run()
    assert "aanvaard" in app.success[0].value
    waiting = data.waiting_files(Viewer(*ACCOUNTS["factory"]))
    assert [w["file_name"] for w in waiting] == [good.name]
    assert waiting[0]["submitted_by"] == ACCOUNTS["factory"][0]


def test_a_file_that_breaks_the_reader_is_shown_as_a_refusal_not_a_traceback(env, tmp_path):
    from tests.kpi.test_hostile_files import dtd_file, undefined_entity_file

    app = open_page(log_in("factory"), "upload")
    app.selectbox[0].set_value("quality").run()
    for path, said in (
        (dtd_file(tmp_path), "DTD"),
        (undefined_entity_file(tmp_path), "ParseError"),
    ):
        app.file_uploader[0].set_value((path.name, path.read_bytes(), "application/zip")).run()
        assert not app.exception, [e.value for e in app.exception]
        assert "geweigerd, er is niets opgeslagen" in app.error[0].value
        assert said in app.table[0].value.iloc[0]["Uitleg"]
        assert "Traceback" not in texts(app)
    waiting = {w["file_name"] for w in data.waiting_files(Viewer(*ACCOUNTS["factory"]))}
    assert not waiting & {"dtd.xlsx", "entity.xlsx"}  # refused: nothing was submitted


def test_benchmark_shows_own_values_and_suppressed_statistics(env):
    app = open_page(log_in("factory"), "benchmark")
    table = app.dataframe[0].value
    availability = table[table["KPI"] == "Beschikbaarheid"].iloc[0]
    with open_snapshot(env.serving_path) as con:
        # the page opens on the latest release
        latest = con.execute("SELECT max(period) FROM releases").fetchall()[0][0]
        own = con.execute(
            "SELECT value FROM own_kpis WHERE kpi = 'availability' AND period = ? "
            "AND factory_code = 'F01'",
            [latest],
        ).fetchall()[0][0]
        median = con.execute(
            "SELECT median FROM peer_stats WHERE kpi = 'availability' AND period = ? "
            "AND peer_group = 'network'",
            [latest],
        ).fetchall()[0][0]
    assert availability["Eigen waarde"] == f"{number(own * 100, 1, 'nl')} %"
    assert availability["Mediaan"] == f"{number(median * 100, 1, 'nl')} %"
    assert availability["Aantal fabrieken"] == "5-9"  # a band, never the exact number
    assert availability["P25 - P75"] == "P25 - P75 pas vanaf 10 fabrieken"
    assert f"U ziet de vrijgave van {latest:%Y-%m}" in texts(app)
    # four plants in the merged powertrain+chassis group: the sector comparison is suppressed
    app.selectbox[2].set_value("sector").run()
    table = app.dataframe[0].value
    assert set(table["Mediaan"]) == {"onderdrukt: te weinig fabrieken (minder dan 5)"}
    assert app.get("vega_lite_chart") or app.get("arrow_vega_lite_chart")


def test_network_page_shows_the_submission_grid_by_name(env):
    app = open_page(log_in("coordinator"), "network")
    page = texts(app)
    assert "F01 Demo Aandrijftechniek Brustem" in page
    assert "Te laat voor" in page


def test_region_page_shows_network_totals(env):
    app = open_page(log_in("city"), "region")
    with open_snapshot(env.serving_path) as con:
        employment = con.execute(
            "SELECT value FROM region_indicators WHERE indicator = 'employment' "
            "ORDER BY period DESC LIMIT 1"
        ).fetchall()[0][0]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Tewerkstelling"] == number(employment, 0, "nl")
    # six factories, threshold five: published; investment may be dominated (p % rule)
    assert len(metrics) == 9
    assert "Demo " not in texts(app) and "F01" not in texts(app)


def test_language_switch_to_english(env):
    app = log_in("city")
    app.session_state["language"] = "en"
    app = open_page(app, "region")
    assert app.title[0].value == "Regional anchoring"
    assert "Employment" in {m.label for m in app.metric}


def test_definitions_come_from_the_contracts(env):
    app = open_page(log_in("city"), "definitions")
    page = texts(app)
    assert "accident_frequency_rate" not in page  # labels, not code names
    assert "Frequentiegraad arbeidsongevallen" in page
    assert "lost_time_accidents * 1000000.0" not in page


def test_admin_adds_a_user(env):
    app = open_page(log_in("admin"), "users")
    app.text_input[0].input("new@test.example")
    app.selectbox[0].set_value("city")
    app.text_input[1].input("a-good-password-1")
    next(b for b in app.button if b.label == "Gebruiker toevoegen").click().run()
    assert "new@test.example" in rendered(app.success[0].value)
    assert "new@test.example" in texts(app)


def test_no_page_shows_a_developers_note():
    """Streamlit's magic writes every bare expression of a page file to the page: a string
    meant as a note for developers would be shown to users. Only the module docstring
    (which Streamlit skips) may stand alone."""
    import ast

    from kpi.settings import REPO_ROOT

    for path in sorted((REPO_ROOT / "dashboards" / "views").glob("*.py")):
        body = ast.parse(path.read_text()).body
        shown = [
            node.lineno
            for node in body[1:]
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ]
        assert shown == [], f"{path.name}: bare strings on lines {shown} would be shown"
