"""Success stories: per KPI, the factories that climbed most quartiles of the network
over the 12 months up to the latest release, judged against the published quartiles of
both months (as each factory's own benchmark page shows them). No value leaves here:
only the quartile a factory was in then and is in now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kpi.learning.positions import Positions


@dataclass(frozen=True)
class Story:
    factory: str
    kpi: str
    since: dt.date
    until: dt.date
    quartile_then: int
    quartile_now: int

    @property
    def quartiles_gained(self) -> int:
        return self.quartile_then - self.quartile_now


def year_before(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


def qualifying(
    positions: Positions, factories: list[str], kpi: str, latest: dt.date, released: set[dt.date]
) -> list[Story]:
    """The factories that rose at least one quartile on ``kpi`` from a year before
    ``latest`` to ``latest`` (both released), most quartiles first; among equals by code
    (never by the size of the improvement of their values: the order of the rows would
    rank named factories' figures)."""
    since = year_before(latest)
    if since not in released:
        return []
    stats = positions.stats(kpi, latest)
    if stats is None or stats.direction not in ("higher", "lower"):
        return []
    stories = []
    for factory in factories:
        then = positions.quartile(factory, kpi, since)
        now = positions.quartile(factory, kpi, latest)
        if then is not None and now is not None and now < then:
            stories.append(Story(factory, kpi, since, latest, then, now))

    return sorted(stories, key=lambda s: (-s.quartiles_gained, s.factory))
