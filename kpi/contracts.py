"""The one place that reads the data contracts (ODCS v3 YAML in ``contracts/``).

Everything that needs a column list, a unit, a rule or a severity asks this module:
the Great Expectations compiler, the reader, the warehouse schema, the upload template
and the definitions page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

import polars as pl
from open_data_contract_standard.model import CustomProperty, DataQuality, OpenDataContractStandard

from kpi.findings import shown_value
from kpi.settings import ConfigurationError, get_settings, read_config_yaml

DATASETS: tuple[str, ...] = ("efficiency", "quality", "people", "regional")
"""The monthly datasets factories upload, in the order they are shown and processed."""
YEARLY_DATASETS: tuple[str, ...] = ("maturity",)
"""Datasets a factory sends once a year (one row per ``year``): the self-scan."""
UPLOAD_DATASETS: tuple[str, ...] = DATASETS + YEARLY_DATASETS
"""Every dataset a factory can upload: read, validated, stored and audited alike."""

CONTEXT_COLUMNS: tuple[str, ...] = ("_submission", "_submitting_factory", "_row")
"""Columns the validator adds to every batch: which file, which factory submitted it,
which row of the file. Contract rules may refer to them (e.g. once-per-file rules)."""

LogicalType = Literal["string", "date", "integer", "number"]

PSEUDONYM_COLUMN = "factory_pseudonym"
"""The column a stored row names its factory in: the pseudonym of the factory code of a
column with ``pseudonymise: true`` (the code itself never reaches a table)."""

DEFAULT_SANITY_BOUND = 1e12
"""A number beyond this (either sign) is refused in every number column, unless the
column's ``sanity_bound`` custom property says otherwise: no monthly figure of a plant
comes near it, so it is a unit or typing mistake (or inf)."""
DEFAULT_PLAUSIBILITY_FACTOR = 3.0
"""A value more than this factor from the factory's median of its previous 12 months is
warned about when stored; a column's ``plausibility_factor`` custom property overrides
it (``0`` switches it off, for counts that are often zero or lumpy)."""
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    """One quality rule of a contract, as written there."""

    name: str
    kind: Literal["custom", "sql", "plausibility"]
    """``custom`` (Great Expectations, on the file), ``sql`` (a query, on the warehouse
    when stored) or ``plausibility`` (:func:`plausibility_findings`, when stored)."""
    severity: Severity
    column: str | None
    description_en: str
    description_nl: str
    implementation: dict[str, Any] = field(default_factory=dict)
    query: str | None = None
    message: str | None = None
    """The i18n message of its findings, filled with the query's extra columns; the
    rule's description and the value when None."""

    def description(self, lang: str) -> str:
        return self.description_nl if lang == "nl" else self.description_en


@dataclass(frozen=True)
class Column:
    """One column of an upload file, with its type, unit, range and rules."""

    name: str
    logical_type: LogicalType
    required: bool
    unit: str
    description_en: str
    description_nl: str
    options: dict[str, Any]
    pseudonymise: bool
    rules: tuple[Rule, ...]
    sanity_bound: float | None = None
    """Numbers only: the largest magnitude a value may have (an error beyond it)."""
    plausibility_factor: float | None = None
    """Numbers only: how far from the factory's usual values a value is warned about."""

    def description(self, lang: str) -> str:
        return self.description_nl if lang == "nl" else self.description_en


@dataclass(frozen=True)
class DatasetContract:
    """A dataset's contract: its columns in file order and every rule."""

    name: str
    title_nl: str
    title_en: str
    purpose: str
    columns: tuple[Column, ...]
    schema_rules: tuple[Rule, ...]
    odcs: OpenDataContractStandard
    cadence: Literal["monthly", "yearly"] = "monthly"
    period_column: str = "period"
    """The column a row is about in time: ``period`` (a month) or ``year``; with the
    factory it is the key of a stored row (a later file replaces the same key)."""

    def title(self, lang: str) -> str:
        return self.title_nl if lang == "nl" else self.title_en

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def measure_columns(self) -> list[Column]:
        """The base measures: every column but the factory code and the period."""
        return [c for c in self.columns if c.name not in ("factory_code", self.period_column)]

    @property
    def rules(self) -> list[Rule]:
        return [rule for column in self.columns for rule in column.rules] + list(self.schema_rules)

    @property
    def storage_rules(self) -> list[Rule]:
        """The rules that need the warehouse, run when a file is stored: the contract's
        ``sql`` rules, then the plausibility of each number column against the
        factory's own previous 12 months (KPI-CATALOGUE.md, "Plausibility")."""
        written = [rule for rule in self.rules if rule.kind == "sql" and rule.query]
        if self.cadence != "monthly":  # no monthly history to compare a yearly score with
            return written
        return written + [
            plausibility_rule(self.name, column)
            for column in self.columns
            if column.plausibility_factor
        ]

    @property
    def plausibility_columns(self) -> list[str]:
        """The columns whose values are compared with the factory's previous 12 months
        when stored (none for a yearly dataset)."""
        if self.cadence != "monthly":
            return []
        return [c.name for c in self.columns if c.plausibility_factor]


HISTORY_MONTHS = 12
"""The plausibility rules compare a value with this many months before it."""


def _median(column: pl.Expr) -> pl.Expr:
    """The median as the warehouse computes one (DuckDB's ``median``): the middle value,
    or of two middle values ``low * 0.5 + high * 0.5``, to the last bit (Polars' own
    median interpolates as ``low + (high - low) * 0.5``, which can differ in it)."""
    low = column.quantile(0.5, interpolation="lower").cast(pl.Float64)
    high = column.quantile(0.5, interpolation="higher").cast(pl.Float64)
    return low * 0.5 + high * 0.5


def plausibility_history(
    stored: pl.DataFrame, incoming: pl.DataFrame, key: str, period: str, columns: list[str]
) -> pl.DataFrame:
    """Per ``incoming`` row whose factory (``key``) has at least 3 rows in ``stored`` in
    the 12 months before the row's ``period``: its ``submission_id`` and ``_row``, and of
    each of ``columns`` its value (``value_<column>``) and the median, minimum and maximum
    (``median_``, ``low_``, ``high_``) of those months, missing values left out.

    ``stored`` is the warehouse table (at least the months before the incoming ones, of
    their factories, the incoming rows already stored). Each stored month's window is
    found once, rolling over the factory's months sorted by period, and every figure of
    every column is taken from it: the same figures as joining each incoming row with
    its months (the SQL it replaces, kept as the oracle of tests/kpi/test_plausibility.py)
    in a fraction of the time."""
    figures = (
        stored.sort(key, period)
        .rolling(index_column=period, period=f"{HISTORY_MONTHS}mo", closed="left", group_by=key)
        .agg(
            pl.len().alias("_months"),
            *(
                expression
                for name in columns
                for expression in (
                    _median(pl.col(name)).alias(f"median_{name}"),
                    pl.col(name).min().alias(f"low_{name}"),
                    pl.col(name).max().alias(f"high_{name}"),
                )
            ),
        )
    )
    return (
        incoming.select("submission_id", "_row", key, period, *columns)
        .join(figures.filter(pl.col("_months") >= 3), on=[key, period], how="inner")
        .select(
            "submission_id",
            "_row",
            *(
                expression
                for name in columns
                for expression in (
                    pl.col(name).alias(f"value_{name}"),
                    pl.col(f"median_{name}"),
                    pl.col(f"low_{name}"),
                    pl.col(f"high_{name}"),
                )
            ),
        )
    )


def history_once_stored(
    stored: pl.DataFrame, incoming: pl.DataFrame, key: str, period: str
) -> pl.DataFrame:
    """``stored`` (warehouse rows of the ``incoming`` rows' factories, read before these
    are stored) as it is once they are: each of their months (``key``, ``period``) holds
    the incoming row of the latest file (the highest ``_order``), typed as the table
    types it. What :func:`plausibility_history` compares the incoming rows with, found
    before they are stored (``kpi.warehouse.prepare``)."""
    latest = incoming
    if incoming.select(pl.struct(key, period).is_duplicated().any()).item():
        latest = incoming.sort("_order").unique([key, period], keep="last", maintain_order=True)
    mine = latest.select(stored.columns).cast(stored.schema)
    return pl.concat([stored.join(mine, on=[key, period], how="anti"), mine])


def plausibility_rule(dataset: str, column: Column) -> Rule:
    """The warning for a value far from the factory's median of its previous 12 months
    (at least 3 of them; not when that median is 0), with its usual range: found by
    :func:`plausibility_findings`. The factor is the one its description shows (at most
    6 significant digits), as an exact decimal."""
    name, shown = column.name, f"{column.plausibility_factor:g}"
    return Rule(
        name="plausibility",
        kind="plausibility",
        severity="warning",
        column=name,
        description_en=f"{name} differs by more than a factor {shown} from the factory's "
        "median of its previous 12 months",
        description_nl=f"{name} wijkt meer dan een factor {shown} af van de mediaan van "
        "de vorige 12 maanden van de fabriek",
        implementation={"factor": Decimal(shown)},
        message="plausibility",
    )


def plausibility_findings(figures: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """The rows of ``figures`` (from :func:`plausibility_history`) that the plausibility
    ``rule`` of one column warns about: the value more than the rule's factor above or
    below the median of the factory's previous months, where that median is above 0.
    Columns ``submission_id, _row, value, factor`` (as a message shows it), ``median, low,
    high``; ordered by file and row. A frame of a few columns of every incoming row, so
    that the rules of all columns of a batch take milliseconds, not a query each.

    The arithmetic is the warehouse's, to the last bit (the rules were SQL before, kept
    as the oracle of tests/kpi/test_plausibility.py): a whole number times the factor is
    exact before it is compared (``3 x 3.3`` is ``9.9``, not ``9.899999999999999``), any
    other product is a float's."""
    name, exact = rule.column, rule.implementation["factor"]
    factor = float(exact)
    value, median = pl.col(f"value_{name}"), pl.col(f"median_{name}")
    if figures.schema[f"value_{name}"].is_integer():
        times_factor = (value.cast(pl.Decimal(38, 0)) * pl.lit(exact)).cast(pl.Float64)
    else:
        times_factor = value * factor
    # as the warehouse typed the factor it was written in: a decimal, or a float when
    # written with an exponent (a message shows a float as a stored number)
    written = f"{factor:g}"
    text = shown_value(factor) if "e" in written else written
    return (
        figures.filter((median > 0) & ((value > factor * median) | (times_factor < median)))
        .select(
            "submission_id",
            "_row",
            value.alias("value"),
            pl.lit(text).alias("factor"),
            median.alias("median"),
            pl.col(f"low_{name}").alias("low"),
            pl.col(f"high_{name}").alias("high"),
        )
        .sort("submission_id", "_row")
    )


def _custom(properties: list[CustomProperty] | None, name: str, default: Any = None) -> Any:
    for prop in properties or []:
        if prop.property == name:
            return prop.value
    return default


def _rule(quality: DataQuality, column: str | None, contract_name: str) -> Rule:
    if quality.type not in ("custom", "sql"):
        raise ValueError(
            f"contract {contract_name}: rule {quality.name!r} has type {quality.type!r}; "
            "ranges belong in logicalTypeOptions, other rules are custom or sql"
        )
    if quality.severity not in ("error", "warning"):
        raise ValueError(
            f"contract {contract_name}: rule {quality.name!r} needs severity error or warning"
        )
    if quality.type == "custom" and quality.engine != "great-expectations":
        raise ValueError(
            f"contract {contract_name}: custom rule {quality.name!r} must use "
            "engine great-expectations"
        )
    implementation = quality.implementation if isinstance(quality.implementation, dict) else {}
    return Rule(
        name=str(quality.name),
        kind=quality.type,  # type: ignore[arg-type]
        severity=quality.severity,  # type: ignore[arg-type]
        column=column,
        description_en=quality.description or str(quality.name),
        description_nl=_custom(quality.customProperties, "description_nl", quality.description),
        implementation=implementation,
        query=quality.query,
    )


def _number_limits(prop: Any) -> dict[str, float | None]:
    if prop.logicalType not in ("integer", "number"):
        return {}
    bound = _custom(prop.customProperties, "sanity_bound", DEFAULT_SANITY_BOUND)
    factor = _custom(prop.customProperties, "plausibility_factor", DEFAULT_PLAUSIBILITY_FACTOR)
    return {"sanity_bound": float(bound), "plausibility_factor": float(factor or 0) or None}


def parse_contract(odcs: OpenDataContractStandard) -> DatasetContract:
    """Turn the ODCS model of one dataset into the platform's typed view of it."""
    if not odcs.schema_ or len(odcs.schema_) != 1:
        raise ValueError(f"contract {odcs.name}: expected exactly one schema object")
    schema = odcs.schema_[0]
    columns = []
    for prop in schema.properties or []:
        if prop.logicalType not in ("string", "date", "integer", "number"):
            raise ValueError(f"contract {odcs.name}: {prop.name} has unsupported type")
        columns.append(
            Column(
                name=str(prop.name),
                logical_type=prop.logicalType,  # type: ignore[arg-type]
                required=bool(prop.required),
                unit=str(_custom(prop.customProperties, "unit", "")),
                description_en=prop.description or "",
                description_nl=_custom(prop.customProperties, "description_nl", prop.description),
                options=dict(prop.logicalTypeOptions or {}),
                pseudonymise=bool(_custom(prop.customProperties, "pseudonymise", False)),
                rules=tuple(_rule(q, str(prop.name), odcs.name) for q in prop.quality or []),
                **_number_limits(prop),
            )
        )
    purpose = ""
    if odcs.description is not None:
        purpose = getattr(odcs.description, "purpose", None) or ""
    return DatasetContract(
        name=str(odcs.name),
        title_nl=_custom(odcs.customProperties, "title_nl", odcs.name),
        title_en=_custom(odcs.customProperties, "title_en", odcs.name),
        purpose=purpose,
        columns=tuple(columns),
        schema_rules=tuple(_rule(q, None, odcs.name) for q in schema.quality or []),
        odcs=odcs,
        cadence=_custom(odcs.customProperties, "cadence", "monthly"),
        period_column=_custom(odcs.customProperties, "period_column", "period"),
    )


def contract_path(dataset: str, contracts_dir: Path | None = None) -> Path:
    return (contracts_dir or get_settings().contracts_dir) / f"{dataset}.odcs.yaml"


def read_odcs(path: Path) -> OpenDataContractStandard:
    """A contract file as the standard's model, parsed with libyaml as the register is
    (:func:`kpi.settings.read_config_yaml`: ~10x faster than the standard's own
    ``from_file``, and every process of the platform reads the contracts when it
    starts). Where both parsers accept a file they give the same values; they differ on
    tabs in odd places only (libyaml refuses a tab that starts a line of a folded block,
    the pure-Python parser one before a comment). A missing, malformed or empty file is a
    :class:`~kpi.settings.ConfigurationError` naming it."""
    document = read_config_yaml(path, "KPI_CONTRACTS_DIR")
    if not isinstance(document, dict):
        raise ConfigurationError(
            f"KPI_CONTRACTS_DIR: {path} is geen datacontract / is not a data contract"
        )
    return OpenDataContractStandard(**document)


@cache
def _load(path: Path) -> DatasetContract:
    return parse_contract(read_odcs(path))


def load_contract(dataset: str, contracts_dir: Path | None = None) -> DatasetContract:
    """The contract of ``dataset`` (one of :data:`UPLOAD_DATASETS`)."""
    if dataset not in UPLOAD_DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}; known: {', '.join(UPLOAD_DATASETS)}")
    return _load(contract_path(dataset, contracts_dir))


def all_contracts(contracts_dir: Path | None = None) -> list[DatasetContract]:
    """Every uploadable dataset's contract, the yearly ones after the monthly ones."""
    return [load_contract(name, contracts_dir) for name in UPLOAD_DATASETS]


# --- computed datasets: the KPIs and the city's indicators -----------------------------

Direction = Literal["higher", "lower", "context"]


@dataclass(frozen=True)
class Definition:
    """A figure the platform computes (a factory KPI or a regional indicator)."""

    name: str
    kind: str
    domain: str
    formula: str
    unit: str
    label_nl: str
    label_en: str
    description_en: str
    description_nl: str
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    direction: Direction = "context"
    factors: tuple[str, ...] = ()
    window_months: int = 12
    additive: bool = False
    decimals: int = 3
    """Display precision: published statistics are rounded to this many decimals."""

    def label(self, lang: str) -> str:
        return self.label_nl if lang == "nl" else self.label_en

    def description(self, lang: str) -> str:
        return self.description_nl if lang == "nl" else self.description_en


def _definitions(path: Path, domain: str | None) -> tuple[Definition, ...]:
    odcs = read_odcs(path)
    assert odcs.schema_ is not None
    found = []
    for prop in odcs.schema_[0].properties or []:
        custom = {c.property: c.value for c in prop.customProperties or []}
        found.append(
            Definition(
                name=str(prop.name),
                kind=str(custom["kind"]),
                domain=domain or str(custom["domain"]),
                formula=prop.transformLogic or "",
                unit=str(custom.get("unit", "")),
                label_nl=str(custom.get("label_nl", prop.name)),
                label_en=str(custom.get("label_en", prop.name)),
                description_en=prop.description or "",
                description_nl=str(custom.get("description_nl", prop.description or "")),
                numerator=custom.get("numerator"),
                denominator=custom.get("denominator"),
                scale=float(custom.get("scale", 1)),
                direction=custom.get("direction", "context"),
                factors=tuple(custom.get("factors", ())),
                window_months=int(custom.get("window_months", 12)),
                additive=bool(custom.get("additive", False)),
                decimals=int(custom.get("decimals", 3)),
            )
        )
    return tuple(found)


@cache
def _cached_definitions(path: Path, domain: str | None = None) -> tuple[Definition, ...]:
    return _definitions(path, domain)


def kpi_definitions(contracts_dir: Path | None = None) -> tuple[Definition, ...]:
    """Every factory KPI of the catalogue (``contracts/kpis.odcs.yaml``), in order."""
    return _cached_definitions((contracts_dir or get_settings().contracts_dir) / "kpis.odcs.yaml")


def indicator_definitions(contracts_dir: Path | None = None) -> tuple[Definition, ...]:
    """The city's regional indicators (``contracts/region_indicators.odcs.yaml``)."""
    directory = contracts_dir or get_settings().contracts_dir
    return _cached_definitions(directory / "region_indicators.odcs.yaml", "region")


def serving_tables(contracts_dir: Path | None = None) -> dict[str, list[tuple[str, str]]]:
    """The serving snapshot's tables: name -> [(column, DuckDB type)], from its contract."""
    path = (contracts_dir or get_settings().contracts_dir) / "serving.odcs.yaml"
    odcs = read_odcs(path)
    return {
        str(table.name): [(str(p.name), str(p.physicalType)) for p in table.properties or []]
        for table in odcs.schema_ or []
    }
