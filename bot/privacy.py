"""Personal data only in private chats (issue 13, "links"): a group is no place to report, to
link an account or to file a manifest. Group -2, before any flow: in a group or channel, such a
command gets a message pointing to a private chat, and any other message that could feed a
flow (a location, a photo, free text) is ignored; nothing reaches a flow, so nothing is stored."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.common import Ctx, say

PRIVATE_ONLY = ("report", "mine", "link", "manifest")  # the flows that take personal data


async def private_only(update: Update, context: Ctx) -> None:
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    message = update.effective_message
    words = (message.text or "").split() if message is not None else []
    command = words[0][1:].split("@")[0].lower() if words and words[0].startswith("/") else None
    if command is not None and command not in PRIVATE_ONLY:
        return  # /status, /help, ...: public information, fine in a group
    if command is not None:
        await say(update, context, "private-only", command=f"/{command}", bot=context.bot.username or "")
    raise ApplicationHandlerStop


def handlers() -> list:
    return [MessageHandler(filters.ALL, private_only)]
