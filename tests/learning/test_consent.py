"""Consent and matching, as properties that must hold for any history of the log
(hypothesis): no name without both consents in force, a withdrawal hides names at once,
every consent lapses after a year, automatic proposals only to offering factories in the
top quartile, and a requester learns nothing of who was proposed its request."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.learning.consent import (
    LearningState,
    expires_at,
    offer_subject,
    pairing_id,
    pairing_subject,
    request_subject,
)
from kpi.learning.positions import Released, below_median, in_top_quartile, quartile

FACTORIES = ("F01", "F02", "F03", "F04", "F05")
KPIS = (("oee", "efficiency"), ("absenteeism_rate", "people"))
START = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
PERIOD = dt.date(2024, 12, 1)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def consent(factory: str, subject: str, given_: bool, at: dt.datetime) -> dict:
    return {
        "type": "consent",
        "factory": factory,
        "subject": subject,
        "given": given_,
        "by": f"{factory.lower()}@test",
        "at": iso(at),
    }


def request(request_id: str, factory: str, kpi: str, domain: str, at: dt.datetime) -> list[dict]:
    entry = {
        "type": "request",
        "request_id": request_id,
        "factory": factory,
        "kpi": kpi,
        "domain": domain,
        "period": PERIOD.isoformat(),
        "by": "x",
        "at": iso(at),
    }
    return [entry, consent(factory, request_subject(request_id), True, at)]


# a history: steps of (days later, action); actions on a few factories and two requests
action = st.one_of(
    st.tuples(
        st.just("offer"),
        st.sampled_from(FACTORIES),
        st.sampled_from(["efficiency", "people"]),
        st.booleans(),
    ),
    st.tuples(st.just("request"), st.sampled_from(FACTORIES), st.integers(0, 1), st.booleans()),
    st.tuples(
        st.just("answer"), st.sampled_from(["F03", "F04"]), st.integers(0, 1), st.integers(0, 3)
    ),
    st.tuples(st.just("broker"), st.sampled_from(FACTORIES), st.integers(0, 1), st.booleans()),
)
history = st.lists(st.tuples(st.sampled_from([0, 1, 7, 30, 90]), action), min_size=3, max_size=40)
top_sets = st.frozensets(st.sampled_from(FACTORIES))


def build(steps) -> tuple[list[dict], dt.datetime]:
    """Entries from the steps; the two requests are made by F01 and F02 at the start."""
    at = START
    entries = request("r0", "F01", *KPIS[0], at) + request("r1", "F02", *KPIS[1], at)
    for days, (kind, factory, target, flag) in steps:
        at += dt.timedelta(days=days)
        rid = f"r{target}" if kind != "offer" else None
        if kind == "offer":
            entries.append(consent(factory, offer_subject(target), flag, at))
        elif kind == "request":
            requester = ("F01", "F02")[target]
            entries.append(consent(requester, request_subject(rid), flag, at))
        elif kind == "answer":
            # an answer on the pairing of request `target` with `factory`, by either side
            requester = ("F01", "F02")[target]
            offerer = factory if factory != requester else "F05"
            side = requester if flag & 2 else offerer
            subject = pairing_subject(pairing_id(rid, offerer))
            entries.append(consent(side, subject, bool(flag & 1) or flag == 2, at))
        elif kind == "broker" and flag:
            entries.append(
                {"type": "broker", "request_id": rid, "offerer": factory, "by": "c", "at": iso(at)}
            )
    return entries, at


def latest(entries: list[dict], factory: str, subject: str, now: dt.datetime) -> dict | None:
    found = None
    for e in entries:
        same = e["type"] == "consent" and (e["factory"], e["subject"]) == (factory, subject)
        if same and dt.datetime.fromisoformat(e["at"]) <= now:
            found = e
    return found


def in_force(entry: dict | None, now: dt.datetime) -> bool:
    return (
        entry is not None
        and entry["given"]
        and now < expires_at(dt.datetime.fromisoformat(entry["at"]))
    )


@settings(max_examples=300, deadline=None)
@given(history, top_sets, st.integers(0, 800))
def test_no_name_without_both_consents_and_the_request_in_force(steps, top, later):
    entries, end = build(steps)
    now = end + dt.timedelta(days=later)
    state = LearningState(entries, now)
    for pairing in state.pairings(lambda f, k, p: f in top):
        subject = pairing_subject(pairing.pairing_id)
        both = in_force(latest(entries, pairing.offerer, subject, now), now) and in_force(
            latest(entries, pairing.request.factory, subject, now), now
        )
        asked = request_subject(pairing.request.request_id)
        live = in_force(latest(entries, pairing.request.factory, asked, now), now)
        assert pairing.introduced == (both and live)


@settings(max_examples=200, deadline=None)
@given(history, top_sets)
def test_a_withdrawal_hides_the_names_at_once(steps, top):
    entries, end = build(steps)
    state = LearningState(entries, end)
    for pairing in state.introductions(lambda f, k, p: f in top):
        for side in (pairing.offerer, pairing.request.factory):
            moment = end + dt.timedelta(seconds=1)
            withdrawn = [
                *entries,
                consent(side, pairing_subject(pairing.pairing_id), False, moment),
            ]
            after = LearningState(withdrawn, moment)
            assert pairing.pairing_id not in {
                p.pairing_id for p in after.introductions(lambda f, k, p: f in top)
            }


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 3 * 365), st.sampled_from(["offer", "request", "pairing", "story"]))
def test_every_consent_lapses_after_a_year(days, kind):
    given_at = START + dt.timedelta(days=days)
    subject = {
        "offer": offer_subject("quality"),
        "request": request_subject("r0"),
        "pairing": pairing_subject("r0:F02"),
        "story": "story:oee",
    }[kind]
    entries = [consent("F03", subject, True, given_at)]
    one_year = expires_at(given_at)
    assert (one_year - given_at).days in (365, 366)
    assert LearningState(entries, one_year - dt.timedelta(seconds=1)).consent("F03", subject)
    assert LearningState(entries, one_year).consent("F03", subject) is None


def test_an_introduction_ends_when_one_acceptance_expires():
    entries = request("r0", "F01", "oee", "efficiency", START)
    entries.append(consent("F02", offer_subject("efficiency"), True, START))
    entries.append(consent("F02", pairing_subject("r0:F02"), True, START))
    later = START + dt.timedelta(days=30)
    entries.append(consent("F01", pairing_subject("r0:F02"), True, later))
    top = lambda f, k, p: f == "F02"  # noqa: E731
    assert [p.offerer for p in LearningState(entries, later).introductions(top)] == ["F02"]
    assert LearningState(entries, expires_at(START)).introductions(top) == []


@settings(max_examples=300, deadline=None)
@given(history, top_sets)
def test_the_platform_proposes_only_to_offering_factories_in_the_top_quartile(steps, top):
    entries, end = build(steps)
    state = LearningState(entries, end)
    for pairing in state.pairings(lambda f, k, p: f in top):
        if pairing.proposed and not pairing.brokered:
            assert pairing.offerer in top
            assert pairing.offerer in state.offerers(pairing.request.domain)
            assert pairing.offerer != pairing.request.factory
            assert state.request_in_force(pairing.request)


@settings(max_examples=300, deadline=None)
@given(history, top_sets, top_sets)
def test_a_requester_sees_the_same_until_an_offerer_accepts(steps, top, other_top):
    """Whoever is in the top quartile, a requester's view is the same unless an offering
    side accepted: proposals are never counted to it (probing requests and watching how
    many were proposed would tell who is in the top quartile)."""
    entries, end = build(steps)
    state = LearningState(entries, end)

    def seen(top_quartile):
        return sorted(
            (p.pairing_id, p.introduced)
            for p in state.pairings(lambda f, k, p: f in top_quartile)
            if p.seen_by_requester()
        )

    accepted_somewhere = any(
        e["type"] == "consent" and e["subject"].startswith("pairing:") and e["given"]
        for e in entries
    )
    if not accepted_somewhere:
        assert seen(top) == seen(other_top) == []


def released(direction: str) -> Released:
    # published quartiles: P25 10, median 20, P75 30
    boundary = 30.0 if direction == "higher" else 10.0
    return Released("k", PERIOD, direction, 20.0, boundary, 10.0, 30.0)


@given(st.floats(-100, 100, allow_nan=False), st.sampled_from(["higher", "lower"]))
def test_positions_follow_the_published_statistics(value, direction):
    stats = released(direction)
    worse_than_median = value < 20 if direction == "higher" else value > 20
    assert below_median(value, stats) == worse_than_median
    assert in_top_quartile(value, stats) == (quartile(value, stats) == 1)
    if in_top_quartile(value, stats):
        assert not below_median(value, stats)


def test_no_decision_without_a_published_statistic():
    suppressed = Released("k", PERIOD, "higher", None, None, None, None)
    assert below_median(5.0, suppressed) is None
    assert not in_top_quartile(99.0, suppressed)
    context = Released("k", PERIOD, "context", 20.0, 30.0, 10.0, 30.0)
    assert below_median(5.0, context) is None and not in_top_quartile(99.0, context)
