"""Messages in the users' languages: Dutch (default) and English.

Every finding carries its message in both languages, so a report can be shown in the
language of whoever reads it (the uploader, the coordinator) without re-validating.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

MESSAGES: dict[str, dict[str, str]] = {
    # file-level problems
    "file_too_large": {
        "nl": "Het bestand is {size_mb} MB groot; de grens is {limit_mb} MB.",
        "en": "The file is {size_mb} MB; the limit is {limit_mb} MB.",
    },
    "file_empty": {"nl": "Het bestand is leeg.", "en": "The file is empty."},
    "file_type": {
        "nl": "Bestandstype '{ext}' wordt niet aanvaard: gebruik .xlsx of .csv.",
        "en": "File type '{ext}' is not accepted: use .xlsx or .csv.",
    },
    "file_binary": {
        "nl": "Het bestand heeft de extensie .csv maar bevat geen tekst (binaire inhoud).",
        "en": "The file has the extension .csv but holds no text (binary content).",
    },
    "file_not_xlsx": {
        "nl": "Het bestand heeft de extensie .xlsx maar is geen leesbaar Excel-bestand ({detail}).",
        "en": "The file has the extension .xlsx but is not a readable Excel file ({detail}).",
    },
    "file_encoding": {
        "nl": "De tekst van het bestand is niet leesbaar als UTF-8 of Windows-1252.",
        "en": "The text of the file cannot be read as UTF-8 or Windows-1252.",
    },
    "file_csv_syntax": {
        "nl": "Het CSV-bestand is niet leesbaar op regel {line}: {detail}.",
        "en": "The CSV file cannot be read at line {line}: {detail}.",
    },
    "no_header": {
        "nl": "Geen rij met kolomkoppen gevonden.",
        "en": "No row with column headers was found.",
    },
    "no_rows": {
        "nl": "Het bestand heeft kolomkoppen maar geen enkele rij met gegevens.",
        "en": "The file has column headers but no row of data.",
    },
    "unknown_factory": {
        "nl": "Fabriek '{value}' staat niet in het netwerkregister.",
        "en": "Factory '{value}' is not in the network register.",
    },
    "missing_column": {
        "nl": "Kolom '{column}' ontbreekt; elke kolom van dataset {dataset} is verplicht.",
        "en": "Column '{column}' is missing; every column of dataset {dataset} is required.",
    },
    "unknown_column": {
        "nl": "Kolom '{column}' bestaat niet in dataset {dataset}.{hint}",
        "en": "Column '{column}' does not exist in dataset {dataset}.{hint}",
    },
    "unknown_column_hint": {"nl": " Bedoelt u '{guess}'?", "en": " Did you mean '{guess}'?"},
    "duplicate_column": {
        "nl": "Kolom '{column}' staat meer dan eens in de kopregel.",
        "en": "Column '{column}' appears more than once in the header row.",
    },
    "extra_cells": {
        "nl": "De rij heeft meer waarden dan er kolomkoppen zijn.",
        "en": "The row has more values than there are column headers.",
    },
    # cell-level problems
    "required": {
        "nl": "De waarde ontbreekt; deze kolom is verplicht (leeg betekent: niet gerapporteerd).",
        "en": "The value is missing; this column is required (blank means: not reported).",
    },
    "type_number": {"nl": "'{value}' is geen getal.", "en": "'{value}' is not a number."},
    "type_integer": {
        "nl": "'{value}' is geen geheel getal.",
        "en": "'{value}' is not a whole number.",
    },
    "type_date": {
        "nl": "'{value}' is geen maand in de vorm JJJJ-MM (bv. 2025-03).",
        "en": "'{value}' is not a month written YYYY-MM (e.g. 2025-03).",
    },
    "type_string": {"nl": "'{value}' is geen tekst.", "en": "'{value}' is not text."},
    "minimum": {
        "nl": "{value} is kleiner dan het minimum {limit}.",
        "en": "{value} is below the minimum {limit}.",
    },
    "exclusiveMinimum": {
        "nl": "{value} moet groter zijn dan {limit}.",
        "en": "{value} must be greater than {limit}.",
    },
    "maximum": {
        "nl": "{value} is groter dan het maximum {limit}.",
        "en": "{value} is above the maximum {limit}.",
    },
    "exclusiveMaximum": {
        "nl": "{value} moet kleiner zijn dan {limit}.",
        "en": "{value} must be less than {limit}.",
    },
    "contract_rule": {
        "nl": "{description} (waarde: {value}).",
        "en": "{description} (value: {value}).",
    },
    # report wording
    "report_accepted": {
        "nl": "AANVAARD: {file} ({dataset}, {factory}), {rows} rij(en), maanden {periods}.",
        "en": "ACCEPTED: {file} ({dataset}, {factory}), {rows} row(s), months {periods}.",
    },
    "report_refused": {
        "nl": "GEWEIGERD: {file} ({dataset}, {factory}); er is niets opgeslagen. {count} fout(en):",
        "en": "REFUSED: {file} ({dataset}, {factory}); nothing was stored. {count} error(s):",
    },
    "report_warnings": {"nl": "{count} waarschuwing(en):", "en": "{count} warning(s):"},
    "report_line": {
        "nl": "  rij {row}, kolom {column}: {message} [regel: {rule}]",
        "en": "  row {row}, column {column}: {message} [rule: {rule}]",
    },
    "report_file_line": {
        "nl": "  bestand: {message} [regel: {rule}]",
        "en": "  file: {message} [rule: {rule}]",
    },
    "report_column_line": {
        "nl": "  kolom {column}: {message} [regel: {rule}]",
        "en": "  column {column}: {message} [rule: {rule}]",
    },
    "report_sql_later": {
        "nl": "Controles tegenover andere datasets ({rules}) gebeuren bij het opslaan.",
        "en": "Checks against other datasets ({rules}) run when the file is stored.",
    },
}


def message(key: str, lang: str, **params: object) -> str:
    """The message ``key`` in ``lang`` (falling back to Dutch) with ``params`` filled in."""
    texts = MESSAGES[key]
    return texts.get(lang, texts[DEFAULT_LANGUAGE]).format(**params)


def messages(key: str, **params: object) -> dict[str, str]:
    """The message ``key`` in every language."""
    return {lang: message(key, lang, **params) for lang in LANGUAGES}
