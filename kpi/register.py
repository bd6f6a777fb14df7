"""The factory register: which factories belong to the network (configuration)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator


class Factory(BaseModel):
    """A member factory as the register describes it. Its code and name never leave
    ingestion, the coordinator's submission view and the factory's own pages."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    sector: str
    municipality: str

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
    with path.open(encoding="utf-8") as handle:
        return FactoryRegister.model_validate(yaml.safe_load(handle))
