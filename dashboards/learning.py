"""The learning pages' data layer (learning partners and success stories): the one
place those pages get data from and write through. Kept apart from ``dashboards/data.py``.

Every function takes the session's :class:`Viewer`; a factory user acts only for its own
factory (the logged-in factory code, never a value from a widget), the coordinator by
name. The snapshot is read server-side through ``data.query``; what comes back follows
``kpi.learning.service``: no figure of any factory, no count of proposals. The consent
log is written under ``$KPI_DATA_DIR/learning/``, never in the warehouse.
"""

from __future__ import annotations

from dashboards import data
from dashboards.data import Viewer, own_code, require
from kpi.disclosure.rules import load_disclosure
from kpi.learning.consent import DOMAINS
from kpi.learning.service import Learning, LearningRefused
from kpi.register import load_register
from kpi.settings import get_settings

__all__ = ["DOMAINS", "LearningRefused", "learning"]


def learning(viewer: Viewer) -> Learning:
    """The learning loop as of now (read afresh on every page load: a withdrawal shows
    at once)."""
    require(viewer, "factory", "coordinator")
    data.snapshot_identity()  # raises NoSnapshot before anything is published
    settings = get_settings()
    threshold = load_disclosure(settings.disclosure_config).threshold
    return Learning(settings, data.query, load_register(settings.register_path), threshold)


# --- a factory ---------------------------------------------------------------------------


def offers(viewer: Viewer) -> dict:
    """The factory's own offers and, per domain, the band of other contributors offering."""
    me = own_code(viewer)
    loop = learning(viewer)
    return {"own": loop.own_offers(me), "bands": loop.offer_bands(me)}


def set_offer(viewer: Viewer, domain: str, offered: bool) -> None:
    learning(viewer).set_offer(own_code(viewer), domain, offered, viewer.email)


def requestable_kpis(viewer: Viewer) -> list[str]:
    return learning(viewer).requestable()


def ask(viewer: Viewer, kpi: str) -> None:
    """Ask for a partner on ``kpi``: raises :class:`LearningRefused` (with the message to
    show) when the factory does not lie below the released median."""
    learning(viewer).request(own_code(viewer), kpi, viewer.email)


def own_requests(viewer: Viewer) -> list[dict]:
    return learning(viewer).own_requests(own_code(viewer))


def withdraw_request(viewer: Viewer, request_id: str) -> None:
    learning(viewer).withdraw_request(own_code(viewer), request_id, viewer.email)


def proposals(viewer: Viewer) -> list[dict]:
    return learning(viewer).proposals(own_code(viewer))


def answer(viewer: Viewer, handle: str, accept: bool) -> None:
    """Answer the pairing the page knows by ``handle`` (its own side's opaque handle)."""
    learning(viewer).answer(own_code(viewer), handle, accept, viewer.email)


def own_stories(viewer: Viewer) -> list[dict]:
    return learning(viewer).own_stories(own_code(viewer))


def set_story_consent(viewer: Viewer, kpi: str, named: bool) -> None:
    learning(viewer).set_story_consent(own_code(viewer), kpi, named, viewer.email)


def history(viewer: Viewer) -> list[dict]:
    return learning(viewer).history(own_code(viewer))


# --- the coordinator ---------------------------------------------------------------------


def overview(viewer: Viewer) -> dict:
    """Offers, requests, introductions and the coordinator's own pairings, by name."""
    require(viewer, "coordinator")
    loop = learning(viewer)
    return {
        "offers": loop.all_offers(),
        "requests": loop.all_requests(),
        "introductions": loop.introductions(),
        "brokered": loop.brokered(),
        "factories": [(f.code, f.name) for f in loop.register.factories],
    }


def broker(viewer: Viewer, request_id: str, offerer: str) -> None:
    require(viewer, "coordinator")
    learning(viewer).broker(request_id, offerer, viewer.email)


def success_stories(viewer: Viewer) -> list[dict]:
    """Per KPI, the factories that rose most quartiles and agreed to be named."""
    require(viewer, "coordinator")
    return [
        {"story": story, "partner": partner} for story, partner in learning(viewer).named_stories()
    ]
