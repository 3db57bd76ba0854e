"""A new manifest's waste lines, as many as needed (waste code typed or suggested from the
catalogue in force and the facilities' licences, kg, physical state, packaging, planned
method), then the review showing the route in order and [Sign and send] = create_manifest then
sign_handover (a retried confirmation acts once: the draft holds the command ids)."""
from __future__ import annotations

import re

from telegram import Update

from bot.common import Ctx, Reject, actor, answer_query, buttons, call, end_draft, lang, say, send_text
from bot.flows.manifest.common import (DRAFT, END, PHYSICAL_STATES, SEARCH_MAX, SEARCH_MIN, catalogue, checked_text,
                                       draft, line_text, needs, pstate_name, route_text, state_name, text_of)
from bot.flows.manifest.parse import MAX_KG, code_of, entry_name, fmt_date, fmt_kg, parse_kg, short
from bot.texts import t
from shared.contracts.manifests_answers import Signed
from shared.kit.text import score

CODE, QUANTITY, PSTATE, PACKAGING = "state:new-code", "state:new-quantity", "state:new-pstate", "state:new-packaging"
METHOD, MORE, REVIEW = "state:new-method", "state:new-more", "state:new-review"
MAX_LINES = 50              # the contract allows 200; a chat is no place for more than this
SUGGESTIONS = 8
PACKAGING_DEFAULT = "mf-packaging-default"   # stored in Vietnamese: the manifest is a Vietnamese document


def facilities(d: dict) -> list[dict]:
    return [d["facility"]] + ([d["facility_2"]] if d.get("facility_2") else [])


def permitted(d: dict) -> set[str]:
    """Codes every named facility's licence permits."""
    codes = set(d["facility"]["waste_codes"])
    for f in facilities(d)[1:]:
        codes &= set(f["waste_codes"])
    return codes


def check_licensed(d: dict, code: str) -> None:
    for f in facilities(d):
        if code not in f["waste_codes"]:
            raise Reject("mf-code-not-licensed", code=code, facility=f["name"])


async def ask_code(update: Update, context: Ctx) -> str:
    d = draft(context)
    d.pop("line", None)
    await say(update, context, "mf-ask-code", line=len(d["lines"]) + 1)
    return CODE


def matching(text: str, codes: list[dict], version: str) -> list[dict]:
    """Catalogue entries a partial code ('16 01') or words of a name match."""
    digits = re.sub(r"[\s.\-]", "", text)
    if digits.isdigit():
        matches = [e for e in codes if e["code"].replace(" ", "").startswith(digits)]
        if not matches:
            raise Reject("mf-code-unknown", code=text, version=version)
        return matches
    ranked = sorted(((score(text, e.get("name_vi") or "", e.get("name_en") or ""), e) for e in codes),
                    key=lambda r: (-r[0], r[1]["code"]))
    matches = [e for s, e in ranked if s > 0]
    if not matches:
        raise Reject("mf-code-none", query=short(text, 40))
    return matches


@needs("new")
async def got_code(update: Update, context: Ctx) -> str:
    text = text_of(update)
    if not SEARCH_MIN <= len(text) <= SEARCH_MAX:
        raise Reject("mf-code-length", min=SEARCH_MIN, max=SEARCH_MAX)
    cat = await catalogue(update, context)
    by_code = {e["code"]: e for e in cat["codes"]}
    d, lng = draft(context), lang(update, context)
    code = code_of(text)
    if code is not None:
        if code not in by_code:
            raise Reject("mf-code-unknown", code=code, version=cat["version"])
        check_licensed(d, code)
        return await chose_code(update, context, by_code[code])
    matches = matching(text, cat["codes"], cat["version"])
    allowed = [e for e in matches if e["code"] in permitted(d)]
    if not allowed:
        lacking = next((f for f in facilities(d) if not {e["code"] for e in matches} & set(f["waste_codes"])),
                       d["facility"])
        raise Reject("mf-code-none-licensed", query=short(text, 40), facility=lacking["name"],
                     codes=", ".join(e["code"] for e in matches[:5]))
    rows = [[(short(f"{e['code']} · {entry_name(e, lng)}", 64), f"mfc:{e['code']}")] for e in allowed[:SUGGESTIONS]]
    await say(update, context, "mf-code-pick", buttons(rows), count=len(allowed[:SUGGESTIONS]))
    return CODE


@needs("new")
async def picked_code(update: Update, context: Ctx) -> str:
    await answer_query(update)
    code = update.callback_query.data.split(":", 1)[1]
    cat = await catalogue(update, context)
    entry_ = {e["code"]: e for e in cat["codes"]}.get(code)
    if entry_ is None:
        raise Reject("mf-code-unknown", code=short(code, 20), version=cat["version"])
    check_licensed(draft(context), code)
    return await chose_code(update, context, entry_)


async def chose_code(update: Update, context: Ctx, e: dict) -> str:
    draft(context)["line"] = {"code": e["code"], "name": (e.get("name_vi") or e["code"])[:200],
                              "usual_state": e.get("state")}
    await say(update, context, "mf-ask-kg", code=e["code"], name=entry_name(e, lang(update, context)))
    return QUANTITY


def state_keyboard(lng: str):  # type: ignore[no-untyped-def]
    names = [(pstate_name(lng, s), f"mfs:{s}") for s in PHYSICAL_STATES]
    return buttons([names[i:i + 3] for i in range(0, len(names), 3)])


def checked_kg(text: str, lng: str) -> float:
    """A line's quantity: a number more than 0 and at most the contract's bound (3 decimals)."""
    kg = parse_kg(text)
    if kg is None:
        raise Reject("mf-kg-bad", text=short(text, 40))
    if kg <= 0:
        raise Reject("mf-kg-positive")
    if kg > MAX_KG:
        raise Reject("mf-kg-too-big", max=fmt_kg(lng, MAX_KG))
    return round(kg, 3)


@needs("new")
async def got_kg(update: Update, context: Ctx) -> str:
    lng = lang(update, context)
    line = draft(context)["line"]
    line["quantity_kg"] = checked_kg(text_of(update), lng)
    await say(update, context, "mf-ask-state", state_keyboard(lng), kg=fmt_kg(lng, line["quantity_kg"]),
              usual=pstate_name(lng, line.get("usual_state")))
    return PSTATE


def previous(context: Ctx, field: str) -> str | None:
    done = draft(context)["lines"]
    return done[-1][field] if done else None


@needs("new")
async def picked_state(update: Update, context: Ctx) -> str:
    await answer_query(update)
    chosen = update.callback_query.data.split(":", 1)[1]
    if chosen not in PHYSICAL_STATES:
        raise Reject("mf-state-pick")
    draft(context)["line"]["state"] = chosen
    lng = lang(update, context)
    rows = [[(t(lng, "mf-btn-packaging-default"), "mfpk:default")]]
    if previous(context, "packaging"):
        rows.append([(short(t(lng, "mf-btn-as-before", value=previous(context, "packaging")), 64), "mfpk:prev")])
    await say(update, context, "mf-ask-packaging", buttons(rows), state=pstate_name(lng, chosen))
    return PACKAGING


async def set_packaging(update: Update, context: Ctx, packaging: str) -> str:
    draft(context)["line"]["packaging"] = packaging
    lng = lang(update, context)
    keyboard = None
    if previous(context, "method"):
        keyboard = buttons([[(short(t(lng, "mf-btn-as-before", value=previous(context, "method")), 64), "mfme:prev")]])
    await say(update, context, "mf-ask-method", keyboard, packaging=packaging)
    return METHOD


@needs("new")
async def got_packaging(update: Update, context: Ctx) -> str:
    return await set_packaging(update, context, checked_text(update))


@needs("new")
async def packaging_button(update: Update, context: Ctx) -> str:
    await answer_query(update)
    if update.callback_query.data == "mfpk:prev" and previous(context, "packaging"):
        return await set_packaging(update, context, previous(context, "packaging"))
    return await set_packaging(update, context, t("vi", PACKAGING_DEFAULT))


async def add_line(update: Update, context: Ctx, method: str) -> str:
    d, lng = draft(context), lang(update, context)
    line = d.pop("line")
    done = {"line": len(d["lines"]) + 1, "code": line["code"], "name": line["name"], "state": line["state"],
            "packaging": line["packaging"], "quantity_kg": line["quantity_kg"], "method": method}
    d["lines"].append(done)
    await say(update, context, "mf-line-added", more_keyboard(lng), line=done["line"], summary=line_text(lng, done))
    return MORE


@needs("new")
async def got_method(update: Update, context: Ctx) -> str:
    return await add_line(update, context, checked_text(update))


@needs("new")
async def method_button(update: Update, context: Ctx) -> str:
    await answer_query(update)
    if not previous(context, "method"):
        raise Reject("mf-method-again")
    return await add_line(update, context, previous(context, "method"))


def more_keyboard(lng: str):  # type: ignore[no-untyped-def]
    return buttons([[(t(lng, "mf-btn-add-line"), "mfl:more"), (t(lng, "mf-btn-review"), "mfl:review")],
                    [(t(lng, "mf-btn-cancel"), "mfl:cancel")]])


@needs("new")
async def more(update: Update, context: Ctx) -> str | int:
    await answer_query(update)
    choice = update.callback_query.data.split(":", 1)[1]
    if choice == "cancel":
        return await end_draft(update, context, DRAFT, "mf-cancelled")
    if choice == "review":
        return await review(update, context)
    if len(draft(context)["lines"]) >= MAX_LINES:
        raise Reject("mf-lines-full", max=MAX_LINES)
    return await ask_code(update, context)


async def review(update: Update, context: Ctx) -> str:
    d, lng = draft(context), lang(update, context)
    total = sum(float(x["quantity_kg"]) for x in d["lines"])
    text = t(lng, "mf-review", number=d["number"], generator=d["generator"],
             transporter=route_text([x["name"] for x in d["transporters"]]),
             facility=route_text([f["name"] for f in facilities(d)]), plate=d["plate"], date=fmt_date(d["planned"]),
             lines="\n".join(line_text(lng, x) for x in d["lines"]), total=fmt_kg(lng, total))
    await send_text(update, context, text, buttons([[(t(lng, "mf-btn-sign-send"), "mfr:send")],
                                                    [(t(lng, "mf-btn-add-line"), "mfl:more"),
                                                     (t(lng, "mf-btn-cancel"), "mfr:cancel")]]))
    return REVIEW


@needs("new")
async def confirmed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if update.callback_query.data == "mfr:cancel":
        return await end_draft(update, context, DRAFT, "mf-cancelled")
    d = draft(context)
    who = await actor(update, context)
    if not d.get("created"):
        created = Signed.model_validate(await call(
            update, context, "manifests", "create_manifest", command_id=d["command_id"],
            generator_id=who.establishment, number=d["number"], transporters=[x["id"] for x in d["transporters"]],
            facility_1=d["facility"]["id"], facility_2=(d.get("facility_2") or {}).get("id"),
            vehicle_plate=d["plate"], lines=d["lines"], planned_date=d["planned"]))
        d["created"] = str(created.id)   # a retry after a failed signature signs the same manifest
    signed = Signed.model_validate(await call(update, context, "manifests", "sign_handover", command_id=d["sign_id"],
                                              manifest_id=d["created"]))
    context.user_data.pop(DRAFT, None)
    await say(update, context, "mf-filed", number=d["number"], state=state_name(lang(update, context), signed.state))
    return END
