"""The buttons of the manifest pushes (bot/pushes/manifests.py): [Ký lại] after a correction, and
[Đồng ý số liệu] / [Đề nghị cơ quan xử lý] on a discrepancy.

Stateless: the button carries everything (`mfa:<action>:<manifest id>:<version>`), validated
strictly since anyone can send any callback data. The press acts as the person pressing (their
linked role and establishment): a forwarded or stale button pressed by someone else is refused
by the service, and that refusal is shown. A [Ký lại] of an older version than the manifest's is
refused here (the party would sign what they have not seen). The command id derives
from (user, manifest, version, action), so a double press acts once. After acting, the message
loses its buttons and says the outcome.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import uuid

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.client import Unavailable
from bot.common import Ctx, answer_query, call, deps, explain, lang, send_text, user_id
from bot.flows.manifest.common import manifest_of
from bot.pushes.manifests import AGREE, ESCALATE, PREFIX, SIGN_AGAIN
from bot.texts import t
from shared.kit.errors import LangXanhError

log = logging.getLogger("bot.manifest_signals")
DATA = re.compile(rf"^{PREFIX}:([{SIGN_AGAIN}{AGREE}{ESCALATE}]):([0-9a-f-]{{36}}):([1-9][0-9]{{0,3}})$")
MAX_DATA = 64  # Telegram's limit on callback data, in bytes


def parse(data: object) -> tuple[str, str, int] | None:
    """(action, manifest id, version), or None for anything but a button this module made."""
    if not isinstance(data, str) or len(data.encode()) > MAX_DATA:
        return None
    m = DATA.match(data)
    if m is None:
        return None
    try:
        manifest_id = str(uuid.UUID(m.group(2)))
    except ValueError:
        return None
    if manifest_id != m.group(2):  # only the canonical form the push wrote
        return None
    return m.group(1), manifest_id, int(m.group(3))


# a service's refusal by its rule (field, rule of shared/kit/errors.py): wholly in the user's language
REFUSALS = {"role": "mfp-refused-role", "party": "mfp-refused-party", "own_signature": "mfp-refused-party",
            "twice": "mfp-refused-twice", "discrepancy": "mfp-refused-settled", "turn": "mfp-refused-turn"}


def refusal(lng: str, error: Exception) -> str:
    key = REFUSALS.get(getattr(error, "rule", None) or "")
    return t(lng, key) if isinstance(error, LangXanhError) and key else explain(lng, error)


def command_id(secret: bytes, user: int, action: str, manifest_id: str, version: int) -> str:
    """The same person, manifest, version and action: the same command (a double press acts once)."""
    digest = hmac.new(secret, f"langxanh/mfa/{user}/{manifest_id}/{version}/{action}".encode(), hashlib.sha256)
    return f"bot-mfa-{digest.hexdigest()[:32]}"


async def _act(update: Update, context: Ctx, action: str, manifest_id: str, version: int) -> str:
    """Do what the button says, as the person pressing; the outcome's text."""
    lng = lang(update, context)
    current = await manifest_of(update, context, manifest_id)
    # signing again is for one version; a discrepancy's figures stay the receipt's (a correction
    # does not change them in the service), so its buttons stay good across versions
    if action == SIGN_AGAIN and current.manifest_version != version:
        return t(lng, "mfp-stale", pressed=version, current=current.manifest_version)
    cid = command_id(deps(context).store.secret, user_id(update), action, manifest_id, version)
    if action == SIGN_AGAIN:
        await call(update, context, "manifests", "sign_again", manifest_id=manifest_id, command_id=cid)
        return t(lng, "mfp-signed-again", version=version)
    outcome = "agreed" if action == AGREE else "escalated"
    await call(update, context, "manifests", "resolve_discrepancy", manifest_id=manifest_id, outcome=outcome,
               note=t(lng, f"mfp-note-{outcome}"), command_id=cid)
    if outcome == "escalated":
        return t(lng, "mfp-escalated-done")
    after = await manifest_of(update, context, manifest_id)
    settled = after.discrepancy is not None and after.discrepancy.state == "agreed"
    return t(lng, "mfp-agreed-both" if settled else "mfp-agreed-waiting")


async def pressed(update: Update, context: Ctx) -> None:
    await answer_query(update)
    query = update.callback_query
    lng = lang(update, context)
    parsed = parse(query.data if query is not None else None)
    if parsed is None:
        await send_text(update, context, t(lng, "mfp-bad-button"))
        return
    try:
        outcome = await _act(update, context, *parsed)
    except (LangXanhError, Unavailable) as e:  # not the party, nothing to sign again, already settled…
        log.info("manifest button %s refused: %s", parsed[0], e)
        await send_text(update, context, refusal(lng, e))
        return
    text = getattr(query.message, "text", None)
    if text and text.endswith(outcome):  # a second press of a message already answered
        return
    try:  # the buttons go; the message says what happened
        await query.edit_message_text(f"{text}\n\n{outcome}" if text else outcome, reply_markup=None)
    except BadRequest:  # too old to edit, or unchanged (a double press): say it anew
        await send_text(update, context, outcome)


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    return [CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:")]
