"""The ports of each Application, for tests: sensible fakes, so a test names only the port it changes.

    app = InspectionsApplication(env=popo_env(), ports=inspections_ports(directory=FakeDirectory()))
    app = on_store(InspectionsApplication, "inspections", settings,
                   lambda store: inspections_ports(views=InspectionsViews(store.db, store)))

The defaults are what an Application built without its service had before ports were required:
a directory that knows nothing, no photo check (any photo is taken as stored), no read models
(answers that need them refuse, the ones that had a fallback keep it), empty reference data,
the deadlines' defaults. Production builds the real ones: services/<name>/bootstrap.py.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from services.indicators.application import IndicatorsPorts
from services.inspections.application import Deadlines as InspectionDeadlines, InspectionsPorts
from services.inspections.limits import LimitTables
from services.manifests.application import Deadlines as ManifestDeadlines, ManifestsPorts
from services.sites.application import SitesPorts
from services.sites.link_commands import LinkPolicy
from shared.directory import EmptyDirectory
from shared.kit.calendar import WorkingDays
from shared.kit.config import Settings
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.eventstore import Store, open_store


class Unplugged:
    """A port a test did not plug: any use refuses, naming it (as an answer that needs the
    service's read models refused before)."""

    def __init__(self, port: str) -> None:
        self._port = port

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise InvalidInput(f"{name} needs the service's {self._port}, which this test did not plug", self._port,
                           "required")


class NoInspectionsViews(Unplugged):
    """No read models: looking for duplicates finds none (as before ports were required)."""

    def __init__(self) -> None:
        super().__init__("views")

    def duplicates_of(self, incident: Any) -> list:
        return []


class NoManifestsViews(Unplugged):
    """No read models: a mass balance counts no flows (as before ports were required)."""

    def __init__(self) -> None:
        super().__init__("views")

    def flows(self, generator_id: str, year: int) -> dict:
        return {}


class AnyPhoto:
    """No blob store: every photo a command names counts as stored; no document can be read or kept."""

    def claim(self, digest: str) -> bool:
        return True

    def get(self, digest: str) -> bytes:
        raise NotFound(f"this test plugged no blob store: no file {digest}", "document", "exists")

    def put(self, data: bytes) -> str:
        raise InvalidInput("this test plugged no blob store", "document", "required")


class NoEvidence:
    """No evidence shelf: no evidence file is stored."""

    def claim(self, digest: str) -> bool:
        return False

    def store(self, data: bytes) -> dict:
        raise InvalidInput("this test plugged no evidence shelf", "evidence", "required")

    def get(self, digest: str) -> tuple[bytes, str]:
        raise NotFound(f"no evidence file {digest}", "evidence_file", "exists")


def inspections_ports(*, limits: Any = None, holidays: list | None = None, makeup_days: list | None = None,
                      **overrides: Any) -> InspectionsPorts:
    """`limits` may be the loaded list (reference.limit_tables()), `holidays` the calendar's days."""
    ports: dict[str, Any] = dict(
        directory=EmptyDirectory(), views=NoInspectionsViews(), blobs=AnyPhoto(), photos=Unplugged("photos"),
        limits=LimitTables(), sanctions={"entries": [], "rules": {}}, calendar=WorkingDays(),
        deadlines=InspectionDeadlines(triage_working_days=2, resolution_days=15, reopen_days=30))
    if limits is not None:
        ports["limits"] = limits if isinstance(limits, LimitTables) else LimitTables(limits)
    if holidays is not None:
        ports["calendar"] = WorkingDays(holidays, makeup_days or [])
    ports.update(overrides)
    return InspectionsPorts(**ports)


def manifests_ports(**overrides: Any) -> ManifestsPorts:
    ports: dict[str, Any] = dict(
        directory=EmptyDirectory(), views=NoManifestsViews(), listing=Unplugged("listing"),
        catalogue={"version": "none", "codes": []},
        deadlines=ManifestDeadlines(copy4_days=90, transit_days=7, discrepancy_days=15, storage_days=365))
    ports.update(overrides)
    return ManifestsPorts(**ports)


def indicators_ports(**overrides: Any) -> IndicatorsPorts:
    ports: dict[str, Any] = dict(facts=Unplugged("facts"), reports=Unplugged("reports"), validity_years=2,
                                 roadmap_overrides={})
    ports.update(overrides)
    return IndicatorsPorts(**ports)


def sites_ports(**overrides: Any) -> SitesPorts:
    ports: dict[str, Any] = dict(link_policy=LinkPolicy(key=secrets.token_bytes(32)), evidence=NoEvidence())
    ports.update(overrides)
    return SitesPorts(**ports)


PORTS = {"sites": sites_ports, "inspections": inspections_ports, "manifests": manifests_ports,
         "indicators": indicators_ports}


def on_store(app_class: type, service: str, settings: Settings,
             ports: Callable[[Store], Any] | None = None, **options: Any) -> Any:
    """An Application on a SQL store opened first, as its bootstrap builds it: `ports(store)`
    builds the ports on that store (its read models), the defaults of PORTS[service] without it."""
    store = open_store(app_class, service, settings)
    try:
        chosen = ports(store) if ports is not None else PORTS[service]()
        return app_class(store=store, ports=chosen, **options)
    except BaseException:
        store.close()
        raise
