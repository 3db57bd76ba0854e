"""What a resident types, checked before it reaches a service (issue 13): the contracts refuse
control characters, so the bot refuses them at the step where they were typed, in the
resident's language, instead of at the end of a report."""
from __future__ import annotations

from telegram import Update

from bot.common import Reject
from shared.contracts.clean_text import first_forbidden


def typed_text(update: Update) -> str:
    """The message's text, stripped; Reject("text-control-character") when it holds a NUL or
    another control character (line breaks and tabs are fine)."""
    text = (update.effective_message.text or "").strip()
    if first_forbidden(text) is not None:
        raise Reject("text-control-character")
    return text
