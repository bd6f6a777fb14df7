"""The ``kpi`` command: check, submit and process files, write templates, run the demo.

Exit codes: 0 success (a file accepted, possibly with warnings), 1 a file refused or a
run that failed, 2 the command was used wrongly.
"""

from __future__ import annotations

import atexit
import datetime as dt
import enum
import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from kpi.contracts import UPLOAD_DATASETS, load_contract
from kpi.i18n import LANGUAGES
from kpi.register import load_register
from kpi.settings import Settings, ensure_dagster_home, get_settings, prepare_data_dir

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="KPI-platform van het Sint-Truidense smart factory netwerk / KPI platform of the "
    "Sint-Truiden smart factory network.",
)

Dataset = enum.StrEnum("Dataset", {name: name for name in UPLOAD_DATASETS})  # type: ignore[misc]


class Format(enum.StrEnum):
    xlsx = "xlsx"
    csv = "csv"


class ExportWhat(enum.StrEnum):
    peer_stats = "peer-stats"
    region = "region"


class ExportFormat(enum.StrEnum):
    csv = "csv"
    parquet = "parquet"


DatasetOption = Annotated[
    Dataset,
    typer.Option("--dataset", "-d", help="efficiency, quality, people, regional or maturity"),
]
FactoryOption = Annotated[
    str, typer.Option("--factory", "-f", help="Code of the submitting factory, e.g. F01")
]
LangOption = Annotated[str | None, typer.Option("--lang", help="nl (default) or en")]
ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


def _lang(lang: str | None, settings: Settings) -> str:
    chosen = (lang or settings.lang).lower()
    if chosen not in LANGUAGES:
        raise typer.BadParameter(f"use one of {', '.join(LANGUAGES)}", param_hint="--lang")
    return chosen


def _factory(code: str, settings: Settings) -> str:
    register = load_register(settings.register_path)
    factory = register.by_code(code)
    if factory is None:
        raise typer.BadParameter(
            f"'{code}' staat niet in het register {settings.factory_register} "
            f"/ is not in the register (known: {', '.join(register.codes[:20])}"
            f"{' …' if len(register.codes) > 20 else ''})",
            param_hint="--factory",
        )
    return factory.code


@app.command()
def validate(
    file: ExistingFile,
    dataset: DatasetOption,
    factory: FactoryOption,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    lang: LangOption = None,
) -> None:
    """Check a file against its data contract; store nothing."""
    from kpi.validation import Upload, validate_uploads

    settings = get_settings()
    chosen = _lang(lang, settings)
    code = _factory(factory, settings)
    # one file, answered fast: the Polars interpretation of the contract's suite (the
    # pipeline runs the same suite in Great Expectations; a test keeps them in agreement)
    report = validate_uploads(
        [Upload(file, dataset.value, code)], settings.max_file_bytes, engine="polars"
    )[0]
    if json_output:
        typer.echo(json.dumps(report.to_json(chosen), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.to_text(chosen))
        sql_rules = [r.name for r in load_contract(dataset.value).rules if r.kind == "sql"]
        if report.accepted and sql_rules:
            from kpi.i18n import message

            typer.echo(message("report_sql_later", chosen, rules=", ".join(sql_rules)))
    raise typer.Exit(0 if report.accepted else 1)


@app.command()
def submit(
    file: ExistingFile,
    dataset: DatasetOption,
    factory: FactoryOption,
    by: Annotated[str | None, typer.Option("--by", help="Who submits (for the audit log)")] = None,
) -> None:
    """Place a file in the landing zone; the sensor or `kpi run` processes it."""
    from kpi.landing import submit as place

    settings = get_settings()
    code = _factory(factory, settings)
    prepare_data_dir(settings)
    submission = place(file, dataset.value, code, settings, submitted_by=by)
    typer.echo(
        f"{submission.submission_id}: {file.name} -> {submission.path}\n"
        "In de landingszone; de sensor of `kpi run` verwerkt het bestand. / "
        "In the landing zone; the sensor or `kpi run` will process it."
    )


def run_monthly_cycle(settings: Settings) -> str:
    """Materialise every asset in-process on the local Dagster instance; return run id."""
    prepare_data_dir(settings)
    ensure_dagster_home(settings)
    from kpi.expectations import end_ahead, start_ahead
    from kpi.landing import anything_waiting

    if anything_waiting(settings):  # the contract checks' GX process imports GX meanwhile
        start_ahead()
    try:
        return _run_job(settings)
    finally:
        end_ahead()


def _run_job(settings: Settings) -> str:
    from dagster import DagsterInstance
    from filelock import FileLock

    from assets.names import MONTHLY_JOB
    from pipelines.definitions import build_definitions, long_lived_frozen
    from pipelines.monitoring import PROCESS_TAG, this_process

    job = build_definitions(settings).resolve_job_def(MONTHLY_JOB)
    # two runs opening a new instance at once would both create its tables
    with FileLock(str(settings.dagster_home / ".instance.lock")):
        instance = DagsterInstance.get()
    with instance, long_lived_frozen():
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            # if this process dies, the sensor sees it is gone and fails the run
            tags={PROCESS_TAG: this_process()},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    from kpi.timing import write_if_requested

    write_if_requested()
    if not result.success:
        typer.echo(
            f"De verwerking is mislukt / the run failed: see the Dagster UI, run {result.run_id}",
            err=True,
        )
        raise typer.Exit(1)
    recovered = sum(
        int(m.metadata["recovered_this_run"].value)
        for m in result.asset_materializations_for_node("ingest_submissions")
        if "recovered_this_run" in m.metadata
    )
    if recovered:
        from kpi.i18n import both_languages

        typer.echo(both_languages("run_recovered", count=recovered))
    return result.run_id


def _print_run(settings: Settings, run_id: str, lang: str) -> None:
    import duckdb
    from filelock import FileLock

    from kpi.findings import Finding
    from kpi.validation import describe_periods

    # another run may hold the warehouse open for writing (DuckDB allows no reader in
    # another process meanwhile): wait for its turn, like a run does
    with (
        FileLock(str(settings.warehouse_lock_path)),
        duckdb.connect(str(settings.warehouse_path), read_only=True) as con,
    ):
        rows = con.execute(
            "SELECT file_name, dataset, status, periods, warnings, errors FROM submissions "
            "WHERE run_id = ? ORDER BY received_at",
            [run_id],
        ).fetchall()
    if not rows:
        typer.echo("Geen bestanden in de wachtrij / no files were waiting.")
        return
    lines = []  # echoed at once: a history's files and warnings are tens of thousands
    for name, dataset, status, periods, warnings, errors in rows:
        lines.append(f"{status:<11} {dataset:<11} {describe_periods(periods) or '-':<22} {name}")
        for record in json.loads(errors) + json.loads(warnings):
            item = Finding.from_record(record)
            where = f"rij/row {item.row}, " if item.row else ""
            lines.append(f"    {item.severity}: {where}{item.column or ''}: {item.message(lang)}")
    typer.echo("\n".join(lines))


@app.command()
def run(lang: LangOption = None) -> None:
    """Process every waiting file and materialise all assets (in this process)."""
    from kpi.disclosure import load_disclosure

    settings = get_settings()
    chosen = _lang(lang, settings)
    # a bad configuration is named here (exit 2) rather than failing the run
    load_register(settings.register_path)
    load_disclosure(settings.disclosure_config)
    run_id = run_monthly_cycle(settings)
    _print_run(settings, run_id, chosen)
    _DONE.set()


@app.command()
def template(
    dataset: DatasetOption,
    fmt: Annotated[Format, typer.Option("--format", help="xlsx or csv")],
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False)],
    lang: LangOption = None,
) -> None:
    """Write an empty upload template with the contract's columns, units and rules."""
    from kpi.templates import write_template

    settings = get_settings()
    path = write_template(load_contract(dataset.value), output, fmt.value, _lang(lang, settings))
    typer.echo(str(path))


@app.command()
def export(
    what: Annotated[ExportWhat, typer.Argument(help="peer-stats or region")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or parquet")],
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False)],
) -> None:
    """Export the published peer statistics or regional indicators (anonymous only)."""
    from kpi.serving import export as write_export

    settings = get_settings()
    if not settings.serving_path.exists():
        typer.echo(
            f"Nog geen gepubliceerde benchmark in {settings.serving_path}: voer eerst `kpi run` "
            "uit. / No published benchmark yet: run `kpi run` first.",
            err=True,
        )
        raise typer.Exit(1)
    rows = write_export(settings.serving_path, what.value, fmt.value, output)
    typer.echo(f"{rows} rijen / rows -> {output}")


@app.command()
def report(
    factory: Annotated[
        str | None, typer.Option("--factory", "-f", help="The factory's monthly report, e.g. F01")
    ] = None,
    city: Annotated[bool, typer.Option("--city", help="The city's council report")] = False,
    month: Annotated[str, typer.Option("--month", "-m", help="YYYY-MM, e.g. 2026-10")] = "",
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False)] = Path("report.pdf"),
    lang: LangOption = None,
) -> None:
    """Make a PDF report from the published figures: a factory's monthly report
    ("Maandrapport": its position per KPI, trends with the peer band, definitions, the
    release it shows) or, with --city, the council report of the city's indicators."""
    from dashboards import data
    from kpi.disclosure.requests import parse_month

    settings = get_settings()
    language = _lang(lang, settings)
    if (factory is None) == (not city):
        raise typer.BadParameter("give --factory CODE or --city", param_hint="--factory")
    try:
        period = parse_month(month)
    except ValueError:
        raise typer.BadParameter(
            f"'{month}' is geen maand (JJJJ-MM) / is not a month (YYYY-MM)", param_hint="--month"
        ) from None
    if not settings.serving_path.exists():
        typer.echo(
            "Nog geen gepubliceerde cijfers: voer eerst `kpi run` uit. / Nothing published "
            "yet: run `kpi run` first.",
            err=True,
        )
        raise typer.Exit(1)
    if city:
        from dashboards.council_report import render as render_council

        viewer = data.Viewer("cli", "city", None)
        released = data.months(viewer)
        if period not in released:
            typer.echo(
                f"{period:%Y-%m} is niet vrijgegeven / is not released "
                f"(vrijgegeven / released: {', '.join(f'{m:%Y-%m}' for m in released[-6:])}).",
                err=True,
            )
            raise typer.Exit(1)
        content = render_council(viewer, period, language)
    else:
        from dashboards.monthly_report import render as render_monthly

        viewer = data.Viewer("cli", "factory", _factory(factory or "", settings))
        if period not in data.own_months(viewer):
            typer.echo(
                f"{viewer.factory_code} heeft geen cijfers voor {period:%Y-%m} / has no figures "
                f"for {period:%Y-%m}.",
                err=True,
            )
            raise typer.Exit(1)
        content = render_monthly(viewer, period, language)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    typer.echo(f"{output} ({len(content) // 1024} kB)")


release_app = typer.Typer(
    no_args_is_help=True,
    help="Releases: close a month (publish it to peers and the city) or revise it.",
)
app.add_typer(release_app, name="release")
MonthArgument = Annotated[str, typer.Argument(help="The month, YYYY-MM (e.g. 2026-10)")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who asks (for the release log)")]

OUTCOME_TEXTS = {
    "released": "vrijgegeven / released",
    "revised": "herzien / revised",
    "unchanged": "niets te herzien / nothing to revise",
    "held": "wijzigingen niet publiceerbaar, vrijgave blijft / changes held, release stays",
    "already_released": "was al vrijgegeven / was already released",
    "not_released": "nog niet vrijgegeven, niet te herzien / not released, nothing to revise",
    "too_few": "te weinig bijdragers, niet vrijgegeven / too few contributors, not released",
}


def _release(action: str, month: str | None, by: str | None) -> None:
    from kpi.disclosure.requests import SCAN_ACTIONS, parse_month, place_request

    settings = get_settings()
    yearly = action in SCAN_ACTIONS
    try:
        if month is None:
            period = None
        elif yearly:
            if not month.strip().isdigit() or len(month.strip()) != 4:
                raise ValueError(month)
            period = dt.date(int(month), 1, 1)
        else:
            period = parse_month(month)
    except ValueError:
        what = (
            "jaar (JJJJ) / is not a year (YYYY)"
            if yearly
            else "maand (JJJJ-MM) / is not a month (YYYY-MM)"
        )
        raise typer.BadParameter(
            f"'{month}' is geen {what}", param_hint="YEAR" if yearly else "MONTH"
        ) from None
    request = place_request(settings, action, period, by or "cli")  # type: ignore[arg-type]
    run_monthly_cycle(settings)
    done = settings.data_dir / "requests" / "done" / request.path.name
    outcomes = json.loads(done.read_text()).get("outcomes", []) if done.exists() else []
    if not outcomes:
        typer.echo("Geen maand vrijgegeven of herzien / no month released or revised.")
    for outcome in outcomes:
        text = OUTCOME_TEXTS.get(outcome["action"], outcome["action"])
        line = f"{str(outcome['period'])[: 4 if yearly else 7]}: {text}"
        if outcome["action"] in ("revised", "held"):
            line += (
                f" (herziening / revision {outcome['revision']}: {outcome['revised']} cijfers "
                f"herzien / figures revised, {outcome['not_revised']} niet herzien / not revised)"
            )
        typer.echo(line)


@release_app.command("close")
def release_close(month: MonthArgument, by: ByOption = None) -> None:
    """Close a month now (before its close day): publish its peer statistics and regional
    indicators as a release, frozen from then on."""
    _release("close", month, by)


@release_app.command("revise")
def release_revise(
    month: Annotated[
        str | None, typer.Argument(help="The month, YYYY-MM; every released month if omitted")
    ] = None,
    by: ByOption = None,
) -> None:
    """Publish a revision of a released month: late files and corrections are published
    where the change passes the disclosure rules; elsewhere the release stays."""
    _release("revise", month, by)


@release_app.command("close-scan")
def release_close_scan(
    year: Annotated[str, typer.Argument(help="The year of the self-scan, YYYY")],
    by: ByOption = None,
) -> None:
    """Release a year's Factory of the Future self-scan now (before the close day of its
    December): the network's median profile, frozen from then on."""
    _release("close_scan", year, by)


@release_app.command("revise-scan")
def release_revise_scan(
    year: Annotated[str | None, typer.Argument(help="The year, YYYY; every one if omitted")] = None,
    by: ByOption = None,
) -> None:
    """Revise a released self-scan year: a median changes only where enough contributors
    changed their scan; elsewhere the release stays, marked not revised."""
    _release("revise_scan", year, by)


@release_app.command("list")
def release_list() -> None:
    """The release history: every release and revision, when and for whom."""
    import duckdb

    from kpi.disclosure.releases import RELEASES

    settings = get_settings()
    if not settings.warehouse_path.exists():
        typer.echo("Nog geen warehouse / no warehouse yet: run `kpi run` first.")
        raise typer.Exit(1)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        try:
            rows = con.execute(
                f"SELECT period, revision, kind, released_at, requested_by, contributors, "
                f"figures_published, figures_revised, figures_not_revised FROM {RELEASES} "
                "ORDER BY period, revision"
            ).fetchall()
        except duckdb.CatalogException:
            rows = []
    if not rows:
        typer.echo("Nog geen vrijgaven / no releases yet.")
    for period, revision, kind, at, by, contributors, published, revised, held in rows:
        typer.echo(
            f"{period:%Y-%m} r{revision} {kind:<8} {at:%Y-%m-%d %H:%M} {by or '-':<20} "
            f"{contributors} bijdragers/contributors, {published} gepubliceerd/published"
            + (f", {revised} herzien/revised, {held} niet herzien/not revised" if revision else "")
        )


user_app = typer.Typer(no_args_is_help=True, help="Accounts of the dashboards.")
app.add_typer(user_app, name="user")


class RoleChoice(enum.StrEnum):
    factory = "factory"
    coordinator = "coordinator"
    city = "city"
    admin = "admin"


def _cli_actor() -> str:
    """Who changes accounts from the command line, for the audit log."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _user_store(settings: Settings):
    from kpi.users import UserStore

    return UserStore(settings.data_dir, by=_cli_actor())


FLAG_HINTS = {
    "user_factory_needed": " (--factory)",
    "user_factory_only_for_factory": " (--factory)",
    "user_exists": " (--replace)",
}


def _user_refused(exc) -> typer.Exit:
    """Print why an account change was refused (both languages, with the flag that
    helps) and return the exit to raise."""
    typer.echo(str(exc) + FLAG_HINTS.get(getattr(exc, "key", ""), ""), err=True)
    return typer.Exit(2)


def _read_password() -> str:
    if sys.stdin.isatty():
        return typer.prompt("Wachtwoord / password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address, the login name")],
    role: Annotated[RoleChoice, typer.Option("--role", help="factory, coordinator, city or admin")],
    factory: Annotated[
        str | None, typer.Option("--factory", help="Factory code (role factory)")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace an existing account of this address")
    ] = False,
) -> None:
    """Create an account (an existing address is refused without --replace). The password
    is asked for, or read from standard input when that is not a terminal (e.g.
    `echo "$PW" | kpi user add ...`)."""
    from kpi.users import UserError

    settings = get_settings()
    prepare_data_dir(settings)
    password = _read_password()
    register = load_register(settings.register_path)
    try:
        user = _user_store(settings).add(
            email, role.value, password, factory, known_factories=register.codes, replace=replace
        )
    except UserError as exc:
        raise _user_refused(exc) from exc
    where = f" ({user.factory_code})" if user.factory_code else ""
    typer.echo(f"{user.email}: {user.role}{where}")


@user_app.command("list")
def user_list() -> None:
    """List the accounts (never their passwords)."""
    from kpi.users import LoginGuard, UserStore

    settings = get_settings()
    guard = LoginGuard(settings.data_dir)
    for user in UserStore(settings.data_dir).users():
        state = "  uitgeschakeld/disabled" if user.disabled else ""
        if guard.locked_seconds(user.email):
            state += "  geblokkeerd/locked"
        login = (user.last_login or "-")[:16].replace("T", " ")
        typer.echo(
            f"{user.email:<40} {user.role:<12} {user.factory_code or '':<6} {login:<16}{state}"
        )


EmailArgument = Annotated[str, typer.Argument(help="E-mail address of the account")]


def _change_user(change) -> None:
    """Apply ``change(store, settings)`` to the users file; a refusal exits 2."""
    from kpi.users import UserError

    settings = get_settings()
    try:
        message = change(_user_store(settings), settings)
    except UserError as exc:
        raise _user_refused(exc) from exc
    typer.echo(message)


@user_app.command("disable")
def user_disable(email: EmailArgument) -> None:
    """Disable an account: it cannot log in, and its open sessions end at once."""
    _change_user(
        lambda store, _: f"{store.set_disabled(email, True).email}: uitgeschakeld / disabled"
    )


@user_app.command("enable")
def user_enable(email: EmailArgument) -> None:
    """Enable a disabled account again."""
    _change_user(
        lambda store, _: f"{store.set_disabled(email, False).email}: ingeschakeld / enabled"
    )


@user_app.command("delete")
def user_delete(email: EmailArgument) -> None:
    """Delete an account; its open sessions end at once."""

    def delete(store, _) -> str:
        store.delete(email)
        return f"{email.strip().lower()}: verwijderd / deleted"

    _change_user(delete)


@user_app.command("set-role")
def user_set_role(
    email: EmailArgument,
    role: Annotated[RoleChoice, typer.Option("--role", help="factory, coordinator, city or admin")],
    factory: Annotated[
        str | None, typer.Option("--factory", help="Factory code (role factory)")
    ] = None,
) -> None:
    """Change an account's role (and factory); its open sessions get the new role at once."""

    def set_role(store, settings) -> str:
        codes = load_register(settings.register_path).codes
        user = store.set_role(email, role.value, factory, known_factories=codes)
        where = f" ({user.factory_code})" if user.factory_code else ""
        return f"{user.email}: {user.role}{where}"

    _change_user(set_role)


@user_app.command("reset-password")
def user_reset_password(email: EmailArgument) -> None:
    """Give an account a new password (asked for, or read from standard input)."""
    password = _read_password()
    _change_user(
        lambda store, _: (
            f"{store.set_password(email, password).email}: nieuw wachtwoord / new password"
        )
    )


@user_app.command("unlock")
def user_unlock(email: EmailArgument) -> None:
    """Forget the failed logins on an account, so it may log in at once."""
    from kpi.users import LoginGuard

    def unlock(store, settings) -> str:
        user = next((u for u in store.users() if u.email == email.strip().lower()), None)
        if user is None:
            from kpi.users import UserError

            raise UserError("user_no_account", email=email.strip().lower())
        LoginGuard(settings.data_dir).unlock(user.email)
        store.audit.record(store.by, "unlock", user.email)
        return f"{user.email}: gedeblokkeerd / unlocked"

    _change_user(unlock)


@user_app.command("audit")
def user_audit() -> None:
    """Every change to accounts and the factory register: when, who, what, newest first."""
    from kpi.users import AccountAudit

    for entry in AccountAudit(get_settings().data_dir).entries():
        typer.echo(
            f"{entry['at']}  {entry['by']:<30} {entry['action']:<10} {entry['target']}"
            + (f"  {entry['detail']}" if entry.get("detail") else "")
        )


def ensure_demo_accounts(settings: Settings) -> list[tuple[str, str, str]]:
    """The demo's accounts (e-mail, role, password): made once with random passwords,
    kept in ``demo-accounts.txt`` (mode 0600) in the data directory, never in git."""
    import secrets

    from kpi.users import UserStore, _write_private

    listing = settings.data_dir / "demo-accounts.txt"
    if listing.exists():
        return [tuple(line.split("\t")) for line in listing.read_text().splitlines()]  # type: ignore[misc]
    store = UserStore(settings.data_dir)
    accounts = []
    for email, role, factory in (
        ("f01@demo.example", "factory", "F01"),
        ("f07@demo.example", "factory", "F07"),
        ("coordinator@demo.example", "coordinator", None),
        ("city@demo.example", "city", None),
        ("admin@demo.example", "admin", None),
    ):
        password = secrets.token_urlsafe(12)
        store.add(email, role, password, factory, replace=True)
        accounts.append((email, role if factory is None else f"{role} {factory}", password))
    _write_private(listing, "\n".join("\t".join(a) for a in accounts))
    return accounts


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed of the fictional data")] = 42,
    months: Annotated[int, typer.Option(help="Months of history")] = 36,
    process: Annotated[
        bool, typer.Option("--run/--no-run", help="Process after submitting")
    ] = True,
) -> None:
    """Generate demo files of the 12 fictional factories, submit them, and process them.

    Months up to the newest whose close day has come are released; 7 factories have
    already sent the open month; F12's regional file of the last released month arrives
    after its release and is held for a revision."""
    from kpi.demo import latest_due_month, write_demo_files
    from kpi.disclosure.releases import today
    from kpi.disclosure.requests import place_request
    from kpi.disclosure.rules import load_disclosure
    from kpi.landing import submit as place
    from kpi.learning.demo import seed as learning_demo

    settings = get_settings()
    prepare_data_dir(settings)
    register = load_register(settings.register_path)
    disclosure = load_disclosure(settings.disclosure_config)
    last = latest_due_month(today(), disclosure.close_day)
    folder = settings.data_dir / "demo-files"
    marker = folder / f".submitted-{seed}-{months}-{last:%Y-%m}"
    if marker.exists():
        typer.echo(f"Demo-bestanden zijn al ingediend / demo files already submitted ({folder}).")
        return _print_demo_accounts(settings)
    files = write_demo_files(
        [(f.code, f.sector) for f in register.factories],
        last,
        months,
        seed,
        folder,
        open_month_factories=7,
    )
    on_time = [item for item in files if not item.late]
    late = [item for item in files if item.late]
    for item in on_time:
        place(item.path, item.dataset, item.factory_code, settings, submitted_by="demo")
    # the coordinator closes this year's self-scan early: those that will send one have
    place_request(settings, "close_scan", last.replace(month=1), "demo")
    typer.echo(f"{len(on_time)} demo-bestanden ingediend / demo files submitted ({folder}).")
    if process:
        run_id = run_monthly_cycle(settings)
        _print_run(settings, run_id, settings.lang)
        # after the release: a late file, stored for its factory and held for a revision
        for item in late:
            place(item.path, item.dataset, item.factory_code, settings, submitted_by="demo")
        if late:
            typer.echo(
                f"\nNa de vrijgave / after the release: {len(late)} laat bestand / late file"
            )
            run_id = run_monthly_cycle(settings)
            _print_run(settings, run_id, settings.lang)
        typer.echo("\n".join(["", "Leerpartners / learning partners:", *learning_demo(settings)]))
    marker.touch()
    _print_demo_accounts(settings)


def _print_demo_accounts(settings: Settings) -> None:
    typer.echo("\nDemo-accounts voor de dashboards / demo accounts for the dashboards:")
    for email, role, password in ensure_demo_accounts(settings):
        typer.echo(f"  {email:<28} {role:<14} {password}")


@app.command()
def bench(
    factories: Annotated[int, typer.Option(help="Factories in the scale data")] = 1000,
    months: Annotated[int, typer.Option(help="Months of the monthly cycle")] = 12,
    history_months: Annotated[int, typer.Option(help="Months of history for the queries")] = 120,
    output: Annotated[
        Path | None, typer.Option(help="JSON results (default in the data dir)")
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the generated data")] = False,
    repeats: Annotated[
        int, typer.Option(help="Runs of each load (cycle, history, large); the median counts")
    ] = 3,
    second_cycle_factories: Annotated[
        int, typer.Option(help="Factories of the second, larger monthly cycle (0: none)")
    ] = 5000,
    large_factories: Annotated[
        int, typer.Option(help="Factories of the large load (0: skip it)")
    ] = 10_000,
    large_months: Annotated[int, typer.Option(help="Months of the large load")] = 12,
) -> None:
    """Measure the platform: a full cycle, the DuckDB reference, queries, single files,
    the history load and a large network's load; prints old, new and target figures."""
    from kpi.bench import run_benchmark

    settings = get_settings()
    workdir = settings.data_dir / "bench" / "work"
    target = output or settings.data_dir / "bench" / "results.json"
    large = (large_factories, large_months) if large_factories else None
    results = run_benchmark(
        factories,
        months,
        history_months,
        workdir,
        target,
        keep,
        repeats,
        second_cycle_factories,
        large,
    )
    typer.echo(f"\n{target}")
    if not all(v["met"] for v in results["targets"].values()):
        raise typer.Exit(1)


@app.command()
def worker() -> None:
    """Start the monthly cycle as soon as files or requests wait (until Ctrl-C)."""
    import logging

    from pipelines.worker import serve as serve_runs

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    serve_runs(get_settings())


SERVICE_STOP_SECONDS = 90
"""How long `kpi serve` waits for Dagster and Streamlit to stop before it kills them."""
WORKER_STOP_SECONDS = 600
"""How long `kpi serve` waits for the run worker to finish its run when stopped, before it
kills it (the next run then finishes what the killed one left); docs/deployment.md."""


def _wait_for(processes: list, seconds: float) -> None:
    """Wait until every process of ``processes`` has ended, or ``seconds`` have passed."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(p.poll() is None for p in processes):
        time.sleep(0.2)


@app.command()
def serve(
    dagster_port: Annotated[int, typer.Option(help="Port of the Dagster UI")] = 3000,
    app_port: Annotated[int, typer.Option(help="Port of the dashboards")] = 8501,
) -> None:
    """Run the Dagster UI (with the landing-zone sensor), the run worker and the
    dashboards until Ctrl-C (or SIGTERM, as a service manager stops it)."""
    import contextlib
    import os
    import signal
    import subprocess
    import time

    from kpi.settings import REPO_ROOT

    settings = get_settings()
    # the umask is inherited: Dagster, its runs and the dashboards write privately too
    prepare_data_dir(settings)
    ensure_dagster_home(settings)
    bin_dir = Path(sys.executable).parent
    commands = [
        # `dg dev` is the entry point Dagster recommends (`dagster dev` says it is superseded):
        # the webserver, the daemon (sensors, schedules, run queue and monitoring) and the
        # code server of the location named in workspace.yaml
        [str(bin_dir / "dg"), "dev", "-w", "workspace.yaml", "-p", str(dagster_port)],
        # starts a run within a fraction of a second of an upload (pipelines/worker.py)
        [str(bin_dir / "kpi"), "worker"],
        [
            str(bin_dir / "streamlit"),
            "run",
            "dashboards/streamlit_app.py",
            "--server.port",
            str(app_port),
        ],
    ]
    worker = commands[1]

    class Stopped(Exception):
        """Ctrl-C in the terminal, SIGTERM (a service manager, `kill`), or SIGHUP (the
        terminal closed: the services, in groups of their own, would not hear of it)."""

    def stop(signum: int, frame: object) -> None:
        raise Stopped

    # Each service runs in a process group of its own and hears of the stop from this
    # command only, once: a second signal aborts Dagster's shutdown half-way, and a
    # signal to the group of `dg dev` would reach its webserver and daemon past it.
    # The handlers are set before the first child starts: a stop at any moment stops
    # every child started.
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, stop)
    processes: list[subprocess.Popen] = []
    killed: list[str] = []
    try:
        for command in commands:
            processes.append(subprocess.Popen(command, cwd=REPO_ROOT, start_new_session=True))
        typer.echo(
            f"Dagster: http://localhost:{dagster_port}   Dashboards: http://localhost:{app_port}"
        )
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    except Stopped:
        pass
    finally:
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)  # stopping already: nothing interrupts it
        for process in processes:
            if process.poll() is None:
                process.terminate()
        _wait_for([p for p in processes if p.args != worker], SERVICE_STOP_SECONDS)
        # the worker finishes the run in progress first (a history load takes minutes)
        _wait_for([p for p in processes if p.args == worker], WORKER_STOP_SECONDS)
        for process in processes:
            if process.poll() is None:
                killed.append(process.args[0])
            # the whole group: what a service started goes too (Dagster's code server)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if killed:
        typer.echo(f"Niet op tijd gestopt / did not stop in time, killed: {killed}", err=True)
    failed = [
        p.args[0]
        for p in processes
        if p.returncode not in (0, -2, -15, None) and p.args[0] not in killed
    ]
    if failed:
        typer.echo(f"Gestopt met een fout / stopped with an error: {failed}", err=True)
    if failed or killed:
        raise typer.Exit(1)


@app.command()
def instance() -> None:
    """Write the Dagster instance's dagster.yaml into DAGSTER_HOME ($KPI_DATA_DIR/dagster)
    and open it once: a new PostgreSQL database gets its tables. For a deployment that
    starts dagster-daemon and dagster-webserver itself (docs/deployment.md)."""
    from dagster import DagsterInstance

    settings = get_settings()
    prepare_data_dir(settings)
    home = ensure_dagster_home(settings)
    postgres = settings.dagster_postgres_url is not None
    try:
        with DagsterInstance.from_config(str(home)):
            pass
    except Exception as exc:
        typer.echo(
            "De Dagster-instantie kan niet geopend worden / the Dagster instance cannot be "
            f"opened ({'KPI_DAGSTER_POSTGRES_URL' if postgres else home}): "
            f"{type(exc).__name__}",
            err=True,
        )
        raise typer.Exit(1) from exc
    storage = "PostgreSQL (KPI_DAGSTER_POSTGRES_URL)" if postgres else f"SQLite ({home})"
    typer.echo(f"DAGSTER_HOME={home}\nRuns en gebeurtenissen in / runs and events in: {storage}")


_DONE = threading.Event()
"""Set by a command that has done all it does and said so (``kpi run``)."""


def _exit_without_teardown() -> None:
    """End a command that is done at once, without the interpreter's teardown: after a
    history load, freeing the run's millions of objects one by one took ~0.5 s, for a
    process whose memory goes back to the system whole anyway. Registered when the
    command starts, so it runs after every exit handler registered since (Dagster's,
    multiprocessing's: the run's processes are waited for). The two registered before
    it do not run after it: logging's is called here, Polars' is skipped. A command
    that failed or was interrupted exits as usual, with its code."""
    if not _DONE.is_set():
        return
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def main() -> None:  # pragma: no cover - console entry point
    from kpi.settings import ConfigurationError

    atexit.register(_exit_without_teardown)

    try:
        app(prog_name="kpi", standalone_mode=True)
    except ConfigurationError as exc:
        typer.echo(str(exc), err=True)
        raise SystemExit(2) from exc


if __name__ == "__main__":  # pragma: no cover
    main()
