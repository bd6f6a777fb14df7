"""Resources: where the platform's files are, and the warehouse connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from filelock import FileLock

from kpi.disclosure.releases import Publication
from kpi.disclosure.rules import DisclosureSettings, load_disclosure
from kpi.pseudonym import load_or_create_key, pseudonymise
from kpi.register import FactoryRegister, load_register
from kpi.settings import Settings


class PlatformResource(dg.ConfigurableResource):
    """The data directory, the factory register and the upload limits of this deployment.

    Defaults come from the ``KPI_*`` environment (see ``kpi.settings``); the pseudonym key
    is read from ``KPI_PSEUDONYM_KEY`` or the data directory when first needed, never here.
    """

    data_dir: str
    factory_register: str = ""
    """``KPI_FACTORY_REGISTER`` when set; empty: the register kept in the data directory
    (the admin's Factories page) or the shipped one, looked up at every run."""
    disclosure_config: str
    max_file_mb: float = 10.0
    lang: str = "nl"

    def settings(self) -> Settings:
        register = {}
        if self.factory_register:
            register["factory_register"] = Path(self.factory_register)
        return Settings(
            data_dir=Path(self.data_dir),
            **register,
            disclosure_config=Path(self.disclosure_config),
            max_file_mb=self.max_file_mb,
            lang=self.lang,
        )

    def register(self) -> FactoryRegister:
        return load_register(self.settings().register_path)

    def disclosure(self) -> DisclosureSettings:
        """Read at every run: a changed config/disclosure.yaml applies to the next run."""
        return load_disclosure(Path(self.disclosure_config))

    def pseudonyms(self) -> dict[str, str]:
        """Factory code -> pseudonym, for every factory of the register."""
        key = load_or_create_key(self.settings())
        return {f.code: pseudonymise(f.code, key) for f in self.register().factories}

    def contributors(self) -> dict[str, str]:
        """Factory pseudonym -> its contributor: factories of one company group (register
        ``company``) count as one contributor, under a pseudonym of the group."""
        key = load_or_create_key(self.settings())
        return {
            pseudonymise(f.code, key): pseudonymise(f"company:{f.company}", key)
            if f.company
            else pseudonymise(f.code, key)
            for f in self.register().factories
        }

    def publication(self, requested_by: str | None = None) -> Publication:
        """What a release or revision needs besides the warehouse."""
        disclosure = self.disclosure()
        # read once, as the contributors are: a history load asks for 120 months, and
        # each read of the register parses the settings again (~5 ms)
        factories = self.register().factories
        breakdowns = {}
        if "sector" in disclosure.region_breakdowns:
            pseudonyms = self.pseudonyms()
            breakdowns["sector"] = {pseudonyms[f.code]: f.sector for f in factories}
        return Publication(
            disclosure=disclosure,
            contributor_of=self.contributors(),
            expected_factories=lambda period: sum(f.expected_in(period) for f in factories),
            breakdowns=breakdowns,
            requested_by=requested_by,
        )

    @contextmanager
    def warehouse_lock(self) -> Iterator[None]:
        """Hold the single-writer lock of the warehouse (shared with ``kpi run``)."""
        settings = self.settings()
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(settings.warehouse_lock_path)):
            yield


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        "platform": PlatformResource(
            data_dir=str(settings.data_dir),
            factory_register=str(settings.factory_register)
            if settings.register_managed_elsewhere
            else "",
            disclosure_config=str(settings.disclosure_config),
            max_file_mb=settings.max_file_mb,
            lang=settings.lang,
        ),
        "warehouse": DuckDBResource(database=str(settings.warehouse_path)),
    }
