"""A plant manager's and the city's month (issue 11): the benchmark's verdicts, numbers and
scorecard, the full report of a refused file, the city's years and methodology, and the
PDF reports, rendered to PNG (test-artifacts/report/) and read back as text."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import dagster as dg
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from assets.names import MONTHLY_JOB
from dashboards import data, reports
from dashboards.data import Viewer
from kpi.cli import app as cli
from kpi.landing import submit
from kpi.serving import open_snapshot
from kpi.settings import REPO_ROOT, get_settings, reset_settings_cache
from pipelines.definitions import build_definitions
from tests.conftest import valid_rows, write_rows
from tests.dashboards.conftest import ACCOUNTS
from tests.dashboards.test_pages import log_in, open_page, rendered, texts

ARTIFACTS = REPO_ROOT / "test-artifacts" / "report"
FACTORY = Viewer(*ACCOUNTS["factory"])
CITY = Viewer(*ACCOUNTS["city"])


def latest_release(env) -> dt.date:
    with open_snapshot(env.serving_path) as con:
        return con.execute("SELECT max(period) FROM releases").fetchall()[0][0]


# --- the benchmark table -----------------------------------------------------------------


def _month_of(**overrides) -> pl.DataFrame:
    row = {
        "kpi": "availability",
        "label_nl": "Beschikbaarheid",
        "label_en": "Availability",
        "unit": "ratio",
        "direction": "higher",
        "formula": "f",
        "description_nl": "d",
        "description_en": "d",
        "decimals": 3,
        "peer_group": "network",
        "value": 0.7243,
        "n_band": "10-19",
        "p25": 0.70,
        "median": 0.724,
        "p75": 0.75,
        "top_quartile_boundary": 0.75,
        "suppressed": False,
        "suppressed_reason": None,
        "status": "released",
        "quartile": 2,
        "gap_to_median": 0.0003,
        "gap_to_top_quartile": -0.0257,
    }
    return pl.DataFrame([{**row, **overrides}])


def test_a_difference_that_shows_as_zero_gets_no_verdict(monkeypatch):
    month = dt.date(2026, 10, 1)
    monkeypatch.setattr(data, "months", lambda viewer: [month])
    monkeypatch.setattr(data, "kpi_catalogue", lambda viewer, domain: _month_of()[["kpi"]])
    monkeypatch.setattr(data, "own_month", lambda viewer, domain, m, group: _month_of())
    row = reports.positions(FACTORY, month, "network", "efficiency").row(0, named=True)
    assert row["gap_to_median"] == 0.0  # +0.03 pp shows as 0,0 pp
    assert row["verdict"] is None
    assert row["to_top_quartile"] == pytest.approx(0.026)  # 2,6 pp to go, always positive

    lower = _month_of(direction="lower", value=0.80, top_quartile_boundary=0.70)
    monkeypatch.setattr(data, "own_month", lambda viewer, domain, m, group: lower)
    row = reports.positions(FACTORY, month, "network", "efficiency").row(0, named=True)
    assert row["verdict"] == "worse"  # 0,800 above a median of 0,724 where lower is better
    assert row["to_top_quartile"] == pytest.approx(0.10)


def test_an_early_submitter_keeps_the_latest_release_beside_its_new_month(monkeypatch):
    released, new = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    monkeypatch.setattr(data, "months", lambda viewer: [released])
    monkeypatch.setattr(data, "kpi_catalogue", lambda viewer, domain: _month_of()[["kpi"]])

    def own_month(viewer, domain, month, group):
        if month == new:  # the new month: own value, no statistics yet
            return _month_of(value=0.80, median=None, p25=None, p75=None, n_band=None)
        return _month_of()

    monkeypatch.setattr(data, "own_month", own_month)
    row = reports.positions(FACTORY, new, "network", "efficiency").row(0, named=True)
    assert (row["value"], row["median"], row["compared_month"]) == (0.80, 0.724, released)
    assert row["verdict"] == "better"


def test_benchmark_page_numbers_scorecard_and_downloads(env):
    app = open_page(log_in("factory"), "benchmark")
    table = app.dataframe[0].value
    for gap in table["Verschil met mediaan"]:
        if gap.startswith(("0,0", "+0,0", "-0,0")):
            assert "beter" not in gap and "slechter" not in gap
    assert "Richting" not in table.columns
    assert set(table["Verschil met topkwartiel"]) <= {"–", "in het topkwartiel"} | {
        v for v in table["Verschil met topkwartiel"] if v.startswith("nog ")
    }
    page = texts(app)
    assert "Scorekaart: de laatste 12 maanden" in page
    assert "Uw peergroepen: het hele netwerk, sector " in page
    card = app.dataframe[1].value
    assert len(card.columns) == 13  # KPI and 12 months
    assert set(card.iloc[:, 1:].to_numpy().ravel()) <= {"Q1", "Q2", "Q3", "Q4", "–"}
    labels = [b.label for b in app.get("download_button")] if app.get("download_button") else []
    assert labels == [] or {"Download als Excel", "Maandrapport (PDF)"} <= set(labels)


def test_numeric_export_holds_numbers_not_display_text(env):
    month = latest_release(env)
    positions = reports.positions(FACTORY, month, "network")
    frame = reports.numeric(positions, month, "nl")
    assert frame.schema["value"] == pl.Float64 and frame.schema["median"] == pl.Float64
    availability = frame.filter(pl.col("kpi") == "availability").row(0, named=True)
    assert 0 < availability["value"] < 1  # a fraction, not "89,3 %"
    assert availability["n_band"] in ("5-9", None)
    workbook = reports.excel_bytes(frame, f"{month:%Y-%m}")
    read = pl.read_excel(workbook)
    assert read.schema["value"] == pl.Float64
    assert read["kpi"].to_list() == frame["kpi"].to_list()


# --- the full report of a refused file ----------------------------------------------------


@pytest.fixture(scope="module")
def with_refused_file(published, tmp_path_factory):
    """The published network, plus an F01 file that the pipeline refused."""
    root = tmp_path_factory.mktemp("refused")
    shutil.copytree(published.data_dir, root / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KPI_DATA_DIR", str(root / "data"))
        patch.setenv("DAGSTER_HOME", str(root / "data" / "dagster"))
        reset_settings_cache()
        data.clear_cache()
        settings = get_settings()
        rows = valid_rows("quality", "F01", months=1)
        broken = rows.with_columns(
            (pl.col("parts_shipped") + 10).alias("parts_rejected_by_customer")
        )
        path = write_rows(broken, "quality", root / "F01-quality-fout", "csv-semicolon")
        # straight into the landing zone, past the upload check (as a script or SFTP would)
        submit(path, "quality", "F01", settings, file_name="F01-kwaliteit-fout.csv")
        job = build_definitions(settings).resolve_job_def(MONTHLY_JOB)
        with dg.DagsterInstance.ephemeral() as instance:
            assert job.execute_in_process(instance=instance).success
        yield settings
    reset_settings_cache()
    data.clear_cache()


def test_factory_opens_the_full_report_of_its_refused_file(with_refused_file, monkeypatch):
    monkeypatch.setenv("KPI_DATA_DIR", str(with_refused_file.data_dir))
    reset_settings_cache()
    app = open_page(log_in("factory"), "upload")
    history = app.dataframe[0].value
    refused = history[history["Bestand"] == "F01-kwaliteit-fout.csv"].iloc[0]
    assert refused["Status"] == "geweigerd" and refused["Fouten"] >= 1
    chooser = next(s for s in app.selectbox if s.label == "Volledig verslag van een bestand openen")
    assert any("F01-kwaliteit-fout.csv" in o for o in chooser.options)
    submission = data.submissions(Viewer(*ACCOUNTS["factory"])).filter(
        pl.col("file_name") == "F01-kwaliteit-fout.csv"
    )["submission_id"][0]
    chooser.set_value(submission).run()
    assert not app.exception
    assert "daarom werd dit bestand geweigerd" in app.error[0].value
    findings = app.table[0].value
    assert rendered(findings.iloc[0]["Kolom"]) == "parts_rejected_by_customer"
    assert findings.iloc[0]["Rij"] == 2
    assert rendered(findings.iloc[0]["Regel"]) == "rejected_within_shipped"
    # only the submitting factory: another factory's session has no such file to open
    other = open_page(log_in("other_factory"), "upload")
    assert "F01-kwaliteit-fout.csv" not in texts(other)
    with pytest.raises(data.AccessDenied):
        reports.own_submission_findings(Viewer(*ACCOUNTS["other_factory"]), submission)
    reset_settings_cache()


# --- the city ------------------------------------------------------------------------------


def test_region_page_years_months_and_methodology(env):
    app = open_page(log_in("city"), "region")
    year, month = app.selectbox[0], app.selectbox[1]
    assert year.label == "Jaar" and month.label == "Maand"
    latest = latest_release(env)
    assert year.value == latest.year and month.value == latest
    page = texts(app)
    assert "Per jaar" in page
    assert "Waarom staat er soms" in page  # the methodology, in the expander
    per_year = app.dataframe[0].value
    assert per_year.columns[0] == "Indicator"
    assert any(str(latest.year) in c for c in per_year.columns[1:])
    employment = per_year[per_year["Indicator"] == "Tewerkstelling"].iloc[0]
    assert "6 van 12 fabrieken" in " ".join(str(v) for v in employment.iloc[1:])
    earlier = sorted(set(app.selectbox[0].options))[0]
    app.selectbox[0].set_value(int(earlier)).run()
    assert not app.exception
    assert app.selectbox[1].value.year == int(earlier)


def test_methodology_numbers_are_those_of_the_configuration():
    config = yaml.safe_load((REPO_ROOT / "config" / "disclosure.yaml").read_text())
    nl = (REPO_ROOT / "docs" / "methodology.nl.md").read_text()
    en = (REPO_ROOT / "docs" / "methodology.en.md").read_text()
    assert f"minstens {config['threshold']} fabrieken" in nl
    assert f"at least {config['threshold']} factories" in en
    assert f"{config['p_percent']} % van de grootste" in nl
    assert f"{config['p_percent']} % of the largest" in en
    assert f"op de {config['close_day']}e" in nl and f"on the {config['close_day']}th" in en


# --- the PDF reports -------------------------------------------------------------------------


def pdf_pages(pdf, name: str) -> tuple[str, list]:
    """The PDF's text (pdftotext) and its pages as PNG in test-artifacts/report/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(pdf), str(ARTIFACTS / name)], check=True, timeout=120
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text, sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_monthly_report_pdf_from_the_command_line(env, tmp_path):
    month = latest_release(env)
    output = tmp_path / "r.pdf"
    result = CliRunner().invoke(
        cli, ["report", "--factory", "F01", "--month", f"{month:%Y-%m}", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    text, pages = pdf_pages(output, "maandrapport-F01-nl")
    assert len(pages) >= 3
    assert "Maandrapport F01" in text
    assert f"Peerstatistieken: vrijgave van {month:%Y-%m}" in text
    for words in ("Uw positie per KPI", "Beschikbaarheid", "Trends: de laatste 12 maanden"):
        assert words in text
    assert "Definities" in text and "Vergeleken met het hele netwerk" in text
    for other in ("F02", "F04", "F05", "F08", "F09", "Demo "):
        assert other not in text  # never another factory's name or code
    with open_snapshot(env.serving_path) as con:
        median = con.execute(
            "SELECT median FROM peer_stats WHERE kpi = 'availability' AND period = ? "
            "AND peer_group = 'network'",
            [month],
        ).fetchall()[0][0]
    if median is not None:
        assert f"{median * 100:.1f} %".replace(".", ",") in text

    english = tmp_path / "r-en.pdf"
    result = CliRunner().invoke(
        cli,
        ["report", "-f", "F01", "-m", f"{month:%Y-%m}", "-o", str(english), "--lang", "en"],
    )
    assert result.exit_code == 0, result.output
    text, _ = pdf_pages(english, "maandrapport-F01-en")
    assert "Monthly report F01" in text and "Availability" in text
    assert "Your position per KPI" in text


def test_report_command_says_what_is_wrong(env, tmp_path):
    result = CliRunner().invoke(
        cli, ["report", "--factory", "F01", "--month", "1999-01", "-o", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1
    assert "F01 heeft geen cijfers voor 1999-01" in result.output
    result = CliRunner().invoke(
        cli, ["report", "--factory", "F01", "--month", "oktober", "-o", str(tmp_path / "x.pdf")]
    )
    said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert result.exit_code == 2 and "'oktober' is geen maand (JJJJ-MM) / is not a month" in said
    assert not (tmp_path / "x.pdf").exists()


def test_council_report_pdf(env, tmp_path):
    month = latest_release(env)
    output = tmp_path / "raad.pdf"
    result = CliRunner().invoke(
        cli, ["report", "--city", "--month", f"{month:%Y-%m}", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    text, pages = pdf_pages(output, "raadsrapport-nl")
    assert len(pages) >= 2
    assert "Regionale verankering" in text and f"Vrijgave van {month:%Y-%m}" in text
    assert "Tewerkstelling" in text and "6 van 12 fabrieken" in text
    assert "Hoe de cijfers gemaakt worden" in text
    assert "Waarom staat er soms" in text  # the methodology, in plain words
    for other in ("F01", "F02", "Demo "):
        assert other not in text
