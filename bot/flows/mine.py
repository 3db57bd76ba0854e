"""/mine: the user's reports and their states; add information (text or a photo); reopen a
resolved one with a reason and a new photo. State changes are pushed by the feed (bot/feed.py)."""
from __future__ import annotations

import uuid

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.clean import typed_text
from bot.common import Ctx, Reject, answer_query, buttons, call, conversation, lang, reprompt, say, send_text, step
from bot.labels import day
from bot.photos import store_photo
from bot.texts import t
from shared.contracts.documents_answers import PhotoData
from shared.contracts.inspections_answers import IncidentCard
from shared.vocabulary import INFORMATION_STATES

PICK, ADD, REOPEN_REASON, REOPEN_PHOTO = range(4)
OPEN_FOR_INFO = INFORMATION_STATES  # the states the service lets the reporter add to (shared/vocabulary.py)


def summary_line(lng: str, i: IncidentCard) -> str:
    """The report's day is Hanoi's (a report at 01:30 on the 2nd is dated the 2nd, not the UTC 1st)."""
    return t(lng, "mine-line", ticket=i.ticket, category=t(lng, f"cat-{i.category}"),
             state=t(lng, f"state-{i.state}"), date=day(i.reported_day))


async def my_incidents(update: Update, context: Ctx) -> list[IncidentCard]:
    return [IncidentCard.model_validate(i) for i in await call(update, context, "inspections", "my_incidents")]


@step
async def begin(update: Update, context: Ctx) -> int:
    mine = await my_incidents(update, context)
    lng = lang(update, context)
    if not mine:
        await say(update, context, "mine-none")
        return ConversationHandler.END
    mine = sorted(mine, key=lambda i: i.reported_at, reverse=True)[:20]
    context.user_data["mine"] = {}
    text = t(lng, "mine-title", count=len(mine)) + "\n" + "\n".join(summary_line(lng, i) for i in mine)
    await send_text(update, context, text, buttons([[(i.ticket, f"mine:{i.id}")] for i in mine]))
    return PICK


@step
async def show(update: Update, context: Ctx) -> int:
    await answer_query(update)
    incident_id = update.callback_query.data.split(":", 1)[1]
    await check_own(update, context, incident_id)
    i = IncidentCard.model_validate(await call(update, context, "inspections", "get_incident",
                                               incident_id=incident_id))
    context.user_data["mine"] = {"incident_id": str(i.id), "ticket": i.ticket}
    lng = lang(update, context)
    rows = []
    if i.state in OPEN_FOR_INFO:
        rows.append((t(lng, "btn-add-info"), "mineadd"))
    if i.state == "resolved":
        rows.append((t(lng, "btn-reopen"), "minereopen"))
    text = "\n".join([summary_line(lng, i), t(lng, "mine-detail", description=(i.description or "")[:300],
                                                 photos=i.photo_count, due=day(i.resolution_day))])
    if i.assignment:
        text += "\n" + t(lng, "mine-assigned", unit=i.assignment.unit)
    await send_text(update, context, text, buttons([rows]) if rows else None)
    if i.after_photos:
        await before_after(update, context, i)
    if not rows:
        context.user_data.pop("mine", None)
        return ConversationHandler.END
    return PICK


async def check_own(update: Update, context: Ctx, incident_id: str) -> None:
    """A button names a report by id, and a forged one could name anybody's: the report must be among this
    user's own (the service's `my_incidents`, by pseudonym) before anything of it is shown or offered."""
    try:
        wanted = str(uuid.UUID(incident_id))
    except ValueError:
        raise Reject("mine-not-yours") from None
    if wanted not in {str(i.id) for i in await my_incidents(update, context)}:
        raise Reject("mine-not-yours")


async def before_after(update: Update, context: Ctx, i: IncidentCard) -> None:
    """A resolved report's "before" (the resident's photos) and "after" (the inspector's, when resolved)."""
    lng = lang(update, context)
    for key, digests in (("mine-before", i.photos), ("mine-after", i.after_photos)):
        for n, digest in enumerate(digests[:3], 1):
            photo = PhotoData.model_validate(await call(update, context, "inspections", "incident_photo",
                                                        incident_id=str(i.id), photo=digest))
            await context.bot.send_photo(update.effective_chat.id, photo.data(),
                                         caption=t(lng, key, n=n, count=len(digests[:3])))


async def ask_info(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if not (context.user_data.get("mine") or {}).get("incident_id"):
        await say(update, context, "stale-button")
        return ConversationHandler.END
    context.user_data["mine"]["command_id"] = f"bot-info-{uuid.uuid4()}"
    await say(update, context, "mine-add-prompt")
    return ADD


@step
async def got_info(update: Update, context: Ctx) -> int:
    m = context.user_data["mine"]
    message = update.effective_message
    text, photos = None, []
    if message.text:
        text = typed_text(update)
        if not 1 <= len(text) <= 5000:
            raise Reject("mine-add-length", limit=5000)
    else:
        photos = [await store_photo(update, context)]
    await call(update, context, "inspections", "add_information", command_id=m["command_id"],
               incident_id=m["incident_id"], text=text, photos=photos)
    context.user_data.pop("mine", None)
    await say(update, context, "mine-added", ticket=m["ticket"])
    return ConversationHandler.END


async def ask_reason(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if not (context.user_data.get("mine") or {}).get("incident_id"):
        await say(update, context, "stale-button")
        return ConversationHandler.END
    context.user_data["mine"]["command_id"] = f"bot-reopen-{uuid.uuid4()}"
    await say(update, context, "mine-reopen-reason")
    return REOPEN_REASON


@step
async def got_reason(update: Update, context: Ctx) -> int:
    reason = typed_text(update)
    if not 3 <= len(reason) <= 200:
        raise Reject("mine-reopen-length", limit=200)
    context.user_data["mine"]["reason"] = reason
    await say(update, context, "mine-reopen-photo")
    return REOPEN_PHOTO


@step
async def got_reopen_photo(update: Update, context: Ctx) -> int:
    m = context.user_data["mine"]
    photo = await store_photo(update, context)
    await call(update, context, "inspections", "reopen_incident", command_id=m["command_id"],
               incident_id=m["incident_id"], reason=m["reason"], photo=photo)
    context.user_data.pop("mine", None)
    await say(update, context, "mine-reopened", ticket=m["ticket"])
    return ConversationHandler.END


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    return [conversation("mine", [CommandHandler("mine", begin)], {
        PICK: [CallbackQueryHandler(show, pattern=r"^mine:"), CallbackQueryHandler(ask_info, pattern=r"^mineadd$"),
               CallbackQueryHandler(ask_reason, pattern=r"^minereopen$"),
               MessageHandler(~filters.COMMAND, reprompt("pick-button"))],
        ADD: [MessageHandler((filters.TEXT | filters.PHOTO | filters.Document.ALL) & ~filters.COMMAND, got_info),
              MessageHandler(~filters.COMMAND, reprompt("text-expected"))],
        REOPEN_REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_reason),
                        MessageHandler(~filters.COMMAND, reprompt("text-expected"))],
        REOPEN_PHOTO: [MessageHandler(filters.PHOTO | filters.Document.ALL, got_reopen_photo),
                       MessageHandler(~filters.COMMAND, reprompt("photo-expected"))],
    }, settings, "mine")]
