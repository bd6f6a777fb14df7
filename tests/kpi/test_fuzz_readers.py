"""Fuzzing the readers (issue 9, "Proof"): whatever bytes arrive as a .csv or .xlsx, the
file ends accepted or refused with findings in both languages, never an exception, and
within bounded time."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.validation import FileReport, Upload, validate_uploads
from tests.conftest import valid_rows, write_rows
from tests.kpi.hand_built_xlsx import MAIN, write_xlsx

TODAY = dt.date(2026, 1, 15)
FUZZ = settings(
    max_examples=60,
    deadline=dt.timedelta(seconds=10),  # bounded time per file (generous: shared machine)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def verdict(path: Path) -> FileReport:
    (report,) = validate_uploads(
        [Upload(path, "quality", "F01")], 1024 * 1024, today=TODAY, engine="polars"
    )
    assert report.accepted or report.errors
    for item in report.findings:
        assert item.message("nl") and item.message("en")
    assert report.to_text("nl") and report.to_json("en")
    return report


@pytest.fixture(scope="module")
def good_csv(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("fuzz")
    return write_rows(valid_rows("quality"), "quality", folder / "q", "csv-semicolon").read_bytes()


@pytest.fixture(scope="module")
def good_xlsx(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("fuzz")
    return write_rows(valid_rows("quality"), "quality", folder / "q", "xlsx").read_bytes()


def mutations(data: bytes):
    """``data`` with a few bytes replaced, inserted or removed."""
    edit = st.tuples(
        st.sampled_from(["replace", "insert", "delete"]),
        st.integers(0, len(data) - 1),
        st.binary(min_size=1, max_size=8),
    )
    return st.lists(edit, min_size=1, max_size=6).map(lambda edits: _apply(data, edits))


def _apply(data: bytes, edits) -> bytes:
    result = bytearray(data)
    for kind, at, chunk in edits:
        at = min(at, len(result))
        if kind == "replace":
            result[at : at + len(chunk)] = chunk
        elif kind == "insert":
            result[at:at] = chunk
        else:
            del result[at : at + len(chunk)]
    return bytes(result)


CSV_PIECES = st.sampled_from(
    [";", ",", "\t", '"', "\n", "\r\n", "\x00", "\x1a", "#", "1.234", "0,5", "€", "é",
     "nan", "1e400", "2025-12", "mrt 2025", "31/12/2025", "F01", "factory_code", "period",
     "parts_shipped", "\ufeff", "\u00a0", "-", " "]
)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_any_csv_bytes_end_in_a_verdict(tmp_path, good_csv, data):
    content = data.draw(
        st.one_of(
            mutations(good_csv),
            st.lists(CSV_PIECES, max_size=80).map(lambda parts: "".join(parts).encode()),
            st.binary(max_size=2000),
            st.text(max_size=300).map(lambda text: text.encode("utf-16")),
        )
    )
    path = tmp_path / "fuzz.csv"
    path.write_bytes(content)
    report = verdict(path)
    # CSV is read by its own rules: nothing may fall through to "could not be read"
    assert "file_unreadable" not in {f.rule for f in report.errors}


@FUZZ
@given(data=st.data())
def test_any_xlsx_bytes_end_in_a_verdict(tmp_path, good_xlsx, data):
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data.draw(st.one_of(mutations(good_xlsx), st.binary(max_size=2000))))
    verdict(path)


XML_PIECES = st.sampled_from(
    ['<row r="1">', '<row r="2">', '<row r="999999">', "</row>", '<c r="A1">', '<c r="B2" t="s">',
     '<c r="C1" t="inlineStr"><is><t>', "</t></is>", '<c r="XFD1">', "</c>", "<v>", "</v>",
     "1", "1e400", "-0", "factory_code", "&amp;", "&x;", "<![CDATA[", "]]>", "<!--", "-->",
     '<c t="d">', "2025-12-31", "<f>SUM(A1)</f>", "<", ">", "\u00e9"]
)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_any_sheet_xml_ends_in_a_verdict(tmp_path, data):
    sheet = "".join(data.draw(st.lists(XML_PIECES, max_size=60))).encode()
    strings = data.draw(
        st.sampled_from(
            [
                f'<sst xmlns="{MAIN}"><si><t>period</t></si></sst>'.encode(),
                f'<sst xmlns="{MAIN}"><si><t>x</t>'.encode(),
                b"",
            ]
        )
    )
    path = write_xlsx(tmp_path / "fuzz.xlsx", [sheet], [strings])
    verdict(path)


def test_the_fuzzed_xlsx_helpers_make_a_readable_workbook(tmp_path):
    """The fuzzing starts from real files: the unmutated ones are accepted."""
    path = write_xlsx(tmp_path / "leeg.xlsx", [b""])
    assert zipfile.ZipFile(io.BytesIO(path.read_bytes())).testzip() is None
    assert [f.rule for f in verdict(path).errors] == ["no_header"]


def test_a_field_beyond_the_csv_modules_limit_is_a_syntax_refusal(tmp_path):
    path = tmp_path / "lang.csv"
    path.write_bytes(b"factory_code;period\n" + b"x" * 200_000 + b"\n")
    assert [f.rule for f in verdict(path).errors] == ["file_csv_syntax"]
