"""Learning partners and success stories: the network's learning loop.

A factory may offer, per KPI domain, to share its practice; it may ask for a partner on a
KPI where it lies below the released peer median; the platform proposes the request to
the offering factories in the released top quartile; names and contacts are exchanged
only when both sides accept (double opt-in). Success stories: the coordinator sees which
factories climbed most quartiles over 12 months, among those that agreed to be named.

Nothing here holds a figure. Consents live in an append-only log under
``$KPI_DATA_DIR/learning/`` (``log.py``); what each role sees follows from that log and
the released statistics of the serving snapshot (``consent.py``, ``service.py``,
``positions.py``). See docs/learning.md.
"""
