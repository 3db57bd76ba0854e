"""A correction by the generator (the service allows it from draft to treated): [Correct] → what
to change, as many as needed (vehicle plate, planned date, a line's kg, the transporters in
order) → [Done] → a reason code (buttons) and the reason in words → review, old → new →
confirm = correct, a new version. The generator is then told who must sign again (the parties
who had signed; the card offers them [Sign again])."""
from __future__ import annotations

import uuid
from typing import get_args

from telegram import Update

from bot.common import Ctx, Reject, actor, answer_query, buttons, call, end_draft, lang, say
from bot.flows.manifest.card import CORRECTABLE, establishment_of, my_party, parties_text
from bot.flows.manifest.common import (DRAFT, END, checked_text, confirm_keyboard, draft, entry, manifest_of, names_of,
                                       needs,
                                       not_busy, picked_party, pressed, route_text, search_party,
                                       state_name, text_of)
from bot.flows.manifest.create import MAX_TRANSPORTERS, check_planned
from bot.flows.manifest.lines import checked_kg
from bot.flows.manifest.parse import PLATE_MAX, PLATE_MIN, fmt_date, fmt_kg, parse_date, plate, short, today
from bot.texts import t
from shared.contracts.manifests import CorrectionCode
from shared.contracts.manifests_answers import Signed

WHAT, PLATE, PLANNED, WHICH_LINE, KG = (
    "state:corr-what", "state:corr-plate", "state:corr-planned", "state:corr-line", "state:corr-kg")
TRANSPORTER, TRANSPORTER_MORE = "state:corr-transporter", "state:corr-transporter-more"
CODE, REASON, CONFIRM = "state:corr-code", "state:corr-reason", "state:corr-confirm"
CODES = get_args(CorrectionCode)
LINE_FIELDS = ("line", "code", "name", "state", "packaging", "quantity_kg", "method")


@entry
async def start_correct(update: Update, context: Ctx) -> str | None:
    await answer_query(update)
    not_busy(context)
    m = await manifest_of(update, context, pressed(update))
    who = await actor(update, context)
    lng = lang(update, context)
    if my_party(m, who.establishment) != "generator":
        raise Reject("mf-correct-generator-only")
    if m.state not in CORRECTABLE:
        raise Reject("mf-not-correctable", number=m.number, state=state_name(lng, m.state))
    names = await names_of(update, context, m.transporters)
    context.user_data[DRAFT] = {  # the draft is kept as JSON: ids and days as text
        "mode": "correct", "manifest_id": str(m.id), "number": m.number, "command_id": f"bot-correct-{uuid.uuid4()}",
        "version": m.manifest_version, "plate": m.vehicle_plate,
        "planned": m.planned_date.isoformat() if m.planned_date else None,
        "lines": [{k: x[k] for k in LINE_FIELDS} for x in m.lines],
        "has_rejected": any(x.get("rejected") for x in m.lines),
        "transporters": [{"id": x, "name": names.get(x, x[:8])} for x in m.transporters],
        "changes": {}, "code": None, "reason": None,
    }
    return await ask_what(update, context)


def changes_text(lng: str, d: dict) -> str:
    """Each change, old → new."""
    c, out = d["changes"], []
    if "vehicle_plate" in c:
        out.append(t(lng, "mf-corr-change-plate", old=d["plate"] or "—", new=c["vehicle_plate"]))
    if "planned_date" in c:
        out.append(t(lng, "mf-corr-change-date", old=fmt_date(d["planned"]), new=fmt_date(c["planned_date"])))
    for old, new in zip(d["lines"], c.get("lines") or []):
        if old["quantity_kg"] != new["quantity_kg"]:
            out.append(t(lng, "mf-corr-change-kg", line=old["line"], code=old["code"],
                         old=fmt_kg(lng, float(old["quantity_kg"])), new=fmt_kg(lng, float(new["quantity_kg"]))))
    if "transporters" in c:
        out.append(t(lng, "mf-corr-change-transporters", old=route_text([x["name"] for x in d["transporters"]]),
                     new=route_text([x["name"] for x in c["transporters"]])))
    return "\n".join(out) or t(lng, "mf-corr-no-change")


async def ask_what(update: Update, context: Ctx) -> str:
    d, lng = draft(context), lang(update, context)
    rows = [[(t(lng, "mf-btn-corr-plate"), "mfcw:plate"), (t(lng, "mf-btn-corr-date"), "mfcw:date")],
            [(t(lng, "mf-btn-corr-kg"), "mfcw:kg"), (t(lng, "mf-btn-corr-transporters"), "mfcw:transporters")],
            [(t(lng, "mf-btn-done"), "mfcw:done"), (t(lng, "mf-btn-cancel"), "mfcw:cancel")]]
    await say(update, context, "mf-corr-what", buttons(rows), number=d["number"], changes=changes_text(lng, d))
    return WHAT


@needs("correct")
async def picked_what(update: Update, context: Ctx) -> str | int:
    await answer_query(update)
    d, lng, choice = draft(context), lang(update, context), pressed(update)
    if choice == "cancel":
        return await end_draft(update, context, DRAFT, "mf-cancelled-action")
    if choice == "plate":
        await say(update, context, "mf-corr-ask-plate", current=d["plate"] or "—")
        return PLATE
    if choice == "date":
        await say(update, context, "mf-corr-ask-date", current=fmt_date(d["planned"]), example=fmt_date(today()))
        return PLANNED
    if choice == "kg":
        if d["has_rejected"]:
            raise Reject("mf-corr-kg-rejected")
        current = d["changes"].get("lines") or d["lines"]
        rows = [[(short(f"{x['line']}. {x['code']} · {fmt_kg(lng, float(x['quantity_kg']))} kg · {x['name']}", 64),
                  f"mfck:{x['line']}")] for x in current]
        await say(update, context, "mf-corr-ask-line", buttons(rows))
        return WHICH_LINE
    if choice == "transporters":
        d["new_transporters"] = []
        await say(update, context, "mf-corr-ask-transporter", position=1)
        return TRANSPORTER
    if not d["changes"]:
        raise Reject("mf-corr-nothing")
    return await ask_code(update, context)


@needs("correct")
async def got_plate(update: Update, context: Ctx) -> str:
    value = plate(text_of(update))
    if value is None:
        raise Reject("mf-plate-bad", min=PLATE_MIN, max=PLATE_MAX)
    draft(context)["changes"]["vehicle_plate"] = value
    return await ask_what(update, context)


@needs("correct")
async def got_date(update: Update, context: Ctx) -> str:
    text = text_of(update)
    planned = parse_date(text)
    if planned is None:
        raise Reject("mf-date-bad", text=short(text, 40), example=fmt_date(today()))
    draft(context)["changes"]["planned_date"] = check_planned(planned)
    return await ask_what(update, context)


@needs("correct")
async def picked_line(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d = draft(context)
    known = {str(x["line"]): x for x in d["lines"]}
    if pressed(update) not in known:
        raise Reject("mf-corr-line-again")
    d["line"] = known[pressed(update)]["line"]
    line = known[pressed(update)]
    await say(update, context, "mf-corr-ask-kg", line=line["line"], code=line["code"],
              current=fmt_kg(lang(update, context), float(line["quantity_kg"])))
    return KG


@needs("correct")
async def got_kg(update: Update, context: Ctx) -> str:
    d = draft(context)
    kg = checked_kg(text_of(update), lang(update, context))
    lines_ = [dict(x) for x in d["changes"].get("lines") or d["lines"]]
    for x in lines_:
        if x["line"] == d.get("line"):
            x["quantity_kg"] = kg
    d.pop("line", None)
    d["changes"]["lines"] = lines_
    return await ask_what(update, context)


@needs("correct")
async def got_transporter_text(update: Update, context: Ctx) -> str:
    await search_party(update, context, "transporter", "mfct")
    return TRANSPORTER


@needs("correct")
async def picked_transporter(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d, lng = draft(context), lang(update, context)
    chosen = picked_party(update, context)
    if chosen["id"] in [x["id"] for x in d["new_transporters"]]:
        raise Reject("mf-transporter-twice", name=chosen["name"])
    d["new_transporters"].append({"id": chosen["id"], "name": chosen["name"]})
    if len(d["new_transporters"]) >= MAX_TRANSPORTERS:
        return await transporters_done(update, context)
    keyboard = buttons([[(t(lng, "mf-btn-add-transporter"), "mfctm:add"), (t(lng, "mf-btn-done"), "mfctm:done")]])
    await say(update, context, "mf-transporter-added", keyboard, position=len(d["new_transporters"]),
              name=chosen["name"])
    return TRANSPORTER_MORE


@needs("correct")
async def more_transporters(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d = draft(context)
    if pressed(update) == "add":
        await say(update, context, "mf-corr-ask-transporter", position=len(d["new_transporters"]) + 1)
        return TRANSPORTER
    return await transporters_done(update, context)


async def transporters_done(update: Update, context: Ctx) -> str:
    d = draft(context)
    new = d.pop("new_transporters")
    if [x["id"] for x in new] == [x["id"] for x in d["transporters"]]:
        d["changes"].pop("transporters", None)
    else:
        d["changes"]["transporters"] = new
    return await ask_what(update, context)


async def ask_code(update: Update, context: Ctx) -> str:
    lng = lang(update, context)
    names = [(t(lng, f"mf-ccode-{c.replace('_', '-')}"), f"mfcc:{c}") for c in CODES]
    await say(update, context, "mf-corr-ask-code", buttons([names[i:i + 2] for i in range(0, len(names), 2)]))
    return CODE


@needs("correct")
async def picked_code(update: Update, context: Ctx) -> str:
    await answer_query(update)
    if pressed(update) not in CODES:
        raise Reject("mf-corr-code-again")
    draft(context)["code"] = pressed(update)
    await say(update, context, "mf-corr-ask-reason")
    return REASON


@needs("correct")
async def got_reason(update: Update, context: Ctx) -> str:
    d, lng = draft(context), lang(update, context)
    d["reason"] = checked_text(update)
    await say(update, context, "mf-corr-review", confirm_keyboard(lng, "mf-btn-confirm-correct", "mfcy"),
              number=d["number"], version=d["version"] + 1, changes=changes_text(lng, d),
              code=t(lng, f"mf-ccode-{d['code'].replace('_', '-')}"), reason=d["reason"])
    return CONFIRM


def service_changes(d: dict) -> dict:
    c = dict(d["changes"])
    if "transporters" in c:
        c["transporters"] = [x["id"] for x in c["transporters"]]
    return c


@needs("correct")
async def confirmed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if pressed(update) != "yes":
        return await end_draft(update, context, DRAFT, "mf-cancelled-action")
    d, lng = draft(context), lang(update, context)
    answer = Signed.model_validate(await call(
        update, context, "manifests", "correct", command_id=d["command_id"], manifest_id=d["manifest_id"],
        changes=service_changes(d), reason=d["reason"], reason_code=d["code"]))
    context.user_data.pop(DRAFT, None)
    m = await manifest_of(update, context, d["manifest_id"])
    keyboard = buttons([[(t(lng, "mf-btn-open", number=d["number"]), f"mfshow:{d['manifest_id']}")]])
    if not m.resign:
        await say(update, context, "mf-corrected-none", keyboard, number=d["number"],
                  version=answer.manifest_version)
        return END
    names = await names_of(update, context, [establishment_of(m, p) for p in m.resign])
    await say(update, context, "mf-corrected", keyboard, number=d["number"], version=answer.manifest_version,
              parties=parties_text(lng, m, m.resign, names))
    return END
