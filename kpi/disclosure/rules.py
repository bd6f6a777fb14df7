"""The disclosure rules and their settings (``config/disclosure.yaml``).

The settings live in one file (``config/disclosure.yaml``, or ``KPI_DISCLOSURE_CONFIG``);
the rules are small pure functions so that they can be tested on their own.
A suppressed figure is published as suppressed with a reason code, never as 0 or blank.
Why each rule exists, and what the attack suite shows: ``docs/disclosure.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

from kpi.settings import ConfigurationError, read_config_yaml

THRESHOLD = "threshold"
"""Fewer distinct contributors (company groups count once) than the threshold."""
P_PERCENT = "p_percent"
"""A sum whose largest contributor the second largest could estimate within p %."""
SECONDARY = "secondary"
"""A part hidden so that a suppressed part cannot be recovered from the total."""
DIFFERENCING = "differencing"
"""Published beside another figure, the difference would reveal a small group."""
SHARED = "shared"
"""A self-scan median that would be the score of fewer plants than it must be shared by."""
OVERLAP = "overlap"
"""A peer group that differs from another published group by fewer than the threshold."""
WINDOW = "window"
"""A 12-month figure without 12 months of every contributing factory."""
REASONS = (THRESHOLD, P_PERCENT, SECONDARY, DIFFERENCING, OVERLAP, WINDOW, SHARED)

N_BANDS = ((20, "20+"), (10, "10-19"), (5, "5-9"))
"""How many factories a published statistic covers, shown in bands, never exactly."""


class SizeBand(BaseModel):
    name: str
    min: int


class PeerGroupConfig(BaseModel):
    """The peer groups of one calendar year (or of every year without its own entry)."""

    kinds: list[str] = ["network", "sector", "size"]
    sectors: dict[str, str] = {}
    """Merged sectors of a small network: register sector -> published group name."""
    size_bands: list[SizeBand] = [
        SizeBand(name="<250", min=0),
        SizeBand(name="250-999", min=250),
        SizeBand(name=">=1000", min=1000),
    ]

    @model_validator(mode="after")
    def _known_kinds(self) -> PeerGroupConfig:
        unknown = set(self.kinds) - {"network", "sector", "size"}
        if unknown:
            raise ValueError(f"unknown peer group kinds {sorted(unknown)}")
        return self

    def sector_group(self, sector: str | None) -> str | None:
        if sector is None:
            return None
        return self.sectors.get(sector, sector)

    def size_band(self, headcount: float | None) -> str | None:
        if headcount is None:
            return None
        band = None
        for candidate in sorted(self.size_bands, key=lambda b: b.min):
            if headcount >= candidate.min:
                band = candidate.name
        return band


class DisclosureSettings(BaseModel):
    """The disclosure rules in force (documented in ``config/disclosure.yaml``)."""

    threshold: int = Field(5, ge=1)
    p_percent: float = Field(10.0, ge=0, le=100)
    median_min_n: int = Field(5, ge=3)
    """The median is published from this many contributors (and the threshold) on."""
    quartiles_min_n: int = Field(10, ge=3)
    """P25, P75 and the top-quartile boundary from this many contributors on."""
    scan_median_shared_by: int = Field(3, ge=1)
    """The self-scan's median of a transformation is published only when the profile
    scores within its display precision belong to none or to at least this many
    contributors: scores are coarse (quarter points on 1-5), so a median often *is* a
    score, which must then be one that several plants share, not one plant's."""
    close_day: int = Field(20, ge=1, le=28)
    """Day of the following month on which a month closes and is released."""
    peer_groups: PeerGroupConfig = PeerGroupConfig()
    peer_groups_by_year: dict[int, PeerGroupConfig] = {}
    region_breakdowns: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _peer_groups_as_list(cls, document: object) -> object:
        # the first configuration files had `peer_groups: [network, sector, size]` and
        # `size_bands:` at the top level; they still mean the same
        if isinstance(document, dict):
            document = dict(document)
            groups = document.get("peer_groups")
            if isinstance(groups, list):
                document["peer_groups"] = {"kinds": groups}
            bands = document.pop("size_bands", None)
            if bands is not None:
                document.setdefault("peer_groups", {})
                document["peer_groups"] = {**document["peer_groups"], "size_bands": bands}
        return document

    def groups_of_year(self, year: int) -> PeerGroupConfig:
        return self.peer_groups_by_year.get(year, self.peer_groups)

    def close_date(self, period: dt.date) -> dt.date:
        """The day ``period`` (a month) closes: ``close_day`` of the following month."""
        following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following.replace(day=self.close_day)

    def size_band(self, headcount: float | None, year: int | None = None) -> str | None:
        config = self.peer_groups if year is None else self.groups_of_year(year)
        return config.size_band(headcount)


def load_disclosure(path: Path) -> DisclosureSettings:
    document = read_config_yaml(path, "KPI_DISCLOSURE_CONFIG") or {}
    try:
        return DisclosureSettings.model_validate(document)
    except ValidationError as exc:
        raise ConfigurationError(
            f"KPI_DISCLOSURE_CONFIG: {path} klopt niet / is not valid: {exc}"
        ) from exc


def fails_threshold(contributors: int, settings: DisclosureSettings) -> bool:
    """Fewer distinct contributors than the threshold."""
    return contributors < settings.threshold


def fails_p_percent(contributions: Iterable[float], settings: DisclosureSettings) -> bool:
    """The contributors other than the two largest add up to less than p % of the largest:
    the second largest could then estimate the largest within p %. Contributions are
    taken by size (absolute value), so a sum of changes is protected too."""
    sizes = sorted(map(abs, contributions), reverse=True)
    if not sizes or sizes[0] == 0:
        return False
    return sum(sizes[2:]) < settings.p_percent / 100 * sizes[0]


def by_contributor(contributions: dict[str, float], company_of: dict[str, str]) -> list[float]:
    """Contributions summed per contributor: factories of one company group count as one."""
    pooled: dict[str, float] = {}
    for factory, amount in contributions.items():
        owner = company_of.get(factory, factory)
        pooled[owner] = pooled.get(owner, 0.0) + amount
    return list(pooled.values())


def contributor_count(factories: Iterable[str], company_of: dict[str, str]) -> int:
    return len({company_of.get(f, f) for f in factories})


def primary_reason(
    contributors: int, sums: Iterable[Iterable[float]], settings: DisclosureSettings
) -> str | None:
    """Why a figure made of ``sums`` (each a list of per-contributor contributions) with
    ``contributors`` distinct contributors may not be published, or None when it may."""
    if fails_threshold(contributors, settings):
        return THRESHOLD
    if any(fails_p_percent(contributions, settings) for contributions in sums):
        return P_PERCENT
    return None


def change_reason(
    deltas: dict[str, float], company_of: dict[str, str], settings: DisclosureSettings
) -> str | None:
    """Why a *change* of a published sum (per-factory differences; a factory that joined
    or left contributes its whole amount) may not be shown, or None when it may: the
    factories that changed must pass the threshold, and their changes the p % rule."""
    moved = {f: d for f, d in deltas.items() if d != 0}
    if not moved:
        return None
    return primary_reason(
        contributor_count(moved, company_of), [by_contributor(moved, company_of)], settings
    )


def fails_shared(
    values: dict[str, float],
    median: float,
    decimals: int,
    company_of: dict[str, str],
    settings: DisclosureSettings,
) -> bool:
    """A self-scan median (coarse scores) that equals, within its display precision, the
    scores of at least one but fewer than ``scan_median_shared_by`` contributors: read
    off the page, it would be one or two plants' own score."""
    precision = 0.5 * 10.0**-decimals + 1e-9
    at_median = [factory for factory, value in values.items() if abs(value - median) <= precision]
    shared_by = contributor_count(at_median, company_of)
    return 0 < shared_by < settings.scan_median_shared_by


def n_band(n: int | None) -> str | None:
    """'5-9', '10-19' or '20+': how many factories a statistic covers, never exactly."""
    if n is None:
        return None
    return next((label for low, label in N_BANDS if n >= low), None)
