"""Files as Flemish offices write them (issue 10): LibreOffice and Excel exports in a Dutch
(Belgium) locale are read right, or refused with the row and column a user looks at."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi.contracts import load_contract
from kpi.validation import FileReport, Upload, validate_uploads
from tests.conftest import valid_rows

TODAY = dt.date(2026, 3, 15)
EFFICIENCY = load_contract("efficiency")


def check(path: Path, dataset: str = "efficiency", engine: str = "polars") -> FileReport:
    return validate_uploads([Upload(path, dataset, "F01")], 10_000_000, today=TODAY, engine=engine)[
        0
    ]


def dutch(value: object) -> str:
    """A cell as Excel nl-BE shows it: decimal comma, no thousands separator."""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def belgian_csv(path: Path, header: list[str], rows: list[list[str]], encoding="cp1252") -> Path:
    """``;``-separated, CRLF, Windows-1252: Excel's "CSV (gescheiden door lijstscheidingsteken)"."""
    lines = [";".join(header), *(";".join(row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def efficiency_cells(months: int = 2) -> tuple[list[str], list[list[str]]]:
    rows = valid_rows("efficiency", months=months)
    return rows.columns, [[dutch(v) for v in row] for row in rows.iter_rows()]


def errors(report: FileReport) -> list[tuple[int | None, str | None, str]]:
    return [(f.row, f.column, f.rule) for f in report.errors]


# 1. one number convention per file -----------------------------------------------------


def test_a_thousands_point_in_a_decimal_comma_file_is_a_thousands_separator(tmp_path):
    header, rows = efficiency_cells()
    energy = header.index("energy_kwh")
    rows[0][energy] = "462.300"
    report = check(belgian_csv(tmp_path / "productie.csv", header, rows))
    assert report.accepted, report.to_text("en")
    assert report.values["energy_kwh"].to_list()[0] == 462_300.0


def test_a_cell_that_does_not_fit_the_files_convention_is_refused_by_row_and_column(tmp_path):
    header, rows = efficiency_cells()
    energy = header.index("energy_kwh")
    rows[1][energy] = "462.3"  # a decimal point in a decimal-comma file: 462.3 or 462300?
    report = check(belgian_csv(tmp_path / "productie.csv", header, rows))
    assert errors(report) == [(3, "energy_kwh", "number_convention")]
    assert "'462.3'" in report.errors[0].message("nl")
    assert "decimaalkomma" in report.errors[0].message("nl")
    assert "decimal comma" in report.errors[0].message("en")


def test_a_decimal_point_file_reads_commas_as_thousands(tmp_path):
    rows = valid_rows("efficiency", months=1)
    header = rows.columns
    cells = [
        f'"{v:,.2f}"' if isinstance(v, float) else (f"{v:%Y-%m}" if isinstance(v, dt.date) else v)
        for v in rows.row(0)
    ]
    path = tmp_path / "e.csv"
    path.write_text(",".join(header) + "\n" + ",".join(map(str, cells)) + "\n")
    report = check(path)
    assert report.accepted, report.to_text("en")
    assert report.values["energy_kwh"].to_list() == rows["energy_kwh"].to_list()


# 2./3. months as spreadsheets write them -------------------------------------------------


def efficiency_workbook(path: Path, periods: list[object], number_format: str | None = None):
    rows = valid_rows("efficiency", months=len(periods), last=dt.date(2026, 2, 1))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "efficiency"
    sheet.append(rows.columns)
    for period, row in zip(periods, rows.iter_rows(named=True), strict=True):
        sheet.append([period if k == "period" else v for k, v in row.items()])
        if number_format:
            sheet.cell(row=sheet.max_row, column=2).number_format = number_format
    workbook.save(path)
    return path


def test_a_month_end_date_cell_names_its_month(tmp_path):
    # a period cell holding 31/01/2026, shown as "januari 2026"
    path = efficiency_workbook(
        tmp_path / "e.xlsx", [dt.datetime(2026, 1, 31), dt.datetime(2026, 2, 28)], "mmmm yyyy"
    )
    report = check(path)
    assert report.accepted, report.to_text("en")
    assert report.periods == ["2026-01", "2026-02"]


def test_a_refused_date_cell_is_quoted_as_the_user_sees_it(tmp_path):
    path = efficiency_workbook(tmp_path / "e.xlsx", [dt.datetime(2014, 12, 31)])
    report = check(path)
    assert errors(report) == [(2, "period", "minimum")]
    message = report.errors[0].message("nl")
    assert "31/12/2014" in message and "T00:00" not in message


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("jan 2026", "2026-01"),
        ("mrt 2026", "2026-03"),
        ("March 2026", "2026-03"),
        ("februari 2026", "2026-02"),
        ("mrt-26", "2026-03"),
        ("2026-03", "2026-03"),
        ("2026-3", "2026-03"),
        ("03/2026", "2026-03"),
        ("31/03/2026", "2026-03"),
    ],
)
def test_months_as_spreadsheets_write_them(tmp_path, written, month):
    header, rows = efficiency_cells(months=1)
    rows[0][header.index("period")] = written
    report = check(belgian_csv(tmp_path / "e.csv", header, rows))
    assert report.accepted, report.to_text("en")
    assert report.periods == [month]


def test_a_word_that_is_no_month_is_refused(tmp_path):
    header, rows = efficiency_cells(months=1)
    rows[0][header.index("period")] = "lente 2026"
    report = check(belgian_csv(tmp_path / "e.csv", header, rows))
    assert errors(report) == [(2, "period", "type_date")]


# 4./5. encodings and the Ctrl-Z byte ----------------------------------------------------


def test_excel_unicode_text_utf16_tab_separated_is_read(tmp_path):
    header, rows = efficiency_cells()
    text = "\r\n".join("\t".join(row) for row in [header, *rows]) + "\r\n"
    path = tmp_path / "productie.csv"
    path.write_bytes(text.encode("utf-16"))  # with its byte order mark, as Excel writes it
    report = check(path)
    assert report.accepted, report.to_text("en")
    assert report.values.height == 2


def test_utf16_without_byte_order_mark_is_read(tmp_path):
    header, rows = efficiency_cells()
    text = "\r\n".join("\t".join(row) for row in [header, *rows]) + "\r\n"
    path = tmp_path / "productie.csv"
    path.write_bytes(text.encode("utf-16-le"))
    report = check(path)
    assert report.accepted, report.to_text("en")


def test_a_final_ctrl_z_is_no_row(tmp_path):
    header, rows = efficiency_cells()
    path = belgian_csv(tmp_path / "e.csv", header, rows)
    path.write_bytes(path.read_bytes() + b"\x1a")
    report = check(path)
    assert report.accepted, report.to_text("en")
    assert report.values["_row"].to_list() == [2, 3]


# 6. title rows above the header ---------------------------------------------------------


def test_title_rows_above_the_header_and_rows_numbered_as_in_the_sheet(tmp_path):
    rows = valid_rows("efficiency", months=2)
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Efficiëntie productie – F01"
    sheet.merge_cells("A1:K1")
    sheet["A2"] = "ingevuld door"
    sheet["B2"] = "An Peeters"
    # row 3 stays empty; the column names are on row 4
    for column, name in enumerate(rows.columns, start=1):
        sheet.cell(row=4, column=column, value=name)
    for offset, row in enumerate(rows.iter_rows(), start=5):
        for column, value in enumerate(row, start=1):
            if isinstance(value, dt.date):
                value = f"{value:%Y-%m}"
            sheet.cell(row=offset, column=column, value=value)
    sheet.cell(row=6, column=rows.columns.index("good_quantity") + 1, value=-5)
    workbook.save(tmp_path / "e.xlsx")
    report = check(tmp_path / "e.xlsx")
    assert errors(report) == [(6, "good_quantity", "minimum")]


def test_no_header_row_is_said_in_one_message(tmp_path):
    path = belgian_csv(tmp_path / "e.csv", ["naam", "waarde"], [["a", "1"], ["b", "2"]])
    report = check(path)
    assert errors(report) == [(None, None, "no_header")]
    assert "kopregel" in report.errors[0].message("nl")
    assert "efficiency" in report.errors[0].message("en")


# 7. amounts with a currency sign --------------------------------------------------------


def test_euro_amounts_saved_as_shown_are_read(tmp_path):
    rows = valid_rows("regional", months=1)
    row = rows.row(0, named=True)

    def shown(name: str, value: object) -> str:
        if name.endswith("_eur"):
            grouped = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
            return f"€\u00a0{grouped}"  # "save as shown" of a euro-formatted cell
        return dutch(value)

    path = belgian_csv(
        tmp_path / "regio.csv", rows.columns, [[shown(k, v) for k, v in row.items()]]
    )
    report = check(path, "regional")
    assert report.accepted, report.to_text("en")
    assert report.values.row(0, named=True)["purchasing_spend_eur"] == row["purchasing_spend_eur"]


def test_a_currency_sign_outside_euro_columns_is_not_a_number(tmp_path):
    header, rows = efficiency_cells(months=1)
    rows[0][header.index("energy_kwh")] = "€ 12,00"
    report = check(belgian_csv(tmp_path / "e.csv", header, rows))
    assert errors(report) == [(2, "energy_kwh", "type_number")]


# 8. helper columns ----------------------------------------------------------------------


def test_a_helper_column_is_ignored_with_a_warning_naming_it_as_written(tmp_path):
    header, rows = efficiency_cells()
    header = [*header, "Verloop %"]
    rows = [[*row, "3,5%"] for row in rows]
    report = check(belgian_csv(tmp_path / "e.csv", header, rows))
    assert report.accepted, report.to_text("en")
    (warning,) = report.warnings
    assert (warning.rule, warning.column) == ("unknown_column", "Verloop %")
    assert "'Verloop %'" in warning.message("nl") and "genegeerd" in warning.message("nl")


def test_a_missing_column_is_still_an_error(tmp_path):
    header, rows = efficiency_cells()
    drop = header.index("energy_kwh")
    header = [h for i, h in enumerate(header) if i != drop]
    rows = [[c for i, c in enumerate(row) if i != drop] for row in rows]
    report = check(belgian_csv(tmp_path / "e.csv", header, rows))
    assert errors(report) == [(None, "energy_kwh", "missing_column")]


# 9. the wrong dataset -------------------------------------------------------------------


def test_a_quality_file_on_the_efficiency_page_is_named_as_such(tmp_path):
    rows = valid_rows("quality", months=2)
    path = belgian_csv(
        tmp_path / "kwaliteit.csv", rows.columns, [[dutch(v) for v in r] for r in rows.iter_rows()]
    )
    report = check(path, "efficiency")
    assert errors(report) == [(None, None, "wrong_dataset")]
    assert "Dit lijkt een bestand van Kwaliteit" in report.errors[0].message("nl")
    assert "This looks like a Quality file" in report.errors[0].message("en")


# other spreadsheet formats --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "named"),
    [
        ("productie.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "(.xls)"),
        ("productie.ods", b"PK\x03\x04" + b"\x00" * 100, "OpenDocument (.ods)"),
        # an Excel 97-2003 file renamed to .xlsx is named for what it is
        ("productie.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "(.xls)"),
    ],
)
def test_xls_and_ods_are_refused_naming_the_format(tmp_path, name, content, named):
    path = tmp_path / name
    path.write_bytes(content)
    report = check(path)
    assert errors(report) == [(None, None, "file_format")]
    assert named in report.errors[0].message("nl") and ".xlsx" in report.errors[0].message("en")


def test_an_ods_saved_as_xlsx_is_named_for_what_it_is(tmp_path):
    path = tmp_path / "productie.xlsx"
    with zipfile.ZipFile(path, "w") as archive:  # how LibreOffice starts every .ods
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    report = check(path)
    assert errors(report) == [(None, None, "file_format")]
    assert "OpenDocument (.ods)" in report.errors[0].message("en")


def test_every_case_works_in_the_pipeline_engine_too(tmp_path):
    """The cases above end the same in Great Expectations (the pipeline's authority)."""
    header, rows = efficiency_cells()
    rows[0][header.index("energy_kwh")] = "€ 462.300"  # not a euro column: refused
    rows[1][header.index("period")] = "mrt 2026"
    path = belgian_csv(tmp_path / "e.csv", [*header, "verloop %"], [[*r, "1"] for r in rows])
    report = check(path, engine="gx")
    assert errors(report) == [(2, "energy_kwh", "type_number")]
    assert [(w.rule, w.column) for w in report.warnings] == [("unknown_column", "verloop %")]
    assert report.periods == ["2025-11", "2026-03"]
