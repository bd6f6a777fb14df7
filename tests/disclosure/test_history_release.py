"""A history of months released in one pass (a new deployment loading ten years) publishes
exactly what releasing the same months one after the other publishes: every peer
statistic, every city figure with its suppression reason, every basis row and the
release log. The network is chosen so that months are refused (too few contributors),
figures are suppressed by differencing against the months released before them, and a
12-month change is checked against the total published a year earlier."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import polars as pl
import pytest

from kpi.demo import months_until
from kpi.disclosure import releases
from kpi.disclosure.peers import compute_peer_groups
from kpi.kpis import compute_factory_kpis
from tests.disclosure.network import Member, Network

MONTHS = months_until(dt.date(2026, 3, 1), 27)  # 2024-01 .. 2026-03
TODAY = dt.date(2026, 4, 25)  # every month has closed
MEMBERS = [
    Member(f"H{i:02d}", ("powertrain", "chassis", "electronics")[i % 3], company)
    for i, company in enumerate([None] * 9 + ["Demo Group", "Demo Group"] + [None] * 3)
]
PUBLISHED = {
    releases.PEER_STATS: ("period", "peer_group", "kpi"),
    releases.PEER_STATS_HISTORY: ("period", "peer_group", "kpi"),
    releases.REGION_INDICATORS: ("period", "indicator", "scope"),
    releases.REGION_INDICATORS_HISTORY: ("period", "indicator", "scope"),
    releases.RELEASE_BASIS: ("period", "figure", "figure_group", "name", "factory_pseudonym"),
    releases.RELEASE_PEER_INPUTS: ("period", "factory_pseudonym", "kpi"),
    releases.RELEASE_PEER_GROUPS: ("period", "factory_pseudonym", "peer_group"),
    releases.RELEASES: ("period", "revision"),
}


def _stored_network(tmp_path, monkeypatch) -> Network:
    """Fourteen factories over 27 months: one joins late, one leaves, one reports every
    other month, and in one month only three report (too few to release)."""
    net = Network(tmp_path, MEMBERS, MONTHS, 11, monkeypatch)
    codes = [m.code for m in MEMBERS]
    for index, month in enumerate(MONTHS):
        if month == dt.date(2025, 2, 1):
            net.store_months([month], codes[:3])
            continue
        present = [
            code
            for position, code in enumerate(codes)
            if not (position == 0 and index < 14)  # joins in 2025-03
            and not (position == 1 and index > 17)  # leaves after 2025-06
            and not (position == 2 and index % 2)  # every other month
        ]
        net.store_months([month], present)
    compute_factory_kpis(net.con)
    compute_peer_groups(net.con, net.register, net.pseudonym_of, net.rules)
    net.con.execute("CHECKPOINT")
    return net


def _published(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    found = {}
    for table, key in PUBLISHED.items():
        frame = con.sql(f"SELECT * FROM {table}").pl()
        found[table] = frame.drop("released_at", strict=False).sort(key)
    return found


CHUNKS = 60
"""Factory-months a chunk holds in the tests that need several chunks: four or five
months of this network, so that chunks end at different places in a year."""


@pytest.mark.parametrize("chunk", [releases.HISTORY_CHUNK_FACTORY_MONTHS, CHUNKS])
def test_one_pass_publishes_what_month_by_month_publishes(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(releases, "HISTORY_CHUNK_FACTORY_MONTHS", chunk)
    net = _stored_network(tmp_path, monkeypatch)
    copy = tmp_path / "month-by-month.duckdb"
    shutil.copy(net.settings.warehouse_path, copy)

    # the pipeline's path: every due month in one pass
    outcomes, _ = releases.carry_out(net.con, net.publication, TODAY)
    # the month-by-month path: each month released, and committed, before the next
    with duckdb.connect(str(copy)) as con:
        one_by_one = [
            releases.close_month(con, month, net.publication("close day")) for month in MONTHS
        ]
        expected = _published(con)
    found = _published(net.con)

    assert [vars(o) for o in outcomes] == [vars(o) for o in one_by_one]
    for table, frame in expected.items():
        assert found[table].equals(frame, null_equal=True), table

    # the comparison covers every rule that looks at what was published before
    actions = {o.action for o in outcomes}
    assert actions == {"released", "too_few"}, actions
    reasons = set(expected[releases.REGION_INDICATORS]["suppressed_reason"].drop_nulls())
    assert "differencing" in reasons, reasons
    assert expected[releases.RELEASE_BASIS].height > 0
    assert expected[releases.RELEASE_PEER_INPUTS].height > 0
    assert expected[releases.RELEASE_PEER_GROUPS].height > 0


def test_releasing_again_changes_nothing(tmp_path, monkeypatch):
    net = _stored_network(tmp_path, monkeypatch)
    releases.carry_out(net.con, net.publication, TODAY)
    before = _published(net.con)
    outcomes = releases.close_months(net.con, MONTHS[:3], net.publication())
    assert [o.action for o in outcomes] == ["already_released"] * 3
    after = _published(net.con)
    for table, frame in before.items():
        assert after[table].equals(frame, null_equal=True), table


def test_a_failed_chunk_is_raised_and_nothing_after_it_is_committed(tmp_path, monkeypatch):
    """Chunks are written on a connection and a thread of their own while the next is
    computed: a write that fails rolls its chunk back, stops the later ones, and reaches
    the caller."""
    monkeypatch.setattr(releases, "HISTORY_CHUNK_FACTORY_MONTHS", CHUNKS)
    net = _stored_network(tmp_path, monkeypatch)
    written = []

    def log_then_fail(con, entries):
        written.append([entry[0] for entry in entries])
        if len(written) == 2:
            raise RuntimeError("disk full")
        log_releases(con, entries)

    log_releases = releases._log_releases
    monkeypatch.setattr(releases, "_log_releases", log_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        releases.carry_out(net.con, net.publication, TODAY)

    assert len(written) == 2  # the chunks after the failed one were not written
    committed = set(written[0])
    for table in (
        releases.RELEASES,
        releases.PEER_STATS,
        releases.RELEASE_BASIS,
        releases.RELEASE_PEER_INPUTS,
    ):
        months = {
            row[0] for row in net.con.execute(f"SELECT DISTINCT period FROM {table}").fetchall()
        }
        assert months == committed, table


def test_a_chunk_whose_basis_cannot_be_written_raises_its_own_error(tmp_path, monkeypatch):
    """A statement that fails inside a chunk's transaction aborts it: the error that
    reaches the caller is that statement's, not the aborted transaction's."""
    net = _stored_network(tmp_path, monkeypatch)
    basis = releases.RELEASE_PEER_INPUTS
    source = releases.PEER_BASIS_SOURCES[basis]
    failing = f"SELECT * FROM ({source}) WHERE error('disk full') IS NULL"
    monkeypatch.setitem(releases.PEER_BASIS_SOURCES, basis, failing)
    with pytest.raises(duckdb.Error, match="disk full"):
        releases.carry_out(net.con, net.publication, TODAY)

    assert net.con.execute(f"SELECT count(*) FROM {releases.RELEASES}").fetchall() == [(0,)]


def test_a_history_is_chunked_by_factory_months_in_order():
    """Months go to chunks in their order, each as heavy as its factories: a chunk holds
    about the size asked for, a month heavier than that is a chunk of its own, and a month
    without factories still counts (the loop must end)."""
    months = months_until(dt.date(2024, 8, 1), 8)
    factories = [10, 10, 10, 50, 5, 5, 0, 20]
    counts = {month: (n, n) for month, n in zip(months, factories, strict=True)}
    chunks = releases._chunks_of_months(months, counts, 25)
    assert [[months.index(m) for m in chunk] for chunk in chunks] == [
        [0, 1],
        [2],
        [3],
        [4, 5, 6],
        [7],
    ]
    assert releases._chunks_of_months([], counts, 25) == []
    assert len(releases._chunks_of_months(months, counts, 10**9)) == 1
