"""The four services in this process, without a broker: the bot's offline tests call the real
service classes (their contracts, role checks and applications on SQLite), with answers
round-tripped through JSON as nameko's serializer does. Followers pull from each other's
`events_since` before every call, so cross-service reads are as fresh as a caught-up follower."""
from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

from kombu.utils.json import dumps, loads

from services.indicators.service import IndicatorsService
from services.inspections.service import InspectionsService
from services.manifests.service import ManifestsService
from services.sites.service import SitesService
from shared.kit.actor import SYSTEM, Actor
from shared.kit.nameko_glue import Kit, ServiceKit

CLASSES = {"sites": SitesService, "inspections": InspectionsService, "manifests": ManifestsService,
           "indicators": IndicatorsService}


class _LocalKit(ServiceKit):
    cluster: "LocalCluster"

    def _backfill(self, source: str):  # type: ignore[no-untyped-def]
        return lambda position, limit: self.cluster.kits[source].mapper.events_since(position, limit)


class LocalCluster:
    def __init__(self) -> None:
        self.kits: dict[str, _LocalKit] = {}
        self.lock = threading.RLock()  # one call at a time, like one worker
        for name, cls in CLASSES.items():
            proto = cls.kit
            kit = _LocalKit(proto.service, proto.bootstrap, proto.contracts, proto.follows)
            kit.cluster = self
            kit.container = SimpleNamespace(config={"AMQP_URI": "memory://"}, service_name=name)
            kit.setup()
            self.kits[name] = kit
        self.calls: list[tuple[str, str]] = []

    def call_sync(self, actor: Actor, service: str, rpc: str, /, **kwargs: Any) -> Any:
        with self.lock:
            self.calls.append((service, rpc))
            kit = self.kits[service]
            for follower in kit.followers.values():
                follower.catch_up()
            svc = CLASSES[service]()
            svc.kit = Kit(kit, SimpleNamespace(data={}))  # the providers, as nameko injects them:
            svc.app, svc.views, svc.actor = kit.app, kit.views, actor
            return loads(dumps(getattr(svc, rpc)(**loads(dumps(kwargs)))))

    def client(self, actor: Actor = SYSTEM) -> Any:
        """`c.sites.register_site(...)`, like the RPC client (for the seed steps)."""
        cluster = self

        class _Service:
            def __init__(self, name: str) -> None:
                self.name = name

            def __getattr__(self, rpc: str):  # type: ignore[no-untyped-def]
                return lambda **kw: cluster.call_sync(actor, self.name, rpc, **kw)

        return SimpleNamespace(**{name: _Service(name) for name in CLASSES})

    def close(self) -> None:
        for kit in self.kits.values():
            kit.app.close()


class LocalServices:
    """The bot's `Services` over a LocalCluster (calls run in a worker thread, as in production)."""

    def __init__(self, cluster: LocalCluster) -> None:
        self.cluster = cluster
        self.down: set[str] = set()

    async def call(self, actor: Actor, service: str, rpc: str, /, **kwargs: Any) -> Any:
        if service in self.down:
            from bot.client import Unavailable

            raise Unavailable(f"{service} is down (test)")
        return await asyncio.to_thread(self.cluster.call_sync, actor, service, rpc, **kwargs)

    def close(self) -> None:
        pass


def seeded_cluster(tmp_path_factory, name: str = "services"):  # type: ignore[no-untyped-def]
    """A LocalCluster on SQLite in a fresh directory, seeded with Hanoi's reference sites (a
    generator for fixtures: yields the cluster, closes it and restores the environment)."""
    import pytest

    from shared.kit.actor import SYSTEM
    from shared.kit.config import Settings
    from shared.seed import seed_steps

    mp = pytest.MonkeyPatch()
    mp.setenv("LANGXANH_DATA_DIR", str(tmp_path_factory.mktemp(name)))
    mp.delenv("LANGXANH_DATABASE_URL", raising=False)
    cluster = LocalCluster()
    client = cluster.client(SYSTEM)
    for step in seed_steps():
        step.run(client)
    cluster.settings = Settings()
    try:
        yield cluster
    finally:
        cluster.close()
        mp.undo()
