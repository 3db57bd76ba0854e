"""Each replica's workers (issue 15): take a chat whose lease is free, process its updates in
update_id order, mark each done after its changes are written, let the chat go.

Per-chat order holds across replicas because only the lease holder processes a chat, one update
at a time, and the next row is always the chat's lowest not done. The flood limit (updates per
chat per minute) counts the chat's rows in the inbox, so it holds across replicas too: the first
update over the limit is answered once a minute with the "flood" text, the rest are dropped.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from telegram import Update

from bot.runtime.inbox import Inbox

log = logging.getLogger("bot.worker")


class Workers:
    def __init__(self, app: Any, inbox: Inbox, owner: str, *, concurrency: int = 64, lease_ttl: float = 30.0,
                 idle: float = 0.25, per_minute: int = 30) -> None:
        self.app = app
        self.inbox = inbox
        self.owner = owner
        self.concurrency = concurrency
        self.lease_ttl = lease_ttl
        self.idle = idle
        self.per_minute = per_minute
        self.running: dict[str, asyncio.Task] = {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Until cancelled: start a task per free chat with waiting updates (and, every ten
        minutes, drop the done rows older than a day)."""
        pruned = 0.0
        while True:
            try:
                if time.monotonic() - pruned > 600:
                    pruned = time.monotonic()
                    await asyncio.to_thread(self.inbox.prune)
                await self.round()
            except Exception as e:  # noqa: BLE001 - the database away: try again soon
                log.warning("inbox round failed: %s", e)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.idle)
            except asyncio.TimeoutError:
                pass

    async def round(self) -> int:
        free = self.concurrency - len(self.running)
        if free <= 0:
            return 0
        started = 0
        for key in await asyncio.to_thread(self.inbox.ready_chats, free + len(self.running)):
            if key in self.running or len(self.running) >= self.concurrency:
                continue
            if not await asyncio.to_thread(self.inbox.claim, f"chat:{key}", self.owner, self.lease_ttl):
                continue
            task = asyncio.get_running_loop().create_task(self.chat(key), name=f"bot-chat-{key}")
            self.running[key] = task
            task.add_done_callback(lambda _t, k=key: (self.running.pop(k, None), self.wake()))
            started += 1
        return started

    async def drain(self) -> None:
        """Process everything waiting now (tests, shutdown)."""
        while await asyncio.to_thread(self.inbox.pending):
            await self.round()
            if self.running:
                await asyncio.gather(*self.running.values(), return_exceptions=True)
            else:
                await asyncio.sleep(0.05)

    async def chat(self, key: str) -> None:
        """One chat's waiting updates, in order, while the lease stays ours."""
        lease = f"chat:{key}"
        try:
            while True:
                row = await asyncio.to_thread(self.inbox.next, key)
                if row is None:
                    return
                await self.one(key, row)
                if not await asyncio.to_thread(self.inbox.claim, lease, self.owner, self.lease_ttl):
                    log.warning("lease of chat %s lost; another replica goes on", key)
                    return
        except Exception as e:  # noqa: BLE001 - not marked done: processed again later
            log.error("chat %s: update failed, to be retried: %s", key, e, exc_info=e)
            await asyncio.sleep(1)
        finally:
            await asyncio.to_thread(self.inbox.release, lease, self.owner)

    async def one(self, key: str, row: dict) -> None:
        update_id = int(row["update_id"])
        since = float(row["received_at"]) - 60
        if await asyncio.to_thread(self.inbox.seen_before, key, update_id, since) >= self.per_minute:
            outcome = "flood"
            if not await asyncio.to_thread(self.inbox.told_since, key, time.time() - 60):
                outcome = "flood-told"
                await self.tell_flood(row["payload"])
            await asyncio.to_thread(self.inbox.done, update_id, outcome, self.owner)
            return
        update = Update.de_json(row["payload"], self.app.bot)
        await self.app.process_update(update)  # RuntimeApplication: changes written before it returns
        await asyncio.to_thread(self.inbox.done, update_id, "ok", self.owner)

    async def tell_flood(self, payload: dict) -> None:
        from bot.texts import t

        update = Update.de_json(payload, self.app.bot)
        if update.effective_chat is None:
            return
        user = update.effective_user
        data = await self.app.runtime.refresh_user(user.id) if user is not None else {}
        try:
            await self.app.bot.send_message(update.effective_chat.id, t(data.get("lang"), "flood"))
        except Exception:  # noqa: BLE001 - best effort
            pass
