"""What the consent log means at a moment: which offers, requests and acceptances are in
force (given, not withdrawn, not expired), which pairings are proposed to whom, and which
became introductions. Pure functions of the log entries, so that every rule can be
property-tested without files or a snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

DOMAINS: tuple[str, ...] = ("efficiency", "quality", "people", "regional")
"""The KPI domains a factory can offer practice on (the datasets of the catalogue)."""


def expires_at(given_at: dt.datetime) -> dt.datetime:
    """A consent lasts one year: it lapses on the same date a year later (29 February:
    on 1 March)."""
    try:
        return given_at.replace(year=given_at.year + 1)
    except ValueError:
        return given_at.replace(year=given_at.year + 1, month=3, day=1)


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def offer_subject(domain: str) -> str:
    return f"offer:{domain}"


def request_subject(request_id: str) -> str:
    return f"request:{request_id}"


BROKERED = "coordinator"
"""The last part of the id of a pairing the coordinator proposed by hand: a pairing of its
own, apart from the platform's proposal of the same request to the same factory (an
acceptance of the one is never an acceptance of the other)."""


def pairing_id(request_id: str, offerer: str, brokered: bool = False) -> str:
    return f"{request_id}:{offerer}:{BROKERED}" if brokered else f"{request_id}:{offerer}"


def pairing_subject(pairing: str) -> str:
    return f"pairing:{pairing}"


def story_subject(kpi: str, since: dt.date, until: dt.date, then: int, now: int) -> str:
    """A success-story consent is to the story as the factory saw it: its KPI, its two
    months and its two quartiles. A new month makes a new story, which asks again (one
    consent does not keep publishing the factory's quartile month after month)."""
    return f"story:{kpi}:{since:%Y-%m}:{until:%Y-%m}:{then}:{now}"


@dataclass(frozen=True)
class Request:
    request_id: str
    factory: str
    kpi: str
    domain: str
    period: dt.date
    """The released month whose median the requester lies below (matching uses it too)."""
    at: dt.datetime


@dataclass(frozen=True)
class Pairing:
    """A request proposed to one offering factory."""

    pairing_id: str
    request: Request
    offerer: str
    brokered: bool
    """Proposed by the coordinator by hand rather than by the platform's matching."""
    proposed: bool
    """The request is in force and the offerer qualifies (or the coordinator paired them)."""
    offerer_accepted: bool
    requester_accepted: bool
    offerer_declined: bool
    requester_declined: bool
    request_live: bool = True
    """The request is in force (not withdrawn, not expired)."""

    @property
    def introduced(self) -> bool:
        """Both sides accepted (and neither withdrew, and neither consent expired) while
        the request is in force: withdrawing or the lapse of a request ends its
        introductions, and the names are hidden again."""
        return self.request_live and self.offerer_accepted and self.requester_accepted

    def seen_by_offerer(self) -> bool:
        return self.introduced or (self.proposed and not self.offerer_declined)

    def seen_by_requester(self) -> bool:
        """The requester learns of a pairing only once the offerer accepted it: how many
        factories a request was proposed to is never shown (it would tell who is in the
        top quartile)."""
        return self.introduced or (
            self.proposed and self.offerer_accepted and not self.requester_declined
        )


TopQuartile = Callable[[str, str, dt.date], bool]
"""(factory, kpi, released month) -> whether the factory lies in the released top quartile."""


class LearningState:
    """The log read at ``now``."""

    def __init__(self, entries: Iterable[dict], now: dt.datetime) -> None:
        self.now = now
        self.entries = list(entries)
        # the latest entry per (factory, subject) decides; an expired one counts as withdrawn
        latest: dict[tuple[str, str], dict] = {}
        self.requests: dict[str, Request] = {}
        self.brokered: dict[str, dict] = {}
        for entry in self.entries:
            if parse_time(entry["at"]) > now:
                continue  # written later than the moment asked about
            if entry["type"] == "consent":
                latest[(entry["factory"], entry["subject"])] = entry
            elif entry["type"] == "request":
                self.requests[entry["request_id"]] = Request(
                    entry["request_id"],
                    entry["factory"],
                    entry["kpi"],
                    entry["domain"],
                    dt.date.fromisoformat(entry["period"]),
                    parse_time(entry["at"]),
                )
            elif entry["type"] == "broker":
                self.brokered[pairing_id(entry["request_id"], entry["offerer"], True)] = entry
        self._latest = latest

    def consent(self, factory: str, subject: str) -> bool | None:
        """True: given and in force; False: withdrawn or declined; None: never asked, or
        expired (a lapsed consent is as if never given)."""
        entry = self._latest.get((factory, subject))
        if entry is None:
            return None
        if entry["given"] and self.now >= expires_at(parse_time(entry["at"])):
            return None
        return bool(entry["given"])

    def consent_entry(self, factory: str, subject: str) -> dict | None:
        return self._latest.get((factory, subject))

    def offers(self, factory: str) -> set[str]:
        return {d for d in DOMAINS if self.consent(factory, offer_subject(d))}

    def offerers(self, domain: str) -> set[str]:
        subject = offer_subject(domain)
        return {f for (f, s) in self._latest if s == subject and self.consent(f, s)}

    def request_in_force(self, request: Request) -> bool:
        return bool(self.consent(request.factory, request_subject(request.request_id)))

    def open_requests(self, factory: str | None = None) -> list[Request]:
        return [
            r
            for r in self.requests.values()
            if self.request_in_force(r) and (factory is None or r.factory == factory)
        ]

    def story_consents(self) -> set[tuple[str, str]]:
        """(factory, subject) of every success-story consent in force."""
        return {(f, s) for (f, s) in self._latest if s.startswith("story:") and self.consent(f, s)}

    def pairings(self, top_quartile: TopQuartile) -> list[Pairing]:
        """Every pairing that is proposed now or was accepted by either side."""
        pairings: dict[str, Pairing] = {}
        for request in self.requests.values():
            live = self.request_in_force(request)
            candidates = {
                f
                for f in self.offerers(request.domain)
                if f != request.factory and top_quartile(f, request.kpi, request.period)
            }
            brokered = {
                e["offerer"]
                for e in self.brokered.values()
                if e["request_id"] == request.request_id
            }
            prefix = pairing_subject(request.request_id + ":")
            touched = {
                (parts[0], len(parts) > 1)
                for (f, s) in self._latest
                if s.startswith(prefix) and f != request.factory
                for parts in [s.removeprefix(prefix).split(":")]
            }
            sides = {(f, False) for f in candidates} | {(f, True) for f in brokered} | touched
            for offerer, by_hand in sorted(sides):
                pid = pairing_id(request.request_id, offerer, by_hand)
                subject = pairing_subject(pid)
                by_offerer = self.consent(offerer, subject)
                by_requester = self.consent(request.factory, subject)
                pairings[pid] = Pairing(
                    pid,
                    request,
                    offerer,
                    brokered=by_hand,
                    proposed=live and offerer in (brokered if by_hand else candidates),
                    offerer_accepted=by_offerer is True,
                    requester_accepted=by_requester is True,
                    offerer_declined=by_offerer is False,
                    requester_declined=by_requester is False,
                    request_live=live,
                )
        return list(pairings.values())

    def introductions(self, top_quartile: TopQuartile) -> list[Pairing]:
        return [p for p in self.pairings(top_quartile) if p.introduced]
