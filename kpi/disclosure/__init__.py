"""Everything that decides what may be published: one folder, so that confidentiality can
be judged by reading it (with ``docs/disclosure.md`` and ``tests/disclosure/``).

- :mod:`rules`: the settings (``config/disclosure.yaml``), threshold, p % rule, n bands,
  and the self-scan's shared-score rule (applied by ``kpi.maturity.profiles``, which
  releases the self-scan's yearly network profile with the peer statistics' code).
- :mod:`quantiles`: the Harrell-Davis estimator and the display-precision rounding.
- :mod:`peers`: peer groups per year and the peer statistics of a month.
- :mod:`region`: the city's indicators of a month.
- :mod:`releases`: monthly releases and revisions, the only way figures are published.
- :mod:`requests`: the coordinator's requests to close or revise a month.
"""

from kpi.disclosure.rules import (
    DIFFERENCING,
    OVERLAP,
    P_PERCENT,
    REASONS,
    SECONDARY,
    THRESHOLD,
    WINDOW,
    DisclosureSettings,
    fails_p_percent,
    fails_threshold,
    load_disclosure,
    n_band,
    primary_reason,
)

__all__ = [
    "DIFFERENCING",
    "OVERLAP",
    "P_PERCENT",
    "REASONS",
    "SECONDARY",
    "THRESHOLD",
    "WINDOW",
    "DisclosureSettings",
    "fails_p_percent",
    "fails_threshold",
    "load_disclosure",
    "n_band",
    "primary_reason",
]
