"""/start (language, what the bot does, the privacy promise; `/start CODE`, a link code's deep link, links), /help, /lang, /cancel outside a
conversation, unknown commands, free text and anything else sent out of turn."""
from __future__ import annotations

import asyncio
import re
import uuid

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.common import Ctx, Reject, answer_query, buttons, deps, lang, say, step, user_id
from bot.flows import DRAFTS
from bot.flows.link import link
from bot.flows.status import show_card
from shared.kit.errors import NotFound
from bot.texts import LANGUAGES

SITE_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def language_keyboard():  # type: ignore[no-untyped-def]
    return buttons([[("Tiếng Việt", "lang:vi"), ("English", "lang:en")]])


async def start(update: Update, context: Ctx) -> None:
    await asyncio.to_thread(deps(context).store.remember, user_id(update), update.effective_chat.id,
                            lang(update, context))
    if context.args and context.args[0].lower().startswith("site_"):  # a site's deep link: t.me/<bot>?start=site_<id>
        await site_card(update, context)
        return
    if context.args:  # the QR code of a link code (staff workspace): https://t.me/<bot>?start=<CODE>
        await link(update, context)
        return
    await say(update, context, "start-welcome", language_keyboard())
    await say(update, context, "start-privacy")


@step
async def site_card(update: Update, context: Ctx) -> None:
    """`/start site_<uuid>`: that site's status card; anything but a well-formed UUID is refused."""
    raw = context.args[0][len("site_"):]
    if len(context.args) != 1 or not SITE_ID.match(raw):
        raise Reject("start-site-bad")
    try:
        await show_card(update, context, str(uuid.UUID(raw)))
    except NotFound:
        raise Reject("start-site-unknown") from None


async def choose_language(update: Update, context: Ctx) -> None:
    await answer_query(update)
    chosen = (update.callback_query.data or "").split(":", 1)[1]
    if chosen not in LANGUAGES:
        return
    context.user_data["lang"] = chosen
    await asyncio.to_thread(deps(context).store.remember, user_id(update), update.effective_chat.id, chosen)
    await say(update, context, "lang-set")
    await say(update, context, "help")


async def change_language(update: Update, context: Ctx) -> None:
    await say(update, context, "lang-choose", language_keyboard())


async def help_(update: Update, context: Ctx) -> None:
    await say(update, context, "help")


async def cancel_idle(update: Update, context: Ctx) -> None:
    """/cancel outside any conversation: drop a draft left behind (e.g. by a restart), if any."""
    for key in dict.fromkeys(DRAFTS.values()):
        context.user_data.pop(key, None)
    await say(update, context, "cancel-nothing")


async def unknown_command(update: Update, context: Ctx) -> None:
    await say(update, context, "unknown-command")


async def free_text(update: Update, context: Ctx) -> None:
    await say(update, context, "free-text")


async def other_message(update: Update, context: Ctx) -> None:
    await say(update, context, "unsupported-message")


async def stale_button(update: Update, context: Ctx) -> None:
    await answer_query(update)
    await say(update, context, "stale-button")


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_),
        CommandHandler(["lang", "language"], change_language),
        CallbackQueryHandler(choose_language, pattern=r"^lang:"),
    ]


def fallbacks() -> list:
    """Last in the dispatch order: whatever no flow took."""
    return [
        CommandHandler("cancel", cancel_idle),  # after the flows: an open conversation takes /cancel first
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT, free_text),
        CallbackQueryHandler(stale_button),
        MessageHandler(filters.ALL, other_message),
    ]

