"""Disclosure control: what may be published of the network's figures.

The settings live in one file (``config/disclosure.yaml``, or ``KPI_DISCLOSURE_CONFIG``);
the rules are small pure functions so that they can be tested on their own.
A suppressed figure is published as suppressed with a reason code, never as 0 or blank.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from kpi.settings import ConfigurationError, read_config_yaml

THRESHOLD = "threshold"
P_PERCENT = "p_percent"
SECONDARY = "secondary"
DIFFERENCING = "differencing"
REASONS = (THRESHOLD, P_PERCENT, SECONDARY, DIFFERENCING)


class SizeBand(BaseModel):
    name: str
    min: int


class DisclosureSettings(BaseModel):
    """The disclosure rules in force (documented in ``config/disclosure.yaml``)."""

    threshold: int = Field(5, ge=1)
    p_percent: float = Field(10.0, ge=0, le=100)
    peer_groups: list[str] = ["network", "sector", "size"]
    size_bands: list[SizeBand] = [
        SizeBand(name="<250", min=0),
        SizeBand(name="250-999", min=250),
        SizeBand(name=">=1000", min=1000),
    ]
    region_breakdowns: list[str] = []

    def size_band(self, headcount: int | None) -> str | None:
        if headcount is None:
            return None
        band = None
        for candidate in sorted(self.size_bands, key=lambda b: b.min):
            if headcount >= candidate.min:
                band = candidate.name
        return band


def load_disclosure(path: Path) -> DisclosureSettings:
    document = read_config_yaml(path, "KPI_DISCLOSURE_CONFIG") or {}
    try:
        return DisclosureSettings.model_validate(document)
    except ValidationError as exc:
        raise ConfigurationError(
            f"KPI_DISCLOSURE_CONFIG: {path} klopt niet / is not valid: {exc}"
        ) from exc


def fails_threshold(contributors: int, settings: DisclosureSettings) -> bool:
    """Fewer distinct factories than the threshold contribute."""
    return contributors < settings.threshold


def fails_p_percent(contributions: Iterable[float], settings: DisclosureSettings) -> bool:
    """The contributors other than the two largest add up to less than p % of the largest:
    the second largest could then estimate the largest within p %. Contributions are
    taken by size (absolute value), so a sum of changes is protected too."""
    sizes = sorted((abs(c) for c in contributions), reverse=True)
    if not sizes or sizes[0] == 0:
        return False
    return sum(sizes[2:]) < settings.p_percent / 100 * sizes[0]


def primary_reason(
    contributors: int, sums: Iterable[Iterable[float]], settings: DisclosureSettings
) -> str | None:
    """Why a figure made of ``sums`` (each a list of per-factory contributions) with
    ``contributors`` factories may not be published, or None when it may."""
    if fails_threshold(contributors, settings):
        return THRESHOLD
    if any(fails_p_percent(contributions, settings) for contributions in sums):
        return P_PERCENT
    return None
