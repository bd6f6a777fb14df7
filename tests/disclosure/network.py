"""A network of fictional factories for the attack suite: its data is stored in a warehouse
in ``tmp_path`` as accepted files are, then goes through the platform's own KPI, peer-group,
release and snapshot code, and every role reads it through ``dashboards.data``, the calls
its pages make. The suite also keeps the truth (every factory's real figures) to score
the attacks: the attacker never reads it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import polars as pl
import yaml

from dashboards import data
from dashboards.data import Viewer
from kpi.contracts import DATASETS
from kpi.demo import generate
from kpi.disclosure import releases
from kpi.disclosure.peers import FACTORY_PEER_GROUPS, compute_peer_groups
from kpi.disclosure.rules import load_disclosure
from kpi.kpis import FACTORY_KPIS, compute_factory_kpis
from kpi.maturity import profiles
from kpi.maturity.demo import scan_scores
from kpi.pseudonym import load_or_create_key, pseudonymise
from kpi.register import load_register
from kpi.serving import publish_snapshot
from kpi.settings import get_settings, reset_settings_cache
from kpi.warehouse import PSEUDONYM_COLUMN, SUBMISSIONS_TABLE, ensure_schema


@dataclass(frozen=True)
class Member:
    code: str
    sector: str
    company: str | None = None


class Network:
    """The platform as a factory network would see it, minus file reading."""

    def __init__(
        self,
        root: Path,
        members: list[Member],
        months: list[dt.date],
        seed: int,
        monkeypatch,
        disclosure_config: Path | None = None,
    ) -> None:
        register = root / "register.yaml"
        register.write_text(
            yaml.safe_dump(
                {
                    "factories": [
                        {
                            "code": m.code,
                            "name": f"Demo Attack Plant {m.code}",
                            "sector": m.sector,
                            "municipality": "Sint-Truiden",
                            "contact": f"kpi@{m.code.lower()}.attack.example",
                            **({"company": m.company} if m.company else {}),
                        }
                        for m in members
                    ]
                }
            )
        )
        monkeypatch.setenv("KPI_DATA_DIR", str(root / "data"))
        monkeypatch.setenv("KPI_FACTORY_REGISTER", str(register))
        if disclosure_config is not None:
            monkeypatch.setenv("KPI_DISCLOSURE_CONFIG", str(disclosure_config))
        monkeypatch.delenv("KPI_PSEUDONYM_KEY", raising=False)
        reset_settings_cache()
        load_register.cache_clear()
        data.clear_cache()
        self.settings = get_settings()
        self.settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        self.register = load_register(self.settings.factory_register)
        self.rules = load_disclosure(self.settings.disclosure_config)
        self.members = members
        self.rows = generate([(m.code, m.sector) for m in members], months, seed)
        self.seed = seed
        key = load_or_create_key(self.settings)
        self.pseudonym_of = {m.code: pseudonymise(m.code, key) for m in members}
        self.code_of = {p: c for c, p in self.pseudonym_of.items()}
        self.contributor_of = {self.pseudonym_of[m.code]: m.company or m.code for m in members}
        self.con = duckdb.connect(str(self.settings.warehouse_path))
        ensure_schema(self.con)
        profiles.ensure_tables(self.con)

    # --- what factories do -------------------------------------------------------------

    def store(self, code: str, period: dt.date, datasets=DATASETS, **changes: float) -> None:
        """Store ``code``'s figures of ``period`` as an accepted file would (replacing
        what it had); ``changes`` overwrite columns (a correction, an extreme value)."""
        for dataset in datasets:
            rows = self.rows[dataset].filter(
                (pl.col("factory_code") == code) & (pl.col("period") == period)
            )
            own = {k: v for k, v in changes.items() if k in rows.columns}
            if own:
                rows = rows.with_columns(
                    pl.lit(v).cast(rows.schema[k]).alias(k) for k, v in own.items()
                )
            submission = uuid.uuid4().hex
            pseudonym = self.pseudonym_of[code]
            frame = rows.drop("factory_code").with_columns(
                pl.lit(pseudonym).alias(PSEUDONYM_COLUMN), pl.lit(submission).alias("submission_id")
            )
            self.con.execute(
                f"DELETE FROM {dataset} WHERE {PSEUDONYM_COLUMN} = ? AND period = ?",
                [pseudonym, period],
            )
            self.con.register("incoming", frame)
            self.con.execute(f"INSERT INTO {dataset} BY NAME SELECT * FROM incoming")
            self.con.unregister("incoming")
            self.con.execute(
                f"INSERT INTO {SUBMISSIONS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, now(), now(), "
                "'accepted', NULL, '[]', '[]', 'attack-suite', NULL)",
                [
                    submission,
                    dataset,
                    pseudonym,
                    f"{code}.csv",
                    submission,
                    [f"{period:%Y-%m}"],
                    rows.height,
                ],
            )

    def store_scan(self, code: str, year: int, year_index: int = 0, **scores: int) -> None:
        """Store ``code``'s self-scan of ``year`` as an accepted file would (the demo's
        scores of that plant; ``scores`` overwrite statements, as a re-submission)."""
        row = {**scan_scores(code, year_index, self.seed), **scores}
        pseudonym = self.pseudonym_of[code]
        self.con.execute(
            f"DELETE FROM maturity WHERE {PSEUDONYM_COLUMN} = ? AND year = ?", [pseudonym, year]
        )
        names = ", ".join([PSEUDONYM_COLUMN, "year", *row, "submission_id"])
        values = ", ".join(["?"] * (len(row) + 3))
        self.con.execute(
            f"INSERT INTO maturity ({names}) VALUES ({values})",
            [pseudonym, year, *row.values(), uuid.uuid4().hex],
        )

    def store_months(self, months: list[dt.date], codes: list[str] | None = None) -> None:
        for month in months:
            for code in codes or [m.code for m in self.members]:
                self.store(code, month)

    # --- what the pipeline does ----------------------------------------------------------

    def publication(self, requested_by: str | None = None) -> releases.Publication:
        return releases.Publication(
            self.rules, self.contributor_of, len(self.members), requested_by=requested_by
        )

    def cycle(
        self,
        today: dt.date,
        *,
        close=(),
        revise=(),
        revise_all: bool = False,
        close_scan=(),
        revise_scan=(),
    ) -> list:
        """One pipeline run: KPIs, peer groups, self-scan profiles, what is due or
        requested (months; self-scan years, given as the year's 1 January), the snapshot."""
        compute_factory_kpis(self.con)
        compute_peer_groups(self.con, self.register, self.pseudonym_of, self.rules)
        requests = [
            SimpleNamespace(action="close", period=p, requested_by="coordinator") for p in close
        ]
        requests += [
            SimpleNamespace(action="revise", period=p, requested_by="coordinator") for p in revise
        ]
        outcomes, _ = releases.carry_out(
            self.con, self.publication, today, requests, revise_all=revise_all
        )
        profiles.compute_profiles(self.con)
        scan_requests = [
            SimpleNamespace(action="close_scan", period=p, requested_by="coordinator")
            for p in close_scan
        ] + [
            SimpleNamespace(action="revise_scan", period=p, requested_by="coordinator")
            for p in revise_scan
        ]
        outcomes += profiles.carry_out(self.con, self.publication, today, scan_requests)[0]
        publish_snapshot(
            self.con,
            self.settings.serving_path,
            run_id=uuid.uuid4().hex,
            disclosure=self.rules,
            register=self.register,
            pseudonym_of=self.pseudonym_of,
        )
        data.clear_cache()
        return outcomes

    # --- who looks -----------------------------------------------------------------------

    @staticmethod
    def factory(code: str) -> Viewer:
        return Viewer(f"{code.lower()}@attack.example", "factory", code)

    city = Viewer("city@attack.example", "city")
    coordinator = Viewer("coordinator@attack.example", "coordinator")

    # --- the truth, for scoring only -------------------------------------------------------

    def true_kpis(self) -> pl.DataFrame:
        """(code, period, kpi, value) of every factory: what attacks are scored against."""
        frame = self.con.sql(f"SELECT * FROM {FACTORY_KPIS} WHERE value IS NOT NULL").pl()
        return frame.with_columns(
            pl.col(PSEUDONYM_COLUMN).replace_strict(self.code_of).alias("code")
        )

    def true_members(self) -> pl.DataFrame:
        """(code, period, peer_group) of every factory."""
        frame = self.con.sql(f"SELECT * FROM {FACTORY_PEER_GROUPS}").pl()
        return frame.with_columns(
            pl.col(PSEUDONYM_COLUMN).replace_strict(self.code_of).alias("code")
        )

    def true_profiles(self) -> pl.DataFrame:
        """(code, year, transformation, score) of every factory's self-scan profile."""
        frame = self.con.sql(f"SELECT * FROM {profiles.PROFILES}").pl()
        return frame.with_columns(
            pl.col(PSEUDONYM_COLUMN).replace_strict(self.code_of).alias("code")
        )

    def true_rows(self, dataset: str) -> pl.DataFrame:
        frame = self.con.sql(f"SELECT * FROM {dataset}").pl()
        return frame.with_columns(
            pl.col(PSEUDONYM_COLUMN).replace_strict(self.code_of).alias("code")
        )

    def close(self) -> None:
        self.con.close()
