"""/report: category → where (a Telegram location, a site found by search, or an address) →
description → up to 3 photos → confirm → ticket number. Limited to N reports a day per user.

The draft lives in user_data (persisted), with a command id chosen when it starts, so a retried
confirmation files the report once. /cancel, a timeout or an error leaves nothing filed.
"""
from __future__ import annotations

import asyncio
import uuid
from typing import get_args

from pydantic import ValidationError
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.cards import site_label
from bot.clean import typed_text
from bot.common import (Ctx, Reject, answer_query, buttons, call, conversation, deps, end_draft, lang, reprompt, say,
                        step, user_id)
from bot.photos import store_photo
from bot.texts import t
from shared.contracts.inspections import Category
from shared.contracts.inspections_answers import IncidentFiled
from shared.contracts.sites_answers import SiteCard, SiteSummary
from shared.contracts.sites import Location
from shared.kit.values import coarse

CATEGORY, WHERE, DESCRIBE, PHOTOS, CONFIRM = range(5)
CATEGORIES = get_args(Category)
MAX_PHOTOS = 3
DESCRIPTION_MAX = 5000


def draft(context: Ctx) -> dict:
    return context.user_data.setdefault("report", {})


def category_keyboard(lng: str):  # type: ignore[no-untyped-def]
    rows = [[(t(lng, f"cat-{c}"), f"cat:{c}") for c in CATEGORIES[i:i + 2]] for i in range(0, len(CATEGORIES), 2)]
    return buttons(rows)


@step
async def begin(update: Update, context: Ctx) -> int:
    d = deps(context)
    await asyncio.to_thread(d.store.remember, user_id(update), update.effective_chat.id, lang(update, context))
    if await asyncio.to_thread(d.store.reports_today, user_id(update)) >= d.settings.bot.reports_per_day:
        await say(update, context, "report-limit", limit=d.settings.bot.reports_per_day)
        return ConversationHandler.END
    context.user_data["report"] = {"command_id": f"bot-report-{uuid.uuid4()}", "photos": []}
    await say(update, context, "report-category", category_keyboard(lang(update, context)))
    return CATEGORY


@step
async def got_category(update: Update, context: Ctx) -> int:
    await answer_query(update)
    chosen = update.callback_query.data.split(":", 1)[1]
    if chosen not in CATEGORIES:
        raise Reject("report-category-pick")
    draft(context)["category"] = chosen
    await say(update, context, "report-where")
    return WHERE


@step
async def got_location(update: Update, context: Ctx) -> int:
    loc = update.effective_message.location
    try:
        place = Location(lat=loc.latitude, lon=loc.longitude)
    except ValidationError:
        raise Reject("report-outside-hanoi") from None
    d = draft(context)  # the state file gets the coarse place only; the exact one waits in the store
    await asyncio.to_thread(deps(context).store.put_place, d["command_id"], {"lat": place.lat, "lon": place.lon})
    d.update(location=coarse({"lat": place.lat, "lon": place.lon}), site_id=None, site_name=None, address=None)
    await say(update, context, "report-describe")
    return DESCRIBE


@step
async def got_place_text(update: Update, context: Ctx) -> int | None:
    text = typed_text(update)
    if len(text) < 3 or len(text) > 200:
        raise Reject("report-where-length")
    found = [SiteSummary.model_validate(f) for f in await call(update, context, "sites", "search_sites",
                                                                query=text, limit=5)]
    draft(context)["address_candidate"] = text
    lng = lang(update, context)
    rows = [[(site_label(lng, f), f"rsite:{f.id}")] for f in found]
    rows.append([(t(lng, "report-use-address"), "raddr")])
    await say(update, context, "report-where-pick" if found else "report-where-none", buttons(rows), text=text)
    return WHERE


@step
async def got_site(update: Update, context: Ctx) -> int:
    await answer_query(update)
    site_id = update.callback_query.data.split(":", 1)[1]
    site = SiteCard.model_validate(await call(update, context, "sites", "get_site", site_id=site_id))
    draft(context).update(site_id=str(site.id), site_name=site.name, location=None, address=None)
    await say(update, context, "report-site-chosen", name=site.name)
    await say(update, context, "report-describe")
    return DESCRIBE


@step
async def got_address(update: Update, context: Ctx) -> int | None:
    await answer_query(update)
    d = draft(context)
    if not d.get("address_candidate"):
        raise Reject("report-where")
    d.update(address=d.pop("address_candidate"), site_id=None, site_name=None, location=None)
    await say(update, context, "report-describe")
    return DESCRIBE


@step
async def got_description(update: Update, context: Ctx) -> int:
    text = typed_text(update)
    if len(text) < 3:
        raise Reject("report-describe-short")
    if len(text) > DESCRIPTION_MAX:
        raise Reject("report-describe-long", limit=DESCRIPTION_MAX, length=len(text))
    draft(context)["description"] = text
    await say(update, context, "report-photos", buttons([[(t(lang(update, context), "btn-no-photos"), "rphotos:done")]]),
              max=MAX_PHOTOS)
    return PHOTOS


@step
async def got_photo(update: Update, context: Ctx) -> int:
    d = draft(context)
    if len(d["photos"]) >= MAX_PHOTOS:
        raise Reject("report-photos-full", max=MAX_PHOTOS)
    sha = await store_photo(update, context)
    if sha not in d["photos"]:
        d["photos"].append(sha)
    lng = lang(update, context)
    if len(d["photos"]) >= MAX_PHOTOS:
        return await review(update, context)
    await say(update, context, "report-photo-added", buttons([[(t(lng, "btn-photos-done"), "rphotos:done")]]),
              count=len(d["photos"]), max=MAX_PHOTOS)
    return PHOTOS


async def photos_done(update: Update, context: Ctx) -> int:
    await answer_query(update)
    return await review(update, context)


async def review(update: Update, context: Ctx) -> int:
    d, lng = draft(context), lang(update, context)
    if d.get("site_name"):
        where = t(lng, "where-site", name=d["site_name"])
    elif d.get("location"):
        where = t(lng, "where-point", lat=f"{d['location']['lat']:.2f}", lon=f"{d['location']['lon']:.2f}")
    else:
        where = t(lng, "where-address", address=d.get("address") or "")
    await say(update, context, "report-review", buttons([[(t(lng, "btn-send"), "rconfirm:yes"),
                                                          (t(lng, "btn-cancel"), "rconfirm:no")]]),
              category=t(lng, f"cat-{d['category']}"), where=where, description=d["description"][:500],
              photos=len(d["photos"]))
    return CONFIRM


@step
async def confirmed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if update.callback_query.data.endswith(":no"):
        return await cancel(update, context)
    d, store = draft(context), deps(context).store
    if await asyncio.to_thread(store.reports_today, user_id(update)) >= deps(context).settings.bot.reports_per_day:
        context.user_data.pop("report", None)
        await say(update, context, "report-limit", limit=deps(context).settings.bot.reports_per_day)
        return ConversationHandler.END
    location = d.get("location") and (await asyncio.to_thread(store.place, d["command_id"]) or d["location"])
    filed = IncidentFiled.model_validate(await call(
        update, context, "inspections", "report_incident", command_id=d["command_id"], category=d["category"],
        description=d["description"], location=location, site_id=d.get("site_id"), address=d.get("address"),
        photos=d["photos"]))
    await asyncio.to_thread(store.add_ticket, str(filed.id), filed.ticket, user_id(update), update.effective_chat.id)
    context.user_data.pop("report", None)
    await asyncio.to_thread(store.drop_place, d["command_id"])
    await say(update, context, "report-filed", ticket=filed.ticket, triage_due=filed.triage_day.strftime("%d/%m/%Y"))
    return ConversationHandler.END


async def cancel(update: Update, context: Ctx) -> int:
    command_id = (context.user_data.get("report") or {}).get("command_id")
    if command_id:
        await asyncio.to_thread(deps(context).store.drop_place, command_id)
    return await end_draft(update, context, "report", "report-cancelled")


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    return [conversation("report", [CommandHandler("report", begin)], {
        CATEGORY: [CallbackQueryHandler(got_category, pattern=r"^cat:"),
                   MessageHandler(~filters.COMMAND, reprompt("report-category-pick", category_keyboard))],
        WHERE: [MessageHandler(filters.LOCATION, got_location),
                CallbackQueryHandler(got_site, pattern=r"^rsite:"),
                CallbackQueryHandler(got_address, pattern=r"^raddr$"),
                MessageHandler(filters.TEXT & ~filters.COMMAND, got_place_text),
                MessageHandler(~filters.COMMAND, reprompt("report-where"))],
        DESCRIBE: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_description),
                   MessageHandler(~filters.COMMAND, reprompt("report-describe"))],
        PHOTOS: [MessageHandler(filters.PHOTO | filters.Document.ALL, got_photo),
                 CallbackQueryHandler(photos_done, pattern=r"^rphotos:done$"),
                 MessageHandler(~filters.COMMAND, reprompt("photo-expected"))],
        CONFIRM: [CallbackQueryHandler(confirmed, pattern=r"^rconfirm:"),
                  MessageHandler(~filters.COMMAND, reprompt("report-confirm-pick"))],
    }, settings, "report", "report-cancelled")]
