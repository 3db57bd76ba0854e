"""What every flow uses: the bot's dependencies, the user's language and actor, replies,
service calls with errors explained in the user's language."""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.client import Services, Unavailable
from bot.errors import KINDS, describe
from bot.store import BotStore
from bot.texts import DEFAULT, t
from shared.kit.actor import Actor
from shared.kit.config import Settings
from shared.kit.errors import LangXanhError

log = logging.getLogger("bot")
Ctx = ContextTypes.DEFAULT_TYPE


@dataclass
class Deps:
    settings: Settings
    services: Services
    store: BotStore
    wake_sender: Callable[[], None] = lambda: None


def deps(context: Ctx) -> Deps:
    return context.application.bot_data["deps"]


def lang(update: Update | None, context: Ctx) -> str:
    if context.user_data is not None and context.user_data.get("lang"):
        return context.user_data["lang"]
    return DEFAULT


def user_id(update: Update) -> int:
    return update.effective_user.id if update.effective_user else update.effective_chat.id


async def actor(update: Update, context: Ctx) -> Actor:
    return await asyncio.to_thread(deps(context).store.actor, user_id(update))


async def call(update: Update, context: Ctx, service: str, rpc: str, /, **kwargs: Any) -> Any:
    """Call a service as this user."""
    who = await actor(update, context)
    return await deps(context).services.call(who, service, rpc, **kwargs)


async def say(update: Update, context: Ctx, key: str, keyboard: InlineKeyboardMarkup | None = None,
              **args: Any) -> None:
    """Send the text `key` to the chat of this update, in the user's language."""
    await context.bot.send_message(update.effective_chat.id, t(lang(update, context), key, **args),
                                   reply_markup=keyboard)


async def send_text(update: Update, context: Ctx, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    for start in range(0, max(len(text), 1), 4000):  # Telegram's limit is 4096 characters
        last = start + 4000 >= len(text)
        await context.bot.send_message(update.effective_chat.id, text[start:start + 4000],
                                       reply_markup=keyboard if last else None)


def buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in rows])


def explain(lng: str, error: Exception) -> str:
    """A service's refusal (or absence) in the user's language, wholly: the bot's own text for the
    error's codes (bot/errors.py), never the service's English message, never a stack trace."""
    if isinstance(error, Unavailable):
        return t(lng, "err-unavailable")
    if isinstance(error, LangXanhError) and error.kind in KINDS:
        return describe(lng, error.kind, error.field, error.rule)
    return t(lng, "err-internal")


class Reject(Exception):
    """Bad input at a step: `key` (with `args`) tells the user what is wrong; nothing changes."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


def step(fn: Callable[[Update, Ctx], Awaitable[Any]]) -> Callable[[Update, Ctx], Awaitable[Any]]:
    """A conversation step: bad input (Reject), a service refusal or absence is explained and the user stays at
    this step (returns None, which keeps the conversation's state)."""

    @functools.wraps(fn)
    async def wrapper(update: Update, context: Ctx) -> Any:
        try:
            return await fn(update, context)
        except Reject as e:
            await say(update, context, e.key, **e.args_)
            return None
        except (LangXanhError, Unavailable) as e:
            log.info("%s refused: %s", fn.__name__, e)
            await send_text(update, context, explain(lang(update, context), e))
            return None

    return wrapper


async def answer_query(update: Update) -> None:
    """Acknowledge a button press (Telegram shows a spinner until then)."""
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except Exception:  # noqa: BLE001 - a stale query: nothing to do
            pass


def reprompt(key: str, keyboard: Callable[[str], InlineKeyboardMarkup] | None = None):  # type: ignore[no-untyped-def]
    """A handler for input out of turn at a step: say again what the step expects."""

    async def handler(update: Update, context: Ctx) -> None:
        await say(update, context, key, keyboard(lang(update, context)) if keyboard else None)

    return handler


async def end_draft(update: Update, context: Ctx, draft_key: str, text_key: str = "cancelled") -> int:
    from telegram.ext import ConversationHandler

    context.user_data.pop(draft_key, None)
    await say(update, context, text_key)
    return ConversationHandler.END


def _entry(callback: Callable[[Update, Ctx], Awaitable[Any]]) -> Callable[[Update, Ctx], Awaitable[Any]]:
    from telegram.ext import ConversationHandler

    @functools.wraps(callback)
    async def entry(update: Update, context: Ctx) -> Any:
        state = await callback(update, context)
        return ConversationHandler.END if state is None else state

    return entry


def conversation(name: str, entry_points: list, states: dict, settings: Settings, draft_key: str,
                 cancelled_key: str = "cancelled"):  # type: ignore[no-untyped-def]
    """A persistent conversation whose draft (user_data[draft_key]) is dropped on /cancel and on
    timeout, so nothing is left half-done. Its state lives in the database, shared by the replicas
    (bot/runtime/conversations.py)."""
    from telegram.ext import CommandHandler, ConversationHandler, TypeHandler

    from bot.runtime.conversations import DRAFT_KEYS, SharedConversationHandler

    async def cancel(update: Update, context: Ctx) -> int:
        return await end_draft(update, context, draft_key, cancelled_key)

    async def timed_out(update: Update, context: Ctx) -> None:
        context.user_data.pop(draft_key, None)
        if update is not None and update.effective_chat is not None:
            await say(update, context, "conversation-timeout")

    import warnings

    from telegram.warnings import PTBUserWarning

    for handler in entry_points:  # an entry refused (None) opens no conversation, so no timer either
        handler.callback = _entry(handler.callback)

    DRAFT_KEYS[name] = draft_key  # the sweeper drops it when the conversation's replica is gone
    with warnings.catch_warnings():  # per_message=False is meant: buttons belong to the user's conversation
        warnings.simplefilter("ignore", PTBUserWarning)
        return SharedConversationHandler(
            entry_points=entry_points,
            states={**states, ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)]},
            fallbacks=[CommandHandler("cancel", cancel)],
            name=name, persistent=True, allow_reentry=True, conversation_timeout=settings.bot.conversation_timeout,
        )
