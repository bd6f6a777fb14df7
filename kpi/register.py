"""The factory register: which factories belong to the network (configuration)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from kpi.settings import ConfigurationError, read_config_yaml


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

    @field_validator("code")
    @classmethod
    def _code_is_trimmed_upper(cls, code: str) -> str:
        return code.strip().upper()


class FactoryRegister(BaseModel):
    factories: list[Factory]

    def by_code(self, code: str) -> Factory | None:
        wanted = code.strip().upper()
        return next((f for f in self.factories if f.code == wanted), None)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.factories]


@cache
def load_register(path: Path) -> FactoryRegister:
    """Read the register YAML at ``path`` (cached per path)."""
    document = read_config_yaml(path, "KPI_FACTORY_REGISTER")
    try:
        return FactoryRegister.model_validate(document)
    except ValidationError as exc:
        raise ConfigurationError(
            f"KPI_FACTORY_REGISTER: {path} klopt niet / is not a valid register: {exc}"
        ) from exc
