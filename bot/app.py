"""The bot's composition root: the Application, its handlers, its persistence in the database,
the feed and the outbox sender and the global error handler. How it runs (the inbox, workers,
polling or webhook, replicas) is bot/runtime/."""
from __future__ import annotations

import asyncio
import importlib
import logging
import os
import socket
import uuid
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ApplicationHandlerStop, MessageHandler, filters

from bot.client import Services
from bot.common import Ctx, Deps, say
from bot.feed import Feed, Outbox
from bot.flows import COMMANDS, DRAFTS, FLOWS, basics  # noqa: F401  (re-exported names)
from bot import privacy
from bot.runtime.application import RuntimeApplication
from bot.runtime.conversations import ChatGate
from bot.runtime.inbox import Inbox
from bot.runtime.persistence import DbPersistence
from bot.store import BotStore
from bot.texts import t
from shared.kit.config import Settings

log = logging.getLogger("bot")


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


def replica_name() -> str:
    """This process among the replicas (its leases' owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def build_application(settings: Settings, services: Services, store: BotStore, *, request: Any = None,
                      legacy_state: Path | None = None, follow: bool = True, token: str | None = None,
                      name: str = "bot", owner: str | None = None) -> Application:
    """The bot. `request` replaces the HTTP transport (the offline harness); `follow=False`
    leaves the feed threads off (a test drives the feed itself); `legacy_state`: an earlier
    version's pickle state file, imported once into an empty database."""
    persistence = DbPersistence(store.db, legacy_pickle=legacy_state)
    builder = (ApplicationBuilder().application_class(RuntimeApplication)
               .token(token or settings.bot.token or "0:offline")
               .persistence(persistence).post_init(_started).post_shutdown(_stopped))
    if settings.bot.api_base_url:  # a self-hosted Bot API server
        base = settings.bot.api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    app.runtime = ChatGate(app, persistence, Inbox(store.db), owner or replica_name(),
                           settings.bot.conversation_timeout, settings.bot.lease_seconds)
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
    """`langxanh bot`: polling or webhook, one replica of many (bot/runtime/main.py)."""
    from bot.runtime.main import run as run_runtime

    run_runtime(settings)
