"""Reminders by e-mail: through SMTP (``KPI_SMTP_*``), or - without a host, as in the
demo - written as ``.eml`` files to ``$KPI_DATA_DIR/outbox/``. Each contact is written in
its own language, and nobody is reminded twice on one day (the reminder log)."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kpi.contracts import DATASETS, load_contract
from kpi.coordination.notes import CoordinatorNotes
from kpi.i18n import MESSAGES, message
from kpi.settings import Settings

SENT = "sent"
ALREADY_TODAY = "already_today"
NO_CONTACT = "no_contact"
FAILED = "failed"


def rule_label(dataset: str, rule: str, lang: str) -> str:
    """What a rule checks, in words and without any value: the contract's description of
    its own rules, the platform's for the generic ones (type, required, file problems)."""
    if dataset in DATASETS:
        for candidate in load_contract(dataset).rules:
            if candidate.name == rule:
                return candidate.description(lang)
    key = f"rule_{rule}"
    return message(key, lang) if key in MESSAGES else rule


def reminder(
    settings: Settings, rows: list[dict], month: dt.date, close_date: dt.date
) -> EmailMessage:
    """The reminder to one factory (``rows``: its chase-list rows), in its language."""
    first = rows[0]
    lang = first["language"] or "nl"
    lines = []
    for row in rows:
        title = load_contract(row["dataset"]).title(lang)
        if row["status"] == "refused":
            rules = ", ".join(
                dict.fromkeys(
                    rule_label(row["dataset"], r["rule"], lang)
                    for r in row["reasons"]
                    if r.get("severity") == "error"
                )
            )
            lines.append(message("reminder_line_refused", lang, dataset=title, rules=rules))
        else:
            lines.append(message("reminder_line_late", lang, dataset=title))
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = first["contact"]
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="kpi.local")
    mail["Subject"] = message("reminder_subject", lang, month=f"{month:%Y-%m}")
    mail.set_content(
        message(
            "reminder_body",
            lang,
            factory=first["factory_name"],
            month=f"{month:%Y-%m}",
            close=close_date.isoformat(),
            lines="\n".join(f"- {line}" for line in lines),
        )
    )
    return mail


def deliver(settings: Settings, mail: EmailMessage) -> str:
    """Send ``mail`` through the configured SMTP server, or write it to the outbox when
    none is configured; returns which ('smtp' or 'outbox')."""
    if not settings.smtp_host:
        settings.outbox_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        safe_to = "".join(c if c.isalnum() else "_" for c in str(mail["To"]))
        (settings.outbox_dir / f"{stamp}-{safe_to}.eml").write_bytes(bytes(mail))
        return "outbox"
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as server:
        if settings.smtp_starttls:
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            server.login(settings.smtp_user, password)
        server.send_message(mail)
    return "smtp"


def send_reminders(
    settings: Settings,
    chase_rows: list[dict],
    month: dt.date,
    close_date: dt.date,
    by: str,
    today: dt.date | None = None,
    only: set[str] | None = None,
) -> list[dict]:
    """Remind every factory of ``chase_rows`` (or those in ``only``) of its missing or
    refused files of ``month``. One outcome per factory: sent, already_today (reminded
    earlier today: not again), no_contact (no address in the register) or failed."""
    notes = CoordinatorNotes(settings)
    day = today or dt.date.today()
    per_factory: dict[str, list[dict]] = {}
    for row in chase_rows:
        if only is None or row["factory_code"] in only:
            per_factory.setdefault(row["factory_code"], []).append(row)
    outcomes = []
    for code, rows in per_factory.items():
        outcome = {"factory_code": code, "factory_name": rows[0]["factory_name"]}
        if not rows[0]["contact"]:
            outcomes.append({**outcome, "outcome": NO_CONTACT})
            continue
        if notes.reminded_on(code, day):
            outcomes.append({**outcome, "outcome": ALREADY_TODAY})
            continue
        try:
            backend = deliver(settings, reminder(settings, rows, month, close_date))
        except (OSError, smtplib.SMTPException) as exc:
            outcomes.append({**outcome, "outcome": FAILED, "detail": str(exc)})
            continue
        notes.log_reminder(code, month, rows[0]["contact"], rows[0]["language"], by, backend, day)
        outcomes.append({**outcome, "outcome": SENT})
    return outcomes
