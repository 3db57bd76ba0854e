"""/subscribe (inspector, agency, admin): choose event families and communes; the feed
(bot/feed.py) pushes matching public events as readable messages. /subscriptions lists them,
each with a button to unsubscribe."""
from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.common import (Ctx, Reject, actor, answer_query, buttons, conversation, deps, lang, reprompt, say,
                        send_text, step, user_id)
from bot.texts import t
from shared import reference
from shared.kit.actor import Role
from shared.kit.text import fold

FAMILIES = ("incident", "inspection", "violation", "manifest", "site")
SUBSCRIBERS = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN)
TYPES, COMMUNES = range(2)


def communes_by_name() -> dict[str, str]:
    return {fold(c["name"]): c["code"] for c in reference.units()["communes"]}


def types_keyboard(lng: str, chosen: list[str]):  # type: ignore[no-untyped-def]
    rows = [[(("☑ " if f in chosen else "☐ ") + t(lng, f"family-{f}"), f"subt:{f}")] for f in FAMILIES]
    rows.append([(t(lng, "btn-next"), "subt:next")])
    return buttons(rows)


@step
async def begin(update: Update, context: Ctx) -> int | None:
    if (await actor(update, context)).role not in SUBSCRIBERS:
        raise Reject("subscribe-forbidden")
    context.user_data["subscription"] = {"types": []}
    await say(update, context, "subscribe-types", types_keyboard(lang(update, context), []))
    return TYPES


@step
async def toggle(update: Update, context: Ctx) -> int | None:
    await answer_query(update)
    choice = update.callback_query.data.split(":", 1)[1]
    chosen = context.user_data["subscription"]["types"]
    lng = lang(update, context)
    if choice == "next":
        if not chosen:
            raise Reject("subscribe-types-none")
        await say(update, context, "subscribe-communes", buttons([[(t(lng, "btn-all-communes"), "subc:all")]]))
        return COMMUNES
    if choice in FAMILIES:
        chosen.remove(choice) if choice in chosen else chosen.append(choice)
    await update.callback_query.edit_message_reply_markup(types_keyboard(lng, chosen))
    return TYPES


@step
async def got_communes(update: Update, context: Ctx) -> int:
    names = [n.strip() for n in (update.effective_message.text or "").replace(";", ",").split(",") if n.strip()]
    if not names or len(names) > 30:
        raise Reject("subscribe-communes-count")
    known = communes_by_name()
    codes, unknown = [], []
    for name in names:
        key = fold(name)
        for prefix in ("phuong ", "xa "):
            key = key.removeprefix(prefix)
        (codes.append(known[key]) if key in known else unknown.append(name))
    if unknown:
        raise Reject("subscribe-communes-unknown", names=", ".join(unknown))
    return await save(update, context, sorted(set(codes)))


async def all_communes(update: Update, context: Ctx) -> int:
    await answer_query(update)
    return await save(update, context, [])


async def save(update: Update, context: Ctx, communes: list[str]) -> int:
    from telegram.ext import ConversationHandler

    sub = context.user_data.pop("subscription")
    types = [f"{f}_*" for f in sub["types"]]
    sid = await asyncio.to_thread(deps(context).store.subscribe, user_id(update), update.effective_chat.id, types,
                                  communes)
    lng = lang(update, context)
    await say(update, context, "subscribe-done", id=sid, types=", ".join(t(lng, f"family-{f}") for f in sub["types"]),
              communes=describe_communes(lng, communes))
    return ConversationHandler.END


def describe_communes(lng: str, codes: list[str]) -> str:
    return ", ".join(reference.commune_name(c) or c for c in codes) if codes else t(lng, "all-communes")


async def listing(update: Update, context: Ctx) -> None:
    subs = await asyncio.to_thread(deps(context).store.subscriptions, user_id(update))
    lng = lang(update, context)
    if not subs:
        await say(update, context, "subscriptions-none")
        return
    lines = [t(lng, "subscriptions-title", count=len(subs))]
    for s in subs:
        families = ", ".join(t(lng, f"family-{x.removesuffix('_*')}") for x in s["types"])
        lines.append(t(lng, "subscription-line", id=s["id"], types=families,
                       communes=describe_communes(lng, s["communes"])))
    await send_text(update, context, "\n".join(lines),
                    buttons([[(t(lng, "btn-unsubscribe", id=s["id"]), f"unsub:{s['id']}")] for s in subs]))


async def unsubscribe(update: Update, context: Ctx) -> None:
    await answer_query(update)
    sid = update.callback_query.data.split(":", 1)[1]
    removed = await asyncio.to_thread(deps(context).store.unsubscribe, user_id(update), sid)
    await say(update, context, "unsubscribed" if removed else "stale-button", id=sid)


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    return [
        conversation("subscribe", [CommandHandler("subscribe", begin)], {
            TYPES: [CallbackQueryHandler(toggle, pattern=r"^subt:"), MessageHandler(~filters.COMMAND, reprompt("pick-button"))],
            COMMUNES: [CallbackQueryHandler(all_communes, pattern=r"^subc:all$"),
                       MessageHandler(filters.TEXT & ~filters.COMMAND, got_communes),
                       MessageHandler(~filters.COMMAND, reprompt("subscribe-communes"))],
        }, settings, "subscription"),
        CommandHandler(["subscriptions", "unsubscribe"], listing),
        CallbackQueryHandler(unsubscribe, pattern=r"^unsub:"),
    ]
