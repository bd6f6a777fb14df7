"""The faster reader and parsing read every file as the code they replaced did
(``tests/kpi/reference_reading.py``, ``reference_parsing.py``): the same cells, row
numbers, decimal mark, findings and texts, and the same typed values and unparsed cells.

Compared on the fuzz strategies of ``test_fuzz_readers.py``, on files shaped as offices
write them (title, blank and comment rows, quotes, ragged rows, spaces to tidy, every
number convention, encodings; and workbooks with typed cells), on the bench's generated
files (both styles, as one batch per dataset), and, through the plugin in
``same_as_reference.py``, on every file the office-file and hostile-file tests validate.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kpi import reading
from kpi.bench import _codes, write_files
from kpi.contracts import UPLOAD_DATASETS, all_contracts, load_contract
from kpi.reading import DECIMAL_COLUMN, ReadLimits
from kpi.validation import _batch_frame
from tests.conftest import valid_rows, write_rows
from tests.kpi import reference_reading
from tests.kpi.hand_built_xlsx import MAIN, write_xlsx
from tests.kpi.same_as_reference import assert_same_parse, read_both
from tests.kpi.test_fuzz_readers import CSV_PIECES, XML_PIECES, mutations

MB = 1024 * 1024
LIMITS = ReadLimits(max_rows=400, max_cells=4000)  # small: the limits are compared too
DIFFERENTIAL = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
DATASETS = st.sampled_from([name for name in UPLOAD_DATASETS if name != "maturity"])
REPO = Path(__file__).resolve().parents[2]


def read(path: Path, dataset: str, limits: ReadLimits | None = LIMITS) -> reading.RawTable:
    return read_both(path, load_contract(dataset), MB, limits)


# --- the fuzz corpus ------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("differential")
    rows = valid_rows("quality")
    return {
        kind: write_rows(rows, "quality", folder / kind, kind).read_bytes()
        for kind in ("csv-semicolon", "csv-comma", "xlsx")
    }


@DIFFERENTIAL
@given(data=st.data())
def test_fuzzed_csv_bytes_read_the_same(tmp_path, good_files, data):
    content = data.draw(
        st.one_of(
            mutations(good_files["csv-semicolon"]),
            mutations(good_files["csv-comma"]),
            st.lists(CSV_PIECES, max_size=80).map(lambda parts: "".join(parts).encode()),
            st.binary(max_size=2000),
            st.text(max_size=300).map(lambda text: text.encode("utf-16")),
        )
    )
    path = tmp_path / "fuzz.csv"
    path.write_bytes(content)
    read(path, data.draw(DATASETS))


@DIFFERENTIAL
@given(data=st.data())
def test_fuzzed_xlsx_bytes_and_sheets_read_the_same(tmp_path, good_files, data):
    if data.draw(st.booleans()):
        path = tmp_path / "fuzz.xlsx"
        path.write_bytes(data.draw(mutations(good_files["xlsx"])))
    else:
        sheet = "".join(data.draw(st.lists(XML_PIECES, max_size=60))).encode()
        strings = f'<sst xmlns="{MAIN}"><si><t>period</t></si></sst>'.encode()
        path = write_xlsx(tmp_path / "fuzz.xlsx", [sheet], [strings])
    read(path, "quality")


# --- files as offices write them -------------------------------------------------------

NUMBER_TEXTS = st.sampled_from(
    ["12", "0", "-3", "+4", "1.234", "1,234", "1.234,5", "1,234.5", "0,75", "0.75", "1.234.567",
     "1,234,567", "1 234,5", "1\u00a0234,5", "1\u202f234.5", "€ 2.481.350,00", "-3,5 EUR",
     "1e3", "1,5e3", "nan", "inf", "1e400", "12'345", "²", "٣,5", "n.v.t.", "", " ", "  7  ",
     "7\t8", "1  2", "#5", "x"]
)  # fmt: skip
OTHER_TEXTS = st.sampled_from(
    ["F01", " f01 ", "2025-03", "03/2025", "mrt 2025", "31/12/2025", "", "  ", "a  b",
     "a\u00a0b", "#", "# note", "x;y", "x,y", 'a "q" b', "line\nbreak", "é"]
)  # fmt: skip
LOOSE_TEXT = st.text(alphabet=" \t\u00a0,.;#\"'-€e0123456789abF", max_size=8)


@st.composite
def header_names(draw, dataset: str) -> list[str]:
    """The contract's names, as a user may write them (case, spaces, dashes, order), now
    and then one missing, doubled, unknown or unnamed."""
    names = list(load_contract(dataset).column_names)
    if draw(st.booleans()):
        names = draw(st.permutations(names))
    written = []
    for name in names:
        style = draw(st.sampled_from(["as is", "upper", "spaced", "dashed", "padded"]))
        written.append(
            {
                "as is": name,
                "upper": name.upper(),
                "spaced": name.replace("_", " ").title(),
                "dashed": name.replace("_", "-"),
                "padded": f"  {name}\u00a0",
            }[style]
        )
    change = draw(st.sampled_from(["none"] * 6 + ["drop", "double", "extra", "blank", "other"]))
    if change == "drop":
        written.pop(draw(st.integers(0, len(written) - 1)))
    elif change == "double":
        written.append(written[0])
    elif change == "extra":
        written.insert(
            draw(st.integers(0, len(written))), draw(st.sampled_from(["verloop %", "enrgy_kwh"]))
        )
    elif change == "blank":
        written.insert(draw(st.integers(0, len(written))), "")
    elif change == "other":
        written = list(load_contract(draw(DATASETS)).column_names)
    return written


@st.composite
def office_csv(draw) -> tuple[bytes, str]:
    dataset = draw(DATASETS)
    header = draw(header_names(dataset))
    numeric = {c.name for c in load_contract(dataset).columns if c.logical_type != "string"}
    width = len(header)
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 3))):  # title rows, blank rows, comment lines
        rows.append(
            draw(st.sampled_from([["Productie 2025"], [], ["", ""], ["# nota"], [" #x", "1"]]))
        )
    rows.append(header)
    for _ in range(draw(st.integers(0, 12))):
        cells = [
            draw(NUMBER_TEXTS if name.strip().lower() in numeric else OTHER_TEXTS)
            if draw(st.integers(0, 9))
            else draw(LOOSE_TEXT)
            for name in header
        ]
        shape = draw(st.sampled_from(["full"] * 8 + ["short", "long", "blank", "comment"]))
        if shape == "short":
            cells = cells[: draw(st.integers(0, width))]
        elif shape == "long":
            cells += draw(st.lists(st.sampled_from(["", " ", "9"]), min_size=1, max_size=3))
        elif shape == "blank":
            cells = [""] * draw(st.integers(0, width))
        elif shape == "comment":
            cells = ["# " + (cells[0] if cells else "")] + cells[1:]
        rows.append(cells)
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\n")
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 9)) == 0:
        text += "\x1a"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace"), dataset


@DIFFERENTIAL
@given(file=office_csv())
def test_csv_files_as_offices_write_them_read_the_same(tmp_path, file):
    content, dataset = file
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    read(path, dataset)


CELL_VALUES = st.one_of(
    st.none(),
    NUMBER_TEXTS,
    OTHER_TEXTS,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from([0.5, 1234.5, 1e15, 1e16, -0.25, 3.0, 462.3]),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 12, 31)),
    st.booleans(),
)


@DIFFERENTIAL
@given(dataset=DATASETS, data=st.data())
def test_workbooks_with_typed_cells_read_the_same(tmp_path, dataset, data):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = data.draw(st.sampled_from([dataset, "Blad1"]))
    for _ in range(data.draw(st.integers(0, 2))):
        sheet.append(data.draw(st.sampled_from([["Titel"], [None, None], ["# nota"]])))
    header = data.draw(header_names(dataset))
    sheet.append(header)
    for _ in range(data.draw(st.integers(0, 8))):
        sheet.append(data.draw(st.lists(CELL_VALUES, max_size=len(header) + 2)))
    path = tmp_path / "upload.xlsx"
    workbook.save(path)
    read(path, dataset)


SEPARATOR_CELLS = st.one_of(
    st.sampled_from(["factory_code", "Period", "parts shipped", "energy-kwh", "F01", "x"]),
    st.sampled_from(["year", " hires ", '"period"', '"a;b"', '"a,b"', "1,5", "2.5", "#"]),
    st.text(alphabet=';,\t" aé1_-', max_size=6),
)


@DIFFERENTIAL
@given(
    lines=st.lists(
        st.tuples(st.lists(SEPARATOR_CELLS, max_size=14), st.sampled_from([";", ",", "\t", ", "])),
        max_size=12,
    ).map(lambda lines: [separator.join(cells) for cells, separator in lines])
)
def test_the_separator_vote_chooses_the_same(lines):
    """The vote scores fewer lines and separators than the reference; it chooses the
    same separator for any lines (quotes, title rows, ties, mixed separators)."""
    lines = [line for line in lines if line.strip()]
    assert reading._delimiter(lines) == reference_reading._delimiter(lines)


def test_a_quoted_line_break_makes_one_record_of_two_lines():
    """A record over two lines can hold more cells than either line: with quotes, every
    line is scored (here ``;`` finds four names only by joining the last two lines)."""
    lines = [
        "factory_code;period;year;;;",
        "factory_code,period,hires,leavers",
        'factory_code;period;"',
        '";hires;leavers',
    ]
    assert reading._delimiter(lines) == reference_reading._delimiter(lines) == ";"


@DIFFERENTIAL
@given(dataset=DATASETS, data=st.data())
def test_batches_of_any_cells_and_marks_parse_the_same(dataset, data):
    """Cells of files of both conventions in one batch (and marks no reader writes)."""
    contract = load_contract(dataset)
    height = data.draw(st.integers(0, 12))
    marks = st.sampled_from([",", ".", None, "x"])
    texts = st.one_of(st.none(), NUMBER_TEXTS, OTHER_TEXTS, LOOSE_TEXT)
    frame = {
        "_row": list(range(2, height + 2)),
        DECIMAL_COLUMN: data.draw(st.lists(marks, min_size=height, max_size=height)),
        **{
            name: data.draw(st.lists(texts, min_size=height, max_size=height))
            for name in contract.column_names
        },
    }
    schema = {name: pl.String for name in frame} | {"_row": pl.Int64}
    assert_same_parse(pl.DataFrame(frame, schema=schema), contract)


# --- the bench's files, one batch per dataset ------------------------------------------


@pytest.mark.parametrize("months", [12, 120])
def test_the_bench_files_read_and_parse_the_same(tmp_path, months):
    written = write_files(_codes(4), months, tmp_path / "files")
    assert {kind for *_, kind in written} == {"csv-semicolon", "csv-comma"}
    batches = defaultdict(list)
    for index, (path, dataset, _, _) in enumerate(written):
        table = read(path, dataset, None)
        assert table.columns is not None
        batches[dataset].append((index, table))
    for dataset, tables in batches.items():
        contract = load_contract(dataset)
        assert_same_parse(_batch_frame(contract.column_names, tables), contract)


# --- the office-file and hostile-file tests, every file they validate ------------------


def test_the_office_and_hostile_files_read_the_same():
    """Their own tests run with every read and parse compared (a child process: the plugin
    replaces ``validate_uploads``'s reader for the whole run). Not the file of many rows:
    it measures the reader's time and memory, which the reference would double."""
    tests = ["test_office_files.py", "test_hostile_files.py", "test_reading.py"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        + ["-p", "tests.kpi.same_as_reference", "-k", "not many_rows"]
        + [f"tests/kpi/{name}" for name in tests],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]


# --- what the shortcuts rely on --------------------------------------------------------


def test_every_column_name_is_snake_case():
    """The separator vote skips cells with ``,``, ``;`` or no letter (``_may_be_a_name``)."""
    for contract in all_contracts():
        for name in contract.column_names:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
            assert reading.normalise_header(name) == name


def test_only_a_letter_lower_cases_to_a_letter():
    """No character but a letter becomes a letter when lower-cased (so a cell without a
    letter never names a column): checked for every character there is."""
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        if re.search("[a-z]", char.lower()):
            assert reading._has_letter(char), hex(code)
