"""Which peers a factory is compared with, month by month (KPI-CATALOGUE.md, "Peer
groups"): the network, its sector as the year's configuration merges it, and its size
band from its average headcount of the previous calendar year."""

from __future__ import annotations

import datetime as dt

import duckdb

from kpi.contracts import DATASETS
from kpi.disclosure.peers import compute_peer_groups
from kpi.disclosure.rules import DisclosureSettings
from kpi.register import Factory, FactoryRegister
from kpi.warehouse import PSEUDONYM_COLUMN


def _factory(code: str, sector: str) -> Factory:
    return Factory(code=code, name=f"Fabriek {code}", sector=sector, municipality="Sint-Truiden")


def _warehouse(people: list[tuple[str, dt.date, int]], others: list[tuple[str, dt.date]]):
    con = duckdb.connect()
    for dataset in DATASETS:
        extra = ", headcount_end INTEGER" if dataset == "people" else ""
        con.execute(f"CREATE TABLE {dataset} ({PSEUDONYM_COLUMN} VARCHAR, period DATE{extra})")
    con.executemany("INSERT INTO people VALUES (?, ?, ?)", people)
    con.executemany("INSERT INTO quality VALUES (?, ?)", others)
    return con


def groups(con, pseudonym: str, period: dt.date) -> set[str]:
    return {
        group
        for (group,) in con.execute(
            f"SELECT peer_group FROM marts.factory_peer_groups "
            f"WHERE {PSEUDONYM_COLUMN} = ? AND period = ?",
            [pseudonym, period],
        ).fetchall()
    }


def test_each_month_has_the_network_its_sector_and_last_years_size_band():
    register = FactoryRegister(factories=[_factory("F01", "metal"), _factory("F02", "plastics")])
    pseudonym_of = {"F01": "p1", "F02": "p2"}
    people = [
        # F01: 200 on average in 2024 (small), 1200 in 2025 (large)
        ("p1", dt.date(2024, 3, 1), 100),
        ("p1", dt.date(2024, 9, 1), 300),
        ("p1", dt.date(2025, 1, 1), 1200),
        ("p2", dt.date(2025, 6, 1), 500),
    ]
    others = [("p1", dt.date(2026, 2, 1)), ("p2", dt.date(2026, 2, 1))]
    disclosure = DisclosureSettings.model_validate(
        {"peer_groups_by_year": {2026: {"sectors": {"plastics": "materials"}}}}
    )
    con = _warehouse(people, others)
    rows = compute_peer_groups(con, register, pseudonym_of, disclosure)

    # 2024: no headcount of 2023, so no size band yet
    assert groups(con, "p1", dt.date(2024, 3, 1)) == {"network", "sector:metal"}
    assert groups(con, "p1", dt.date(2025, 1, 1)) == {"network", "sector:metal", "size:<250"}
    assert groups(con, "p1", dt.date(2026, 2, 1)) == {"network", "sector:metal", "size:>=1000"}
    # 2026 merges plastics into materials; 2025's average headcount was 500
    assert groups(con, "p2", dt.date(2026, 2, 1)) == {"network", "sector:materials", "size:250-999"}
    assert groups(con, "p2", dt.date(2025, 6, 1)) == {"network", "sector:plastics"}
    assert rows == 2 + 2 + 3 + 3 + 2 + 3  # six factory-months
