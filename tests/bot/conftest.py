"""Bot tests, offline at the Bot API seam: a recording BaseRequest, updates fed with
process_update, the four services in-process on SQLite (tests/bot/cluster.py)."""
from __future__ import annotations

import shared  # noqa: F401  (silences eventlet's deprecation notice before nameko imports it)
import asyncio
import io
from pathlib import Path

import pytest

from shared.kit.actor import SYSTEM
from tests.bot.cluster import LocalCluster, seeded_cluster  # imports nameko now, under the kit's warning filter


def jpeg(colour=(200, 30, 30), exif: bool = True) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (32, 24), colour)
    out = io.BytesIO()
    extra = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "PhoneMaker"  # Make
        e[0x8825] = {1: "N", 2: (21.0, 0.0, 0.0)}  # GPS
        extra["exif"] = e.tobytes()
    img.save(out, "JPEG", **extra)
    return out.getvalue()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One in-process cluster per module, seeded with Hanoi's reference sites."""
    yield from seeded_cluster(tmp_path_factory, "services")


class BotWorld:
    """A bot application over the cluster; `run(story)` runs an async story in one loop."""

    def __init__(self, cluster, tmp_path: Path, **overrides) -> None:  # type: ignore[no-untyped-def]
        from bot.store import BotStore
        from shared.kit.config import Settings, with_values
        from shared.kit.store import plain_db
        from tests.bot.cluster import LocalServices

        self.cluster = cluster
        self.tmp_path = tmp_path
        self.settings = with_values(Settings(data_dir=tmp_path, database_url=None), **overrides)
        self.store = BotStore(plain_db("bot", self.settings), b"test-secret")
        self.services = LocalServices(cluster)
        self.app = None
        self.request = None

    async def start(self):  # type: ignore[no-untyped-def]
        from bot.app import build_application
        from bot.offline import RecordingRequest

        self.request = RecordingRequest()
        self.app = build_application(self.settings, self.services, self.store, request=self.request, follow=False)
        await self.app.initialize()
        await self.app.start()  # the job queue (conversation timeouts) and the update processor
        return self.app

    async def stop(self) -> None:
        await self.app.stop()
        await self.app.shutdown()

    async def through_inbox(self, updates) -> list[dict]:  # type: ignore[no-untyped-def]
        """The production path: the updates stored in the inbox, then a replica's workers drain it."""
        from bot.runtime.worker import Workers

        inbox = self.app.runtime.inbox
        for update in updates:
            inbox.put(update.to_dict())
        await Workers(self.app, inbox, self.app.runtime.owner, per_minute=self.settings.bot.flood_per_minute).drain()
        return [o for u in updates for o in inbox.outcomes(str(u.effective_chat.id)) if o["update_id"] == u.update_id]

    def chat(self, user_id: int, **kw):  # type: ignore[no-untyped-def]
        from bot.offline import ChatDriver

        return ChatDriver(self.app, self.request, user_id, **kw)

    async def pushes(self) -> int:
        """Let the feed take every public event so far, then send the outbox."""
        from bot.feed import SOURCES, BotFeed
        from shared.kit.follower import Follower

        def follow() -> None:
            for source in SOURCES:
                mapper = self.cluster.kits[source].mapper
                Follower(source, BotFeed(self.store.db), lambda p, n, m=mapper: m.events_since(p, n)).catch_up()

        await asyncio.to_thread(follow)
        return await self.app.bot_data["outbox"].flush()

    def run(self, story) -> None:  # type: ignore[no-untyped-def]
        async def main() -> None:
            await self.start()
            try:
                await story(self)
            finally:
                await self.stop()

        asyncio.run(main())


@pytest.fixture
def world(cluster, tmp_path):
    return BotWorld(cluster, tmp_path)


@pytest.fixture
def staff(cluster):
    """Call a service as inspections staff (to move an incident along)."""
    from shared.kit.actor import Actor, Role

    inspector = Actor(id="inspector-1", role=Role.INSPECTOR)
    return lambda service, rpc, **kw: cluster.call_sync(inspector, service, rpc, **kw)
