"""The decimal mark of a file: each number cell's vote, counted over the whole file.

``kpi.parsing.vote`` is written for speed (a history load holds millions of number cells:
compiled patterns, a shortcut for whole numbers); here the rule is written as the
catalogue states it, plainly, and the two must agree on any text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.parsing import decimal_mark_of, vote


def vote_of_one_cell(text: str) -> str | None:
    """The rule as the catalogue states it, one cell at a time."""
    compact = re.sub(r"[\s\u00a0\u202f']", "", re.sub(r"(?i)€|\beur\b", "", text))
    if not re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", compact):
        return None
    points, commas = compact.count("."), compact.count(",")
    if points and commas:
        return "," if compact.rfind(",") > compact.rfind(".") else "."
    if commas:
        decimals = len(compact) - compact.rfind(",") - 1
        return "." if commas > 1 else ("," if decimals != 3 else None)
    if points:
        decimals = len(compact) - compact.rfind(".") - 1
        return "," if points > 1 else ("." if decimals != 3 else None)
    return None


def votes(texts: list[str]) -> list[str | None]:
    return [vote(text) for text in texts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", ","),
        ("0,75", ","),
        ("€ 2.481.350,00", ","),
        ("1,234.5", "."),
        ("0.75", "."),
        ("1 234 567,8", ","),
        ("1.234", None),
        ("1,234", None),
        ("1.234.567", ","),
        ("1,234,567", "."),
        ("12", None),
        ("n.v.t.", None),
        ("", None),
        ("-3,5 EUR", ","),
    ],
)
def test_what_one_cell_proves(text, expected):
    assert votes([text]) == [expected] == [vote_of_one_cell(text)]


CELL = st.text(alphabet="0123456789.,-+ €eurEUR'\u00a0\u202f\t\nx²٣", max_size=14)


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(CELL, max_size=30))
def test_the_file_wide_vote_is_the_cell_rule_counted(texts):
    assert votes(texts) == [vote_of_one_cell(t) for t in texts]
    expected = [vote_of_one_cell(t) for t in texts]
    commas, points = expected.count(","), expected.count(".")
    for default in (",", "."):
        majority = default if commas == points else ("," if commas > points else ".")
        assert decimal_mark_of(iter(texts), default) == majority


def test_a_file_without_number_cells_keeps_the_default():
    assert decimal_mark_of([], ".") == "."
    assert decimal_mark_of(iter(["abc", "1.234"]), ",") == ","


PLAIN_CELL = st.from_regex(r"[+-]?[0-9٣]{1,5}(?:[.,][0-9]{1,5})?", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(texts=st.one_of(st.lists(PLAIN_CELL, max_size=30), st.lists(st.one_of(PLAIN_CELL, CELL))))
def test_a_file_of_plain_numbers_is_counted_as_cell_by_cell(texts):
    """Plain number cells (digits, at most one mark) are counted in one pass over the
    file; the majority is the one the cells vote for one by one."""
    expected = [vote_of_one_cell(t) for t in texts]
    commas, points = expected.count(","), expected.count(".")
    for default in (",", "."):
        majority = default if commas == points else ("," if commas > points else ".")
        assert decimal_mark_of(iter(texts), default) == majority
