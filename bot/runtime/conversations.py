"""Conversations shared by replicas (issue 15).

PTB's ConversationHandler keeps each conversation's state in memory (`_conversations`) and loads
it from the persistence once, at start. With N replicas that copy is stale as soon as another
replica moves the conversation on, so `ChatGate.reload` puts the chat's states as the database
holds them into every persistent ConversationHandler before the chat's update is processed.

Timeouts. PTB's timer (a JobQueue job on the replica that last handled the conversation) could
end a conversation that another replica has moved on since. `SharedConversationHandler` records
the update that started each timer; when it fires it takes the chat's lease and times out only
if the database's row still names that update (`last_update`, touched after every update of the
chat). A conversation whose replica died (so no timer anywhere) is timed out by the sweeper of
any replica once its row is silent for the timeout and a grace period, under the chat's lease.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import ConversationHandler

from bot.runtime.inbox import Inbox
from bot.runtime.persistence import DbPersistence

log = logging.getLogger("bot.conversations")
DRAFT_KEYS: dict[str, str] = {}  # conversation name → its draft's key in user_data (bot/common.py)


class SharedConversationHandler(ConversationHandler):
    """A ConversationHandler whose timer checks the shared database before it ends anything."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timer_updates: dict[tuple, int] = {}

    def _schedule_job(self, new_state: object, application: Any, update: Any, context: Any,
                      conversation_key: tuple) -> None:
        super()._schedule_job(new_state, application, update, context, conversation_key)
        if conversation_key in self.timeout_jobs:
            self.timer_updates[conversation_key] = int(getattr(update, "update_id", 0))

    def has_timer(self, key: tuple) -> bool:
        job = self.timeout_jobs.get(key)
        return job is not None and not job.removed

    async def _trigger_timeout(self, context: Any) -> None:
        job = context.job
        key = job.data.conversation_key
        gate: ChatGate = job.data.application.runtime
        started_by = self.timer_updates.get(key, -1)
        async with gate.timeout_turn(int(key[0])) as mine:
            rows = await gate.reload_chat(int(key[0])) if mine else []
            row = next((r for r in rows if r["name"] == self.name and r["key"] == key), None)
            if not mine or row is None or int(row["last_update"]) != started_by:
                if self.timeout_jobs.get(key) is job:  # stale: the conversation moved on elsewhere
                    del self.timeout_jobs[key]
                return
            await gate.refresh_user(key[-1])
            await super()._trigger_timeout(context)
            await gate.save(key[-1])


class ChatGate:
    """One replica's view of the chats: a lock per chat in this process, leases across replicas,
    conversation states reloaded from the database, and the timeout sweeper."""

    def __init__(self, app: Any, persistence: DbPersistence, inbox: Inbox, owner: str, timeout: float,
                 lease_ttl: float) -> None:
        self.app = app
        self.persistence = persistence
        self.inbox = inbox
        self.owner = owner
        self.timeout = timeout
        self.lease_ttl = lease_ttl
        self._locks: dict[int, asyncio.Lock] = {}
        self.write_lock = asyncio.Lock()

    @asynccontextmanager
    async def lock(self, chat_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            if not lock.locked() and self._locks.get(chat_id) is lock:
                self._locks.pop(chat_id, None)

    @asynccontextmanager
    async def timeout_turn(self, chat_id: int) -> AsyncIterator[bool]:
        """The chat's lease under a timeout's own owner name (so a worker of this replica that
        holds the chat keeps it), and this process's lock; yields False when another holds it."""
        owner, name = f"{self.owner}/timeout", f"chat:{chat_id}"
        if not await asyncio.to_thread(self.inbox.claim, name, owner, self.lease_ttl):
            yield False
            return
        try:
            async with self.lock(chat_id):
                yield True
        finally:
            await asyncio.to_thread(self.inbox.release, name, owner)

    def handlers(self) -> list[ConversationHandler]:
        return [h for group in self.app.handlers.values() for h in group
                if isinstance(h, ConversationHandler) and h.persistent]

    async def reload_chat(self, chat_id: int) -> list[dict]:
        """The chat's conversation states as the database holds them now, into every handler."""
        rows = await asyncio.to_thread(self.persistence.conversation_rows, chat_id)
        for handler in self.handlers():
            data = handler._conversations.data  # PTB 22.8 (pinned): the TrackingDict's plain dict
            for key in [k for k in data if k and k[0] == chat_id]:
                del data[key]
            data.update({r["key"]: r["state"] for r in rows if r["name"] == handler.name})
        return rows

    async def refresh_user(self, user_id: int) -> dict:
        data = self.app.user_data[user_id]
        await self.persistence.refresh_user_data(user_id, data)
        return data

    async def save(self, user_id: int) -> None:
        """A timeout's changes (the conversation ended, the draft dropped) in one transaction."""
        self.app.mark_data_for_update_persistence(user_ids=user_id)
        await self.app.write_through()

    # -- the sweeper -----------------------------------------------------------------------------
    def grace(self) -> float:
        return max(1.0, self.timeout * 0.5)

    async def sweep(self) -> int:
        """Time out the conversations silent for longer than the timeout (and a grace) that no
        timer of this replica watches: their replica died or was restarted."""
        rows = await asyncio.to_thread(self.persistence.stale_conversations, time.time() - self.timeout - self.grace())
        ended = 0
        for row in rows:
            handler = next((h for h in self.handlers() if h.name == row["name"]), None)
            if handler is None or handler.has_timer(row["key"]):
                continue
            ended += await self._expire(handler, row["key"])
        return ended

    async def _expire(self, handler: ConversationHandler, key: tuple) -> int:
        from bot.texts import t

        chat_id, user_id = int(key[0]), int(key[-1])
        async with self.timeout_turn(chat_id) as mine:
            if not mine:
                return 0
            rows = await self.reload_chat(chat_id)
            row = next((r for r in rows if r["name"] == handler.name and r["key"] == key), None)
            if row is None or float(row["touched_at"]) > time.time() - self.timeout - self.grace():
                return 0
            data = await self.refresh_user(user_id)
            data.pop(DRAFT_KEYS.get(handler.name, handler.name), None)
            await self.persistence.update_conversation(handler.name, key, None)
            handler._conversations.data.pop(key, None)
            await self.persistence.update_user_data(user_id, data)
        try:
            await self.app.bot.send_message(chat_id, t(data.get("lang"), "conversation-timeout"))
        except Exception as e:  # noqa: BLE001 - the draft is gone either way
            log.warning("timeout notice to %s not sent: %s", chat_id, e)
        return 1

    async def sweeper(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.sweep()
            except Exception as e:  # noqa: BLE001 - the next round tries again
                log.warning("conversation sweep failed: %s", e)
