"""Issue 15, the bot's runtime offline: state in the database shared by replicas (two
Applications over one SQLite file in one loop), leases, replica-safe timeouts, the sweeper, and
the earlier version's pickle state imported once."""
from __future__ import annotations

import asyncio
import time

import pytest

from bot.texts import t
from tests.bot.conftest import BotWorld

BAT_TRANG = (21.0035, 105.9157)


async def started(*worlds):  # type: ignore[no-untyped-def]
    for w in worlds:
        await w.start()
    return worlds


async def stopped(*worlds) -> None:  # type: ignore[no-untyped-def]
    for w in worlds:
        await w.stop()


async def wait_for(predicate, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


def test_a_lease_is_one_owners_until_it_expires_or_is_released(cluster, tmp_path):
    world = BotWorld(cluster, tmp_path)

    async def story(w):
        inbox = w.app.runtime.inbox
        assert inbox.claim("chat:1", "a", 0.4) and inbox.claim("chat:1", "a", 0.4)  # renewed by its owner
        assert not inbox.claim("chat:1", "b", 0.4)
        await asyncio.sleep(0.5)
        assert inbox.claim("chat:1", "b", 5)  # a's expired: b takes over
        inbox.release("chat:1", "a")  # a late release of a's lease changes nothing
        assert inbox.holder("chat:1") == "b" and not inbox.claim("chat:1", "a", 1)
        inbox.release("chat:1", "b")
        assert inbox.claim("chat:1", "a", 1)
        assert inbox.put({"update_id": 5, "message": {"chat": {"id": 1}}}) is True
        assert inbox.put({"update_id": 5, "message": {"chat": {"id": 1}}}) is False  # a redelivery is stored once

    world.run(story)


def test_two_replicas_share_one_conversation_step_by_step(cluster, tmp_path):
    async def main() -> None:
        a, b = await started(BotWorld(cluster, tmp_path), BotWorld(cluster, tmp_path))
        try:
            on_a, on_b = a.chat(9701), b.chat(9701)
            await on_a.send("/report")
            await on_a.press("cat:smoke_odour")
            assert await on_b.location(*BAT_TRANG) == [t("vi", "report-describe")]  # B knows the step A left it at
            assert await on_a.send("Khói đen") == [t("vi", "report-photos", max=3)]  # and A what B did
            assert a.app.user_data[9701]["report"]["description"] == "Khói đen"
            assert b.store.db is not a.store.db
        finally:
            await stopped(a, b)

    asyncio.run(main())


def test_a_replicas_timer_never_ends_a_conversation_another_replica_moved_on(cluster, tmp_path):
    async def main() -> None:
        a, b = await started(BotWorld(cluster, tmp_path, bot_conversation_timeout=60),
                             BotWorld(cluster, tmp_path, bot_conversation_timeout=60))
        try:
            on_a, on_b = a.chat(9702), b.chat(9702)
            await on_a.send("/report")
            await on_a.press("cat:dust")
            [timer_a] = a.app.job_queue.jobs()
            await on_b.location(*BAT_TRANG)  # B moves the conversation on (and starts its own timer)
            await timer_a.run(a.app)  # A's time is up: but the conversation moved on since
            assert on_a.replies() == [] and on_b.replies() == []
            assert a.app.persistence.conversation_rows(9702) != []
            [timer_b] = b.app.job_queue.jobs()
            await timer_b.run(b.app)  # B's is the conversation's last word: it times out
            assert on_b.replies() == [t("vi", "conversation-timeout")]
            assert a.app.persistence.conversation_rows(9702) == []
            assert await on_a.send("bụi") == [t("vi", "free-text")]
        finally:
            await stopped(a, b)

    asyncio.run(main())


def test_a_dead_replicas_silent_conversation_is_timed_out_by_another(cluster, tmp_path):
    async def main() -> None:
        [a] = await started(BotWorld(cluster, tmp_path, bot_conversation_timeout=0.3))
        on_a = a.chat(9703)
        await on_a.send("/report")
        await on_a.press("cat:dust")
        a.app.job_queue.scheduler.remove_all_jobs()  # A dies: its timer never fires
        await a.stop()
        [b] = await started(BotWorld(cluster, tmp_path, bot_conversation_timeout=0.3))
        try:
            on_b = b.chat(9703)
            assert await wait_for(lambda: t("vi", "conversation-timeout") in on_b.replies(), 4)
            assert b.app.persistence.conversation_rows(9703) == []
            await b.app.persistence.refresh_user_data(9703, fresh := {})
            assert "report" not in fresh
        finally:
            await b.stop()

    asyncio.run(main())


def test_the_earlier_pickle_state_is_imported_once_then_set_aside(cluster, tmp_path):
    from telegram.ext import PicklePersistence

    from bot.flows.report import DESCRIBE

    path = tmp_path / "bot" / "state.pickle"
    path.parent.mkdir()

    async def write_old() -> None:
        old = PicklePersistence(path)
        await old.update_user_data(9704, {"lang": "en", "report": {"command_id": "bot-report-old", "photos": [],
                                                                   "category": "noise",
                                                                   "location": {"lat": 21.0, "lon": 105.92}}})
        await old.update_conversation("report", (9704, 9704), DESCRIBE)
        await old.flush()

    asyncio.run(write_old())

    class Upgraded(BotWorld):
        async def start(self):  # type: ignore[no-untyped-def]
            from bot.app import build_application
            from bot.offline import RecordingRequest

            self.request = RecordingRequest()
            self.app = build_application(self.settings, self.services, self.store, request=self.request,
                                         follow=False, legacy_state=path)
            await self.app.initialize()
            await self.app.start()

    async def story(w):
        assert not path.exists() and path.with_name("state.pickle.imported").exists()
        lan = w.chat(9704)
        assert await lan.send("Loud music all night") == [t("en", "report-photos", max=3)]

    Upgraded(cluster, tmp_path).run(story)
    asyncio.run(write_old())  # a pickle found again later: the database is not empty, so it is left alone

    async def again(w):
        assert path.exists()
        assert w.app.user_data[9704] == {} or "description" in w.app.user_data[9704].get("report", {})
        await w.app.persistence.refresh_user_data(9704, fresh := {})
        assert fresh["report"]["description"] == "Loud music all night"

    Upgraded(cluster, tmp_path).run(again)


@pytest.mark.parametrize("value", [(1, "a"), {3, 1}, {1: "x", (2, 3): [4]}, {"__lx": "tuple", "v": [1]}])
def test_the_state_codec_gives_back_what_it_was_given(value):
    from bot.runtime import codec

    assert codec.loads(codec.dumps(value)) == value


def test_concurrent_chats_never_mix_or_lose_their_writes(world):
    async def story(w):
        async def one(i: int) -> list[str]:
            lan = w.chat(9900 + i)
            await lan.send("/report")
            await lan.press("cat:dust")
            await lan.location(*BAT_TRANG)
            return await lan.send(f"Bụi mù mịt số {i}")

        got = await asyncio.gather(*(one(i) for i in range(8)))
        assert got == [[t("vi", "report-photos", max=3)]] * 8
        for i in range(8):
            await w.app.persistence.refresh_user_data(9900 + i, fresh := {})
            assert fresh["report"]["description"] == f"Bụi mù mịt số {i}"

    world.run(story)


def test_done_inbox_rows_are_pruned_after_a_day_and_pending_ones_never(world):
    from bot.runtime import inbox as inbox_module

    async def story(w):
        inbox = w.app.runtime.inbox
        inbox.put({"update_id": 1, "message": {"chat": {"id": 5}}})
        inbox.put({"update_id": 2, "message": {"chat": {"id": 5}}})
        inbox.done(1, "ok", "r")
        with w.store.db.transaction() as cur:
            old = time.time() - inbox_module.KEEP_DONE - 5
            cur.execute("UPDATE {t:bot_inbox} SET received_at=%s", (old,))
            cur.execute("UPDATE {t:bot_inbox} SET done_at=%s WHERE done_at IS NOT NULL", (old,))
        inbox.prune()
        assert [o["update_id"] for o in inbox.outcomes("5")] == [2]

    world.run(story)
