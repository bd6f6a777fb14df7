"""A release keeps its peer basis factored (``marts.release_peer_inputs`` and
``marts.release_peer_groups``: a month's KPI inputs and peer-group memberships, whose join
is every statistic's basis), and a revision reads it, expands the month into rows of
``marts.release_basis`` and replaces the basis of only the figures it revises. A month
released before the factored tables came has its peer basis in ``release_basis`` already,
and is revised the same.

The story: eight factories release six months; five of them correct the last month's
scrap (scrap ratio of the network: revised; of each sector, two or three changed: held),
then a sixth corrects its own (next to the revised network figure, it alone changed)."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import polars as pl

from kpi.disclosure import peers, releases
from kpi.disclosure.peers import compute_peer_groups
from kpi.kpis import compute_factory_kpis
from tests.disclosure.network import Network
from tests.disclosure.test_superseded_versions import FIVE, MONTHS, _released_network

MONTH = MONTHS[-1]
RELEASED_ON = dt.date(2025, 7, 20)  # every month has closed
SCRAP = ("network", "scrap_ratio")


def _inputs(con: duckdb.DuckDBPyConnection, period: dt.date) -> dict:
    """(peer group, KPI) -> factory -> (value, None): what the warehouse's current figures
    give as the basis of ``period`` (:data:`peers.INPUTS_OF_MONTHS`)."""
    found: dict = {}
    rows = con.execute(
        f"SELECT peer_group, kpi, factory_pseudonym, value FROM ({peers.INPUTS_OF_MONTHS})",
        {"periods": [period]},
    ).fetchall()
    for group, kpi, factory, value in rows:
        found.setdefault((group, kpi), {})[factory] = (value, None)
    return found


def _rows_of(con: duckdb.DuckDBPyConnection, table: str, period: dt.date, *where: str) -> int:
    """How many rows ``table`` holds of ``period`` (and ``where``)."""
    condition = " AND ".join(["period = ?", *where])
    return con.execute(f"SELECT count(*) FROM {table} WHERE {condition}", [period]).fetchone()[0]


def _statuses(con: duckdb.DuckDBPyConnection, period: dt.date) -> dict:
    rows = con.execute(
        f"SELECT peer_group, kpi, status FROM {releases.PEER_STATS} WHERE period = ?", [period]
    ).fetchall()
    return {(group, kpi): status for group, kpi, status in rows}


def _correct_scrap(net: Network, codes) -> None:
    """``codes`` correct their scrap of :data:`MONTH` to none, and the pipeline's KPIs and
    peer groups follow."""
    for code in codes:
        net.store(code, MONTH, ["efficiency"], scrap_quantity=0.0)
    compute_factory_kpis(net.con)
    compute_peer_groups(net.con, net.register, net.pseudonym_of, net.rules)


def _revise(con: duckdb.DuckDBPyConnection, net: Network) -> releases.Outcome:
    return releases.revise_month(con, MONTH, net.publication("coordinator"))


def test_a_release_keeps_the_peer_basis_factored(tmp_path, monkeypatch):
    net = _released_network(tmp_path, monkeypatch, MONTHS, RELEASED_ON)
    for period in MONTHS:
        basis = releases._basis_of(net.con, period, "peer")
        assert basis, period
        assert basis == _inputs(net.con, period), period
        assert _rows_of(net.con, releases.RELEASE_BASIS, period, "figure = 'peer'") == 0
        assert _rows_of(net.con, releases.RELEASE_PEER_INPUTS, period) > 0


def test_a_revision_replaces_the_basis_of_the_figures_it_revises_only(tmp_path, monkeypatch):
    net = _released_network(tmp_path, monkeypatch, MONTHS, RELEASED_ON)
    released = releases._basis_of(net.con, MONTH, "peer")

    _correct_scrap(net, FIVE)
    outcome = _revise(net.con, net)

    statuses = _statuses(net.con, MONTH)
    revised = {key for key, status in statuses.items() if status == releases.REVISED}
    assert outcome.action == "revised" and revised == {SCRAP}, statuses
    held = {key for key, status in statuses.items() if status == releases.NOT_REVISED}
    assert held and all(kpi == "scrap_ratio" for _, kpi in held), held
    now = _inputs(net.con, MONTH)
    assert now[SCRAP] != released[SCRAP]
    expected = {key: now[key] if key in revised else basis for key, basis in released.items()}
    assert releases._basis_of(net.con, MONTH, "peer") == expected
    for table in releases.PEER_BASIS_SOURCES:  # expanded: the month is in one form only
        assert _rows_of(net.con, table, MONTH) == 0, table
        assert _rows_of(net.con, table, MONTHS[0]) > 0, table  # the other months keep theirs

    # a sixth factory corrects its own: next to the revised network figure it alone
    # changed (held); next to its sector's figure as released (held above), five did
    sector = _sector_of(net, "F7")
    _correct_scrap(net, ["F7"])
    _revise(net.con, net)
    statuses = _statuses(net.con, MONTH)
    assert statuses[SCRAP] == releases.NOT_REVISED
    assert statuses[(sector, "scrap_ratio")] == releases.REVISED
    expected[(sector, "scrap_ratio")] = _inputs(net.con, MONTH)[(sector, "scrap_ratio")]
    assert releases._basis_of(net.con, MONTH, "peer") == expected


def test_a_month_held_back_only_keeps_its_basis_factored(tmp_path, monkeypatch):
    """One factory's correction revises no figure: the month's basis stays as released,
    where it was."""
    net = _released_network(tmp_path, monkeypatch, MONTHS, RELEASED_ON)
    released = releases._basis_of(net.con, MONTH, "peer")
    rows = {table: _rows_of(net.con, table, MONTH) for table in releases.PEER_BASIS_SOURCES}

    _correct_scrap(net, ["F7"])
    outcome = _revise(net.con, net)

    assert outcome.action == "held" and outcome.not_revised > 0, vars(outcome)
    assert {table: _rows_of(net.con, table, MONTH) for table in rows} == rows
    assert _rows_of(net.con, releases.RELEASE_BASIS, MONTH, "figure = 'peer'") == 0
    assert releases._basis_of(net.con, MONTH, "peer") == released


def _sector_of(net: Network, code: str) -> str:
    """``code``'s sector group of :data:`MONTH` (small sectors are merged)."""
    return net.con.execute(
        f"SELECT peer_group FROM {peers.FACTORY_PEER_GROUPS} WHERE period = ? "
        "AND factory_pseudonym = ? AND peer_group LIKE 'sector:%'",
        [MONTH, net.pseudonym_of[code]],
    ).fetchone()[0]


def test_a_month_released_with_its_peer_basis_unfactored_is_revised_the_same(tmp_path, monkeypatch):
    """A warehouse from before the factored tables: every month's peer basis as rows of
    ``release_basis``, and no factored tables at all."""
    net = _released_network(tmp_path, monkeypatch, MONTHS, RELEASED_ON)
    # what the release wrote before: its inputs, joined, as rows of release_basis
    written = {period: _inputs(net.con, period) for period in MONTHS}
    _correct_scrap(net, FIVE)
    net.con.execute("CHECKPOINT")
    copy = tmp_path / "unfactored.duckdb"
    shutil.copy(net.settings.warehouse_path, copy)
    with duckdb.connect(str(copy)) as old:
        for period in MONTHS:
            for (group, kpi), values in written[period].items():
                rows = [
                    (period, "peer", group, kpi, factory, value, None)
                    for factory, (value, _) in values.items()
                ]
                releases._insert(
                    old,
                    releases.RELEASE_BASIS,
                    pl.DataFrame(rows, schema=releases.BASIS_SCHEMA, orient="row"),
                )
        for table in releases.PEER_BASIS_SOURCES:
            old.execute(f"DROP TABLE {table}")
        releases.ensure_release_tables(old)  # as every act does first: the tables come empty
        # the KPIs moved since the release; either form holds the released values
        assert releases._basis_of(old, MONTH, "peer") == releases._basis_of(net.con, MONTH, "peer")

        outcomes = [vars(_revise(con, net)) for con in (old, net.con)]
        found = [_revised(con) for con in (old, net.con)]
    assert outcomes[0]["action"] == "revised" and outcomes[0]["not_revised"] > 0, outcomes
    assert outcomes[0] == outcomes[1]
    for table, frame in found[0].items():
        assert frame.equals(found[1][table], null_equal=True), table


def _revised(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """What a revision of :data:`MONTH` leaves: its statistics, its rows of basis, and its
    peer basis as the next revision reads it."""
    order = ("peer_group", "kpi", "revision")
    basis = ("figure", "figure_group", "name", "factory_pseudonym")
    found = {
        table: con.sql(f"SELECT * FROM {table} WHERE period = $m", params={"m": MONTH})
        .pl()
        .sort(key)
        for table, key in (
            (releases.PEER_STATS, order[:2]),
            (releases.PEER_STATS_HISTORY, order),
            (releases.RELEASE_BASIS, basis),
        )
    }
    peer_basis = releases._basis_of(con, MONTH, "peer")
    found["peer basis"] = pl.DataFrame(
        [
            (group, kpi, factory, value)
            for (group, kpi), values in sorted(peer_basis.items())
            for factory, (value, _) in sorted(values.items())
        ],
        schema=["peer_group", "kpi", "factory", "value"],
        orient="row",
    )
    return found


def test_a_factory_moved_to_another_sector_after_release_is_not_shown_by_a_revision(
    tmp_path, monkeypatch
):
    """Attack: after the months are released, F7 is moved from chassis to electronics in
    the register (no figure of its own changes). Each sector group of a released month
    then differs from its released version by F7 alone, so a revision that published them
    would give away F7's values as the difference. The basis keeps the groups as they
    were released: both sectors' statistics are held, with their released values."""
    net = _released_network(tmp_path, monkeypatch, MONTHS, RELEASED_ON)
    sectors = f"SELECT peer_group, kpi, n, p25, median, p75 FROM {releases.PEER_STATS} " + (
        "WHERE period = ? AND peer_group IN ('sector:chassis', 'sector:electronics') ORDER BY 1, 2"
    )
    released = net.con.execute(sectors, [MONTH]).fetchall()
    assert released
    moved = net.register.model_copy(
        update={
            "factories": [
                f.model_copy(update={"sector": "electronics"}) if f.code == "F7" else f
                for f in net.register.factories
            ]
        }
    )
    compute_peer_groups(net.con, moved, net.pseudonym_of, net.rules)
    assert {
        row[0]
        for row in net.con.execute(
            f"SELECT peer_group FROM {peers.FACTORY_PEER_GROUPS} "
            "WHERE period = ? AND factory_pseudonym = ?",
            [MONTH, net.pseudonym_of["F7"]],
        ).fetchall()
    } >= {"sector:electronics"}

    _revise(net.con, net)
    assert net.con.execute(sectors, [MONTH]).fetchall() == released
    statuses = _statuses(net.con, MONTH)
    assert all(
        status != releases.REVISED
        for (group, _), status in statuses.items()
        if group.startswith("sector:")
    )
