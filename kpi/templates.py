"""Empty upload templates made from a contract: the columns, with unit and rules as help.

- xlsx: a sheet named as the dataset with the header row (a comment on each header cell
  gives unit, description and rules) and a second sheet "Uitleg" (help) listing them.
- csv: ``#`` help lines the reader skips, then the header row; ``;`` separated, as Excel
  on a Belgian machine writes it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from kpi.contracts import Column, DatasetContract

_ROW_PER = {
    "monthly": {"nl": "één rij per maand", "en": "one row per month"},
    "yearly": {"nl": "één rij per jaar", "en": "one row per year"},
}
HELP_HEADERS = {
    "nl": ["kolom", "eenheid", "verplicht", "beschrijving", "regels"],
    "en": ["column", "unit", "required", "description", "rules"],
}
_BOUND_TEXT = {
    "minimum": ">= {}",
    "exclusiveMinimum": "> {}",
    "maximum": "<= {}",
    "exclusiveMaximum": "< {}",
}


def column_rules(column: Column, lang: str) -> list[str]:
    """The rules of one column in words: its range, then its contract rules."""
    texts = [_BOUND_TEXT[k].format(v) for k, v in column.options.items() if k in _BOUND_TEXT]
    kind = {
        "integer": {"nl": "geheel getal", "en": "whole number"},
        "number": {"nl": "getal (komma of punt)", "en": "number (comma or point)"},
        "date": {"nl": "maand JJJJ-MM", "en": "month YYYY-MM"},
        "string": {"nl": "tekst", "en": "text"},
    }[column.logical_type][lang]
    rules = [f"{rule.description(lang)} ({rule.severity})" for rule in column.rules]
    return [kind, *texts, *rules]


def help_rows(contract: DatasetContract, lang: str) -> list[list[str]]:
    yes, no = ("ja", "nee") if lang == "nl" else ("yes", "no")
    return [
        [
            column.name,
            column.unit,
            yes if column.required else no,
            column.description(lang),
            "; ".join(column_rules(column, lang)),
        ]
        for column in contract.columns
    ]


def write_template(contract: DatasetContract, output: Path, fmt: str, lang: str = "nl") -> Path:
    """Write the empty template of ``contract`` as ``fmt`` (xlsx or csv) to ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            title = contract.title(lang)
            handle.write(f"# {title} - {contract.name}: " + _ROW_PER[contract.cadence][lang] + "\n")
            for row in help_rows(contract, lang):
                handle.write(f"# {row[0]} [{row[1]}]: {row[3]} ({row[4]})\n")
            csv.writer(handle, delimiter=";", lineterminator="\n").writerow(contract.column_names)
        return output
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}; use xlsx or csv")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = contract.name
    sheet.append(contract.column_names)
    for cell, row in zip(sheet[1], help_rows(contract, lang), strict=True):
        cell.font = Font(bold=True)
        cell.comment = Comment(
            f"[{row[1]}] {row[3]}\n{row[4]}", "KPI-platform", width=320, height=160
        )
        sheet.column_dimensions[cell.column_letter].width = max(14, len(row[0]) + 2)
    sheet.freeze_panes = "A2"
    helper = workbook.create_sheet("Uitleg" if lang == "nl" else "Help")
    helper.append(HELP_HEADERS[lang])
    for cell in helper[1]:
        cell.font = Font(bold=True)
    for row in help_rows(contract, lang):
        helper.append(row)
    for letter, width in zip("ABCDE", (32, 10, 10, 70, 90), strict=True):
        helper.column_dimensions[letter].width = width
    workbook.save(output)
    return output
