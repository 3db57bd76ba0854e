"""/status QUERY: diacritic-free search, pick from buttons, the site status card."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.cards import card_text, site_label
from bot.client import Unavailable
from bot.common import Ctx, Reject, answer_query, buttons, call, lang, say, send_text, step
from shared.contracts.indicators_answers import StatusCard
from shared.contracts.sites_answers import SiteCard, SiteSummary
from shared.kit.errors import NotFound


@step
async def status(update: Update, context: Ctx) -> None:
    query = " ".join(context.args or []).strip()
    if not query:
        raise Reject("status-usage")
    if len(query) > 200:
        raise Reject("status-too-long")
    found = [SiteSummary.model_validate(f) for f in await call(update, context, "sites", "search_sites",
                                                                query=query, limit=6)]
    if not found:
        await say(update, context, "status-none", query=query)
    elif len(found) == 1:
        await show_card(update, context, str(found[0].id))
    else:
        await say(update, context, "status-pick", buttons([[(site_label(lang(update, context), f), f"st:{f.id}")] for f in found]),
                  count=len(found))


@step
async def picked(update: Update, context: Ctx) -> None:
    await answer_query(update)
    await show_card(update, context, update.callback_query.data.split(":", 1)[1])


async def show_card(update: Update, context: Ctx, site_id: str) -> None:
    site = SiteCard.model_validate(await call(update, context, "sites", "get_site", site_id=site_id))
    establishments = await call(update, context, "sites", "site_establishments", site_id=site_id)
    try:
        card = StatusCard.model_validate(await call(update, context, "indicators", "status_card", site_id=site_id))
    except (Unavailable, NotFound):
        card = None  # the registry's facts still answer
    await send_text(update, context, card_text(lang(update, context), site, establishments, card))


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    return [CommandHandler("status", status), CallbackQueryHandler(picked, pattern=r"^st:")]
