"""The snapshot's identity check: no factory code or name outside the identified tables,
no pseudonym anywhere."""

from __future__ import annotations

import duckdb
import pytest

from assets.publish import identity_leaks

CODES, NAMES, PSEUDONYMS = ["F01", "F02"], ["Alpha Parts", "Beta Bodies"], ["p-7f3a", "p-19c2"]


@pytest.fixture
def snapshot():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE own_kpis (factory_code VARCHAR, kpi VARCHAR, value DOUBLE)")
    con.execute("CREATE TABLE peer_stats (peer_group VARCHAR, kpi VARCHAR, n BIGINT)")
    con.execute("INSERT INTO own_kpis VALUES ('F01', 'oee', 0.7), ('F02', NULL, NULL)")
    con.execute("INSERT INTO peer_stats VALUES ('network', 'oee', 9), (NULL, 'oee', 5)")
    yield con
    con.close()


def leaks(con: duckdb.DuckDBPyConnection) -> list[str]:
    return identity_leaks(con, CODES, NAMES, PSEUDONYMS)


def test_codes_in_the_identified_tables_and_nothing_elsewhere_is_no_leak(snapshot):
    assert leaks(snapshot) == []


@pytest.mark.parametrize("identity", [*CODES, *NAMES, *PSEUDONYMS])
def test_any_identity_outside_the_identified_tables_is_a_leak(snapshot, identity):
    snapshot.execute("INSERT INTO peer_stats VALUES (?, 'oee', 7)", [identity])
    assert leaks(snapshot) == ["peer_stats.peer_group"]


def test_a_pseudonym_is_a_leak_even_in_an_identified_table(snapshot):
    snapshot.execute("INSERT INTO own_kpis VALUES ('F01', ?, 0.1)", [PSEUDONYMS[1]])
    assert leaks(snapshot) == ["own_kpis.kpi"]


def test_a_name_in_part_of_a_cell_is_no_identity(snapshot):
    snapshot.execute("INSERT INTO peer_stats VALUES ('Alpha Parts Group', 'oee', 7)")
    assert leaks(snapshot) == []


def test_every_leaking_column_is_named(snapshot):
    snapshot.execute("INSERT INTO peer_stats VALUES ('F02', 'Beta Bodies', 7)")
    snapshot.execute("INSERT INTO own_kpis VALUES (?, 'oee', 0.1)", [PSEUDONYMS[0]])
    assert sorted(leaks(snapshot)) == [
        "own_kpis.factory_code",
        "peer_stats.kpi",
        "peer_stats.peer_group",
    ]
    # the identities are not left registered on the connection
    assert "identities" not in {row[0] for row in snapshot.execute("SHOW TABLES").fetchall()}
