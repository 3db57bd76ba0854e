"""The bot's Application (issue 15): PTB's, with an update's changes written before it counts as done.

`process_update` (what the workers, the offline chat driver and `langxanh chat` call) runs each
update of a chat under that chat's lock: the chat's conversation states are reloaded from the
database first (another replica may have moved them on), then PTB processes the update (PTB
refreshes user and chat data from the database before the callbacks), then every change is
written (write-through) and the chat's open conversations are marked as touched by this update.
A crash before the write loses the update's effect but not the update: it stays in the inbox
and is processed again (handlers' command ids make the service calls act once).
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.runtime.conversations import ChatGate


class RuntimeApplication(Application):
    runtime: ChatGate

    async def write_through(self, touch: tuple[int, int] | None = None, update_id: int | None = None) -> None:
        """Every change so far in the database in one transaction, or NotWritten (the update is
        not done; nothing of it is written). PTB's update_persistence writes every chat marked so far,
so a batch may carry another chat's changes made so far: that chat writes its own at its end."""
        persistence = self.runtime.persistence
        async with self.runtime.write_lock:  # one batch at a time: concurrent chats never mix their writes
            persistence.begin()
            try:
                await self.update_persistence()
            finally:
                done = (update_id, self.runtime.owner) if update_id is not None else None
                await asyncio.to_thread(persistence.commit, touch, done)

    async def process_update(self, update: object) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await super().process_update(update)
            await self.write_through(update_id=getattr(update, "update_id", None))
            return
        async with self.runtime.lock(chat.id):
            await self.runtime.reload_chat(chat.id)
            await super().process_update(update)
            await self.write_through(touch=(chat.id, update.update_id), update_id=update.update_id)

    async def start(self) -> None:
        await super().start()
        every = min(max(self.runtime.timeout / 4, 0.05), 10.0)
        self.bot_data["sweeper"] = asyncio.get_running_loop().create_task(self.runtime.sweeper(every),
                                                                          name="bot-sweeper")

    async def stop(self) -> None:
        sweeper: Any = self.bot_data.pop("sweeper", None)
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        await super().stop()
