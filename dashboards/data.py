"""The one place the dashboards get data from. Pages never write SQL.

Every function takes the :class:`Viewer` of the session (set at login, server-side) and
returns only what that role may see: a factory user its own values and submissions and
the released anonymous peer statistics; the coordinator the submission status and refusal
reasons by name (never a value) and anonymous statistics; the city released network
totals. A factory's own rows are picked by the logged-in factory code; no page or widget
passes one in. The dashboards never read the pseudonym key: the snapshot holds none.

Queries are parameterised SQL on the serving snapshot, each on a short-lived read-only
connection, and cached by the snapshot's identity (a new snapshot: new cache entries).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import polars as pl

from kpi.contracts import DATASETS, UPLOAD_DATASETS
from kpi.register import load_register
from kpi.serving import open_snapshot
from kpi.settings import get_settings
from kpi.users import Role, User

PEER_GROUP_KINDS = ("network", "sector", "size")


Viewer = User
"""Who is looking: the logged-in account (role and, for factory users, its factory)."""


class AccessDenied(PermissionError):
    """The viewer's role may not see this."""


class NoSnapshot(LookupError):
    """Nothing has been published yet."""


def require(viewer: Viewer, *roles: Role) -> None:
    if viewer.role not in roles:
        raise AccessDenied(f"{viewer.role} may not see this")
    if viewer.role == "factory" and not viewer.factory_code:
        raise AccessDenied("a factory user without a factory")


def snapshot_path() -> Path:
    return get_settings().serving_path


def _identity(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise NoSnapshot(str(path)) from exc
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2048)
def _cached(path: str, identity: tuple[int, int, int], sql: str, params: tuple) -> pl.DataFrame:
    with open_snapshot(Path(path)) as con:
        return con.sql(sql, params=list(params)).pl()


def snapshot_identity() -> tuple[int, int, int]:
    """The current snapshot file's identity: it changes when the pipeline publishes."""
    return _identity(snapshot_path())


def query(sql: str, params: tuple = ()) -> pl.DataFrame:
    """Run ``sql`` with ``params`` on the current snapshot (cached per snapshot)."""
    path = snapshot_path()
    return _cached(str(path), _identity(path), sql, tuple(params))


def clear_cache() -> None:
    _cached.cache_clear()
    _grid.cache_clear()


def own_code(viewer: Viewer) -> str:
    """The viewer's own factory: the only one whose rows it gets from ``own_*`` tables."""
    require(viewer, "factory")
    assert viewer.factory_code is not None
    return viewer.factory_code


# --- everyone --------------------------------------------------------------------------


def snapshot_info(viewer: Viewer) -> dict:
    rows = query("SELECT * FROM snapshot_info")
    return rows.row(0, named=True) if rows.height else {}


def months(viewer: Viewer) -> list[dt.date]:
    """Every released month, oldest first (what peers and the city may compare)."""
    return query("SELECT DISTINCT period FROM releases ORDER BY period")["period"].to_list()


def release_status(viewer: Viewer) -> dict:
    """Which release the pages show and what is still open: the latest released month
    (its revision and date) and every open month (how many factories have submitted,
    when it closes), for the banner every page carries."""
    latest = query(
        "SELECT period, max(revision) AS revision, max(released_at) AS released_at "
        "FROM releases GROUP BY period ORDER BY period DESC LIMIT 1"
    )
    open_months = query(
        "SELECT period, factories_submitted, factories_expected, close_date FROM months "
        "WHERE status = 'open' ORDER BY period"
    )
    return {
        "latest": latest.row(0, named=True) if latest.height else None,
        "open": open_months.to_dicts(),
    }


def pending_revisions(viewer: Viewer) -> pl.DataFrame:
    """Coordinator: released months with files stored since (waiting for a revision)."""
    require(viewer, "coordinator")
    return query(
        "SELECT period, revision, changes_pending FROM months "
        "WHERE status = 'released' AND changes_pending > 0 ORDER BY period DESC"
    )


def kpi_catalogue(viewer: Viewer, domain: str | None = None) -> pl.DataFrame:
    """The factory KPIs (one domain, or all) with labels, formula, unit and direction."""
    if domain is None:
        return query("SELECT * FROM kpi_definitions WHERE domain <> 'region' ORDER BY domain")
    return query("SELECT * FROM kpi_definitions WHERE domain = ?", (domain,))


def indicator_catalogue(viewer: Viewer) -> pl.DataFrame:
    return query("SELECT * FROM kpi_definitions WHERE domain = 'region'")


# --- factory users ---------------------------------------------------------------------


_MINE = """
    mine AS (
        SELECT period, peer_group FROM own_peer_groups
        WHERE factory_code = ? AND CASE ? WHEN 'network' THEN peer_group = 'network'
              ELSE starts_with(peer_group, ? || ':') END
    )"""


def own_months(viewer: Viewer) -> list[dt.date]:
    """Every month the factory has figures for (released or not), oldest first."""
    return query(
        "SELECT DISTINCT period FROM own_kpis WHERE factory_code = ? ORDER BY period",
        (own_code(viewer),),
    )["period"].to_list()


def own_peer_groups(viewer: Viewer, month: dt.date) -> list[str]:
    """The peer groups the factory belongs to in ``month`` (network, sector:…, size:…)."""
    return query(
        "SELECT peer_group FROM own_peer_groups WHERE factory_code = ? AND period = ? "
        "ORDER BY peer_group",
        (own_code(viewer), month),
    )["peer_group"].to_list()


def own_series(
    viewer: Viewer, kpi: str, group_kind: str, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """The factory's own monthly values of ``kpi`` (as soon as stored) beside its peer
    group's released statistics (null for a month not released yet)."""
    if group_kind not in PEER_GROUP_KINDS:
        raise ValueError(f"unknown peer group kind {group_kind!r}")
    me = own_code(viewer)
    return query(
        f"""
        WITH {_MINE}
        SELECT own.period, mine.peer_group, own.value, s.n_band, s.p25, s.median, s.p75,
               s.top_quartile_boundary, s.suppressed, s.suppressed_reason, s.status
        FROM own_kpis AS own
        LEFT JOIN mine USING (period)
        LEFT JOIN peer_stats AS s
               ON s.period = own.period AND s.peer_group = mine.peer_group AND s.kpi = own.kpi
        WHERE own.factory_code = ? AND own.kpi = ? AND own.period BETWEEN ? AND ?
        ORDER BY own.period
        """,
        (me, group_kind, group_kind, me, kpi, start, end),
    )


def own_month(viewer: Viewer, domain: str, month: dt.date, group_kind: str) -> pl.DataFrame:
    """Every KPI of ``domain`` for one month: own value, the released peer statistics,
    the factory's quartile and its gaps to the median and the top-quartile boundary."""
    if group_kind not in PEER_GROUP_KINDS:
        raise ValueError(f"unknown peer group kind {group_kind!r}")
    me = own_code(viewer)
    rows = query(
        f"""
        WITH {_MINE}
        SELECT d.kpi, d.label_nl, d.label_en, d.unit, d.direction, d.formula,
               d.description_nl, d.description_en, d.decimals, mine.peer_group, own.value,
               s.n_band, s.p25, s.median, s.p75, s.top_quartile_boundary, s.suppressed,
               s.suppressed_reason, s.status
        FROM kpi_definitions AS d
        LEFT JOIN mine ON mine.period = ?
        LEFT JOIN own_kpis AS own
               ON own.factory_code = ? AND own.period = ? AND own.kpi = d.kpi
        LEFT JOIN peer_stats AS s
               ON s.period = ? AND s.peer_group = mine.peer_group AND s.kpi = d.kpi
        WHERE d.domain = ?
        """,
        (me, group_kind, group_kind, month, me, month, month, domain),
    )
    return rows.with_columns(
        quartile=pl.struct("value", "p25", "median", "p75", "direction").map_elements(
            lambda r: quartile(r["value"], r["p25"], r["median"], r["p75"], r["direction"]),
            return_dtype=pl.Int64,
        ),
        gap_to_median=pl.col("value") - pl.col("median"),
        gap_to_top_quartile=pl.col("value") - pl.col("top_quartile_boundary"),
    )


def quartile(value, p25, median, p75, direction: str) -> int | None:
    """1 = the best quarter of the peers ... 4 = the weakest; None without a better side."""
    if value is None or p25 is None or direction not in ("higher", "lower"):
        return None
    position = 4 if value >= p75 else 3 if value >= median else 2 if value >= p25 else 1
    return 5 - position if direction == "higher" else position


def is_better(gap: float | None, direction: str) -> bool | None:
    if gap is None or direction not in ("higher", "lower") or gap == 0:
        return None
    return (gap > 0) == (direction == "higher")


# --- submissions -----------------------------------------------------------------------


def submissions(viewer: Viewer) -> pl.DataFrame:
    """Submitted files: a factory user its own, with its findings and their values; the
    coordinator every factory's, with the reasons (rule, row, column) but no value."""
    require(viewer, "factory", "coordinator")
    columns = (
        "submission_id, factory_code, factory_name, dataset, file_name, periods, status, "
        "received_at, processed_at, submitted_by, error_count, warning_count"
    )
    if viewer.role == "factory":
        return query(
            f"SELECT {columns}, errors, warnings FROM coordinator_submissions "
            "WHERE factory_code = ? ORDER BY received_at DESC",
            (viewer.factory_code,),
        )
    return query(
        f"SELECT {columns}, reasons FROM coordinator_submissions ORDER BY received_at DESC"
    )


def rule_label(dataset: str, rule: str, lang: str) -> str:
    """What a rule checks, in words and without any value: the contract's description of
    its own rules, the platform's for the generic ones (type, required, file problems)."""
    from kpi.coordination.mail import rule_label as label

    return label(dataset, rule, lang)


def reasons_text(viewer: Viewer, dataset: str, reasons_json: str, lang: str) -> str:
    """Coordinator: why a file was refused - rule, row and column of each finding, never
    a value - as one line."""
    import json

    require(viewer, "coordinator", "factory")
    items = [r for r in json.loads(reasons_json) if r.get("severity") == "error"]
    parts = [
        (f"{message_row(lang)} {r['row']}, " if r.get("row") else "")
        + (f"{r['column']}: " if r.get("column") else "")
        + rule_label(dataset, r["rule"], lang)
        for r in items[:3]
    ]
    return " · ".join(parts) + (f" (+{len(items) - 3})" if len(items) > 3 else "")


def message_row(lang: str) -> str:
    from kpi.i18n import message

    return message("col_row", lang)


def waiting_files(viewer: Viewer) -> list[dict]:
    """Files in the landing zone not processed yet (own factory, or all for the coordinator)."""
    require(viewer, "factory", "coordinator")
    from kpi.landing import list_pending

    # a factory user's view scans only its own folders, not the whole landing zone
    own = viewer.factory_code if viewer.role == "factory" else None
    return [
        {
            "dataset": s.dataset,
            "factory_code": s.factory_code,
            "file_name": s.file_name,
            "received_at": s.received_at,
            "submitted_by": s.submitted_by,
        }
        for s in list_pending(get_settings(), factory_code=own)
    ]


def expected_month(today: dt.date | None = None) -> dt.date:
    """The latest month a factory should have reported by now (last month)."""
    first = (today or dt.date.today()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def submission_grid(
    viewer: Viewer, month_count: int = 12, today: dt.date | None = None
) -> pl.DataFrame:
    """Coordinator: per factory, dataset and month - ok, refused, late or missing."""
    require(viewer, "coordinator")
    last = expected_month(today)
    path = snapshot_path()
    settings = get_settings()
    register = settings.register_path
    # keyed by the register file too: a factory added on the admin's page shows at once
    register_identity = (register.stat().st_mtime_ns,) if register.exists() else ()
    return _grid(str(path), _identity(path), str(register), register_identity, last, month_count)


@lru_cache(maxsize=64)
def _grid(
    path: str,
    identity: tuple,
    register_path: str,
    register_identity: tuple,
    last: dt.date,
    count: int,
) -> pl.DataFrame:
    index = last.year * 12 + last.month - 1
    wanted = [
        f"{(index - back) // 12:04d}-{(index - back) % 12 + 1:02d}"
        for back in range(count - 1, -1, -1)
    ]
    covered = query(
        """
        SELECT factory_code, dataset, month,
               bool_or(status <> 'refused') AS stored, bool_or(status = 'refused') AS refused
        FROM (SELECT factory_code, dataset, status, unnest(periods) AS month
              FROM coordinator_submissions)
        WHERE month >= ?
        GROUP BY factory_code, dataset, month
        """,
        (wanted[0],),
    )
    register = load_register(Path(register_path))
    factories = pl.DataFrame(
        {"factory_code": register.codes, "factory_name": [f.name for f in register.factories]}
    )
    cells = factories.join(pl.DataFrame({"dataset": list(DATASETS)}), how="cross").join(
        pl.DataFrame({"month": wanted}), how="cross"
    )
    return cells.join(covered, on=["factory_code", "dataset", "month"], how="left").select(
        "factory_code",
        "factory_name",
        "dataset",
        "month",
        pl.when(pl.col("stored"))
        .then(pl.lit("ok"))
        .when(pl.col("refused"))
        .then(pl.lit("refused"))
        .when(pl.col("month") == wanted[-1])
        .then(pl.lit("late"))
        .otherwise(pl.lit("missing"))
        .alias("status"),
    )


# --- anonymous statistics --------------------------------------------------------------


def network_distribution(viewer: Viewer, kpi: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The network's P25, median and P75 of ``kpi`` per month (anonymous)."""
    require(viewer, "factory", "coordinator")
    return query(
        "SELECT period, n_band, p25, median, p75, suppressed, suppressed_reason, status "
        "FROM peer_stats WHERE peer_group = 'network' AND kpi = ? AND period BETWEEN ? AND ? "
        "ORDER BY period",
        (kpi, start, end),
    )


def region_indicators(viewer: Viewer) -> pl.DataFrame:
    """The city's released indicators, network totals only, with labels and coverage."""
    require(viewer, "city", "coordinator")
    return query(
        """
        SELECT r.period, r.indicator, d.label_nl, d.label_en, d.unit, d.formula,
               d.description_nl, d.description_en, d.decimals, r.value, r.coverage,
               r.coverage_of, r.suppressed, r.suppressed_reason, r.revision, r.status
        FROM region_indicators AS r
        JOIN kpi_definitions AS d ON d.kpi = r.indicator AND d.domain = 'region'
        WHERE r.scope = 'network'
        ORDER BY r.indicator, r.period
        """
    )


# --- writes: a factory's files, the coordinator's requests -------------------------------
# (the admin's accounts and register: dashboards/admin.py)


def template_bytes(viewer: Viewer, dataset: str, fmt: str, lang: str) -> bytes:
    """The empty upload template of ``dataset`` as bytes (xlsx or csv)."""
    import tempfile

    from kpi.contracts import load_contract
    from kpi.templates import write_template

    with tempfile.TemporaryDirectory() as folder:
        path = write_template(load_contract(dataset), Path(folder) / f"t.{fmt}", fmt, lang)
        return path.read_bytes()


def prepare_upload_checks(viewer: Viewer) -> None:
    """Start a checking process ahead of the viewer's first upload (returns at once)."""
    from dashboards.upload_check import warm_up

    require(viewer, "factory")
    warm_up(get_settings())


def check_and_submit(viewer: Viewer, dataset: str, file_name: str, content: bytes):
    """Validate an uploaded file for the viewer's own factory; when it is accepted, place
    it in the landing zone (the pipeline stores it). Returns the validation report.

    The check runs in a worker process with memory, CPU and time limits
    (``dashboards.upload_check``), so one huge upload does not slow other users' pages."""
    import tempfile

    from dashboards.upload_check import check_upload
    from kpi.landing import submit
    from kpi.validation import Upload

    require(viewer, "factory")
    if dataset not in UPLOAD_DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}")
    settings = get_settings()
    suffix = Path(file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        upload = Upload(path, dataset, viewer.factory_code or "", file_name)
        report = check_upload(upload, settings)
        if report.accepted:
            submit(
                path,
                dataset,
                viewer.factory_code or "",
                settings,
                file_name=file_name,
                submitted_by=viewer.email,
            )
        else:
            # the coordinator's list of refusals shows it too (reasons only, no value)
            from kpi.coordination.notes import CoordinatorNotes

            CoordinatorNotes(settings).record_refusal(
                viewer.factory_code or "",
                dataset,
                file_name,
                report.periods,
                [f.to_dict() for f in report.findings],
                viewer.email,
            )
    return report


def request_release(viewer: Viewer, action: str, month: dt.date) -> None:
    """Coordinator: ask the pipeline to close (release) or revise ``month``. The pages
    never write the warehouse; the next run carries the request out."""
    from kpi.disclosure.requests import place_request

    require(viewer, "coordinator")
    if action not in ("close", "revise"):
        raise ValueError(f"unknown release action {action!r}")
    place_request(get_settings(), action, month, viewer.email)  # type: ignore[arg-type]


def release_requests_waiting(viewer: Viewer) -> list[dict]:
    """Coordinator: requests not carried out yet (the page says they are on their way)."""
    from kpi.disclosure.requests import pending_requests

    require(viewer, "coordinator")
    return [
        {"action": r.action, "period": r.period, "requested_by": r.requested_by}
        for r in pending_requests(get_settings())
    ]
