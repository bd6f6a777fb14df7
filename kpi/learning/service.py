"""The learning loop as each role uses it. The dashboards (``dashboards/learning.py``)
and the demo call these; every method takes the acting factory or the coordinator, and
returns only what that role may see (docs/learning.md):

- a factory: its own offers, requests, acceptances and consents; peers' offers only as a
  band of contributors per domain; a request proposed to it as KPI and domain only; the
  other side's name and contact only once both accepted;
- the coordinator: offers, requests and introductions by name, its own pairings, and the
  success stories of factories that agreed to be named (quartiles, never a value).

No method returns a figure of any factory, nor how many factories a request was proposed
to."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from kpi.contracts import kpi_definitions
from kpi.disclosure.rules import n_band
from kpi.learning import stories
from kpi.learning.consent import (
    DOMAINS,
    LearningState,
    Pairing,
    Request,
    offer_subject,
    pairing_subject,
    request_subject,
    story_subject,
)
from kpi.learning.log import LearningLog, now_utc
from kpi.learning.positions import Positions, Query, latest_release
from kpi.register import FactoryRegister
from kpi.settings import Settings
from kpi.users import _write_private


def subject_of(story: stories.Story) -> str:
    return story_subject(
        story.kpi, story.since, story.until, story.quartile_then, story.quartile_now
    )


class LearningRefused(ValueError):
    """An action the rules do not allow; ``key`` names the message in ``kpi.i18n``."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    contact: str | None


class Learning:
    """One page load's view of the learning loop: the log read once, the snapshot read
    through ``query``; ``now`` decides what has expired."""

    def __init__(
        self,
        settings: Settings,
        query: Query,
        register: FactoryRegister,
        threshold: int,
        now: dt.datetime | None = None,
    ) -> None:
        self.log_settings = settings
        self.log = LearningLog(settings)
        self.query = query
        self.register = register
        self.threshold = threshold
        self._fixed = now is not None
        self.now = now or now_utc()
        self.positions = Positions(query)
        self.state: LearningState = self.log.state(self.now)
        self._key: bytes | None = None

    def _at(self) -> dt.datetime:
        """The time of an action: the clock, or the moment this view was made for."""
        return self.now if self._fixed else now_utc()

    def _reload(self) -> None:
        self.state = self.log.state(self._at())

    def partner(self, code: str) -> Partner:
        factory = self.register.by_code(code)
        if factory is None:
            return Partner(code, code, None)
        return Partner(factory.code, factory.name, factory.contact)

    def _pairings(self) -> list[Pairing]:
        return self.state.pairings(self.positions.top_quartile)

    def _secret(self) -> bytes:
        """The key of the pairing handles: random, written once beside the log (0600)."""
        if self._key is None:
            path = self.log.path.parent / "handles.key"
            if not path.exists():
                with self.log._lock:
                    if not path.exists():
                        _write_private(path, secrets.token_hex(32))
            self._key = path.read_text(encoding="utf-8").strip().encode()
        return self._key

    def handle(self, pairing: Pairing, factory: str) -> str:
        """The opaque name of ``pairing`` for one side (``factory``): what its page holds
        and sends back. The pairing's own id names the offering factory (and the request
        id is the asking side's), so it never leaves the server: each side gets a handle
        of its own that only this key maps back."""
        message = f"{pairing.pairing_id}|{factory}".encode()
        return hmac.new(self._secret(), message, hashlib.sha256).hexdigest()[:24]

    # --- offers ----------------------------------------------------------------------

    def set_offer(self, factory: str, domain: str, offered: bool, by: str) -> None:
        if domain not in DOMAINS:
            raise ValueError(f"unknown domain {domain!r}")
        if bool(self.state.consent(factory, offer_subject(domain))) == offered:
            return
        self.log.consent(factory, offer_subject(domain), offered, by, self._at())
        self._reload()

    def own_offers(self, factory: str) -> set[str]:
        return self.state.offers(factory)

    def _contributor(self, code: str) -> str:
        factory = self.register.by_code(code)
        return (factory.company or factory.code) if factory else code

    def offer_bands(self, factory: str) -> dict[str, str | None]:
        """Per domain, how many OTHER contributors offer (a company group counts once, the
        viewer's own group not at all), as a band; None below the threshold, where a
        count could point at the one or two factories that offer."""
        own = self._contributor(factory)
        bands = {}
        for domain in DOMAINS:
            others = {self._contributor(f) for f in self.state.offerers(domain)} - {own}
            bands[domain] = n_band(len(others)) if len(others) >= self.threshold else None
        return bands

    # --- requests --------------------------------------------------------------------

    def requestable(self) -> list[str]:
        """The KPIs with a better side (a request needs one)."""
        return [d.name for d in kpi_definitions() if d.direction in ("higher", "lower")]

    def request(self, factory: str, kpi: str, by: str) -> Request:
        """Ask for a partner on ``kpi``; refused unless the factory's RELEASED value in the
        latest released month lies below that month's published network median (refused
        too when its figures of that month changed after the release)."""
        definition = next((d for d in kpi_definitions() if d.name == kpi), None)
        if definition is None or definition.direction not in ("higher", "lower"):
            raise LearningRefused("learning_refused_no_direction", kpi=kpi)
        period = latest_release(self.query)
        if period is None:
            raise LearningRefused("learning_refused_no_release")
        month = f"{period:%Y-%m}"
        if any(r.kpi == kpi for r in self.state.open_requests(factory)):
            raise LearningRefused("learning_refused_open_request", kpi=kpi)
        stats = self.positions.stats(kpi, period)
        if stats is None or stats.median is None:
            raise LearningRefused("learning_refused_no_median", kpi=kpi, month=month)
        if self.positions.changed(factory, period):
            raise LearningRefused("learning_refused_changed", kpi=kpi, month=month)
        if self.positions.value(factory, kpi, period) is None:
            raise LearningRefused("learning_refused_no_value", kpi=kpi, month=month)
        if not self.positions.below_median(factory, kpi, period):
            raise LearningRefused("learning_refused_not_below", kpi=kpi, month=month)
        request_id = uuid.uuid4().hex[:12]
        at = self._at()
        self.log.append(
            {
                "type": "request",
                "request_id": request_id,
                "factory": factory,
                "kpi": kpi,
                "domain": definition.domain,
                "period": period.isoformat(),
                "by": by,
            },
            at,
        )
        self.log.consent(factory, request_subject(request_id), True, by, at)
        self._reload()
        return self.state.requests[request_id]

    def withdraw_request(self, factory: str, request_id: str, by: str) -> None:
        request = self.state.requests.get(request_id)
        if request is None or request.factory != factory:
            raise LearningRefused("learning_refused_unknown")
        self.log.consent(factory, request_subject(request_id), False, by, self._at())
        self._reload()

    def own_requests(self, factory: str) -> list[dict]:
        """The factory's requests in force, each with the pairings it may know of: only
        those the offering side accepted; a partner's name only once both accepted."""
        pairings = self._pairings()
        result = []
        for request in sorted(self.state.open_requests(factory), key=lambda r: r.at):
            shown = [
                self._side(p, factory, p.offerer, p.requester_accepted)
                for p in pairings
                if p.request.request_id == request.request_id and p.seen_by_requester()
            ]
            result.append({"request": request, "partners": shown})
        return result

    def _side(self, pairing: Pairing, me: str, other: str, mine_accepted: bool) -> dict:
        return {
            "handle": self.handle(pairing, me),
            "kpi": pairing.request.kpi,
            "domain": pairing.request.domain,
            "accepted_by_me": mine_accepted,
            "introduced": pairing.introduced,
            "partner": self.partner(other) if pairing.introduced else None,
        }

    def proposals(self, factory: str) -> list[dict]:
        """Requests proposed to ``factory`` (as an offering side): KPI and domain; the
        requester's name only once both accepted."""
        return [
            {
                **self._side(p, factory, p.request.factory, p.offerer_accepted),
                "brokered": p.brokered,
            }
            for p in self._pairings()
            if p.offerer == factory and p.seen_by_offerer()
        ]

    def _pairing(self, factory: str, handle: str) -> Pairing:
        """The pairing ``factory`` knows by ``handle`` (its own side's handle only)."""
        found = next(
            (
                p
                for p in self._pairings()
                if factory in (p.offerer, p.request.factory)
                and hmac.compare_digest(self.handle(p, factory), handle)
            ),
            None,
        )
        if found is None:
            raise LearningRefused("learning_refused_unknown")
        return found

    def answer(self, factory: str, handle: str, accept: bool, by: str) -> None:
        """Accept or decline (or withdraw an acceptance of) a pairing, as either side,
        by the handle its page holds. A withdrawal takes effect at once: names are
        hidden again."""
        pairing = self._pairing(factory, handle)
        if factory == pairing.offerer:
            allowed = pairing.seen_by_offerer()
        elif factory == pairing.request.factory:
            allowed = pairing.seen_by_requester()
        else:
            allowed = False
        if not allowed:
            raise LearningRefused("learning_refused_unknown")
        self.log.consent(factory, pairing_subject(pairing.pairing_id), accept, by, self._at())
        self._reload()

    # --- success stories -------------------------------------------------------------

    def _released(self) -> set[dt.date]:
        return set(self.query("SELECT DISTINCT period FROM releases")["period"].to_list())

    def qualifying(self, kpi: str) -> list[stories.Story]:
        latest = latest_release(self.query)
        if latest is None:
            return []
        return stories.qualifying(
            self.positions, self.register.codes, kpi, latest, self._released()
        )

    def own_stories(self, factory: str) -> list[dict]:
        """The KPIs on which the factory qualifies as a success story (its own quartiles
        then and now) and whether it agreed to be named."""
        result = []
        for kpi in self.requestable():
            for story in self.qualifying(kpi):
                if story.factory == factory:
                    consent = self.state.consent(factory, subject_of(story))
                    result.append({"story": story, "named": bool(consent)})
        return result

    def set_story_consent(self, factory: str, kpi: str, named: bool, by: str) -> None:
        """Agree (or no longer agree) to be named for the story on ``kpi`` as the factory
        sees it now: the consent names its months and quartiles, so a later story is
        not covered by it."""
        story = next((s["story"] for s in self.own_stories(factory) if s["story"].kpi == kpi), None)
        if story is None:
            if named:
                raise LearningRefused("learning_refused_unknown")
            return  # no story now: nothing of it is shown to withdraw
        self.log.consent(factory, subject_of(story), named, by, self._at())
        self._reload()

    def named_stories(self) -> list[tuple[stories.Story, Partner]]:
        """Coordinator: per KPI, the qualifying factories that agreed to be named: most
        quartiles gained first, equal gains by name (no order that ranks figures)."""
        agreed = self.state.story_consents()
        return [
            named
            for kpi in self.requestable()
            for named in sorted(
                (
                    (story, self.partner(story.factory))
                    for story in self.qualifying(kpi)
                    if (story.factory, subject_of(story)) in agreed
                ),
                key=lambda pair: (-pair[0].quartiles_gained, pair[1].name, pair[0].factory),
            )
        ]

    # --- the coordinator -------------------------------------------------------------

    def all_offers(self) -> list[dict]:
        rows = []
        for domain in DOMAINS:
            for code in sorted(self.state.offerers(domain)):
                entry = self.state.consent_entry(code, offer_subject(domain)) or {}
                rows.append(
                    {"partner": self.partner(code), "domain": domain, "since": entry.get("at")}
                )
        return rows

    def all_requests(self) -> list[dict]:
        introduced = {p.request.request_id for p in self._pairings() if p.introduced}
        return [
            {
                "request": r,
                "partner": self.partner(r.factory),
                "introduced": r.request_id in introduced,
            }
            for r in sorted(self.state.open_requests(), key=lambda r: r.at)
        ]

    def introductions(self) -> list[dict]:
        return [
            {
                "pairing_id": p.pairing_id,
                "kpi": p.request.kpi,
                "domain": p.request.domain,
                "requester": self.partner(p.request.factory),
                "offerer": self.partner(p.offerer),
                "brokered": p.brokered,
            }
            for p in self._pairings()
            if p.introduced
        ]

    def brokered(self) -> list[dict]:
        """The coordinator's own pairings and which side has accepted (its own choice of
        partner, so this tells nothing about anyone's figures)."""
        return [
            {
                "pairing_id": p.pairing_id,
                "kpi": p.request.kpi,
                "requester": self.partner(p.request.factory),
                "offerer": self.partner(p.offerer),
                "offerer_accepted": p.offerer_accepted,
                "requester_accepted": p.requester_accepted,
            }
            for p in self._pairings()
            if p.brokered
        ]

    def broker(self, request_id: str, offerer: str, by: str) -> None:
        """Coordinator: propose ``request_id`` to ``offerer`` by hand. It still needs the
        acceptance of both sides; no position is checked (which would tell the
        coordinator a quartile)."""
        request = self.state.requests.get(request_id)
        if request is None or not self.state.request_in_force(request):
            raise LearningRefused("learning_refused_unknown")
        if offerer == request.factory or self.register.by_code(offerer) is None:
            raise LearningRefused("learning_refused_same_factory")
        self.log.append(
            {"type": "broker", "request_id": request_id, "offerer": offerer, "by": by}, self._at()
        )
        self._reload()

    def history(self, factory: str) -> list[dict]:
        """The factory's own entries in the log: what it consented to, when, and who; an
        entry about a request or a pairing names the request's KPI (the factory is a
        party to it). The subject of a pairing entry names the offering factory, so it
        is cut to its kind ("pairing"): the other side's name shows only in an
        introduction in force."""
        entries = []
        for entry in self.log.entries():
            if entry.get("factory") != factory:
                continue
            kind, _, rest = entry.get("subject", "").partition(":")
            request = self.state.requests.get(rest.split(":")[0]) if kind else None
            if kind in ("request", "pairing") and request is not None:
                entry = {**entry, "kpi": request.kpi}
            if kind == "pairing":
                entry = {**entry, "subject": "pairing"}
            entries.append(entry)
        return entries
