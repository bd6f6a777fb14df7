"""A factory's scan from a half-filled draft to the warehouse, its profile, and the
yearly release of the network's profile under the disclosure rules."""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import pytest

from kpi.disclosure.releases import Publication
from kpi.disclosure.rules import DisclosureSettings
from kpi.ingest import ingest_pending
from kpi.landing import submit
from kpi.maturity import drafts, profiles
from kpi.maturity.statements import statements, transformations
from kpi.pseudonym import load_or_create_key, pseudonymise
from kpi.validation import Upload, validate_uploads
from kpi.warehouse import PSEUDONYM_COLUMN

TODAY = dt.date(2026, 11, 25)
COLUMNS = [s.column for s in statements()]
FIRST = transformations()[0]


@pytest.fixture
def con(settings):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        profiles.ensure_tables(connection)
        yield connection


def test_a_draft_is_kept_half_way_and_its_file_names_what_is_missing(settings, tmp_path):
    half = {s.column: 4 for s in FIRST.statements}
    drafts.save_draft(settings, "f01", 2026, half, "plant@f01.example")
    again = drafts.load_draft(settings, "F01", 2026)
    assert again.scores == half and again.saved_by == "plant@f01.example"
    assert again.submitted_at is None and not again.complete
    assert len(again.missing()) == len(COLUMNS) - len(FIRST.statements)
    assert drafts.load_draft(settings, "F02", 2026).scores == {}  # another factory's: none
    path = tmp_path / "half.csv"
    path.write_bytes(drafts.scan_file(again))
    report = validate_uploads([Upload(path, "maturity", "F01")], 10**7, TODAY, "polars")[0]
    assert not report.accepted
    assert {f.column for f in report.errors} == {s.column for s in again.missing()}
    assert {(f.row, f.rule) for f in report.errors} == {(2, "required")}


def test_a_draft_refuses_a_score_outside_the_scale(settings):
    with pytest.raises(ValueError, match="1 to 5"):
        drafts.save_draft(settings, "F01", 2026, {COLUMNS[0]: 6}, None)
    with pytest.raises(ValueError, match="unknown statement"):
        drafts.save_draft(settings, "F01", 2026, {"not_a_statement": 3}, None)


def test_a_submitted_scan_is_stored_and_becomes_a_profile(settings, con, tmp_path):
    scores = {column: 1 + i % 5 for i, column in enumerate(COLUMNS)}
    draft = drafts.save_draft(settings, "F01", 2026, scores, "plant@f01.example", submitted=True)
    assert draft.complete and draft.submitted_at is not None
    path = tmp_path / "scan.csv"
    path.write_bytes(drafts.scan_file(draft))
    submit(path, "maturity", "F01", settings, file_name="zelfscan-F01-2026.csv")
    result = ingest_pending(con, settings, run_id="test", today=TODAY)
    assert [(f.submission.dataset, f.status) for f in result.files] == [("maturity", "accepted")]
    ((periods, status),) = con.execute("SELECT periods, status FROM submissions").fetchall()
    assert (periods, status) == (["2026"], "accepted")
    profiles.compute_profiles(con)
    profile = dict(
        con.execute(
            f"SELECT transformation, score FROM {profiles.PROFILES} WHERE year = 2026"
        ).fetchall()
    )
    expected = {
        t.key: sum(scores[s.column] for s in t.statements) / len(t.statements)
        for t in transformations()
    }
    assert profile == pytest.approx(expected)
    # a second scan of the same year replaces the first and supersedes its file
    better = drafts.save_draft(settings, "F01", 2026, dict.fromkeys(COLUMNS, 5), None)
    path.write_bytes(drafts.scan_file(better))
    submit(path, "maturity", "F01", settings, file_name="zelfscan-F01-2026-v2.csv")
    ingest_pending(con, settings, run_id="test-2", today=TODAY)
    assert con.execute("SELECT count(*) FROM maturity").fetchall() == [(1,)]
    statuses = con.execute("SELECT status FROM submissions ORDER BY received_at").fetchall()
    assert statuses == [("superseded",), ("accepted",)]
    profiles.compute_profiles(con)
    assert con.execute(f"SELECT DISTINCT score FROM {profiles.PROFILES}").fetchall() == [(5.0,)]


# --- the yearly release ---------------------------------------------------------------------


def store_scan(con, settings, code: str, year: int, score: float) -> None:
    """Store ``code``'s scan of ``year`` (every statement ``score``) as an accepted file."""
    pseudonym = pseudonymise(code, load_or_create_key(settings))
    con.execute(
        f"DELETE FROM maturity WHERE {PSEUDONYM_COLUMN} = ? AND year = ?", [pseudonym, year]
    )
    names = ", ".join([PSEUDONYM_COLUMN, "year", *COLUMNS, "submission_id"])
    values = ", ".join(["?"] * (len(COLUMNS) + 3))
    con.execute(
        f"INSERT INTO maturity ({names}) VALUES ({values})",
        [pseudonym, year, *[int(score)] * len(COLUMNS), uuid.uuid4().hex],
    )


def publication(settings, company: dict[str, str] | None = None) -> Publication:
    key = load_or_create_key(settings)
    codes = [f"F{n:02d}" for n in range(1, 13)]
    contributor_of = {pseudonymise(c, key): (company or {}).get(c, c) for c in codes}
    return Publication(DisclosureSettings(), contributor_of, 12, requested_by="test")


def published(con, year: int) -> dict[str, tuple]:
    return {
        name: (median, suppressed, status)
        for name, median, suppressed, status in con.execute(
            f"SELECT transformation, median, suppressed, status FROM {profiles.PEER_STATS} "
            "WHERE year = ?",
            [year],
        ).fetchall()
    }


CODES = [f"F{n:02d}" for n in range(1, 13)]


def test_four_contributors_release_nothing_and_a_company_group_counts_once(settings, con):
    for code, score in zip(CODES[:4], (2, 3, 4, 5), strict=True):
        store_scan(con, settings, code, 2025, score)
    profiles.compute_profiles(con)
    outcome = profiles.close_year(con, 2025, publication(settings))
    assert (outcome.action, outcome.contributors) == ("too_few", 4)
    assert published(con, 2025) == {}
    # a fifth factory of the same company group as F02 is no fifth contributor
    store_scan(con, settings, "F05", 2025, 3)
    profiles.compute_profiles(con)
    group = publication(settings, {"F02": "group", "F05": "group"})
    assert profiles.close_year(con, 2025, group).action == "too_few"
    outcome = profiles.close_year(con, 2025, publication(settings))
    assert (outcome.action, outcome.contributors, outcome.published) == ("released", 5, 7)
    assert set(published(con, 2025)) == {t.key for t in transformations()}


def test_the_median_is_rounded_and_is_no_single_factorys_score(settings, con):
    scores = dict(zip(CODES, (1, 2, 3, 5, 5), strict=False))
    for code, score in scores.items():
        store_scan(con, settings, code, 2025, score)
    profiles.compute_profiles(con)
    profiles.close_year(con, 2025, publication(settings))
    (median,) = {median for median, _, _ in published(con, 2025).values()}
    # the textbook median of five is F03's score (3) exactly; Harrell-Davis weighs all
    # five, and is published at the display precision of one decimal
    assert median == 3.3
    assert median not in scores.values()


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ((1, 2, 3, 4, 5), (None, True, "shared")),  # 3.0 is F03's score alone
        ((1, 1, 1, 2, 2, 5, 5), (None, True, "shared")),  # two plants' score: too few
        ((1, 3, 3, 3, 5), (3.0, False, None)),  # a score three plants share
        ((1, 2, 3, 5, 5), (3.3, False, None)),  # no plant's score at all
    ],
)
def test_a_median_that_is_one_or_two_plants_score_is_suppressed(settings, con, values, shown):
    for code, score in zip(CODES, values, strict=False):
        store_scan(con, settings, code, 2025, score)
    profiles.compute_profiles(con)
    profiles.close_year(con, 2025, publication(settings))
    rows = set(
        con.execute(
            f"SELECT median, suppressed, suppressed_reason FROM {profiles.PEER_STATS}"
        ).fetchall()
    )
    assert rows == {shown}


def test_a_year_is_released_on_its_decembers_close_day_and_then_frozen(settings, con):
    scores = dict(zip(CODES, (2, 3, 3, 4, 4, 5, 2, 3, 4, 3, 4), strict=False))
    for code, score in scores.items():
        store_scan(con, settings, code, 2025, score)
    profiles.compute_profiles(con)
    rules = DisclosureSettings()
    assert profiles.close_date(2025, rules) == dt.date(2026, 1, 20)
    outcomes, _ = profiles.carry_out(con, lambda by: publication(settings), dt.date(2026, 1, 19))
    assert outcomes == []
    outcomes, _ = profiles.carry_out(con, lambda by: publication(settings), dt.date(2026, 1, 20))
    assert [(o.period, o.action) for o in outcomes] == [(dt.date(2025, 1, 1), "released")]
    released = published(con, 2025)
    # one factory re-submits an extreme scan: stored, but nothing published moves ...
    store_scan(con, settings, "F01", 2025, 5)
    profiles.compute_profiles(con)
    assert published(con, 2025) == released
    # ... not even at a revision: one contributor's change is no figure of its own
    outcome = profiles.revise_year(con, 2025, publication(settings))
    assert (outcome.action, outcome.not_revised) == ("held", 7)
    after = published(con, 2025)
    assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in released.items()}
    assert {v[2] for v in after.values()} == {"not_revised"}
    # five factories changing theirs is a change that may be published
    for code in ("F02", "F03", "F04", "F05", "F06"):
        store_scan(con, settings, code, 2025, 1)
    profiles.compute_profiles(con)
    outcome = profiles.revise_year(con, 2025, publication(settings))
    assert (outcome.action, outcome.revised) == ("revised", 7)
    assert {v[2] for v in published(con, 2025).values()} == {"revised"}


def test_the_coordinators_request_to_close_a_year_is_the_self_scans_alone(settings, con):
    from kpi.disclosure.requests import SCAN_ACTIONS, pending_requests, place_request

    place_request(settings, "close", dt.date(2026, 10, 1), "coordinator@example")
    place_request(settings, "close_scan", dt.date(2026, 1, 1), "coordinator@example")
    monthly = pending_requests(settings)
    yearly = pending_requests(settings, SCAN_ACTIONS)
    assert [(r.action, r.period) for r in monthly] == [("close", dt.date(2026, 10, 1))]
    assert [(r.action, r.period) for r in yearly] == [("close_scan", dt.date(2026, 1, 1))]
    assert '"period": "2026"' in yearly[0].path.read_text()
    # carried out: the year is released now, long before its close day
    for code, score in zip(CODES, (1, 3, 3, 3, 5, 2), strict=False):
        store_scan(con, settings, code, 2026, score)
    profiles.compute_profiles(con)
    outcomes, done = profiles.carry_out(
        con, lambda by: publication(settings), dt.date(2026, 11, 25), yearly
    )
    assert [(o.period, o.action) for o in outcomes] == [(dt.date(2026, 1, 1), "released")]
    assert done[0][0] is yearly[0]
