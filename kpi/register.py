"""The factory register: which factories belong to the network (configuration)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from kpi.i18n import both_languages
from kpi.settings import ConfigurationError, Settings, read_config_yaml


def normal_code(code: str) -> str:
    """The factory code that a code written by hand names: ``f01 `` is ``F01`` (the
    register's codes, the landing zone's folders, the pseudonyms and the logins all read
    a code so)."""
    return code.strip().upper()


class Factory(BaseModel):
    """A member factory as the register describes it. Its code and name never leave
    ingestion, the coordinator's submission view and the factory's own pages."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    sector: str
    municipality: str
    company: str | None = None
    """The company group: factories of one group count as one contributor to a figure."""
    contact: str | None = None
    """Who the coordinator writes to about this factory's files (reminders)."""
    language: Literal["nl", "en"] | None = None
    """The contact's language (Dutch when not set)."""
    joined: dt.date | None = None
    """First month the factory reports (the 1st of that month); always, when not set."""
    left: dt.date | None = None
    """The factory left the network after this month: it keeps its history and is no
    longer expected (never late) for later months."""

    def expected_in(self, month: dt.date) -> bool:
        """Whether the factory is a member that should report ``month``."""
        first = month.replace(day=1)
        if self.joined is not None and first < self.joined.replace(day=1):
            return False
        return self.left is None or first <= self.left.replace(day=1)

    @field_validator("code")
    @classmethod
    def _code_is_trimmed_upper(cls, code: str) -> str:
        return normal_code(code)


class FactoryRegister(BaseModel):
    factories: list[Factory]

    @cached_property
    def _by_code(self) -> dict[str, Factory]:
        # the first of a code, as the register is read (duplicates are refused on loading)
        found: dict[str, Factory] = {}
        for factory in self.factories:
            found.setdefault(factory.code, factory)
        return found

    def by_code(self, code: str) -> Factory | None:
        """The factory with ``code`` (asked once per file of a run: a dictionary, not a
        walk through thousands of factories)."""
        return self._by_code.get(normal_code(code))

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.factories]


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, code as written) of every factory in the register file, in order."""
    import yaml

    with path.open(encoding="utf-8") as handle:
        root = yaml.compose(handle)
    lines: list[tuple[int, str]] = []
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value != "factories" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            for field, node in item.value:
                if field.value == "code" and isinstance(node, yaml.ScalarNode):
                    lines.append((node.start_mark.line + 1, node.value))
    return lines


def _refuse_duplicate_codes(path: Path, register: FactoryRegister) -> None:
    """Two entries whose codes differ only in case or spaces are one factory twice: its
    data would count twice among the peers, so the register is refused, naming both.
    The file's lines are looked up only then (PyYAML's composer is slow on a large
    register)."""
    first_of: dict[str, int] = {}
    for index, factory in enumerate(register.factories):
        if factory.code in first_of:
            earlier = first_of[factory.code]
            written = _code_lines(path)
            line_a, code_a = written[earlier] if earlier < len(written) else (0, factory.code)
            line_b, code_b = written[index] if index < len(written) else (0, factory.code)
            raise ConfigurationError(
                both_languages(
                    "register_duplicate_code",
                    path=path,
                    code=factory.code,
                    first=line_a,
                    first_code=code_a,
                    second=line_b,
                    second_code=code_b,
                )
            )
        first_of[factory.code] = index


def load_register(path: Path) -> FactoryRegister:
    """Read the register YAML at ``path`` (cached until the file changes); refuse it when
    one code appears twice."""
    try:
        info = path.stat()
        identity = (info.st_ino, info.st_mtime_ns, info.st_size)
    except OSError:
        identity = (0, 0, 0)
    return _load_register(path, identity)


@lru_cache(maxsize=32)
def _load_register(path: Path, identity: tuple[int, int, int]) -> FactoryRegister:
    document = read_config_yaml(path, "KPI_FACTORY_REGISTER")
    try:
        register = FactoryRegister.model_validate(document)
    except ValidationError as exc:
        raise ConfigurationError(
            f"KPI_FACTORY_REGISTER: {path} klopt niet / is not a valid register: {exc}"
        ) from exc
    _refuse_duplicate_codes(path, register)
    return register


def current_register(settings: Settings) -> FactoryRegister:
    """The register in force: ``KPI_FACTORY_REGISTER`` when set, else the one kept in the
    data directory (edited on the admin's Factories page), else the shipped one."""
    return load_register(settings.register_path)


class RegisterError(ValueError):
    """A change to the register that cannot be made (the message key says why)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def save_factory(settings: Settings, factory: Factory, *, new: bool) -> FactoryRegister:
    """Add (``new``) or replace the factory with ``factory.code`` and keep the register in
    the data directory (``register.yaml``), so a deployment keeps it without editing YAML.
    Refused when the register is managed elsewhere (``KPI_FACTORY_REGISTER``)."""
    import yaml

    from kpi.users import _write_private

    if settings.register_managed_elsewhere:
        raise RegisterError("register_managed_elsewhere", path=settings.factory_register)
    register = current_register(settings)
    existing = register.by_code(factory.code)
    if new and existing is not None:
        raise RegisterError("register_code_exists", code=factory.code)
    if not new and existing is None:
        raise RegisterError("register_code_unknown", code=factory.code)
    if not factory.code or not factory.name.strip() or not factory.sector.strip():
        raise RegisterError("register_fields_required")
    if factory.left and factory.joined and factory.left < factory.joined:
        raise RegisterError("register_left_before_joined")
    factories = [factory if f.code == factory.code else f for f in register.factories]
    if new:
        factories.append(factory)
    updated = FactoryRegister(factories=factories)
    document = {
        "factories": [f.model_dump(mode="json", exclude_none=True) for f in updated.factories]
    }
    _write_private(
        settings.data_register_path,
        "# The factory register, kept by the admin's Factories page.\n"
        + yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
    )
    return updated


load_register.cache_clear = _load_register.cache_clear  # type: ignore[attr-defined]
"""Forget every register read (the cache already follows changes to the file)."""
