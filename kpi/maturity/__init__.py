"""The Factory of the Future self-scan (yearly dataset ``maturity``).

- :mod:`statements`: the seven transformations and their statements, from the contract.
- :mod:`drafts`: a factory's scan filled in on the page: saved half-way, then submitted
  as a file in the landing zone (the pipeline validates and stores it like an upload).
- :mod:`profiles`: a factory's profile (the average score per transformation) and the
  yearly release of the network's median profile under the disclosure rules.
- :mod:`demo`: fictional self-scans of the demo factories.
"""
