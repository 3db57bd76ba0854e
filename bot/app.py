"""The bot's composition root: the Application, its handlers, persistence, the feed and the
outbox sender, the per-chat update processor and the global error handler."""
from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (Application, ApplicationBuilder, ApplicationHandlerStop, BaseUpdateProcessor,
                          MessageHandler, PersistenceInput, filters)

from bot.client import Services
from bot.common import Ctx, Deps, say
from bot.feed import Feed, Outbox
from bot.flows import basics
from bot import privacy
from bot.state import AtomicPicklePersistence
from bot.store import BotStore
from bot.texts import t
from shared.kit.config import Settings

log = logging.getLogger("bot")
FLOWS = ("report", "mine", "status", "link", "subscribe", "manifest", "tasks")
# A conversation's draft lives in user_data under its key; a flow command while another is open is refused.
DRAFTS = {"report": "report", "mine": "mine", "subscribe": "subscription", "manifest": "manifest", "tasks": "task"}
COMMANDS = {  # the menu Telegram shows (set on start when connected)
    "report": "cmd-report", "mine": "cmd-mine", "status": "cmd-status", "link": "cmd-link",
    "manifest": "cmd-manifest", "subscribe": "cmd-subscribe", "tasks": "cmd-tasks", "help": "cmd-help", "cancel": "cmd-cancel",
}


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; one chat's updates run in order. A chat
    sending more than `per_minute` updates is asked to slow down and the excess is dropped."""

    def __init__(self, max_concurrent: int, per_minute: int) -> None:
        super().__init__(max_concurrent)
        self.per_minute = per_minute
        self._locks: dict[Any, asyncio.Lock] = {}
        self._hits: dict[Any, deque] = defaultdict(deque)
        self._warned: dict[Any, float] = {}
        self.dropped = 0
        self.application: Application | None = None

    def _flooding(self, key: Any) -> bool:
        now = time.monotonic()
        hits = self._hits[key]
        while hits and now - hits[0] > 60:
            hits.popleft()
        hits.append(now)
        return len(hits) > self.per_minute

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        chat = getattr(update, "effective_chat", None)
        key = chat.id if chat is not None else None
        if key is not None and self._flooding(key):
            coroutine.close()
            self.dropped += 1
            if time.monotonic() - self._warned.get(key, 0) > 60 and self.application is not None:
                self._warned[key] = time.monotonic()
                lng = (self.application.user_data.get(getattr(update.effective_user, "id", None)) or {}).get("lang")
                try:
                    await self.application.bot.send_message(key, t(lng, "flood"))
                except Exception:  # noqa: BLE001 - best effort
                    pass
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


async def busy_guard(update: Update, context: Ctx) -> None:
    """Group -1: a flow's command while another flow's conversation is open is refused."""
    text = (update.effective_message.text or "").split()
    command = text[0][1:].split("@")[0].lower() if text else ""
    if command not in FLOWS or context.user_data is None:
        return
    open_flows = [flow for flow, key in DRAFTS.items() if key in context.user_data and flow != command]
    if open_flows:
        await say(update, context, "busy", flow=f"/{open_flows[0]}")
        raise ApplicationHandlerStop


async def on_error(update: object, context: Ctx) -> None:
    log.error("update failed: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await say(update, context, "err-internal")
        except Exception:  # noqa: BLE001 - Telegram away too
            pass


def flow_modules() -> list:
    modules = []
    for name in FLOWS:
        try:
            modules.append(importlib.import_module(f"bot.flows.{name}"))
        except ModuleNotFoundError as e:
            if e.name != f"bot.flows.{name}":
                raise
    return modules


def build_application(settings: Settings, services: Services, store: BotStore, *, request: Any = None,
                      persistence_path: Path | None = None, follow: bool = True, token: str | None = None,
                      name: str = "bot") -> Application:
    """The bot. `request` replaces the HTTP transport (the offline harness); `follow=False`
    leaves the feed threads off (a test drives the feed itself)."""
    default = Path(settings.data_dir) / "bot" / "state.pickle"
    path = persistence_path or settings.bot_persistence or default
    persistence = AtomicPicklePersistence(path, own_folder=Path(path).parent == default.parent,
                                          store_data=PersistenceInput(bot_data=False, callback_data=False),
                                          update_interval=1)
    processor = ChatOrderedProcessor(256, settings.bot_flood_per_minute)
    builder = (ApplicationBuilder().token(token or settings.telegram_bot_token or "0:offline")
               .persistence(persistence).concurrent_updates(processor)
               .post_init(_started).post_shutdown(_stopped))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    processor.application = app
    deps = Deps(settings=settings, services=services, store=store)
    app.bot_data["deps"] = deps
    app.bot_data["outbox"] = Outbox(store, app.bot)
    app.bot_data["feed"] = Feed(settings, store, on_queued=app.bot_data["outbox"].wake, name=name) if follow else None
    deps.wake_sender = app.bot_data["outbox"].wake
    for handler in privacy.handlers():  # personal data only in private chats
        app.add_handler(handler, group=-2)
    app.add_handler(MessageHandler(filters.COMMAND, busy_guard), group=-1)
    for handler in basics.handlers(settings):
        app.add_handler(handler)
    for module in flow_modules():
        for handler in module.handlers(settings):
            app.add_handler(handler)
    for handler in basics.fallbacks():
        app.add_handler(handler)
    app.add_error_handler(on_error)
    return app


async def _started(app: Application) -> None:
    outbox: Outbox = app.bot_data["outbox"]
    app.bot_data["sender"] = asyncio.get_running_loop().create_task(outbox.run(), name="bot-outbox")
    feed = app.bot_data.get("feed")
    if feed is not None:
        feed.start()


async def _stopped(app: Application) -> None:
    sender = app.bot_data.get("sender")
    if sender is not None:
        sender.cancel()
    feed = app.bot_data.get("feed")
    if feed is not None:
        await asyncio.to_thread(feed.stop)
    app.bot_data["deps"].services.close()


async def set_commands(app: Application) -> None:
    from telegram import BotCommand

    for lng in ("vi", "en"):
        await app.bot.set_my_commands([BotCommand(c, t(lng, key)) for c, key in COMMANDS.items()],
                                      language_code=None if lng == "vi" else lng)


def run(settings: Settings) -> None:
    """`langxanh bot`: long polling against Telegram (needs TELEGRAM_BOT_TOKEN)."""
    from bot.client import PooledServices
    from bot.store import open_store

    if not settings.telegram_bot_token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set: the bot cannot connect to Telegram "
                         "(try `langxanh chat` to use the same handlers in the terminal)")
    settings = settings.model_copy(update={"component": "bot"})  # the bot's key signs its calls (issue 13)
    app = build_application(settings, PooledServices(settings, size=settings.bot_rpc_pool), open_store(settings))

    async def on_init(a: Application) -> None:
        await _started(a)
        try:
            await set_commands(a)
        except Exception as e:  # noqa: BLE001 - the menu is a nicety
            log.warning("could not set the command menu: %s", e)

    app.post_init = on_init
    app.run_polling(allowed_updates=Update.ALL_TYPES)
