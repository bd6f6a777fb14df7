"""The self-scan's text, read from its contract (``contracts/maturity.odcs.yaml``).

The statements are the contract's score columns (English in ``description``, Dutch in
``description_nl``), each tagged with its transformation; the transformations and the
1-5 scale are contract-level custom properties. Nothing here repeats a statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kpi.contracts import load_contract

DATASET = "maturity"
FUTURE_LEVEL = 4
"""The score that means "Factory of the Future level"."""


@dataclass(frozen=True)
class Statement:
    column: str
    transformation: str
    text_nl: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_nl if lang == "nl" else self.text_en


@dataclass(frozen=True)
class Transformation:
    key: str
    label_nl: str
    label_en: str
    description_nl: str
    description_en: str
    statements: tuple[Statement, ...]
    short_nl: str = ""
    short_en: str = ""

    def label(self, lang: str) -> str:
        return self.label_nl if lang == "nl" else self.label_en

    def short(self, lang: str) -> str:
        """A label of a word or two, for a chart's axis (the full label elsewhere)."""
        return (self.short_nl if lang == "nl" else self.short_en) or self.label(lang)

    def description(self, lang: str) -> str:
        return self.description_nl if lang == "nl" else self.description_en


def _custom(name: str):
    odcs = load_contract(DATASET).odcs
    return next(p.value for p in odcs.customProperties or [] if p.property == name)


@cache
def transformations() -> tuple[Transformation, ...]:
    """The seven transformations in the contract's order, each with its statements."""
    contract = load_contract(DATASET)
    tagged: dict[str, list[Statement]] = {}
    for prop in contract.odcs.schema_[0].properties or []:  # type: ignore[index]
        custom = {c.property: c.value for c in prop.customProperties or []}
        if "transformation" in custom:
            tagged.setdefault(custom["transformation"], []).append(
                Statement(
                    str(prop.name),
                    custom["transformation"],
                    str(custom["description_nl"]),
                    prop.description or "",
                )
            )
    found = tuple(
        Transformation(
            entry["key"],
            entry["label_nl"],
            entry["label_en"],
            entry["description_nl"],
            entry["description_en"],
            tuple(tagged.get(entry["key"], ())),
            entry.get("short_nl", ""),
            entry.get("short_en", ""),
        )
        for entry in _custom("transformations")
    )
    untagged = set(tagged) - {t.key for t in found}
    if untagged:
        raise ValueError(f"maturity contract: statements of unknown transformations {untagged}")
    return found


def statements() -> list[Statement]:
    """Every statement, in file order."""
    return [s for t in transformations() for s in t.statements]


def scale(lang: str) -> dict[int, str]:
    """Score -> what it means (1 not started ... 4 Factory of the Future level ... 5)."""
    return {
        int(e["score"]): e["label_nl" if lang == "nl" else "label_en"] for e in _custom("scale")
    }
