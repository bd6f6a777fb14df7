"""What validation tells an uploader: one finding per failing file, row, column and rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kpi.i18n import DEFAULT_LANGUAGE, messages

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem found in an uploaded file.

    ``row`` is the row number as the user sees it in Excel or a text editor (header = 1
    when the header is the first line); ``None`` for a problem of the whole file.
    ``column`` is ``None`` when the problem is not about one column.
    """

    severity: Severity
    rule: str
    row: int | None
    column: str | None
    value: str | None
    texts: dict[str, str] = field(compare=False)

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return self.texts.get(lang) or self.texts[DEFAULT_LANGUAGE]

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "value": self.value,
            "message": self.message(lang),
        }

    def to_record(self) -> dict[str, Any]:
        """Everything, both languages: what the audit log and quarantine keep."""
        return {**self.to_dict(), "message": self.texts}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Finding:
        return cls(
            severity=record["severity"],
            rule=record["rule"],
            row=record["row"],
            column=record["column"],
            value=record["value"],
            texts=dict(record["message"]),
        )


def finding(
    severity: Severity,
    rule: str,
    key: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    **params: object,
) -> Finding:
    """A finding whose message is the i18n message ``key`` with ``params``."""
    texts = messages(key, value=value, column=column, row=row, **params)
    return Finding(severity, rule, row, column, value, texts)


def shown_value(value: object) -> str:
    """A stored number as a message shows it: whole numbers without decimals."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return str(value)
