"""A new manifest (the generator), its route: transporters in pickup order (one, then [Add
another transporter] / [Done], up to five, none twice), facility 1 then an optional facility 2
(each found by name or registration code and licence-checked), the vehicle plate and the planned
date. The waste lines, the review and the signature follow in lines.py.

Nothing reaches the manifests service before the final [Sign and send]."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from telegram import Update

from bot.common import Ctx, Reject, actor, answer_query, buttons, call, lang, say
from bot.flows.manifest import lines
from bot.flows.manifest.common import (DRAFT, draft, entry, needs, new_number, not_busy, picked_party, route_text,
                                       search_party, text_of)
from bot.flows.manifest.parse import PLATE_MAX, PLATE_MIN, fmt_date, parse_date, plate, short, today
from bot.texts import t
from shared.contracts.sites_answers import EstablishmentCard, PartyFound
from shared.kit.actor import Role

TRANSPORTER, TRANSPORTER_MORE, FACILITY = "state:new-transporter", "state:new-transporter-more", "state:new-facility"
FACILITY2_ASK, FACILITY2, PLATE, PLANNED = (
    "state:new-facility2-ask", "state:new-facility2", "state:new-plate", "state:new-planned")
MAX_TRANSPORTERS = 5        # the contract's bound
PAST_DAYS, FUTURE_DAYS = 30, 365


@entry
async def new_manifest(update: Update, context: Ctx) -> str | None:
    await answer_query(update)
    not_busy(context)
    who = await actor(update, context)
    if who.role != Role.BUSINESS or not who.establishment:
        raise Reject("mf-business-only")
    est = EstablishmentCard.model_validate(await call(update, context, "sites", "get_establishment",
                                                      establishment_id=who.establishment))
    if not est.hw_generator:
        raise Reject("mf-not-generator", name=est.name)
    key = uuid.uuid4()
    context.user_data[DRAFT] = {
        "mode": "new", "command_id": f"bot-manifest-{key}", "sign_id": f"bot-manifest-{key}-handover",
        "number": new_number(), "generator": est.name, "transporters": [], "facility": None,
        "facility_2": None, "lines": [],
    }
    await say(update, context, "mf-ask-transporter")
    return TRANSPORTER


# -- transporters in order ---------------------------------------------------------------------------
@needs("new")
async def got_transporter_text(update: Update, context: Ctx) -> str:
    await search_party(update, context, "transporter", "mft")
    return TRANSPORTER


@needs("new")
async def picked_transporter(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d = draft(context)
    chosen = picked_party(update, context)
    if chosen["id"] in [x["id"] for x in d["transporters"]]:
        raise Reject("mf-transporter-twice", name=chosen["name"])
    d["transporters"].append(chosen)
    if len(d["transporters"]) >= MAX_TRANSPORTERS:
        await say(update, context, "mf-transporters-full", max=MAX_TRANSPORTERS)
        return await ask_facility(update, context)
    lng = lang(update, context)
    keyboard = buttons([[(t(lng, "mf-btn-add-transporter"), "mftm:add"), (t(lng, "mf-btn-done"), "mftm:done")]])
    await say(update, context, "mf-transporter-added", keyboard, position=len(d["transporters"]), name=chosen["name"])
    return TRANSPORTER_MORE


@needs("new")
async def more_transporters(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d = draft(context)
    if update.callback_query.data == "mftm:add":
        await say(update, context, "mf-ask-transporter-next", position=len(d["transporters"]) + 1)
        return TRANSPORTER
    return await ask_facility(update, context)


async def ask_facility(update: Update, context: Ctx) -> str:
    await say(update, context, "mf-ask-facility", name=route_text([x["name"] for x in draft(context)["transporters"]]))
    return FACILITY


# -- facility 1, then facility 2 or none -------------------------------------------------------------
async def search_facility(update: Update, context: Ctx, prefix: str) -> None:
    """Licensed treatment facilities matching the text; a transporter's name gets a clear refusal."""
    try:
        await search_party(update, context, "treatment_facility", prefix)
    except Reject as refused:
        if refused.key != "mf-facility-none":
            raise
        others = [PartyFound.model_validate(f) for f in await call(
            update, context, "sites", "search_establishments", query=text_of(update), role="transporter", limit=1)]
        if others:
            raise Reject("mf-facility-not-treatment", name=others[0].name) from None
        raise


def licensed(chosen: dict) -> dict:
    if not chosen["waste_codes"]:
        raise Reject("mf-facility-unlicensed", name=chosen["name"])
    return chosen


@needs("new")
async def got_facility_text(update: Update, context: Ctx) -> str:
    await search_facility(update, context, "mff")
    return FACILITY


@needs("new")
async def picked_facility(update: Update, context: Ctx) -> str:
    await answer_query(update)
    chosen = licensed(picked_party(update, context))
    draft(context)["facility"] = chosen
    lng = lang(update, context)
    keyboard = buttons([[(t(lng, "mf-btn-add-facility2"), "mff2:add"), (t(lng, "mf-btn-no-facility2"), "mff2:no")]])
    await say(update, context, "mf-ask-facility2", keyboard, name=chosen["name"])
    return FACILITY2_ASK


@needs("new")
async def facility2_choice(update: Update, context: Ctx) -> str:
    await answer_query(update)
    if update.callback_query.data == "mff2:add":
        await say(update, context, "mf-ask-facility2-search", name=draft(context)["facility"]["name"])
        return FACILITY2
    return await ask_plate(update, context)


@needs("new")
async def got_facility2_text(update: Update, context: Ctx) -> str:
    await search_facility(update, context, "mfg")
    return FACILITY2


@needs("new")
async def picked_facility2(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d = draft(context)
    chosen = licensed(picked_party(update, context))
    if chosen["id"] == d["facility"]["id"]:
        raise Reject("mf-facility2-same", name=chosen["name"])
    if not set(chosen["waste_codes"]) & set(d["facility"]["waste_codes"]):
        raise Reject("mf-facility2-no-common", name=chosen["name"], first=d["facility"]["name"])
    d["facility_2"] = chosen
    return await ask_plate(update, context)


async def ask_plate(update: Update, context: Ctx) -> str:
    d = draft(context)
    names = [d["facility"]["name"]] + ([d["facility_2"]["name"]] if d.get("facility_2") else [])
    await say(update, context, "mf-ask-plate", name=route_text(names))
    return PLATE


# -- plate and planned date --------------------------------------------------------------------------
@needs("new")
async def got_plate(update: Update, context: Ctx) -> str:
    value = plate(text_of(update))
    if value is None:
        raise Reject("mf-plate-bad", min=PLATE_MIN, max=PLATE_MAX)
    draft(context)["plate"] = value
    lng = lang(update, context)
    await say(update, context, "mf-ask-date", buttons([[(t(lng, "mf-btn-today"), "mfd:today")]]),
              example=fmt_date(today()))
    return PLANNED


def check_planned(planned: date) -> str:
    """The planned date as ISO text, within a month back and a year ahead."""
    first, last = today() - timedelta(days=PAST_DAYS), today() + timedelta(days=FUTURE_DAYS)
    if not first <= planned <= last:
        raise Reject("mf-date-range", start=fmt_date(first), end=fmt_date(last))
    return planned.isoformat()


@needs("new")
async def got_date(update: Update, context: Ctx) -> str:
    text = text_of(update)
    planned = parse_date(text)
    if planned is None:
        raise Reject("mf-date-bad", text=short(text, 40), example=fmt_date(today()))
    draft(context)["planned"] = check_planned(planned)
    return await lines.ask_code(update, context)


@needs("new")
async def date_today(update: Update, context: Ctx) -> str:
    await answer_query(update)
    draft(context)["planned"] = check_planned(today())
    return await lines.ask_code(update, context)
