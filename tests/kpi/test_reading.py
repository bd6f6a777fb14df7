"""Reading what Belgian factory Excel produces, and refusing the rest clearly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from kpi.contracts import load_contract
from kpi.parsing import parse_cells
from kpi.reading import read_upload
from tests.conftest import valid_rows

QUALITY = load_contract("quality")
LIMIT = 10 * 1024 * 1024


def read(path: Path, contract=QUALITY, limit: int = LIMIT):
    return read_upload(path, contract, limit)


def typed(path: Path, contract=QUALITY) -> pl.DataFrame:
    raw = read(path, contract)
    assert raw.findings == [], [f.message("en") for f in raw.findings]
    parsed = parse_cells(raw.cells, contract)
    assert parsed.findings == [], [f.message("en") for f in parsed.findings]
    return parsed.values


def rules_of(table) -> list[str]:
    return [f.rule for f in table.findings]


def test_semicolon_decimal_comma_cp1252_csv(tmp_path: Path) -> None:
    path = tmp_path / "kwaliteit.csv"
    path.write_bytes(
        "Factory_Code;Period;Parts_Shipped;Parts_Rejected_By_Customer;Customer_Complaints;"
        "Parts_Inspected_First_Pass;Parts_Good_First_Pass;Deliveries_Total;Deliveries_On_Time\r\n"
        "F01;2025-01;1.234;3;0;1.300;1.250;40;38\r\n"
        ";;;;;;;;\r\n".encode("cp1252")
    )
    values = typed(path)
    assert values.height == 1
    assert values["parts_shipped"].to_list() == [1234]  # 1.234: thousands separator
    assert values["period"].to_list() == [dt.date(2025, 1, 1)]


def test_decimal_commas_and_windows_1252_text_in_people_file(tmp_path: Path) -> None:
    people = load_contract("people")
    rows = valid_rows("people", months=2)
    header = ";".join(rows.columns)
    lines = [header]
    for row in rows.iter_rows():
        cells = [f"{v:%Y-%m}" if isinstance(v, dt.date) else str(v).replace(".", ",") for v in row]
        lines.append(";".join(cells))
    path = tmp_path / "personeel – oktober.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    values = typed(path, people)
    assert values["fte_avg"].to_list() == rows["fte_avg"].to_list()


def test_comma_utf8_bom_headers_in_any_order_and_case_with_spaces(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(
        "\ufeff DELIVERIES_ON_TIME , deliveries_total,parts_good_first_pass,"
        "parts_inspected_first_pass,customer_complaints,parts_rejected_by_customer,"
        "parts_shipped,period,factory_code\n"
        " 38 ,40,1250,1300,0,3, 1234 , 2025-02 ,  f01 \n\n\n".encode()
    )
    values = typed(path)
    assert values.row(0, named=True)["deliveries_on_time"] == 38
    assert values["factory_code"].to_list() == ["F01"]
    assert values["_row"].to_list() == [2]


def test_quoted_decimal_commas_in_a_comma_separated_file(tmp_path: Path) -> None:
    efficiency = load_contract("efficiency")
    rows = valid_rows("efficiency", months=1)
    row = rows.row(0, named=True)
    cells = [
        f'"{str(v).replace(".", ",")}"'
        if isinstance(v, float)
        else (f"{v:%Y-%m}" if isinstance(v, dt.date) else str(v))
        for v in row.values()
    ]
    path = tmp_path / "e.csv"
    path.write_text(",".join(row) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    values = typed(path, efficiency)
    assert values["energy_kwh"].to_list() == [row["energy_kwh"]]


def test_xlsx_first_sheet_and_excel_dates_for_months(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Blad1"
    sheet.append(QUALITY.column_names)
    sheet.append(["F01", dt.datetime(2025, 3, 1), 1000, 2, 1, 1100, 1090, 30, 29])
    sheet.append(["F01", "2025-04", 1000.0, 2, 1, 1100, 1090, 30, 29])
    sheet.append([None] * 9)
    workbook.save(tmp_path / "q.xlsx")
    values = typed(tmp_path / "q.xlsx")
    assert values["period"].to_list() == [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]
    assert values["parts_shipped"].to_list() == [1000, 1000]
    assert values["_row"].to_list() == [2, 3]


def test_xlsx_sheet_named_as_the_dataset_wins_and_rows_keep_excel_numbers(
    tmp_path: Path,
) -> None:
    workbook = Workbook()
    workbook.active.title = "Toelichting"
    workbook.active.append(["Dit blad is uitleg"])
    sheet = workbook.create_sheet("Quality")
    sheet["A3"] = "# ingevuld door de kwaliteitsdienst"
    for offset, name in enumerate(QUALITY.column_names):
        sheet.cell(row=4, column=offset + 1, value=name)
    for offset, value in enumerate(["F01", "2025-05", 10, 0, 0, 10, 10, 1, 1]):
        sheet.cell(row=5, column=offset + 1, value=value)
    workbook.save(tmp_path / "q.xlsx")
    values = typed(tmp_path / "q.xlsx")
    assert values["_row"].to_list() == [5]  # the row number the user sees in Excel


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("data.pdf", b"%PDF-1.4", "file_type"),
        ("data", b"a;b", "file_type"),
        ("empty.csv", b"", "file_empty"),
        ("binary.csv", b"\x00\x01\x02garbage\x00", "file_binary"),
        ("zip-as.csv", b"PK\x03\x04rest", "file_binary"),
        ("fake.xlsx", b"factory_code;period\n", "file_not_xlsx"),
        ("broken.xlsx", b"PK\x03\x04not really a zip", "file_not_xlsx"),
        ("bad-bytes.csv", b"factory_code\x81\x8d;period\n", "file_encoding"),
        ("only-header.csv", ";".join(QUALITY.column_names).encode() + b"\n\n", "no_rows"),
        ("blank.csv", b"\n;;\n\n", "no_header"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    tmp_path: Path, name: str, content: bytes, rule: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    table = read(path)
    assert table.cells is None
    assert rules_of(table) == [rule]
    assert all(
        f.severity == "error" and f.message("nl") and f.message("en") for f in table.findings
    )


def test_missing_and_unknown_columns_are_named_with_a_suggestion(tmp_path: Path) -> None:
    names = QUALITY.column_names
    header = [*names[:2], "parts_shiped", *names[3:-1], "opmerkingen"]
    path = tmp_path / "q.csv"
    path.write_text(";".join(header) + "\n" + ";".join(["1"] * len(header)) + "\n")
    table = read(path)
    found = {(f.rule, f.column) for f in table.findings}
    assert found == {
        ("unknown_column", "parts_shiped"),
        ("unknown_column", "opmerkingen"),
        ("missing_column", "parts_shipped"),
        ("missing_column", "deliveries_on_time"),
    }
    typo = next(f for f in table.findings if f.column == "parts_shiped")
    assert "parts_shipped" in typo.message("nl") and "Bedoelt u" in typo.message("nl")


def test_duplicate_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(",".join([*QUALITY.column_names, "period"]) + "\n")
    assert ("duplicate_column", "period") in {(f.rule, f.column) for f in read(path).findings}


def test_file_over_the_configured_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    table = read(path, limit=1024)
    assert rules_of(table) == ["file_too_large"]
    assert "MB" in table.findings[0].message("en")


def test_a_row_with_more_values_than_headers_is_named(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(",".join(QUALITY.column_names) + "\n" + "F01,2025-01,1,0,0,1,1,1,1,surplus\n")
    table = read(path)
    assert [(f.rule, f.row) for f in table.findings] == [("extra_cells", 2)]
