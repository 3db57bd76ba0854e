"""The whole manifest story (tests/bot/manifest_story.py) offline: the bot application over the
four services in-process, each chat watched so that every draft it leaves is plain JSON."""
from __future__ import annotations

import asyncio

from bot.texts import t
from shared.kit.actor import Actor, Role
from tests.bot.manifest_chat import DraftWatch, plain_json
from tests.bot.manifest_story import whole_manifest_story

ADMIN = Actor(id="admin-story", role=Role.ADMIN)


class OfflineStoryWorld:
    """The story's interface over a BotWorld (tests/bot/conftest.py)."""

    def __init__(self, bot_world) -> None:  # type: ignore[no-untyped-def]
        self.bot_world = bot_world
        self.establishments: dict[str, dict] = {}
        self.watch = DraftWatch(bot_world.app)

    def chat(self, user_id: int):  # type: ignore[no-untyped-def]
        return self.watch.wrap(self.bot_world.chat(user_id))

    async def call(self, service: str, rpc: str, **kw):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(self.bot_world.cluster.call_sync, ADMIN, service, rpc, **kw)

    async def link(self, chat, role: str, establishment_id: str) -> None:  # type: ignore[no-untyped-def]
        code = (await self.call("sites", "issue_link_code", role=role, establishment_id=establishment_id))["code"]
        name = (await self.call("sites", "get_establishment", establishment_id=establishment_id))["name"]
        assert await chat.send(f"/link {code}") == [t("vi", "link-done", role=t("vi", f"role-{role}"), name=name)]


def test_a_whole_manifest_two_transporters_a_correction_a_partial_rejection_treatment_and_copy_4(world):
    seen = {}

    async def story(w):  # type: ignore[no-untyped-def]
        offline = OfflineStoryWorld(w)
        seen["manifest"] = await whole_manifest_story(offline)
        seen["watch"] = offline.watch
        for uid in w.app.user_data:
            assert "manifest" not in w.app.user_data[uid]          # every draft ended with its job

    world.run(story)
    assert seen["manifest"]["state"] == "copy4_returned"
    watch = seen["watch"]
    assert {"new", "correct", "reject", "receive", "treat"} <= watch.modes
    assert len(watch.seen) > 40
    for snapshot in watch.seen:
        assert plain_json(snapshot), snapshot
