"""Messages in the users' languages: Dutch (default) and English.

Every finding carries its message in both languages, so a report can be shown in the
language of whoever reads it (the uploader, the coordinator) without re-validating.
"""

from __future__ import annotations

import datetime as dt

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
        "nl": "Geen kopregel gevonden: geen van de eerste {rows} ingevulde rijen bevat de kolomnamen van dataset {dataset} (zoals factory_code en period). Gebruik de kolomnamen van het sjabloon.",
        "en": "No header row found: none of the first {rows} filled rows holds the column names of dataset {dataset} (such as factory_code and period). Use the column names of the template.",
    },
    "wrong_dataset": {
        "nl": "Dit lijkt een bestand van {title}, niet van {expected}: dien het in onder de dataset {title}.",
        "en": "This looks like a {title} file, not {expected}: submit it under the dataset {title}.",
    },
    "file_unreadable": {
        "nl": "Het bestand kon niet gelezen worden ({detail}). Sla het opnieuw op als .xlsx of .csv en dien het opnieuw in.",
        "en": "The file could not be read ({detail}). Save it again as .xlsx or .csv and submit it again.",
    },
    "file_format": {
        "nl": "Het formaat {format} wordt niet aanvaard: sla het bestand op als Excel-werkmap (.xlsx) of als CSV.",
        "en": "The format {format} is not accepted: save the file as an Excel workbook (.xlsx) or as CSV.",
    },
    "file_encoding_named": {
        "nl": "De tekst van het bestand is gecodeerd als {encoding}, wat niet gelezen kan worden: sla het op als CSV UTF-8.",
        "en": "The text of the file is encoded as {encoding}, which cannot be read: save it as CSV UTF-8.",
    },
    "file_unpacked_too_large": {
        "nl": "Het .xlsx-bestand pakt uit tot {size_mb} MB; de grens is {limit_mb} MB. Het is niet gelezen.",
        "en": "The .xlsx file unpacks to {size_mb} MB; the limit is {limit_mb} MB. It was not read.",
    },
    "file_zip_ratio": {
        "nl": "Het onderdeel {member} van het .xlsx-bestand is {ratio} keer samengeperst; de grens is {limit}. Zo schrijft geen rekenblad; het is niet gelezen.",
        "en": "Part {member} of the .xlsx file is compressed {ratio} times; the limit is {limit}. No spreadsheet writes that; it was not read.",
    },
    "file_zip_members": {
        "nl": "Het .xlsx-bestand bestaat uit {count} onderdelen; de grens is {limit}. Het is niet gelezen.",
        "en": "The .xlsx file consists of {count} parts; the limit is {limit}. It was not read.",
    },
    "file_xml_dtd": {
        "nl": "Het onderdeel {member} van het .xlsx-bestand bevat een DTD (entiteitsdefinities), wat Excel nooit schrijft; het is niet gelezen. Sla het bestand opnieuw op met Excel of LibreOffice.",
        "en": "Part {member} of the .xlsx file holds a DTD (entity definitions), which Excel never writes; it was not read. Save the file again with Excel or LibreOffice.",
    },
    "too_many_rows": {
        "nl": "Het bestand heeft meer dan {limit} rijen; de grens is {limit}. Het is niet verder gelezen.",
        "en": "The file has more than {limit} rows; the limit is {limit}. It was not read further.",
    },
    "too_many_cells": {
        "nl": "Het bestand heeft meer dan {limit} cellen; de grens is {limit}. Het is niet verder gelezen.",
        "en": "The file has more than {limit} cells; the limit is {limit}. It was not read further.",
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
        "nl": "Kolom '{column}' bestaat niet in dataset {dataset} en wordt genegeerd.{hint}",
        "en": "Column '{column}' does not exist in dataset {dataset} and is ignored.{hint}",
    },
    "unnamed_column": {
        "nl": "Kolom {column} heeft waarden maar geen kolomnaam en wordt genegeerd.",
        "en": "Column {column} has values but no column name and is ignored.",
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
        "nl": "'{value}' is geen maand: schrijf JJJJ-MM (bv. 2025-03), MM/JJJJ, een datum of 'mrt 2025'.",
        "en": "'{value}' is not a month: write YYYY-MM (e.g. 2025-03), MM/YYYY, a date or 'Mar 2025'.",
    },
    "number_convention_comma": {
        "nl": "'{value}' past niet bij de getallen van dit bestand, die een decimaalkomma gebruiken (een punt groepeert duizendtallen, bv. 1.234,5). Schrijf het getal op dezelfde manier.",
        "en": "'{value}' does not fit the numbers of this file, which use a decimal comma (a point groups thousands, e.g. 1.234,5). Write the number the same way.",
    },
    "number_convention_point": {
        "nl": "'{value}' past niet bij de getallen van dit bestand, die een decimaalpunt gebruiken (een komma groepeert duizendtallen, bv. 1,234.5). Schrijf het getal op dezelfde manier.",
        "en": "'{value}' does not fit the numbers of this file, which use a decimal point (a comma groups thousands, e.g. 1,234.5). Write the number the same way.",
    },
    "not_finite": {
        "nl": "'{value}' is geen eindig getal.",
        "en": "'{value}' is not a finite number.",
    },
    "sanity_bound": {
        "nl": "{value} ligt buiten de grens van {limit} voor deze kolom; klopt de eenheid?",
        "en": "{value} lies beyond this column's bound of {limit}; is the unit right?",
    },
    "plausibility": {
        "nl": "{value} wijkt meer dan een factor {factor} af van de mediaan ({median}) van de vorige 12 maanden van deze fabriek, gewoonlijk tussen {low} en {high}. Klopt de eenheid of het duizendtalteken?",
        "en": "{value} differs by more than a factor {factor} from this factory's median ({median}) of the previous 12 months, usually between {low} and {high}. Is the unit or the thousands separator right?",
    },
    "more_findings": {
        "nl": "... en nog {count} andere met dezelfde regel ({name}); enkel de eerste {shown} worden getoond.",
        "en": "... and {count} more with the same rule ({name}); only the first {shown} are shown.",
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


MONTH_NAMES = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "en": "January February March April May June July August September October November December",
}


def long_date(day: dt.date | None, lang: str) -> str:
    """2026-12-20 as "20 december 2026" (or "20 December 2026"); "–" when there is none."""
    if day is None:
        return "–"
    return f"{day.day} {MONTH_NAMES[lang].split()[day.month - 1]} {day.year}"


# --- the dashboards --------------------------------------------------------------------
MESSAGES.update(
    {
        "app_title": {
            "nl": "KPI-platform Smart Network Sint-Truiden",
            "en": "KPI platform Smart Network Sint-Truiden",
        },
        "language": {"nl": "Taal", "en": "Language"},
        "login_title": {"nl": "Aanmelden", "en": "Log in"},
        "login_intro": {
            "nl": "De gedeelde KPI-benchmark van de automotive-fabrieken rond Sint-Truiden. Meld u aan met uw account.",
            "en": "The shared KPI benchmark of the automotive plants around Sint-Truiden. Log in with your account.",
        },
        "email": {"nl": "E-mailadres", "en": "E-mail address"},
        "password": {"nl": "Wachtwoord", "en": "Password"},
        "login_button": {"nl": "Aanmelden", "en": "Log in"},
        "login_oidc": {"nl": "Aanmelden met {provider}", "en": "Log in with {provider}"},
        "login_failed": {
            "nl": "E-mailadres of wachtwoord is niet juist.",
            "en": "E-mail address or password is not right.",
        },
        "login_locked": {
            "nl": "Te veel mislukte pogingen. Probeer opnieuw over {seconds} seconden.",
            "en": "Too many failed attempts. Try again in {seconds} seconds.",
        },
        "login_unmapped": {
            "nl": "Uw account {email} heeft (nog) geen rol op dit platform: u ziet hier niets. Vraag de netwerkcoördinator om toegang, of meld u af en aan met een ander account.",
            "en": "Your account {email} has no role on this platform (yet): you see nothing here. Ask the network coordinator for access, or log out and in with another account.",
        },
        "logout": {"nl": "Afmelden", "en": "Log out"},
        "signed_in_as": {"nl": "Aangemeld als {email}", "en": "Logged in as {email}"},
        "role_factory": {"nl": "fabriek {factory}", "en": "factory {factory}"},
        "role_coordinator": {"nl": "netwerkcoördinator", "en": "network coordinator"},
        "role_city": {"nl": "stad", "en": "city"},
        "role_admin": {"nl": "beheerder", "en": "administrator"},
        "page_upload": {"nl": "Gegevens indienen", "en": "Submit data"},
        "page_benchmark": {"nl": "Benchmark", "en": "Benchmark"},
        "page_network": {"nl": "Netwerk", "en": "Network"},
        "page_region": {"nl": "Regio", "en": "Region"},
        "page_definitions": {"nl": "Definities", "en": "Definitions"},
        "page_users": {"nl": "Gebruikers", "en": "Users"},
        "no_snapshot": {
            "nl": "Er is nog niets gepubliceerd. De cijfers verschijnen na de eerste verwerking.",
            "en": "Nothing has been published yet. Figures appear after the first run.",
        },
        "snapshot_of": {
            "nl": "Cijfers van {created} (maanden {start} tot {end}).",
            "en": "Figures of {created} (months {start} to {end}).",
        },
        "dataset": {"nl": "Dataset", "en": "Dataset"},
        "template_download": {"nl": "Lege sjabloon ({fmt})", "en": "Empty template ({fmt})"},
        "upload_label": {"nl": "Bestanden (.xlsx of .csv)", "en": "Files (.xlsx or .csv)"},
        "upload_help": {
            "nl": "Elk bestand wordt meteen gecontroleerd. Een bestand met fouten wordt niet opgeslagen; u ziet elke rij en kolom die niet klopt.",
            "en": "Every file is checked at once. A file with errors is not stored; you see every row and column that is wrong.",
        },
        "upload_accepted": {
            "nl": "{file}: aanvaard ({rows} rij(en), maanden {periods}) en ingediend; het wordt verwerkt en verschijnt daarna in de benchmark.",
            "en": "{file}: accepted ({rows} row(s), months {periods}) and submitted; it is being processed and then appears in the benchmark.",
        },
        "upload_refused": {
            "nl": "{file}: geweigerd, er is niets opgeslagen. Verbeter deze {count} fout(en) en dien opnieuw in:",
            "en": "{file}: refused, nothing was stored. Correct these {count} error(s) and submit again:",
        },
        "upload_warnings": {
            "nl": "{count} waarschuwing(en), het bestand is wel aanvaard:",
            "en": "{count} warning(s); the file was accepted:",
        },
        "history": {"nl": "Uw indieningen", "en": "Your submissions"},
        "waiting": {"nl": "In verwerking", "en": "Being processed"},
        "col_row": {"nl": "Rij", "en": "Row"},
        "col_column": {"nl": "Kolom", "en": "Column"},
        "col_rule": {"nl": "Regel", "en": "Rule"},
        "col_value": {"nl": "Waarde", "en": "Value"},
        "col_message": {"nl": "Uitleg", "en": "Explanation"},
        "col_file": {"nl": "Bestand", "en": "File"},
        "col_errors": {"nl": "Fouten", "en": "Errors"},
        "col_months": {"nl": "Maanden", "en": "Months"},
        "col_status": {"nl": "Status", "en": "Status"},
        "col_received": {"nl": "Ontvangen", "en": "Received"},
        "col_factory": {"nl": "Fabriek", "en": "Factory"},
        "col_kpi": {"nl": "KPI", "en": "KPI"},
        "col_own": {"nl": "Eigen waarde", "en": "Own value"},
        "col_n": {"nl": "Aantal fabrieken", "en": "Factories"},
        "col_median": {"nl": "Mediaan", "en": "Median"},
        "col_band": {"nl": "P25 - P75", "en": "P25 - P75"},
        "col_quartile": {"nl": "Kwartiel", "en": "Quartile"},
        "col_gap_median": {"nl": "Verschil met mediaan", "en": "Gap to median"},
        "col_gap_top": {"nl": "Verschil met topkwartiel", "en": "Gap to top quartile"},
        "col_unit": {"nl": "Eenheid", "en": "Unit"},
        "col_formula": {"nl": "Formule", "en": "Formula"},
        "col_direction": {"nl": "Beter is", "en": "Better is"},
        "col_description": {"nl": "Beschrijving", "en": "Description"},
        "col_type": {"nl": "Type", "en": "Type"},
        "col_required": {"nl": "Verplicht", "en": "Required"},
        "col_rules": {"nl": "Regels", "en": "Rules"},
        "col_indicator": {"nl": "Indicator", "en": "Indicator"},
        "col_value_plain": {"nl": "Waarde", "en": "Value"},
        "col_month": {"nl": "Maand", "en": "Month"},
        "status_accepted": {"nl": "aanvaard", "en": "accepted"},
        "status_refused": {"nl": "geweigerd", "en": "refused"},
        "status_superseded": {"nl": "vervangen", "en": "superseded"},
        "status_unchanged": {"nl": "ongewijzigd", "en": "unchanged"},
        "status_waiting": {"nl": "in verwerking", "en": "being processed"},
        "direction_higher": {"nl": "hoger", "en": "higher"},
        "direction_lower": {"nl": "lager", "en": "lower"},
        "direction_context": {"nl": "context (geen betere kant)", "en": "context (no better side)"},
        "domain": {"nl": "Domein", "en": "Domain"},
        "domain_efficiency": {"nl": "Efficiëntie", "en": "Efficiency"},
        "domain_quality": {"nl": "Kwaliteit", "en": "Quality"},
        "domain_people": {"nl": "Personeel", "en": "People"},
        "kpi": {"nl": "KPI", "en": "KPI"},
        "months_range": {"nl": "Periode", "en": "Period"},
        "peer_group": {"nl": "Vergelijken met", "en": "Compare with"},
        "peer_network": {"nl": "het hele netwerk", "en": "the whole network"},
        "peer_sector": {"nl": "dezelfde sector", "en": "the same sector"},
        "peer_size": {"nl": "dezelfde grootteklasse", "en": "the same size band"},
        "chart_own": {"nl": "Eigen waarde", "en": "Own value"},
        "chart_median": {"nl": "Mediaan van de peers", "en": "Peer median"},
        "chart_band": {"nl": "P25 - P75 van de peers", "en": "Peer P25 - P75"},
        "latest_month": {
            "nl": "{month}: uw positie per KPI",
            "en": "{month}: your position per KPI",
        },
        "better": {"nl": "beter", "en": "better"},
        "worse": {"nl": "slechter", "en": "worse"},
        "suppressed": {"nl": "onderdrukt", "en": "suppressed"},
        "reason_threshold": {
            "nl": "onderdrukt: te weinig fabrieken (minder dan {threshold})",
            "en": "suppressed: too few factories (fewer than {threshold})",
        },
        "reason_p_percent": {
            "nl": "onderdrukt: één fabriek weegt te zwaar door (p %-regel)",
            "en": "suppressed: one factory dominates the total (p % rule)",
        },
        "reason_secondary": {
            "nl": "onderdrukt: anders af te leiden uit de andere cijfers",
            "en": "suppressed: it could otherwise be derived from the other figures",
        },
        "reason_differencing": {
            "nl": "onderdrukt: het verschil met een ander gepubliceerd cijfer zou één fabriek verraden",
            "en": "suppressed: its difference with another published figure would reveal one factory",
        },
        "reason_overlap": {
            "nl": "onderdrukt: deze groep verschilt te weinig van een andere gepubliceerde groep",
            "en": "suppressed: this group differs too little from another published group",
        },
        "reason_window": {
            "nl": "onderdrukt: nog geen 12 volledige maanden",
            "en": "suppressed: not 12 complete months yet",
        },
        "quartiles_from": {
            "nl": "P25 - P75 pas vanaf {n} fabrieken",
            "en": "P25 - P75 only from {n} factories",
        },
        "release_banner": {
            "nl": "U ziet de vrijgave van {month}{revision}, gepubliceerd op {date}.",
            "en": "You see the release of {month}{revision}, published on {date}.",
        },
        "release_revision": {"nl": " (herziening {revision})", "en": " (revision {revision})"},
        "release_none": {
            "nl": "Nog geen maand vrijgegeven: peers en de stad zien cijfers vanaf de eerste vrijgave.",
            "en": "No month released yet: peers and the city see figures from the first release on.",
        },
        "release_open": {
            "nl": "{month}: {submitted} van {expected} fabrieken hebben ingediend; vrijgave op {close}.",
            "en": "{month}: {submitted} of {expected} factories have submitted; released on {close}.",
        },
        "rule_required": {"nl": "verplichte waarde ontbreekt", "en": "required value missing"},
        "rule_type_number": {"nl": "geen getal", "en": "not a number"},
        "rule_type_integer": {"nl": "geen geheel getal", "en": "not a whole number"},
        "rule_type_month": {"nl": "geen maand", "en": "not a month"},
        "rule_missing_column": {"nl": "kolom ontbreekt", "en": "column missing"},
        "rule_unknown_column": {"nl": "onbekende kolom", "en": "unknown column"},
        "rule_duplicate_column": {"nl": "kolom staat er twee keer", "en": "duplicate column"},
        "rule_unknown_factory": {
            "nl": "fabriek niet in het register",
            "en": "factory not in the register",
        },
        "release_status_revised": {"nl": "herzien", "en": "revised"},
        "release_status_not_revised": {
            "nl": "niet herzien: latere wijzigingen zijn (nog) niet publiceerbaar",
            "en": "not revised: later changes cannot be published (yet)",
        },
        "own_month_open": {
            "nl": "{month} is nog niet vrijgegeven: u ziet al uw eigen cijfers, de vergelijking met de peers volgt bij de vrijgave op {close}.",
            "en": "{month} is not released yet: you see your own figures already; the comparison with peers follows at the release on {close}.",
        },
        "own_groups": {"nl": "Uw peergroepen: {groups}", "en": "Your peer groups: {groups}"},
        "coverage": {"nl": "{n} van {of} fabrieken", "en": "{n} of {of} factories"},
        "month": {"nl": "Maand", "en": "Month"},
        "release_title": {"nl": "Vrijgaven", "en": "Releases"},
        "release_help": {
            "nl": "Een maand wordt vrijgegeven op de sluitingsdag, of eerder door u. Daarna liggen de cijfers vast; late bestanden en correcties wachten op een herziening.",
            "en": "A month is released on its close day, or earlier by you. Its figures are then frozen; late files and corrections wait for a revision.",
        },
        "release_close": {"nl": "{month} nu vrijgeven", "en": "Release {month} now"},
        "release_revise": {"nl": "{month} herzien", "en": "Revise {month}"},
        "release_requested": {
            "nl": "Gevraagd: {action} {month}. De volgende verwerking voert het uit.",
            "en": "Requested: {action} {month}. The next run carries it out.",
        },
        "release_action_close": {"nl": "vrijgeven", "en": "release"},
        "release_action_revise": {"nl": "herzien", "en": "revise"},
        "release_pending": {
            "nl": "{month}: {n} fabriek(en) dienden na de vrijgave nog bestanden in (wacht op herziening).",
            "en": "{month}: {n} factory(ies) submitted files after the release (waiting for a revision).",
        },
        "download_csv": {"nl": "Download als CSV", "en": "Download as CSV"},
        "definitions_of_kpi": {"nl": "Wat betekent deze KPI?", "en": "What does this KPI mean?"},
        "no_own_data": {
            "nl": "Er zijn nog geen cijfers van uw fabriek opgeslagen.",
            "en": "No figures of your factory have been stored yet.",
        },
        "grid_title": {
            "nl": "Volledigheid van de indieningen",
            "en": "Completeness of the submissions",
        },
        "grid_help": {
            "nl": "Per fabriek en maand: ok (opgeslagen), geweigerd (alleen een geweigerd bestand), te laat (vorige maand ontbreekt nog), – (ontbreekt).",
            "en": "Per factory and month: ok (stored), refused (only a refused file), late (last month still missing), – (missing).",
        },
        "grid_ok": {"nl": "ok", "en": "ok"},
        "grid_refused": {"nl": "geweigerd", "en": "refused"},
        "grid_late": {"nl": "te laat", "en": "late"},
        "grid_missing": {"nl": "–", "en": "–"},
        "late_count": {"nl": "Te laat voor {month}", "en": "Late for {month}"},
        "refused_count": {"nl": "Geweigerde bestanden", "en": "Refused files"},
        "waiting_count": {"nl": "In verwerking", "en": "Being processed"},
        "refusals_title": {"nl": "Redenen van weigering", "en": "Reasons for refusal"},
        "distribution_title": {
            "nl": "Spreiding in het netwerk (anoniem)",
            "en": "Spread across the network (anonymous)",
        },
        "region_title": {"nl": "Regionale verankering", "en": "Regional anchoring"},
        "region_intro": {
            "nl": "Cijfers van het hele netwerk samen, nooit van één fabriek. Vergeleken met 12 maanden eerder.",
            "en": "Figures of the whole network together, never of one factory. Compared with 12 months earlier.",
        },
        "trend": {"nl": "Verloop", "en": "Trend"},
        "vs_year_before": {"nl": "t.o.v. 12 maanden eerder", "en": "vs 12 months earlier"},
        "definitions_title": {"nl": "Definities", "en": "Definitions"},
        "definitions_datasets": {"nl": "Wat fabrieken indienen", "en": "What factories submit"},
        "definitions_kpis": {"nl": "KPI's per fabriek", "en": "KPIs per factory"},
        "definitions_region": {"nl": "Indicatoren voor de stad", "en": "Indicators for the city"},
        "definitions_disclosure": {
            "nl": "Peers en de stad zien enkel vrijgegeven maanden (vrijgave op de {close}e van de volgende maand). Een cijfer wordt alleen getoond als minstens {threshold} bijdragers meetellen (fabrieken van één groep tellen als één); de mediaan vanaf {median} en de kwartielen vanaf {quartiles} bijdragers, nooit de waarde van één fabriek; sommen volgen ook de p %-regel ({p} %), ook voor hun verschillen.",
            "en": "Peers and the city see released months only (released on day {close} of the following month). A figure is shown only when at least {threshold} contributors take part (factories of one group count as one); the median from {median} and the quartiles from {quartiles} contributors, never one factory's value; sums also follow the p % rule ({p} %), their differences too.",
        },
        "users_title": {"nl": "Gebruikers", "en": "Users"},
        "users_add": {"nl": "Gebruiker toevoegen", "en": "Add a user"},
        "users_added": {
            "nl": "Account {email} is aangemaakt.",
            "en": "Account {email} was created.",
        },
        "role": {"nl": "Rol", "en": "Role"},
        "factory": {"nl": "Fabriek", "en": "Factory"},
        "yes": {"nl": "ja", "en": "yes"},
        "no": {"nl": "nee", "en": "no"},
    }
)


# --- settings and the run machinery (operators read these on the command line) ----------
MESSAGES.update(
    {
        "setting_invalid": {
            "nl": "{setting}: '{value}' is geen geldige waarde: {expected}.",
            "en": "{setting}: '{value}' is not a valid value: {expected}.",
        },
        "expected_whole_number": {
            "nl": "verwacht een geheel getal",
            "en": "expected a whole number",
        },
        "expected_number": {
            "nl": "verwacht een getal",
            "en": "expected a number",
        },
        "expected_true_false": {"nl": "verwacht true of false", "en": "expected true or false"},
        "bound_greater_than": {"nl": "groter dan {limit}", "en": "greater than {limit}"},
        "bound_at_least": {"nl": "van minstens {limit}", "en": "of at least {limit}"},
        "bound_at_most": {"nl": "van hoogstens {limit}", "en": "of at most {limit}"},
        "and": {"nl": "en ", "en": "and "},
        "expected_postgres_url": {
            "nl": "verwacht een PostgreSQL-URL die begint met postgresql+psycopg2:// (het stuurprogramma van dagster-postgres), bv. postgresql+psycopg2://dagster:wachtwoord@db:5432/dagster",
            "en": "expected a PostgreSQL URL starting with postgresql+psycopg2:// (the driver dagster-postgres uses), e.g. postgresql+psycopg2://dagster:password@db:5432/dagster",
        },
        "data_dir_not_a_directory": {
            "nl": "KPI_DATA_DIR: {path} is geen map maar een bestand.",
            "en": "KPI_DATA_DIR: {path} is a file, not a directory.",
        },
        "data_dir_not_writable": {
            "nl": "KPI_DATA_DIR: in {path} kan niet geschreven worden ({detail}).",
            "en": "KPI_DATA_DIR: {path} cannot be written to ({detail}).",
        },
        "register_duplicate_code": {
            "nl": "KPI_FACTORY_REGISTER: {path} noemt fabriekscode {code} twee keer: regel {first} ('{first_code}') en regel {second} ('{second_code}'); codes zijn hoofdletterongevoelig.",
            "en": "KPI_FACTORY_REGISTER: {path} names factory code {code} twice: line {first} ('{first_code}') and line {second} ('{second_code}'); codes ignore case.",
        },
        "run_recovered": {
            "nl": "{count} bestand(en) die een onderbroken run al had opgeslagen, zijn nu naar het archief of de quarantaine verplaatst.",
            "en": "{count} file(s) that an interrupted run had already stored were now moved to the archive or the quarantine.",
        },
        "run_process_gone": {
            "nl": "Het proces van deze run ({process}) bestaat niet meer; de run is als mislukt gemarkeerd zodat de volgende kan starten.",
            "en": "The process of this run ({process}) is gone; the run was marked failed so that the next one can start.",
        },
    }
)


def both_languages(key: str, **params: object) -> str:
    """The message ``key`` in Dutch and English on one line, for operators' consoles."""
    return " / ".join(messages(key, **params).values())


# --- hostile users and the web server (sessions, accounts, uploads, failures) ----------
MESSAGES.update(
    {
        "login_unavailable": {
            "nl": "Aanmelden is op dit moment niet mogelijk. Probeer later opnieuw of verwittig de beheerder.",
            "en": "Logging in is not possible at the moment. Try again later or tell the administrator.",
        },
        "session_ended": {
            "nl": "Uw sessie is beëindigd (te lang niet gebruikt, of uw account is gewijzigd). Meld u opnieuw aan.",
            "en": "Your session has ended (unused for too long, or your account was changed). Please log in again.",
        },
        "page_failed": {
            "nl": "Deze pagina kon niet getoond worden door een fout op de server. De fout is gelogd; probeer het later opnieuw of verwittig de beheerder (tijdstip {time}).",
            "en": "This page could not be shown because of an error on the server. The error was logged; try again later or tell the administrator (time {time}).",
        },
        "snapshot_unreadable": {
            "nl": "De gepubliceerde cijfers zijn op dit moment niet leesbaar. De fout is gelogd; ze verschijnen weer na de volgende verwerking.",
            "en": "The published figures cannot be read at the moment. The error was logged; they reappear after the next run.",
        },
        "upload_check_limit": {
            "nl": "Het controleren van dit bestand vroeg meer dan {seconds} seconden of {memory_mb} MB geheugen; er is niets opgeslagen. Verdeel de gegevens over kleinere bestanden (bv. één per jaar).",
            "en": "Checking this file took more than {seconds} seconds or {memory_mb} MB of memory; nothing was stored. Split the data into smaller files (e.g. one per year).",
        },
        "upload_check_failed": {
            "nl": "Dit bestand kon niet gecontroleerd worden door een fout op de server; er is niets opgeslagen. De fout is gelogd.",
            "en": "This file could not be checked because of an error on the server; nothing was stored. The error was logged.",
        },
        "users_change": {"nl": "Account wijzigen", "en": "Change an account"},
        "users_account": {"nl": "Account", "en": "Account"},
        "users_disabled": {"nl": "Uitgeschakeld", "en": "Disabled"},
        "users_set_role": {"nl": "Rol wijzigen", "en": "Change role"},
        "users_disable": {"nl": "Uitschakelen", "en": "Disable"},
        "users_enable": {"nl": "Inschakelen", "en": "Enable"},
        "users_delete": {"nl": "Verwijderen", "en": "Delete"},
        "users_changed": {
            "nl": "Account {email}: {what}.",
            "en": "Account {email}: {what}.",
        },
        "users_not_self": {
            "nl": "U kunt uw eigen account niet uitschakelen, verwijderen of van rol veranderen.",
            "en": "You cannot disable, delete or change the role of your own account.",
        },
        "users_role_set": {"nl": "rol is nu {role}", "en": "role is now {role}"},
        "users_was_disabled": {"nl": "uitgeschakeld", "en": "disabled"},
        "users_was_enabled": {"nl": "ingeschakeld", "en": "enabled"},
        "users_was_deleted": {"nl": "verwijderd", "en": "deleted"},
    }
)

# issue 11: the plant manager's and the city's month (pages, the monthly report)
MESSAGES.update(
    {
        "chart_axis_not_zero": {"nl": "as begint niet bij 0", "en": "axis does not start at 0"},
        "month": {"nl": "Maand", "en": "Month"},
        "peer_named_sector": {"nl": "sector {name}", "en": "sector {name}"},
        "peer_named_size": {
            "nl": "grootteklasse {name} werknemers",
            "en": "size band {name} employees",
        },
        "compared_with_release": {
            "nl": "Uw eigen cijfers van deze maand staan naast de peerstatistieken van de laatste vrijgave ({month}).",
            "en": "Your own figures of this month stand beside the peer statistics of the latest release ({month}).",
        },
        "in_top_quartile": {"nl": "in het topkwartiel", "en": "in the top quartile"},
        "to_top_quartile": {"nl": "nog {amount}", "en": "{amount} to go"},
        "benchmark_legend": {
            "nl": "Q1 is het beste kwart van de peers, Q4 het zwakste. ▲ beter / ▼ slechter dan de mediaan, volgens de richting van de KPI (hoger of lager is beter); een verschil dat afgerond nul is, krijgt geen oordeel. 'Verschil met topkwartiel': hoeveel u nog moet verbeteren om bij het beste kwart te horen.",
            "en": "Q1 is the best quarter of the peers, Q4 the weakest. ▲ better / ▼ worse than the median, by the KPI's direction (higher or lower is better); a difference that rounds to zero gets no verdict. 'Gap to top quartile': how much you still need to improve to join the best quarter.",
        },
        "download_excel": {"nl": "Download als Excel", "en": "Download as Excel"},
        "report_download": {"nl": "Maandrapport (PDF)", "en": "Monthly report (PDF)"},
        "report_file": {"nl": "maandrapport", "en": "monthly-report"},
        "scorecard_title": {
            "nl": "Scorekaart: de laatste 12 maanden",
            "en": "Scorecard: the last 12 months",
        },
        "scorecard_intro": {
            "nl": "Uw kwartiel per KPI en per maand, vergeleken met {group}.",
            "en": "Your quartile per KPI and month, compared with {group}.",
        },
        "scorecard_legend": {
            "nl": "Q1 (donkergroen) = bij het beste kwart van de peers; Q4 (rood) = bij het zwakste kwart; – = geen vergelijking (maand niet vrijgegeven, cijfer onderdrukt, kwartielen pas vanaf 10 fabrieken, of een KPI zonder betere richting).",
            "en": "Q1 (dark green) = among the best quarter of the peers; Q4 (red) = among the weakest quarter; – = no comparison (month not released, figure suppressed, quartiles only from 10 factories, or a KPI without a better direction).",
        },
    }
)

MESSAGES.update(
    {
        "report_title": {"nl": "Maandrapport", "en": "Monthly report"},
        "report_positions": {"nl": "Uw positie per KPI", "en": "Your position per KPI"},
        "report_trends": {
            "nl": "Trends: de laatste 12 maanden",
            "en": "Trends: the last 12 months",
        },
        "report_definitions": {"nl": "Definities", "en": "Definitions"},
        "report_confidential": {
            "nl": "Vertrouwelijk: uw eigen cijfers en anonieme, vrijgegeven peerstatistieken.",
            "en": "Confidential: your own figures and anonymous, released peer statistics.",
        },
        "report_legend": {
            "nl": "Q1 = het beste kwart van de peers, Q4 = het zwakste. Beter of slechter dan de mediaan volgens de richting van de KPI; een verschil dat afgerond nul is, krijgt geen oordeel. 'Verschil met topkwartiel': hoeveel u nog moet verbeteren om bij het beste kwart te horen.",
            "en": "Q1 = the best quarter of the peers, Q4 = the weakest. Better or worse than the median by the KPI's direction; a difference that rounds to zero gets no verdict. 'Gap to top quartile': how much you still need to improve to join the best quarter.",
        },
        "report_trend_legend": {
            "nl": "eigen waarde; stippellijn: mediaan van de peers; blauwe band: P25 - P75 van de peers (alleen vrijgegeven maanden).",
            "en": "own value; dashed line: peer median; blue band: peer P25 - P75 (released months only).",
        },
        "report_release": {
            "nl": "Peerstatistieken: vrijgave van {month}{revision}, gepubliceerd op {date}",
            "en": "Peer statistics: release of {month}{revision}, published on {date}",
        },
        "report_compared_with": {"nl": "Vergeleken met {group}", "en": "Compared with {group}"},
        "report_open_month": {
            "nl": "{month} is nog niet vrijgegeven: uw eigen cijfers staan naast de laatste vrijgave.",
            "en": "{month} is not released yet: your own figures stand beside the latest release.",
        },
    }
)

MESSAGES.update(
    {
        "upload_button": {"nl": "Bestanden kiezen", "en": "Choose files"},
        "upload_limit": {
            "nl": "of sleep ze hierheen · max. {mb} MB per bestand · .xlsx of .csv",
            "en": "or drag them here · max. {mb} MB per file · .xlsx or .csv",
        },
        "upload_warnings_refused": {
            "nl": "Daarnaast {count} waarschuwing(en) om na te kijken wanneer u het bestand verbetert:",
            "en": "Also {count} warning(s) to look at when you correct the file:",
        },
        "processing_done": {
            "nl": "Verwerking klaar: uw bestand staat hieronder; de benchmark toont de nieuwe cijfers.",
            "en": "Processing done: your file is listed below; the benchmark shows the new figures.",
        },
        "waiting_updates": {
            "nl": "deze lijst werkt zichzelf bij (elke {seconds} seconden)",
            "en": "this list updates itself (every {seconds} seconds)",
        },
        "waiting_updates_second": {
            "nl": "deze lijst werkt zichzelf elke seconde bij",
            "en": "this list updates itself every second",
        },
        "snapshot_updated": {
            "nl": "Nieuwe cijfers gepubliceerd: de pagina is bijgewerkt.",
            "en": "New figures published: the page has been updated.",
        },
        "col_warnings": {"nl": "Waarschuwingen", "en": "Warnings"},
        "open_report": {
            "nl": "Volledig verslag van een bestand openen",
            "en": "Open the full report of a file",
        },
        "choose_file": {"nl": "Kies een bestand", "en": "Choose a file"},
        "report_errors": {
            "nl": "{count} fout(en): daarom werd dit bestand geweigerd.",
            "en": "{count} error(s): this is why the file was refused.",
        },
        "report_warnings": {"nl": "{count} waarschuwing(en)", "en": "{count} warning(s)"},
    }
)

MESSAGES.update(
    {
        "year": {"nl": "Jaar", "en": "Year"},
        "col_indicator": {"nl": "Indicator", "en": "Indicator"},
        "region_years_title": {"nl": "Per jaar", "en": "Per year"},
        "region_years_intro": {
            "nl": "Het cijfer van de laatste vrijgegeven maand van elk jaar; bij een jaar dat nog loopt staat de maand erbij.",
            "en": "The figure of each year's last released month; a year still running names its month.",
        },
        "region_years_note": {
            "nl": "Voor de cijfers over 12 maanden (investeringen, netto jobgroei, vrijwillig behoud) is het cijfer van december het totaal van het kalenderjaar.",
            "en": "For the 12-month figures (investment, net job change, voluntary retention) the December figure is the calendar year's total.",
        },
        "council_download": {
            "nl": "Rapport voor de gemeenteraad (PDF)",
            "en": "Council report (PDF)",
        },
        "council_file": {"nl": "raadsrapport", "en": "council-report"},
        "methodology_title": {
            "nl": "Hoe worden deze cijfers gemaakt?",
            "en": "How are these figures made?",
        },
        "report_release_city": {
            "nl": "Vrijgave van {month}{revision}, gepubliceerd op {date}",
            "en": "Release of {month}{revision}, published on {date}",
        },
        "council_title": {"nl": "Regionale verankering", "en": "Regional anchoring"},
        "council_intro": {
            "nl": "Cijfers van het hele netwerk samen, nooit van één fabriek. Bij elk cijfer staat hoeveel fabrieken meetellen en het verschil met 12 maanden eerder (meer is niet vanzelf beter).",
            "en": "Figures of the whole network together, never of one factory. Each figure says how many factories it covers and its change against 12 months earlier (more is not by itself better).",
        },
        "council_indicators": {"nl": "De indicatoren", "en": "The indicators"},
        "council_years": {"nl": "Per jaar", "en": "Per year"},
        "council_years_note": {
            "nl": "Het cijfer van de laatste vrijgegeven maand van elk jaar. Voor de cijfers over 12 maanden is het cijfer van december het totaal van het kalenderjaar.",
            "en": "The figure of each year's last released month. For the 12-month figures, the December figure is the calendar year's total.",
        },
        "council_methodology": {
            "nl": "Hoe de cijfers gemaakt worden",
            "en": "How the figures are made",
        },
        "council_footer": {
            "nl": "KPI Smart Network Sint-Truiden · netwerktotalen, nooit cijfers van één fabriek",
            "en": "KPI Smart Network Sint-Truiden · network totals, never one factory's figures",
        },
    }
)

MESSAGES.update(
    {
        "own_newer_months": {
            "nl": "Uw eigen cijfers van {months} staan al klaar; die maand is nog niet vrijgegeven. Schuif de periode tot daar om ze te zien naast de laatste vrijgave.",
            "en": "Your own figures of {months} are in; that month is not released yet. Slide the period there to see them beside the latest release.",
        },
    }
)


# --- running the network: the coordinator's chase list, refusals and reminders ---------
MESSAGES.update(
    {
        "chase_title": {"nl": "Op te volgen voor {month}", "en": "To chase for {month}"},
        "chase_help": {
            "nl": "Elke fabriek die voor {month} nog een bestand moet sturen, of waarvan het laatste bestand geweigerd werd (regel, geen waarden). De maand sluit op {close}.",
            "en": "Every factory that still has to send a file for {month}, or whose last file was refused (rule, no values). The month closes on {close}.",
        },
        "chase_none": {
            "nl": "Alle fabrieken hebben hun bestanden voor {month} ingediend.",
            "en": "Every factory has submitted its files for {month}.",
        },
        "chase_late": {"nl": "niet ontvangen", "en": "not received"},
        "chase_refused": {"nl": "geweigerd", "en": "refused"},
        "col_reason": {"nl": "Reden", "en": "Reason"},
        "col_contact": {"nl": "Contact", "en": "Contact"},
        "col_promised": {"nl": "Belooft tegen", "en": "Promised by"},
        "col_reminded": {"nl": "Laatste herinnering", "en": "Last reminder"},
        "col_dataset": {"nl": "Dataset", "en": "Dataset"},
        "col_source": {"nl": "Via", "en": "Via"},
        "col_completeness": {"nl": "Volledig", "en": "Complete"},
        "no_contact": {"nl": "(geen adres in het register)", "en": "(no address in the register)"},
        "chase_actions": {"nl": "Acties", "en": "Actions"},
        "chase_factory": {"nl": "Fabriek", "en": "Factory"},
        "chase_remind": {"nl": "Herinnering sturen", "en": "Send a reminder"},
        "chase_remind_all": {
            "nl": "Herinnering sturen aan alle fabrieken in de lijst",
            "en": "Send a reminder to every factory in the list",
        },
        "chase_exempt": {
            "nl": "Vrijstellen voor deze maand",
            "en": "Exempt this month",
        },
        "chase_promise": {"nl": "Beloofde datum noteren", "en": "Note a promised date"},
        "chase_promise_date": {"nl": "Beloofde datum", "en": "Promised date"},
        "chase_exempted": {
            "nl": "{factory} is vrijgesteld voor {month}: ze telt niet als te laat.",
            "en": "{factory} is exempt for {month}: it does not count as late.",
        },
        "chase_exempt_list": {
            "nl": "Vrijgesteld voor {month}: {factories}",
            "en": "Exempt for {month}: {factories}",
        },
        "chase_unexempt": {"nl": "Vrijstelling opheffen", "en": "Lift the exemption"},
        "chase_unexempted": {
            "nl": "De vrijstelling van {factory} voor {month} is opgeheven.",
            "en": "The exemption of {factory} for {month} was lifted.",
        },
        "chase_promised": {
            "nl": "Genoteerd: {factory} belooft de bestanden van {month} tegen {date}.",
            "en": "Noted: {factory} promises the files of {month} by {date}.",
        },
        "reminder_sent": {
            "nl": "Herinnering gestuurd aan {factory}.",
            "en": "Reminder sent to {factory}.",
        },
        "reminder_already_today": {
            "nl": "{factory} kreeg vandaag al een herinnering; er is geen tweede gestuurd.",
            "en": "{factory} was already reminded today; no second reminder was sent.",
        },
        "reminder_no_contact": {
            "nl": "{factory} heeft geen contactadres in het register; vul het in bij Fabrieken.",
            "en": "{factory} has no contact address in the register; fill it in under Factories.",
        },
        "reminder_failed": {
            "nl": "De herinnering aan {factory} kon niet verstuurd worden ({detail}).",
            "en": "The reminder to {factory} could not be sent ({detail}).",
        },
        "reminder_subject": {
            "nl": "Herinnering: KPI-gegevens van {month}",
            "en": "Reminder: KPI data of {month}",
        },
        "reminder_body": {
            "nl": "Beste contactpersoon van {factory},\n\nVoor {month} ontbreken nog de volgende gegevens van uw fabriek:\n{lines}\n\nDe maand sluit op {close}. U kunt de bestanden indienen op het KPI-platform (pagina 'Gegevens indienen').\n\nMet vriendelijke groeten,\nDe netwerkcoördinator van het Smart Network Sint-Truiden",
            "en": "Dear contact of {factory},\n\nFor {month} the following data of your factory are still missing:\n{lines}\n\nThe month closes on {close}. You can submit the files on the KPI platform (page 'Submit data').\n\nKind regards,\nThe network coordinator of the Smart Network Sint-Truiden",
        },
        "reminder_line_late": {"nl": "{dataset}: niet ontvangen", "en": "{dataset}: not received"},
        "reminder_line_refused": {
            "nl": "{dataset}: het laatste bestand werd geweigerd ({rules})",
            "en": "{dataset}: the last file was refused ({rules})",
        },
        "grid_exempt": {"nl": "vrijgesteld", "en": "exempt"},
        "grid_not_member": {"nl": "geen lid", "en": "not a member"},
        "completeness_title": {"nl": "Volledigheid per maand", "en": "Completeness per month"},
        "completeness_help": {
            "nl": "Het aandeel van de verwachte fabrieken (leden, niet vrijgesteld) dat alle datasets van de maand heeft ingediend.",
            "en": "The share of the expected factories (members, not exempt) that submitted every dataset of the month.",
        },
        "refusal_list_title": {"nl": "Alle weigeringen", "en": "Every refusal"},
        "refusal_list_help": {
            "nl": "Geweigerde bestanden van de verwerking en van de uploadpagina, met het volledige verslag (regel, rij en kolom; nooit waarden). Opgelost: later kwam een aanvaard bestand voor dezelfde maanden.",
            "en": "Refused files from processing and from the upload page, with the full report (rule, row and column; never values). Resolved: an accepted file for the same months came later.",
        },
        "refusal_open": {"nl": "open", "en": "open"},
        "refusal_resolved": {"nl": "opgelost", "en": "resolved"},
        "refusal_source_pipeline": {"nl": "verwerking", "en": "processing"},
        "refusal_source_upload": {"nl": "uploadpagina", "en": "upload page"},
        "refusal_show_open": {"nl": "Alleen open weigeringen", "en": "Open refusals only"},
        "refusal_report": {"nl": "Volledig verslag", "en": "Full report"},
        "refusal_none": {"nl": "Geen weigeringen.", "en": "No refusals."},
        "release_preview": {
            "nl": "{month}: {submitted} van {expected} fabrieken ingediend, {contributors} bijdragers (groepen tellen als één). Een mediaan wordt gepubliceerd vanaf {median_min} bijdragers, kwartielen vanaf {quartiles_min}; minder en het cijfer blijft afgeschermd.",
            "en": "{month}: {submitted} of {expected} factories submitted, {contributors} contributors (groups count as one). A median is published from {median_min} contributors, quartiles from {quartiles_min}; fewer and the figure stays suppressed.",
        },
        "release_preview_below": {
            "nl": "Met {contributors} bijdragers blijven alle netwerkcijfers van {month} afgeschermd.",
            "en": "With {contributors} contributors every network figure of {month} stays suppressed.",
        },
        "release_confirm": {
            "nl": "Ik bevestig: {month} vrijgeven",
            "en": "I confirm: release {month}",
        },
        "release_confirm_revise": {
            "nl": "Ik bevestig: {month} herzien",
            "en": "I confirm: revise {month}",
        },
        "release_cancel": {"nl": "Annuleren", "en": "Cancel"},
        "release_outcomes_title": {"nl": "Uitgevoerde vrijgaven", "en": "Releases carried out"},
        "release_outcome": {
            "nl": "{action} {month} (gevraagd door {by} op {at}): {outcome}",
            "en": "{action} {month} (asked by {by} on {at}): {outcome}",
        },
    }
)

MESSAGES.update(
    {
        "outcome_released": {"nl": "vrijgegeven", "en": "released"},
        "outcome_revised": {"nl": "herzien", "en": "revised"},
        "outcome_unchanged": {"nl": "niets te herzien", "en": "nothing to revise"},
        "outcome_already_released": {"nl": "was al vrijgegeven", "en": "was already released"},
        "outcome_not_released": {
            "nl": "nog niet vrijgegeven, niet te herzien",
            "en": "not released, nothing to revise",
        },
        "outcome_too_few": {
            "nl": "te weinig bijdragers, niet vrijgegeven",
            "en": "too few contributors, not released",
        },
        "outcome_not_due": {"nl": "nog niet aan de beurt", "en": "not due yet"},
        "outcome_none": {
            "nl": "geen maand vrijgegeven of herzien",
            "en": "no month released or revised",
        },
    }
)


# --- the admin: accounts and the factory register --------------------------------------
MESSAGES.update(
    {
        "user_role_invalid": {
            "nl": "de rol moet een van deze zijn: {roles}",
            "en": "the role must be one of {roles}",
        },
        "user_factory_needed": {
            "nl": "een fabrieksgebruiker heeft een fabriek nodig",
            "en": "a factory user needs a factory",
        },
        "user_factory_unknown": {
            "nl": "'{code}' staat niet in het register",
            "en": "'{code}' is not in the register",
        },
        "user_factory_only_for_factory": {
            "nl": "een fabriek hoort alleen bij de rol factory",
            "en": "a factory goes only with the role factory",
        },
        "user_not_email": {
            "nl": "'{email}' is geen e-mailadres",
            "en": "'{email}' is not an e-mail address",
        },
        "user_exists": {
            "nl": "Er bestaat al een account {email}. Bevestig om het te vervangen (nieuwe rol, fabriek en wachtwoord), of wijzig het hieronder.",
            "en": "An account {email} already exists. Confirm to replace it (new role, factory and password), or change it below.",
        },
        "user_no_account": {"nl": "'{email}': geen account", "en": "no such account: '{email}'"},
        "user_password_short": {
            "nl": "wachtwoord te kort (minstens {length} tekens)",
            "en": "password too short (at least {length} characters)",
        },
        "user_password_common": {
            "nl": "dit wachtwoord staat op een lijst van veelgebruikte wachtwoorden; kies een ander",
            "en": "this password is on a list of common passwords; choose another",
        },
        "users_replace": {"nl": "Bestaand account vervangen", "en": "Replace the existing account"},
        "users_last_login": {"nl": "Laatst aangemeld", "en": "Last login"},
        "users_status": {"nl": "Status", "en": "Status"},
        "users_status_active": {"nl": "actief", "en": "active"},
        "users_status_disabled": {"nl": "uitgeschakeld", "en": "disabled"},
        "users_status_locked": {
            "nl": "geblokkeerd ({minutes} min)",
            "en": "locked ({minutes} min)",
        },
        "users_reset_password": {"nl": "Wachtwoord opnieuw instellen", "en": "Reset the password"},
        "users_new_password": {"nl": "Nieuw wachtwoord", "en": "New password"},
        "users_unlock": {"nl": "Deblokkeren", "en": "Unlock"},
        "users_password_was_reset": {"nl": "nieuw wachtwoord ingesteld", "en": "new password set"},
        "users_was_unlocked": {"nl": "gedeblokkeerd", "en": "unlocked"},
        "users_password_needed": {
            "nl": "Vul een nieuw wachtwoord in.",
            "en": "Fill in a new password.",
        },
        "users_audit": {"nl": "Logboek van wijzigingen", "en": "Log of changes"},
        "col_when": {"nl": "Wanneer", "en": "When"},
        "col_who": {"nl": "Wie", "en": "Who"},
        "col_what": {"nl": "Wat", "en": "What"},
        "col_target": {"nl": "Betreft", "en": "Concerns"},
        "col_detail": {"nl": "Details", "en": "Details"},
        "page_factories": {"nl": "Fabrieken", "en": "Factories"},
        "factories_help": {
            "nl": "Het register van het netwerk. Wijzigingen gelden voor de volgende verwerking en worden bewaard in de datamap van het platform.",
            "en": "The register of the network. Changes apply from the next run and are kept in the platform's data folder.",
        },
        "factories_elsewhere": {
            "nl": "Het register wordt elders beheerd ({path}); het kan hier niet gewijzigd worden.",
            "en": "The register is managed elsewhere ({path}); it cannot be changed here.",
        },
        "factories_add": {"nl": "Fabriek toevoegen", "en": "Add a factory"},
        "factories_change": {"nl": "Fabriek wijzigen", "en": "Change a factory"},
        "factories_save": {"nl": "Opslaan", "en": "Save"},
        "factories_saved": {
            "nl": "Fabriek {code} is opgeslagen.",
            "en": "Factory {code} was saved.",
        },
        "col_code": {"nl": "Code", "en": "Code"},
        "col_name": {"nl": "Naam", "en": "Name"},
        "col_sector": {"nl": "Sector", "en": "Sector"},
        "col_municipality": {"nl": "Gemeente", "en": "Municipality"},
        "col_company": {"nl": "Bedrijfsgroep", "en": "Company group"},
        "col_language": {"nl": "Taal", "en": "Language"},
        "col_joined": {"nl": "Lid sinds", "en": "Joined"},
        "col_left": {"nl": "Vertrokken na", "en": "Left after"},
        "factories_no_date": {"nl": "geen datum", "en": "no date"},
        "register_managed_elsewhere": {
            "nl": "Het register wordt elders beheerd ({path}).",
            "en": "The register is managed elsewhere ({path}).",
        },
        "register_code_exists": {
            "nl": "Er bestaat al een fabriek met code {code}.",
            "en": "A factory with code {code} already exists.",
        },
        "register_code_unknown": {
            "nl": "Er is geen fabriek met code {code}.",
            "en": "There is no factory with code {code}.",
        },
        "register_fields_required": {
            "nl": "Code, naam en sector zijn verplicht.",
            "en": "Code, name and sector are required.",
        },
        "register_left_before_joined": {
            "nl": "De datum van vertrek ligt vóór de datum van toetreding.",
            "en": "The date of leaving is before the date of joining.",
        },
        "register_contact_invalid": {
            "nl": "'{contact}' is geen e-mailadres.",
            "en": "'{contact}' is not an e-mail address.",
        },
    }
)

# role names as the admin reads them (issue 11, defect 10: no role codes on a page)
MESSAGES.update(
    {
        "role_name_factory": {"nl": "fabriek", "en": "factory"},
        "role_name_coordinator": {"nl": "netwerkcoördinator", "en": "network coordinator"},
        "role_name_city": {"nl": "stad", "en": "city"},
        "role_name_admin": {"nl": "beheerder", "en": "administrator"},
    }
)

# learning partners and success stories (kpi/learning, dashboards/views/learning*.py)
MESSAGES.update(
    {
        "page_learning": {"nl": "Leerpartners", "en": "Learning partners"},
        "page_learning_network": {"nl": "Leerpartners", "en": "Learning partners"},
        "learning_intro": {
            "nl": "Leer van een fabriek die het beter doet. U ziet enkel domein en KPI tot beide kanten aanvaarden; dan ziet u elkaars naam en contact. Geen cijfer van uw fabriek wordt aan de andere getoond. Elke toestemming wordt bijgehouden, kan ingetrokken worden en vervalt na een jaar.",
            "en": "Learn from a plant that does better. You see only domain and KPI until both sides accept; then you see each other's name and contact. No figure of your plant is shown to the other. Every consent is logged, can be withdrawn and expires after a year.",
        },
        "learning_domain_efficiency": {"nl": "Efficiëntie", "en": "Efficiency"},
        "learning_domain_quality": {"nl": "Kwaliteit", "en": "Quality"},
        "learning_domain_people": {"nl": "Mensen", "en": "People"},
        "learning_domain_regional": {"nl": "Regionale verankering", "en": "Regional anchoring"},
        "learning_offers_title": {"nl": "Praktijk delen", "en": "Share practice"},
        "learning_offers_help": {
            "nl": "Bied per domein aan om uw aanpak te delen (een bezoek of een gesprek). Vragen van fabrieken onder de mediaan worden u voorgesteld als u in het beste kwart zit van de laatste vrijgave.",
            "en": "Offer per domain to share your approach (a visit or a call). Requests of plants below the median are proposed to you when you are in the top quartile of the latest release.",
        },
        "learning_offer_checkbox": {
            "nl": "Wij bieden aan: {domain}",
            "en": "We offer: {domain}",
        },
        "learning_offer_band": {
            "nl": "{band} andere fabrieken bieden aan",
            "en": "{band} other plants offer",
        },
        "learning_offer_few": {
            "nl": "minder dan {threshold} andere fabrieken bieden aan (aantal niet getoond)",
            "en": "fewer than {threshold} other plants offer (number not shown)",
        },
        "learning_ask_title": {"nl": "Een leerpartner vragen", "en": "Ask for a learning partner"},
        "learning_ask_help": {
            "nl": "Kan op een KPI waarop uw waarde in de laatste vrijgegeven maand onder de mediaan van het netwerk ligt.",
            "en": "Possible on a KPI where your value in the latest released month lies below the network median.",
        },
        "learning_ask_kpi": {"nl": "KPI", "en": "KPI"},
        "learning_ask_button": {"nl": "Partner vragen", "en": "Ask for a partner"},
        "learning_asked": {
            "nl": "Uw vraag over {kpi} staat open. U hoort het hier zodra een partner aanvaardt.",
            "en": "Your request on {kpi} is open. You will see it here as soon as a partner accepts.",
        },
        "learning_refused_no_release": {
            "nl": "Er is nog geen maand vrijgegeven: een vraag vergelijkt met de mediaan van de laatste vrijgave.",
            "en": "No month has been released yet: a request compares with the median of the latest release.",
        },
        "learning_refused_no_median": {
            "nl": "De mediaan van {kpi} in {month} is niet gepubliceerd (te weinig fabrieken): een vraag is daar niet mogelijk.",
            "en": "The median of {kpi} in {month} is not published (too few plants): no request is possible there.",
        },
        "learning_refused_no_value": {
            "nl": "Uw fabriek heeft geen waarde van {kpi} in {month}, de laatste vrijgegeven maand.",
            "en": "Your plant has no value of {kpi} in {month}, the latest released month.",
        },
        "learning_refused_not_below": {
            "nl": "Uw waarde van {kpi} in {month} ligt niet onder de mediaan van het netwerk: u kunt een partner vragen op een KPI waar u onder de mediaan ligt.",
            "en": "Your value of {kpi} in {month} is not below the network median: you can ask for a partner on a KPI where you lie below the median.",
        },
        "learning_refused_changed": {
            "nl": "Uw cijfers van {month} zijn gewijzigd na de vrijgave: een vraag over {kpi} vergelijkt uw vrijgegeven waarde met de mediaan en kan pas weer na de volgende herziening.",
            "en": "Your figures of {month} changed after the release: a request on {kpi} compares your released value with the median and is possible again after the next revision.",
        },
        "learning_refused_no_direction": {
            "nl": "{kpi} heeft geen betere kant: daarop kan geen partner gevraagd worden.",
            "en": "{kpi} has no better side: no partner can be asked for on it.",
        },
        "learning_refused_open_request": {
            "nl": "U hebt al een open vraag over {kpi}.",
            "en": "You already have an open request on {kpi}.",
        },
        "learning_refused_unknown": {
            "nl": "Dit voorstel of deze vraag bestaat niet (meer).",
            "en": "This proposal or request no longer exists.",
        },
        "learning_refused_same_factory": {
            "nl": "Kies een andere fabriek dan de vragende.",
            "en": "Choose a plant other than the one asking.",
        },
        "learning_my_requests": {"nl": "Uw vragen", "en": "Your requests"},
        "learning_no_requests": {
            "nl": "U hebt geen open vragen.",
            "en": "You have no open requests.",
        },
        "learning_request_line": {
            "nl": "{kpi} ({domain}), gevraagd op {date}, vergeleken met {month}",
            "en": "{kpi} ({domain}), asked on {date}, compared with {month}",
        },
        "learning_request_waiting": {
            "nl": "Nog geen partner heeft aanvaard.",
            "en": "No partner has accepted yet.",
        },
        "learning_partner_accepted": {
            "nl": "Een fabriek wil haar praktijk over {kpi} delen. Aanvaardt u, dan ziet u elkaars naam en contact.",
            "en": "A plant is willing to share its practice on {kpi}. If you accept, you see each other's name and contact.",
        },
        "learning_introduced": {
            "nl": "Voorgesteld aan {name} — contact: {contact}",
            "en": "Introduced to {name} — contact: {contact}",
        },
        "learning_no_contact": {
            "nl": "geen contact in het register",
            "en": "no contact in the register",
        },
        "learning_accept": {"nl": "Aanvaarden", "en": "Accept"},
        "learning_decline": {"nl": "Afwijzen", "en": "Decline"},
        "learning_withdraw": {"nl": "Toestemming intrekken", "en": "Withdraw consent"},
        "learning_withdraw_request": {"nl": "Vraag intrekken", "en": "Withdraw request"},
        "learning_waiting_other": {
            "nl": "U hebt aanvaard; de andere kant nog niet.",
            "en": "You accepted; the other side has not yet.",
        },
        "learning_proposals_title": {
            "nl": "Vragen aan u voorgesteld",
            "en": "Requests proposed to you",
        },
        "learning_no_proposals": {
            "nl": "Er zijn u geen vragen voorgesteld.",
            "en": "No requests have been proposed to you.",
        },
        "learning_proposal_line": {
            "nl": "Een fabriek vraagt een partner voor {kpi} ({domain}).",
            "en": "A plant asks for a partner on {kpi} ({domain}).",
        },
        "learning_proposal_brokered": {
            "nl": "voorgesteld door de netwerkcoördinator",
            "en": "proposed by the network coordinator",
        },
        "learning_stories_title": {"nl": "Succesverhaal", "en": "Success story"},
        "learning_story_line": {
            "nl": "Op {kpi} stijgt u van kwartiel {then} ({since}) naar kwartiel {now} ({until}) van het netwerk.",
            "en": "On {kpi} you rose from quartile {then} ({since}) to quartile {now} ({until}) of the network.",
        },
        "learning_story_consent": {
            "nl": "De netwerkcoördinator mag ons als succesverhaal noemen (naam, KPI en kwartielen; geen waarden)",
            "en": "The network coordinator may name us as a success story (name, KPI and quartiles; no values)",
        },
        "learning_no_stories": {
            "nl": "U stijgt op geen enkele KPI een kwartiel over de laatste 12 maanden.",
            "en": "You did not rise a quartile on any KPI over the last 12 months.",
        },
        "learning_history_title": {"nl": "Uw toestemmingen (logboek)", "en": "Your consents (log)"},
        "learning_given": {"nl": "gegeven", "en": "given"},
        "learning_withdrawn": {"nl": "ingetrokken", "en": "withdrawn"},
        "learning_asked_entry": {"nl": "vraag", "en": "request"},
        "learning_brokered_entry": {"nl": "koppeling", "en": "pairing"},
        "col_consent": {"nl": "Toestemming", "en": "Consent"},
        "col_domain": {"nl": "Domein", "en": "Domain"},
        "col_since": {"nl": "Sinds", "en": "Since"},
        "col_requester": {"nl": "Vragende fabriek", "en": "Asking plant"},
        "col_offerer": {"nl": "Delende fabriek", "en": "Sharing plant"},
        "col_quartiles": {"nl": "Kwartiel toen → nu", "en": "Quartile then → now"},
        "col_period": {"nl": "Periode", "en": "Period"},
        "learning_status_open": {"nl": "open", "en": "open"},
        "learning_status_introduced": {"nl": "kennismaking gemaakt", "en": "introduced"},
        "learning_status_both": {"nl": "beide aanvaard", "en": "both accepted"},
        "learning_status_offerer": {"nl": "delende kant aanvaardde", "en": "sharing side accepted"},
        "learning_status_requester": {
            "nl": "vragende kant aanvaardde",
            "en": "asking side accepted",
        },
        "learning_status_none": {"nl": "wacht op beide", "en": "waiting for both"},
        "learning_network_intro": {
            "nl": "Aanbiedingen, vragen en kennismakingen bij naam. U ziet geen cijfers en niet aan wie het platform een vraag voorstelde; een koppeling die u voorstelt heeft nog de toestemming van beide kanten nodig.",
            "en": "Offers, requests and introductions by name. You see no figures and not to whom the platform proposed a request; a pairing you propose still needs the consent of both sides.",
        },
        "learning_offers_all": {"nl": "Aanbiedingen", "en": "Offers"},
        "learning_requests_all": {"nl": "Vragen", "en": "Requests"},
        "learning_introductions": {"nl": "Kennismakingen", "en": "Introductions"},
        "learning_brokered_title": {"nl": "Uw koppelingen", "en": "Your pairings"},
        "learning_broker_title": {"nl": "Een koppeling voorstellen", "en": "Propose a pairing"},
        "learning_broker_request": {"nl": "Vraag", "en": "Request"},
        "learning_broker_offerer": {"nl": "Voorstellen aan", "en": "Propose to"},
        "learning_broker_button": {"nl": "Koppeling voorstellen", "en": "Propose pairing"},
        "learning_brokered_done": {
            "nl": "Voorgesteld; beide kanten moeten nog aanvaarden.",
            "en": "Proposed; both sides still have to accept.",
        },
        "learning_none": {"nl": "Geen.", "en": "None."},
        "learning_stories_all": {"nl": "Succesverhalen", "en": "Success stories"},
        "learning_stories_all_help": {
            "nl": "Per KPI de fabrieken die over 12 maanden het meest stegen in de kwartielen van het netwerk (gepubliceerde kwartielen, geen waarden), enkel wie toestemde om genoemd te worden.",
            "en": "Per KPI the plants that rose most in the network's quartiles over 12 months (published quartiles, no values), only those that agreed to be named.",
        },
    }
)

# the Factory of the Future self-scan (issue 13, item 1): page, form and profile
MESSAGES.update(
    {
        "page_selfscan": {"nl": "Zelfscan", "en": "Self-scan"},
        "selfscan_title": {
            "nl": "Factory of the Future-zelfscan",
            "en": "Factory of the Future self-scan",
        },
        "selfscan_intro": {
            "nl": "Eén keer per jaar scoort uw fabriek zichzelf op de stellingen van de zeven transformaties van het Factory of the Future-model, van 1 tot 5; 4 is het Factory of the Future-niveau. U kunt per transformatie bewaren en later verdergaan; indienen kan als alle stellingen beantwoord zijn.",
            "en": "Once a year your factory scores itself on the statements of the seven transformations of the Factory of the Future model, from 1 to 5; 4 is the Factory of the Future level. You can save each transformation and continue later; you can submit once every statement is answered.",
        },
        "selfscan_tab_profile": {"nl": "Profiel", "en": "Profile"},
        "selfscan_tab_form": {"nl": "Scan invullen", "en": "Fill in the scan"},
        "selfscan_year": {"nl": "Jaar van de scan", "en": "Year of the scan"},
        "selfscan_scale": {"nl": "Schaal: {scale}", "en": "Scale: {scale}"},
        "selfscan_save": {"nl": "Bewaren", "en": "Save"},
        "selfscan_saved": {
            "nl": "{transformation} bewaard. {answered} van {total} stellingen beantwoord.",
            "en": "{transformation} saved. {answered} of {total} statements answered.",
        },
        "selfscan_progress": {
            "nl": "{answered} van {total} stellingen beantwoord",
            "en": "{answered} of {total} statements answered",
        },
        "selfscan_last_saved": {
            "nl": "Laatst bewaard op {date} door {who}.",
            "en": "Last saved on {date} by {who}.",
        },
        "selfscan_submit": {"nl": "Scan {year} indienen", "en": "Submit the {year} scan"},
        "selfscan_incomplete": {
            "nl": "Nog niet in te dienen: {count} stelling(en) zonder antwoord ({transformations}).",
            "en": "Not ready to submit: {count} statement(s) without an answer ({transformations}).",
        },
        "selfscan_submitted": {
            "nl": "Scan {year} ingediend. Hij wordt verwerkt zoals een opgeladen bestand; uw profiel verschijnt daarna op het tabblad Profiel.",
            "en": "The {year} scan is submitted. It is processed like an uploaded file; your profile then appears on the Profile tab.",
        },
        "selfscan_submitted_on": {
            "nl": "Ingediend op {date}. U kunt antwoorden aanpassen en opnieuw indienen; de laatste indiening telt.",
            "en": "Submitted on {date}. You can change answers and submit again; the latest submission counts.",
        },
        "selfscan_refused": {
            "nl": "De scan is geweigerd: {count} fout(en). Er is niets opgeslagen.",
            "en": "The scan was refused: {count} error(s). Nothing was stored.",
        },
        "selfscan_waiting": {
            "nl": "Een ingediende scan wordt nog verwerkt; het profiel toont daarna de nieuwe scores.",
            "en": "A submitted scan is still being processed; the profile then shows the new scores.",
        },
        "selfscan_no_profile": {
            "nl": "Er is nog geen zelfscan van uw fabriek verwerkt. Vul de scan in op het tabblad Scan invullen.",
            "en": "No self-scan of your factory has been processed yet. Fill in the scan on the tab Fill in the scan.",
        },
        "selfscan_profile_year": {"nl": "Profiel van", "en": "Profile of"},
        "selfscan_series_own": {"nl": "Uw fabriek {year}", "en": "Your factory {year}"},
        "selfscan_series_median": {
            "nl": "Mediaan van het netwerk {year}",
            "en": "Network median {year}",
        },
        "selfscan_median_open": {
            "nl": "De mediaan van het netwerk voor {year} wordt vrijgegeven op {date} (of eerder, door de coördinator). U ziet uw eigen profiel al.",
            "en": "The network median of {year} is released on {date} (or earlier, by the coordinator). You see your own profile already.",
        },
        "selfscan_network_intro": {
            "nl": "Het profiel van het netwerk: per transformatie de mediaan van de vrijgegeven zelfscans (minstens {threshold} bijdragers, afgerond), nooit de score van één fabriek.",
            "en": "The network's profile: per transformation the median of the released self-scans (at least {threshold} contributors, rounded), never one factory's score.",
        },
        "selfscan_network_none": {
            "nl": "Er is nog geen zelfscan vrijgegeven.",
            "en": "No self-scan has been released yet.",
        },
        "selfscan_year_open": {
            "nl": "Zelfscan {year}: open, {submitted} fabriek(en) hebben ingediend; vrijgave op {date}.",
            "en": "Self-scan {year}: open, {submitted} factory(ies) have submitted; released on {date}.",
        },
        "selfscan_year_released": {
            "nl": "Zelfscan {year}: vrijgegeven op {date}.",
            "en": "Self-scan {year}: released on {date}.",
        },
        "selfscan_close_year": {
            "nl": "Zelfscan {year} nu vrijgeven",
            "en": "Release the {year} self-scan now",
        },
        "selfscan_close_requested": {
            "nl": "Gevraagd: de volgende verwerking geeft de zelfscan {year} vrij (als er genoeg bijdragers zijn).",
            "en": "Requested: the next run releases the {year} self-scan (when there are enough contributors).",
        },
        "reason_shared": {
            "nl": "onderdrukt: de mediaan zou de score van één of twee fabrieken zijn",
            "en": "suppressed: the median would be the score of one or two factories",
        },
        "selfscan_suppressed_note": {
            "nl": "Onderdrukte mediaan ({reasons}): op de radar is de lijn daar onderbroken.",
            "en": "Suppressed median ({reasons}): the radar's line is broken there.",
        },
        "release_action_close_scan": {"nl": "zelfscan vrijgeven", "en": "release self-scan"},
        "release_action_revise_scan": {"nl": "zelfscan herzien", "en": "revise self-scan"},
        "col_transformation": {"nl": "Transformatie", "en": "Transformation"},
        "col_score": {"nl": "Score", "en": "Score"},
        "col_own_score": {"nl": "Uw score {year}", "en": "Your score {year}"},
        "col_change_since": {"nl": "Verschil met {year}", "en": "Change since {year}"},
        "col_network_median": {"nl": "Mediaan netwerk {year}", "en": "Network median {year}"},
        "col_factories_band": {"nl": "Fabrieken", "en": "Factories"},
    }
)
