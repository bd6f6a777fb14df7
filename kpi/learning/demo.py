"""The demo's learning loop (fictional): a few offers, open requests, one introduction
made and one waiting for the asking side, and a success story, all chosen from the demo
snapshot so that every proposal follows the matching rules. Run once after the demo's
first release (``kpi demo``); does nothing when the log already has entries."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kpi.disclosure.rules import load_disclosure
from kpi.learning.consent import DOMAINS
from kpi.learning.log import LearningLog
from kpi.learning.service import Learning, LearningRefused
from kpi.register import load_register
from kpi.serving import open_snapshot
from kpi.settings import Settings

BY = "demo"
EXTRA_OFFERS = {
    "people": ("F04", "F06", "F08", "F09", "F11", "F12"),
    "quality": ("F06", "F08", "F12"),
    "regional": ("F05", "F09"),
}
"""Offers beyond the ones the demo's pairings need (so that some domain shows a band)."""


def snapshot_query(path: Path):
    def query(sql: str, params: tuple = ()) -> pl.DataFrame:
        with open_snapshot(path) as con:
            return con.sql(sql, params=list(params)).pl()

    return query


def seed(settings: Settings) -> list[str]:
    """Write the demo's learning log; returns what was done, one line each."""
    if LearningLog(settings).entries() or not settings.serving_path.exists():
        return []
    loop = Learning(
        settings,
        snapshot_query(settings.serving_path),
        load_register(settings.register_path),
        load_disclosure(settings.disclosure_config).threshold,
    )
    done: list[str] = []
    period = loop.query("SELECT max(period) AS p FROM releases")["p"][0]
    if period is None:
        return done
    codes = loop.register.codes

    def pair(requester: str, exclude: set[str]) -> tuple[str, str] | None:
        """A KPI where ``requester`` lies below the median and another factory (not in
        ``exclude``) in the top quartile: (kpi, that factory)."""
        for kpi in loop.requestable():
            if not loop.positions.below_median(requester, kpi, period):
                continue
            if any(r.kpi == kpi for r in loop.state.open_requests(requester)):
                continue
            for offerer in codes:
                if offerer not in exclude | {requester} and loop.positions.top_quartile(
                    offerer, kpi, period
                ):
                    return kpi, offerer
        return None

    def ask_and_accept(requester: str, accept_both: bool, exclude: set[str]) -> str | None:
        found = pair(requester, exclude)
        if found is None:
            return None
        kpi, offerer = found
        request = loop.request(requester, kpi, BY)
        loop.set_offer(offerer, request.domain, True, BY)
        pairing = next(
            p
            for p in loop.state.pairings(loop.positions.top_quartile)
            if p.request.request_id == request.request_id and p.offerer == offerer
        )
        loop.answer(offerer, loop.handle(pairing, offerer), True, BY)
        if accept_both:
            loop.answer(requester, loop.handle(pairing, requester), True, BY)
        state = "introduced" if accept_both else "waiting for the asking side"
        done.append(f"{requester} asks on {kpi}; {offerer} accepted; {state}")
        return offerer

    # an introduction made (F01 asks), one waiting for F07 to accept, one open request
    first = ask_and_accept("F01", True, set())
    ask_and_accept("F07", False, {first} if first else set())
    for requester in ("F10", "F03"):
        found = pair(requester, set())
        if found:
            loop.request(requester, found[0], BY)
            done.append(f"{requester} asks on {found[0]}; open")
            break
    # F01 offers on efficiency: requests where it is in the top quartile reach its page
    loop.set_offer("F01", "efficiency", True, BY)
    try:
        loop.request("F07", "oee", BY)
        done.append("F07 asks on oee; open")
    except LearningRefused:
        pass
    for domain, offerers in EXTRA_OFFERS.items():
        for code in offerers:
            if domain in DOMAINS and code in codes:
                loop.set_offer(code, domain, True, BY)
    # a success story: the first factory that qualifies agrees to be named
    for kpi in loop.requestable():
        stories = loop.qualifying(kpi)
        if stories:
            loop.set_story_consent(stories[0].factory, kpi, True, BY)
            done.append(f"{stories[0].factory} agreed to be named for {kpi}")
            break
    done.append(f"offers: {len(loop.all_offers())}")
    return done
