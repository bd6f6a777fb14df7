"""Small helpers the pages share: the session's language, texts, numbers as Flemish
readers write them, suppressed figures shown with their reason, and user text shown as
text."""

from __future__ import annotations

import math
import re

import streamlit as st

from kpi import i18n
from kpi.i18n import DEFAULT_LANGUAGE, LANGUAGES, message

LANGUAGE_KEY = "language"


def lang() -> str:
    return st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def t(key: str, **params: object) -> str:
    return message(key, lang(), **params)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^@])")


def plain(text: object) -> str:
    """``text`` from a user (a file name, a cell, an e-mail address) made safe to put in
    a message that Streamlit renders as Markdown: every character Markdown could act on
    is escaped and line breaks become spaces, so it shows as written: no link, image,
    heading, formula or colour."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).splitlines()))


def language_selector() -> None:
    st.sidebar.segmented_control(
        message("language", lang()),
        LANGUAGES,
        key=LANGUAGE_KEY,
        default=DEFAULT_LANGUAGE,
        format_func=str.upper,
    )


def number(value: float | None, decimals: int = 1, lang_code: str | None = None) -> str:
    """1234.5 -> '1.234,5' in Dutch, '1,234.5' in English; None -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if (lang_code or lang()) == "nl":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def shown_decimals(unit: str, decimals: int | None) -> int | None:
    """The decimals a KPI's figures are shown with: its display precision (the
    catalogue's ``decimals`` of the stored figure; a ratio shows as a percentage)."""
    if decimals is None:
        return None
    return max(decimals - 2, 0) if unit == "ratio" else decimals


def rounded(amount: float | None, unit: str, decimals: int | None) -> float | None:
    """``amount`` at the precision it is shown with, so a difference that shows as zero
    is zero (and gets no verdict)."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return None
    places = shown_decimals(unit, decimals)
    if places is None:
        return amount
    return round(amount, places + 2) if unit == "ratio" else round(amount, places)


def value(
    amount: float | None,
    unit: str,
    *,
    signed: bool = False,
    decimals: int | None = None,
    lang_code: str | None = None,
) -> str:
    """A figure in its unit: ratios as percentages, counts whole, euros in millions.
    With the KPI's ``decimals``, every figure of that KPI shows as many decimals."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    places = shown_decimals(unit, decimals)
    amount = rounded(amount, unit, decimals) or 0.0
    sign = "+" if signed and amount > 0 else "-" if amount < 0 else ""
    amount = abs(amount)  # the sign goes first: "-€ 3,5 mln", so a delta reads as a fall
    if unit == "ratio":
        # a difference of two shares is in percentage points
        percent = number(amount * 100, 1 if places is None else places, lang_code)
        return f"{sign}{percent} {'pp' if signed else '%'}"
    if unit == "EUR":
        if abs(amount) >= 1e6:
            return f"{sign}€ {number(amount / 1e6, 1, lang_code)} mln"
        return f"{sign}€ {number(amount, 0, lang_code)}"
    if unit in ("persons", "ppm"):
        return f"{sign}{number(amount, 0, lang_code)}"
    if unit == "kWh/h":
        return f"{sign}{number(amount, 0, lang_code)} kWh/h"
    if places is not None:
        return f"{sign}{number(amount, places, lang_code)}"
    return f"{sign}{number(amount, 2 if abs(amount) < 10 else 1, lang_code)}"


def suppressed_text(reason: str | None, threshold: int | None) -> str:
    """Why a figure is suppressed, never how many factories it had."""
    if not reason:
        return t("suppressed")
    return t(f"reason_{reason}", threshold=threshold or "?")


def long_date(day) -> str:
    """2026-12-20 -> '20 december 2026' (Dutch) or '20 December 2026'."""
    return i18n.long_date(day, lang())


def download_csv(frame, file_name: str) -> None:
    """A button that downloads ``frame`` as CSV for Excel (what is shown, as shown)."""
    from kpi.serving import excel_csv

    st.download_button(
        t("download_csv"),
        data=excel_csv(frame),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
    )


def peer_group_name(group: str) -> str:
    """'sector:electronics' -> 'sector electronics'; the network and size bands in words."""
    kind, _, name = group.partition(":")
    if kind == "network":
        return t("peer_network")
    return t(f"peer_named_{kind}", name=name.replace(">=", "≥ ").replace("<", "< "))


def uploader_in_language(limit_mb: int) -> None:
    """Streamlit's file uploader names its button and limit in English ('Upload',
    '10MB per file'); these styles show them in the user's language instead."""
    import json

    button = json.dumps(t("upload_button"), ensure_ascii=False)
    limit = json.dumps(t("upload_limit", mb=limit_mb), ensure_ascii=False)
    st.html(
        "<style>"
        "[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p"
        "{font-size:0} "
        "[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p::after"
        f"{{content:{button};font-size:0.875rem}} "
        "[data-testid=stFileUploaderDropzoneInstructions] span{font-size:0} "
        "[data-testid=stFileUploaderDropzoneInstructions] span::after"
        f"{{content:{limit};font-size:0.875rem}}"
        "</style>"
    )


_CLOSE_SIDEBAR = """<script>
(() => {
  // On a phone the sidebar covers the page: close it once a page has been chosen.
  const doc = window.parent ? window.parent.document : document;
  if (doc.kpiClosesSidebar) return;
  doc.kpiClosesSidebar = true;
  doc.addEventListener("click", (event) => {
    if (!event.target.closest("[data-testid=stSidebarNavLink]")) return;
    if (doc.defaultView.innerWidth >= 768) return;
    setTimeout(() => {
      const close = doc.querySelector("[data-testid=stSidebarCollapseButton] button");
      if (close) close.click();
    }, 300);
  }, true);
})();
</script>"""


def close_sidebar_after_navigation() -> None:
    """On narrow screens, choosing a page closes the sidebar (Streamlit leaves it open
    over the page)."""
    st.html(_CLOSE_SIDEBAR, unsafe_allow_javascript=True)
