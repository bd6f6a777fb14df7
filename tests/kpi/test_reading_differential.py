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

import codecs
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
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from polars.testing import assert_frame_equal

from kpi import reading
from kpi.bench import _codes, write_files
from kpi.contracts import UPLOAD_DATASETS, all_contracts, load_contract
from kpi.parsing import decimal_mark_of, plain_mark_votes
from kpi.reading import DECIMAL_COLUMN, ReadLimits
from kpi.validation import _batch_frame
from tests.conftest import valid_rows, write_rows
from tests.kpi import reference_reading
from tests.kpi.hand_built_xlsx import MAIN, write_xlsx
from tests.kpi.same_as_reference import assert_same_parse, read_batch_both, read_both
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
    """One file at a time, and all in one batch (where every file is a plain file)."""
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
    files = [(path, load_contract(dataset)) for path, dataset, _, _ in written]
    batch = assert_batch_reads_the_same(files, None)
    assert batch.tables == [None] * len(files)
    for dataset, frame in batch.plain.items():
        contract = load_contract(dataset)
        assert_same_parse(_batch_frame(contract.column_names, [], frame), contract)


# --- plain files: the fast path, just inside and just outside it ----------------------

PLAIN_NUMBERS = ["12", "0", "-3", "+4", "1,5", "1.5", "0,75", "0.75", "1,234", "1.234",
                 "12,3456", "12.3456", "", " ", " 7", "7 "]  # fmt: skip
PLAIN_TEXTS = ["F01", "B0629", "2025-03", "03/2025", "mrt 2025", "", " x ", "a b", "#",
               "x,y", "x;y", "1", "Period"]  # fmt: skip
NEAR_MISSES = [b'"', b"\r", b"\n", b"\r\n", b"\t", b"\x1a", b"\x00", b"\xe9",
               "\u00e9".encode(), "\u00a0".encode(), b"  ", b";", b",", b"#", b" ",
               b"\xef\xbb\xbf", b"x,y,z", b"a;b;c", b"1.234,5", b"Factory Code"]  # fmt: skip
"""Bytes that, put anywhere in a plain file, may take it just outside the fast path."""


@st.composite
def plain_csv(draw) -> tuple[bytes, str]:
    """A file as scripts write them, inside the fast path's conditions or close to them:
    the contract's names (in any order, now and then in capitals, spaced or padded),
    ``;`` or ``,``, ASCII, rows full, short, long, blank or comments, spaces around
    cells, a BOM or not, CRLF or LF, a last line end or not, Excel's trailing row of
    separators; and now and then one of the near misses put somewhere."""
    dataset = draw(DATASETS)
    contract = load_contract(dataset)
    separator = draw(st.sampled_from([";", ","]))
    names = draw(st.permutations(contract.column_names))
    header = [
        draw(st.sampled_from([name, name, name.upper(), f" {name}", name.replace("_", " ")]))
        for name in names
    ]
    numeric = {c.name for c in contract.columns if c.logical_type in ("number", "integer")}
    rows = [header]
    clean = draw(st.integers(0, 4)) > 0  # mostly no cell holds the separator
    for _ in range(draw(st.integers(0, 12))):
        cells = [
            draw(st.sampled_from(PLAIN_NUMBERS if name in numeric else PLAIN_TEXTS))
            for name in names
        ]
        if clean:
            cells = [cell.replace(separator, "") for cell in cells]
        shape = draw(st.sampled_from(["full"] * 24 + ["short", "long", "blank", "comment"]))
        if shape == "short":
            cells = cells[: draw(st.integers(1, len(cells)))]
        elif shape == "long":
            cells += draw(st.lists(st.sampled_from(["", " ", "9"]), min_size=1, max_size=2))
        elif shape == "blank":
            cells = [draw(st.sampled_from(["", " "]))] * draw(st.integers(2, len(cells)))
        elif shape == "comment":
            cells = [draw(st.sampled_from(["# nota", " #x", "#"]))] + cells[1:]
        rows.append(cells)
    if separator == ";" and draw(st.booleans()):
        rows.append([""] * len(names))  # Excel's trailing blank row
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(separator.join(cells) for cells in rows)
    content = text.encode() + (end.encode() if draw(st.booleans()) else b"")
    if draw(st.booleans()):
        content = codecs.BOM_UTF8 + content
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(st.sampled_from(NEAR_MISSES)) + content[at:]
    return content, dataset


def plain(path: Path, dataset: str, limits: ReadLimits = LIMITS) -> bool:
    """Whether the fast path reads the file."""
    batch = reading.read_uploads([(path, load_contract(dataset))], MB, limits)
    return batch.tables[0] is None


@DIFFERENTIAL
@given(file=plain_csv(), max_rows=st.integers(1, 20), max_cells=st.integers(1, 250))
def test_plain_files_and_near_misses_read_the_same(tmp_path, file, max_rows, max_cells):
    content, dataset = file
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    for limits in (LIMITS, ReadLimits(max_rows=max_rows, max_cells=max_cells)):
        event(f"plain: {plain(path, dataset, limits)}")  # within the limits, and around
        read(path, dataset, limits)


@DIFFERENTIAL
@given(files=st.lists(plain_csv(), min_size=1, max_size=12))
def test_a_batch_of_plain_files_and_near_misses_reads_the_same(tmp_path, files):
    """Files of several datasets, separators and column orders in one batch: each reads
    as the reference reads it, and the batch's frames are the reference's."""
    written = []
    for number, (content, dataset) in enumerate(files):
        path = tmp_path / f"upload{number}.csv"
        path.write_bytes(content)
        written.append((path, load_contract(dataset)))
    assert_batch_reads_the_same(written, LIMITS)


def assert_batch_reads_the_same(
    files: list[tuple[Path, object]], limits: ReadLimits | None
) -> reading.ReadBatch:
    """``read_uploads`` of ``files`` gives each file the reference's table, and each
    dataset the batch frame of the reference's tables."""
    batch = read_batch_both(files, MB, limits)
    old_limits = None if limits is None else reference_reading.ReadLimits(**vars(limits))
    by_dataset = defaultdict(list)
    for index, (path, contract) in enumerate(files):
        old = reference_reading.read_upload(path, contract, MB, old_limits)
        if old.columns is not None:
            by_dataset[contract.name].append((index, old))
    assert set(batch.plain) <= set(by_dataset)
    for dataset, tables in by_dataset.items():
        names = load_contract(dataset).column_names
        new_tables = [(i, batch.tables[i]) for i, _ in tables if batch.tables[i] is not None]
        assert_frame_equal(
            _batch_frame(names, new_tables, batch.plain.get(dataset)),
            _batch_frame(names, tables),
        )
    return batch


NUMBER_CELLS = st.one_of(
    st.sampled_from(PLAIN_NUMBERS + ["1,234.5", "1.234.567", "1e3", "\u0663,5", "\u00b2", "1 234"]),
    st.text(alphabet=" +-.,0123456789\u0663", max_size=7),
)


@DIFFERENTIAL
@given(cells=st.lists(NUMBER_CELLS, max_size=30), default=st.sampled_from([",", "."]))
def test_plain_mark_votes_decide_as_the_one_pass(cells, default):
    """The fast path's decimal mark, from the number cells as it tidies them: where the
    one pass counts every cell, the marks they prove decide as :func:`decimal_mark_of`
    decides on the cells as written."""
    tidied = pl.Series("cell", [cell.strip(" ") or None for cell in cells], pl.String)
    counted, commas, points = plain_mark_votes(pl.col("cell"))
    result = tidied.to_frame().select(
        counted.all().alias("counted"),
        commas.cast(pl.Int64).sum().alias("commas"),
        points.cast(pl.Int64).sum().alias("points"),
    )
    all_counted, comma_votes, point_votes = result.row(0)
    event(f"counted: {all_counted}")
    if all_counted:
        mark = "," if comma_votes > point_votes else "." if point_votes > comma_votes else default
        assert mark == decimal_mark_of(cells, default)


QUALITY = load_contract("quality").column_names  # factory_code, period, 7 numbers
H = ";".join(QUALITY).encode()
R = b"F01;2025-03;120787;29;2;127412;124163;115;103"
R2 = b"F01;2025-04;1,5;0;+2;-1;;115"
JUST_INSIDE = {
    "as scripts write it": H + b"\n" + R + b"\n" + R2 + b"\n",
    "CRLF, a BOM, no last line end": codecs.BOM_UTF8 + H + b"\r\n" + R + b"\r\n" + R2,
    "Excel's trailing row": H + b"\r\n" + R + b"\r\n" + b";" * 8 + b"\r\n",
    "commas": H.replace(b";", b",") + b"\n" + R.replace(b";", b",") + b"\n",
    "capitals and spaces": H.upper().replace(b"_", b" ") + b"\n" + R.replace(b";", b" ; "),
    "comment, blank and short rows": H + b"\n# nota;x\n ; \n;\n #;1\nF01;2025-03\n" + R,
    "columns in another order": b";".join(H.split(b";")[::-1])
    + b"\n"
    + b";".join(R.split(b";")[::-1]),
    "a comma in a text cell": H + b"\nF01;mrt,2025;4\n" + R,
    "a decimal comma": H + b"\nF01;2025-03;4,5\n" + R,
}
JUST_OUTSIDE = {
    "a quote": H + b'\n"F01";2025-03;4\n',
    "a lone carriage return": H + b"\r" + R + b"\n",
    "a blank line": H + b"\n\n" + R + b"\n",
    "an empty last line": H + b"\n" + R + b"\n\n",
    "a tab": H + b"\n" + R + b"\t\n",
    "a non-ASCII letter": H + "\nF\u00e9".encode() + R[3:],
    "Windows-1252": H + "\nF\u00e9".encode("cp1252") + R[3:],
    "a no-break space": H + "\nF01\u00a0".encode() + R[3:],
    "a Ctrl-Z": H + b"\n" + R + b"\n\x1a",
    "a NUL": H + b"\n" + R + b"\x00\n",
    "two spaces": H + b"\n" + R + b"  \n",
    "a stray separator": H + b"\n" + R + b";\n",
    "both separators in the header": H.replace(b";", b",", 1) + b"\n" + R,
    "a header with a trailing separator": H + b";\n" + R + b";",
    "a header with an unknown column": H + b";note\n" + R + b";x",
    "a header without a column": H.rsplit(b";", 1)[0] + b"\n" + R,
    "a header with a column twice": H + b";period\n" + R + b";2025-03",
    "a title row": b"Kwaliteit\n" + H + b"\n" + R,
    "a number not plain": H + b"\n" + R.replace(b"120787", b"120.787,5"),
    "a name for the other separator": H + b"\n" + R.replace(b"2025-03", b"x,period,y"),
    "a header for the other separator": H  # ',' scores as ';' does, and is counted more
    + b"\n"
    + R.replace(b"2025-03", b"x," + ",".join(QUALITY).encode() + b",y"),
    "no row": H + b"\n",
    "only comments": H + b"\n# nota\n",
    "two BOMs": codecs.BOM_UTF8 * 2 + H + b"\n" + R,
}


@pytest.mark.parametrize("name", JUST_INSIDE)
def test_just_inside_the_fast_path(tmp_path, name):
    """Files the fast path reads, as the reference reads them."""
    path = tmp_path / "upload.csv"
    path.write_bytes(JUST_INSIDE[name])
    assert plain(path, "quality")
    read(path, "quality")


@pytest.mark.parametrize("name", JUST_OUTSIDE)
def test_just_outside_the_fast_path(tmp_path, name):
    """Files the reader of any file reads, as the reference reads them."""
    path = tmp_path / "upload.csv"
    path.write_bytes(JUST_OUTSIDE[name])
    assert not plain(path, "quality")
    read(path, "quality")


@pytest.mark.parametrize("fault", [RuntimeError, pl.exceptions.PanicException])
@pytest.mark.parametrize("step", ["_plain_csv", "_plain_cells"])
def test_a_fault_of_the_fast_path_leaves_the_file_to_the_reader_of_any_file(
    tmp_path, monkeypatch, step, fault
):
    """Should the fast path itself fail on a file, the file is read as any other file is
    (and the batch goes on): never refused, never a failed run, for our mistake."""
    path = tmp_path / "upload.csv"
    path.write_bytes(JUST_INSIDE["as scripts write it"])

    def broken(*args, **kwargs):
        raise fault("a bug in the fast path")  # a Polars panic is no Exception

    monkeypatch.setattr(reading, step, broken)
    assert not plain(path, "quality")
    assert read(path, "quality").cells is not None


@pytest.mark.parametrize(("rows", "cells"), [(3, 27), (2, 27), (3, 26)])
def test_the_limits_of_a_plain_file(tmp_path, rows, cells):
    """Three lines of nine cells: within limits of 3 rows and 27 cells, not below."""
    path = tmp_path / "upload.csv"
    path.write_bytes(H + b"\n" + R + b"\n" + R + b"\n")
    limits = ReadLimits(max_rows=rows, max_cells=cells)
    assert plain(path, "quality", limits) == ((rows, cells) == (3, 27))
    read(path, "quality", limits)


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
