"""The factory register: which factories belong to the network (configuration)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from kpi.i18n import both_languages
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
    data would count twice among the peers, so the register is refused, naming both."""
    written = _code_lines(path)
    first_of: dict[str, int] = {}
    for index, factory in enumerate(register.factories):
        if factory.code in first_of:
            earlier = first_of[factory.code]
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


@cache
def load_register(path: Path) -> FactoryRegister:
    """Read the register YAML at ``path`` (cached per path); refuse it when one code
    appears twice."""
    document = read_config_yaml(path, "KPI_FACTORY_REGISTER")
    try:
        register = FactoryRegister.model_validate(document)
    except ValidationError as exc:
        raise ConfigurationError(
            f"KPI_FACTORY_REGISTER: {path} klopt niet / is not a valid register: {exc}"
        ) from exc
    _refuse_duplicate_codes(path, register)
    return register
