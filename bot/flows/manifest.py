"""/manifest: hazardous-waste manifests (chứng từ CTNH) for accounts linked to an establishment.

- Business (generator): [New manifest] → transporter (name or registration code, then a button)
  → treatment facility (the same) → vehicle plate → planned date → lines, as many as needed
  (waste code typed or suggested from the catalogue in force and the facility's licence, kg,
  physical state, packaging, treatment method) → review → [Sign and send] = create_manifest then
  sign_handover. [My manifests] lists the establishment's manifests; a button shows one.
- Transporter: [Awaiting my signature] lists the pickups waiting for it: [Sign pickup] each, or
  [Sign all (N)] = bulk_sign(step="pickup").
- Treatment facility: [Awaiting my signature]: [Receive] asks the measured kg of every line (or
  "as declared") then receive; [Mark treated] asks the method then treat; [Mark all treated (N)]
  = bulk_sign(step="treated", treated_on=today).

A draft (user_data["manifest"]) holds the command ids chosen when it starts, so a retried
confirmation acts once; nothing reaches the services before the final confirmation; /cancel or
a timeout drops the draft. Menus, lists and one-press signatures keep no draft (they are entry
points returning no state), so their buttons keep working later and never block another flow.
"""
from __future__ import annotations

import functools
import math
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any, get_args

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.client import Unavailable
from bot.clean import typed_text
from bot.common import (Ctx, Reject, actor, answer_query, buttons, call, conversation, end_draft, explain, lang, say,
                        send_text, step)
from bot.texts import t
from shared.contracts.manifests import ManifestState, PhysicalState
from shared.kit.actor import Role
from shared.kit.calendar import local_date
from shared.kit.errors import KINDS, LangXanhError
from shared.kit.text import fold, score

DRAFT = "manifest"          # the conversation's draft (app.DRAFTS["manifest"])
AWAITING = "mf_awaiting"    # the last "awaiting my signature" list, for its [Sign all] button
END = ConversationHandler.END
(TRANSPORTER, FACILITY, PLATE, PLANNED, CODE, QUANTITY, PSTATE, PACKAGING, METHOD, MORE, REVIEW,
 MEASURE, RECEIVE_CONFIRM, TREAT_METHOD, TREAT_CONFIRM) = range(15)

ROLES = (Role.BUSINESS, Role.TRANSPORTER, Role.TREATMENT_FACILITY)
STATES = get_args(ManifestState)
PHYSICAL_STATES = get_args(PhysicalState)
MAX_LINES = 50              # the contract allows 200; a chat is no place for more than this
MAX_KG = 1_000_000          # the contract's bound on a line
SEARCH_MIN, SEARCH_MAX = 2, 100
TEXT_MIN, TEXT_MAX = 2, 200
PLATE_MIN, PLATE_MAX = 4, 15
PLATE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 .\-]*[A-Z0-9]$")
PAST_DAYS, FUTURE_DAYS = 30, 365
SUGGESTIONS = 8
LIST_SHOWN = 20
CATALOGUE_TTL = 300.0       # seconds the bot keeps the catalogue in force before asking again
PACKAGING_DEFAULT = "mf-packaging-default"   # stored in Vietnamese: the manifest is a Vietnamese document


# -- small helpers ---------------------------------------------------------------------------------
def today() -> date:
    return local_date(datetime.now(timezone.utc))


def fmt_kg(lng: str, kg: float) -> str:
    """12.5 → '12,5' (vi) or '12.5' (en); thousands grouped."""
    text = f"{kg:,.3f}".rstrip("0").rstrip(".")
    if lng == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_date(value: date | str | None) -> str:
    if not value:
        return "—"
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return d.strftime("%d/%m/%Y")


def parse_kg(text: str) -> float | None:
    """A quantity as people type it: '12,5', '12.5', '1.250,5', '1,250.5', '40 kg'. None if not a number."""
    s = re.sub(r"\s+", "", text.strip().lower().replace("\u00a0", ""))
    s = s.removesuffix("kg")
    if not s or not re.fullmatch(r"[-+]?[0-9.,]+", s) or not re.search(r"[0-9]", s):
        return None
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    elif s.count(",") > 1 or s.count(".") > 1:      # '1.234.567' or '1,234,567': thousands only
        groups = re.split(r"[.,]", s.lstrip("+-"))
        if any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            return None
        s = s.replace(",", "").replace(".", "")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
TODAY_WORDS = {"hom nay", "today", "nay"}


def parse_date(text: str) -> date | None:
    s = text.strip()
    if fold(s) in TODAY_WORDS:
        return today()
    for f in DATE_FORMATS:
        try:
            return datetime.strptime(s, f).date()
        except ValueError:
            continue
    return None


def code_of(text: str) -> str | None:
    """'160106', '16 01 06', '16-01-06', '16.01.06' → '16 01 06'; None if it is not a whole code."""
    digits = re.sub(r"[\s.\-]", "", text)
    if len(digits) == 6 and digits.isdigit():
        return f"{digits[:2]} {digits[2:4]} {digits[4:]}"
    return None


def entry_name(entry: dict, lng: str) -> str:
    return (entry.get("name_en") if lng == "en" and entry.get("name_en") else entry.get("name_vi")) or entry["code"]


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def state_name(lng: str, state: str) -> str:
    return t(lng, f"mf-state-{state}") if state in STATES else state


def pstate_name(lng: str, state: str | None) -> str:
    return t(lng, f"mf-pstate-{state}") if state in PHYSICAL_STATES else "—"


def party_name(lng: str, party: str) -> str:
    if party.startswith("transporter"):
        return t(lng, "mf-party-transporter", position=party.removeprefix("transporter") or "1")
    if party.startswith("facility"):
        return t(lng, "mf-party-facility", position=party.removeprefix("facility") or "1")
    return t(lng, "mf-party-generator")


def other_flow_open(context: Ctx) -> str | None:
    """Another flow's conversation with a draft open (app.busy_guard does this for commands)."""
    from bot.app import DRAFTS

    for flow, key in DRAFTS.items():
        if flow != "manifest" and key in (context.user_data or {}):
            return flow
    return None


async def catalogue(update: Update, context: Ctx) -> dict:
    """The waste-code catalogue in force (manifests.waste_catalogue), kept a few minutes."""
    cached = context.application.bot_data.get("mf_catalogue")
    if cached and time.monotonic() - cached[0] < CATALOGUE_TTL:
        return cached[1]
    answer = await call(update, context, "manifests", "waste_catalogue")
    data = {"version": answer.get("version", "?"), "codes": [e for e in answer.get("codes", []) if e.get("code")]}
    context.application.bot_data["mf_catalogue"] = (time.monotonic(), data)
    return data


async def names_of(update: Update, context: Ctx, ids: list[str]) -> dict[str, str]:
    """Establishment names for a manifest's parties (an id that cannot be read shows shortened)."""
    out: dict[str, str] = {}
    for eid in dict.fromkeys(i for i in ids if i):
        try:
            out[eid] = (await call(update, context, "sites", "get_establishment", establishment_id=eid))["name"]
        except LangXanhError:
            out[eid] = eid[:8]
    return out


def text_of(update: Update) -> str:
    return typed_text(update)


def pressed(update: Update) -> str:
    return (update.callback_query.data or "").split(":", 1)[1] if ":" in (update.callback_query.data or "") else ""


# -- how handlers are wrapped ----------------------------------------------------------------------
Handler = Callable[[Update, Ctx], Awaitable[Any]]


async def expired(update: Update, context: Ctx) -> int:
    """Input for a draft that is gone (cancelled, timed out, or finished)."""
    await answer_query(update)
    context.user_data.pop(DRAFT, None)
    await say(update, context, "mf-expired")
    return END


def entry(fn: Handler) -> Handler:
    """An entry point. It returns a state when it opens a draft; otherwise (a menu, a list, a
    one-press signature, a refusal) it leaves things as they were: an open draft stays open at its
    step, and with no draft there is no conversation (END, so no timeout is scheduled for it)."""
    stepped = step(fn)

    @functools.wraps(fn)
    async def wrapper(update: Update, context: Ctx) -> Any:
        result = await stepped(update, context)
        if result is None and DRAFT not in context.user_data:
            return END
        return result

    return wrapper


def needs(mode: str) -> Callable[[Handler], Handler]:
    """A step of a draft of this mode ('new', 'receive', 'treat'); with no such draft, say so and end."""

    def deco(fn: Handler) -> Handler:
        stepped = step(fn)

        @functools.wraps(fn)
        async def wrapper(update: Update, context: Ctx) -> Any:
            d = context.user_data.get(DRAFT)
            if not isinstance(d, dict) or d.get("mode") != mode:
                return await expired(update, context)
            return await stepped(update, context)

        return wrapper

    return deco


def again(key: str) -> Handler:
    """Input out of turn at a step: say what the step expects (or that the draft is gone)."""

    async def handler(update: Update, context: Ctx) -> Any:
        if DRAFT not in context.user_data:
            return await expired(update, context)
        await answer_query(update)
        await say(update, context, key)
        return None

    return handler


def draft(context: Ctx) -> dict:
    return context.user_data[DRAFT]


# -- the menu --------------------------------------------------------------------------------------
def menu_keyboard(lng: str, role: Role):  # type: ignore[no-untyped-def]
    if role == Role.BUSINESS:
        first = (t(lng, "mf-btn-new"), "mf:new")
    else:
        first = (t(lng, "mf-btn-await"), "mf:await")
    return buttons([[first], [(t(lng, "mf-btn-list"), "mf:list")]])


@entry
async def begin(update: Update, context: Ctx) -> None:
    """/manifest: the menu for the linked establishment's role. A draft left open is dropped."""
    dropped = context.user_data.pop(DRAFT, None) is not None
    who = await actor(update, context)
    if who.role not in ROLES or not who.establishment:
        raise Reject("mf-not-linked")
    lng = lang(update, context)
    if dropped:
        await say(update, context, "mf-draft-dropped")
    est = await call(update, context, "sites", "get_establishment", establishment_id=who.establishment)
    await say(update, context, "mf-menu", menu_keyboard(lng, who.role), role=t(lng, f"role-{who.role.value}"),
              name=est["name"])


# -- a new manifest (business) ---------------------------------------------------------------------
@entry
async def new_manifest(update: Update, context: Ctx) -> int | None:
    await answer_query(update)
    if flow := other_flow_open(context):
        raise Reject("busy", flow=f"/{flow}")
    who = await actor(update, context)
    if who.role != Role.BUSINESS or not who.establishment:
        raise Reject("mf-business-only")
    est = await call(update, context, "sites", "get_establishment", establishment_id=who.establishment)
    if not est.get("hw_generator"):
        raise Reject("mf-not-generator", name=est["name"])
    key = uuid.uuid4()
    context.user_data[DRAFT] = {
        "mode": "new", "command_id": f"bot-manifest-{key}", "sign_id": f"bot-manifest-{key}-handover",
        "number": f"BOT-{today():%Y%m%d}-{secrets.token_hex(3).upper()}", "generator": est["name"], "lines": [],
    }
    await say(update, context, "mf-ask-transporter")
    return TRANSPORTER


async def search_party(update: Update, context: Ctx, role: str, prefix: str) -> None:
    query = text_of(update)
    if not SEARCH_MIN <= len(query) <= SEARCH_MAX:
        raise Reject("mf-search-length", min=SEARCH_MIN, max=SEARCH_MAX)
    found = await call(update, context, "sites", "search_establishments", query=query, role=role, limit=5)
    kind = "transporter" if role == "transporter" else "facility"
    if not found:
        raise Reject(f"mf-{kind}-none", query=query)
    draft(context)["found"] = {
        f["id"]: {"id": f["id"], "name": f["name"], "registration_code": f.get("registration_code") or "",
                  "waste_codes": list((f.get("licence") or {}).get("waste_codes") or [])} for f in found}
    rows = [[(short(f"{f['name']} · {f.get('registration_code') or ''}", 64), f"{prefix}:{f['id']}")] for f in found]
    await say(update, context, f"mf-{kind}-pick", buttons(rows), query=query)


def picked_party(update: Update, context: Ctx) -> dict:
    chosen = draft(context).get("found", {}).get(pressed(update))
    if chosen is None:
        raise Reject("mf-pick-again")
    draft(context).pop("found", None)
    return chosen


@needs("new")
async def got_transporter_text(update: Update, context: Ctx) -> int:
    await search_party(update, context, "transporter", "mft")
    return TRANSPORTER


@needs("new")
async def picked_transporter(update: Update, context: Ctx) -> int:
    await answer_query(update)
    chosen = picked_party(update, context)
    draft(context)["transporter"] = chosen
    await say(update, context, "mf-ask-facility", name=chosen["name"])
    return FACILITY


@needs("new")
async def got_facility_text(update: Update, context: Ctx) -> int:
    await search_party(update, context, "treatment_facility", "mff")
    return FACILITY


@needs("new")
async def picked_facility(update: Update, context: Ctx) -> int:
    await answer_query(update)
    chosen = picked_party(update, context)
    draft(context)["facility"] = chosen
    await say(update, context, "mf-ask-plate", name=chosen["name"])
    return PLATE


@needs("new")
async def got_plate(update: Update, context: Ctx) -> int:
    plate = re.sub(r"\s+", " ", text_of(update)).upper()
    if not (PLATE_MIN <= len(plate) <= PLATE_MAX and PLATE_RE.match(plate) and re.search(r"[0-9]", plate)
            and re.search(r"[A-Z]", plate)):
        raise Reject("mf-plate-bad", min=PLATE_MIN, max=PLATE_MAX)
    draft(context)["plate"] = plate
    lng = lang(update, context)
    await say(update, context, "mf-ask-date", buttons([[(t(lng, "mf-btn-today"), "mfd:today")]]),
              example=fmt_date(today()))
    return PLANNED


async def set_planned(update: Update, context: Ctx, planned: date) -> int:
    first, last = today() - timedelta(days=PAST_DAYS), today() + timedelta(days=FUTURE_DAYS)
    if not first <= planned <= last:
        raise Reject("mf-date-range", start=fmt_date(first), end=fmt_date(last))
    draft(context)["planned"] = planned.isoformat()
    return await ask_code(update, context)


@needs("new")
async def got_date(update: Update, context: Ctx) -> int:
    text = text_of(update)
    planned = parse_date(text)
    if planned is None:
        raise Reject("mf-date-bad", text=short(text, 40), example=fmt_date(today()))
    return await set_planned(update, context, planned)


@needs("new")
async def date_today(update: Update, context: Ctx) -> int:
    await answer_query(update)
    return await set_planned(update, context, today())


async def ask_code(update: Update, context: Ctx) -> int:
    d = draft(context)
    d.pop("line", None)
    await say(update, context, "mf-ask-code", line=len(d["lines"]) + 1)
    return CODE


@needs("new")
async def got_code(update: Update, context: Ctx) -> int:
    text = text_of(update)
    if not SEARCH_MIN <= len(text) <= SEARCH_MAX:
        raise Reject("mf-code-length", min=SEARCH_MIN, max=SEARCH_MAX)
    cat = await catalogue(update, context)
    by_code = {e["code"]: e for e in cat["codes"]}
    facility = draft(context)["facility"]
    permitted = set(facility["waste_codes"])
    lng = lang(update, context)
    code = code_of(text)
    if code is not None:
        if code not in by_code:
            raise Reject("mf-code-unknown", code=code, version=cat["version"])
        if code not in permitted:
            raise Reject("mf-code-not-licensed", code=code, facility=facility["name"])
        return await chose_code(update, context, by_code[code])
    digits = re.sub(r"[\s.\-]", "", text)
    if digits.isdigit():  # the start of a code: '16 01' → every code of sub-group 16 01
        matches = [e for e in cat["codes"] if e["code"].replace(" ", "").startswith(digits)]
        if not matches:
            raise Reject("mf-code-unknown", code=text, version=cat["version"])
    else:
        ranked = sorted(((score(text, e.get("name_vi") or "", e.get("name_en") or ""), e) for e in cat["codes"]),
                        key=lambda r: (-r[0], r[1]["code"]))
        matches = [e for s, e in ranked if s > 0]
        if not matches:
            raise Reject("mf-code-none", query=short(text, 40))
    allowed = [e for e in matches if e["code"] in permitted]
    if not allowed:
        raise Reject("mf-code-none-licensed", query=short(text, 40), facility=facility["name"],
                     codes=", ".join(e["code"] for e in matches[:5]))
    rows = [[(short(f"{e['code']} · {entry_name(e, lng)}", 64), f"mfc:{e['code']}")] for e in allowed[:SUGGESTIONS]]
    await say(update, context, "mf-code-pick", buttons(rows), count=len(allowed[:SUGGESTIONS]))
    return CODE


@needs("new")
async def picked_code(update: Update, context: Ctx) -> int:
    await answer_query(update)
    code = pressed(update)
    entry_ = {e["code"]: e for e in (await catalogue(update, context))["codes"]}.get(code)
    facility = draft(context)["facility"]
    if entry_ is None:
        raise Reject("mf-code-unknown", code=code, version=(await catalogue(update, context))["version"])
    if code not in facility["waste_codes"]:
        raise Reject("mf-code-not-licensed", code=code, facility=facility["name"])
    return await chose_code(update, context, entry_)


async def chose_code(update: Update, context: Ctx, e: dict) -> int:
    draft(context)["line"] = {"code": e["code"], "name": (e.get("name_vi") or e["code"])[:200],
                              "usual_state": e.get("state")}
    await say(update, context, "mf-ask-kg", code=e["code"], name=entry_name(e, lang(update, context)))
    return QUANTITY


def state_keyboard(lng: str):  # type: ignore[no-untyped-def]
    names = [(pstate_name(lng, s), f"mfs:{s}") for s in PHYSICAL_STATES]
    return buttons([names[i:i + 3] for i in range(0, len(names), 3)])


@needs("new")
async def got_kg(update: Update, context: Ctx) -> int:
    text = text_of(update)
    kg = parse_kg(text)
    lng = lang(update, context)
    if kg is None:
        raise Reject("mf-kg-bad", text=short(text, 40))
    if kg <= 0:
        raise Reject("mf-kg-positive")
    if kg > MAX_KG:
        raise Reject("mf-kg-too-big", max=fmt_kg(lng, MAX_KG))
    line = draft(context)["line"]
    line["quantity_kg"] = round(kg, 3)
    await say(update, context, "mf-ask-state", state_keyboard(lng), kg=fmt_kg(lng, line["quantity_kg"]),
              usual=pstate_name(lng, line.get("usual_state")))
    return PSTATE


def previous(context: Ctx, field: str) -> str | None:
    lines = draft(context)["lines"]
    return lines[-1][field] if lines else None


@needs("new")
async def picked_state(update: Update, context: Ctx) -> int:
    await answer_query(update)
    chosen = pressed(update)
    if chosen not in PHYSICAL_STATES:
        raise Reject("mf-state-pick")
    draft(context)["line"]["state"] = chosen
    lng = lang(update, context)
    rows = [[(t(lng, "mf-btn-packaging-default"), "mfpk:default")]]
    if previous(context, "packaging"):
        rows.append([(short(t(lng, "mf-btn-as-before", value=previous(context, "packaging")), 64), "mfpk:prev")])
    await say(update, context, "mf-ask-packaging", buttons(rows), state=pstate_name(lng, chosen))
    return PACKAGING


async def set_packaging(update: Update, context: Ctx, packaging: str) -> int:
    draft(context)["line"]["packaging"] = packaging
    lng = lang(update, context)
    keyboard = None
    if previous(context, "method"):
        keyboard = buttons([[(short(t(lng, "mf-btn-as-before", value=previous(context, "method")), 64), "mfme:prev")]])
    await say(update, context, "mf-ask-method", keyboard, packaging=packaging)
    return METHOD


def checked_text(update: Update) -> str:
    text = re.sub(r"\s+", " ", text_of(update))
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise Reject("mf-text-length", min=TEXT_MIN, max=TEXT_MAX)
    return text


@needs("new")
async def got_packaging(update: Update, context: Ctx) -> int:
    return await set_packaging(update, context, checked_text(update))


@needs("new")
async def packaging_button(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if pressed(update) == "prev" and previous(context, "packaging"):
        return await set_packaging(update, context, previous(context, "packaging"))
    return await set_packaging(update, context, t("vi", PACKAGING_DEFAULT))


async def add_line(update: Update, context: Ctx, method: str) -> int:
    d, lng = draft(context), lang(update, context)
    line = d.pop("line")
    done = {"line": len(d["lines"]) + 1, "code": line["code"], "name": line["name"], "state": line["state"],
            "packaging": line["packaging"], "quantity_kg": line["quantity_kg"], "method": method}
    d["lines"].append(done)
    await say(update, context, "mf-line-added", more_keyboard(lng), line=done["line"], summary=line_text(lng, done))
    return MORE


@needs("new")
async def got_method(update: Update, context: Ctx) -> int:
    return await add_line(update, context, checked_text(update))


@needs("new")
async def method_button(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if not previous(context, "method"):
        raise Reject("mf-method-again")
    return await add_line(update, context, previous(context, "method"))


def more_keyboard(lng: str):  # type: ignore[no-untyped-def]
    return buttons([[(t(lng, "mf-btn-add-line"), "mfl:more"), (t(lng, "mf-btn-review"), "mfl:review")],
                    [(t(lng, "mf-btn-cancel"), "mfl:cancel")]])


def line_text(lng: str, line: dict) -> str:
    return t(lng, "mf-line", line=line["line"], code=line["code"], name=short(line["name"], 80),
             kg=fmt_kg(lng, float(line["quantity_kg"])), state=pstate_name(lng, line["state"]),
             packaging=line["packaging"], method=line["method"])


@needs("new")
async def more(update: Update, context: Ctx) -> int:
    await answer_query(update)
    choice = pressed(update)
    if choice == "cancel":
        return await cancel(update, context)
    if choice == "review":
        return await review(update, context)
    if len(draft(context)["lines"]) >= MAX_LINES:
        raise Reject("mf-lines-full", max=MAX_LINES)
    return await ask_code(update, context)


async def review(update: Update, context: Ctx) -> int:
    d, lng = draft(context), lang(update, context)
    total = sum(float(x["quantity_kg"]) for x in d["lines"])
    text = t(lng, "mf-review", number=d["number"], generator=d["generator"], transporter=d["transporter"]["name"],
             facility=d["facility"]["name"], plate=d["plate"], date=fmt_date(d["planned"]),
             lines="\n".join(line_text(lng, x) for x in d["lines"]), total=fmt_kg(lng, total))
    await send_text(update, context, text, buttons([[(t(lng, "mf-btn-sign-send"), "mfr:send")],
                                                    [(t(lng, "mf-btn-add-line"), "mfl:more"),
                                                     (t(lng, "mf-btn-cancel"), "mfr:cancel")]]))
    return REVIEW


@needs("new")
async def confirmed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if pressed(update) == "cancel":
        return await cancel(update, context)
    d = draft(context)
    who = await actor(update, context)
    if not d.get("created"):
        created = await call(update, context, "manifests", "create_manifest", command_id=d["command_id"],
                             generator_id=who.establishment, number=d["number"],
                             transporters=[d["transporter"]["id"]], facility_1=d["facility"]["id"],
                             vehicle_plate=d["plate"], lines=d["lines"], planned_date=d["planned"])
        d["created"] = created["id"]   # a retry after a failed signature signs the same manifest
    signed = await call(update, context, "manifests", "sign_handover", command_id=d["sign_id"],
                        manifest_id=d["created"])
    context.user_data.pop(DRAFT, None)
    await say(update, context, "mf-filed", number=d["number"], state=state_name(lang(update, context), signed["state"]))
    return END


async def cancel(update: Update, context: Ctx) -> int:
    return await end_draft(update, context, DRAFT, "mf-cancelled")


# -- lists and one manifest (every role) -----------------------------------------------------------
@entry
async def list_mine(update: Update, context: Ctx) -> None:
    await answer_query(update)
    rows = await call(update, context, "manifests", "my_manifests")
    lng = lang(update, context)
    if not rows:
        raise Reject("mf-list-none")
    rows = sorted(rows, key=lambda r: (r["number"], r["id"]), reverse=True)
    shown = rows[:LIST_SHOWN]
    head = [t(lng, "mf-list-title", count=len(rows))]
    if len(rows) > len(shown):
        head.append(t(lng, "mf-list-more", shown=len(shown)))
    text = "\n".join(head + [t(lng, "mf-list-line", number=r["number"], state=state_name(lng, r["state"]),
                                party=party_name(lng, r["party"])) for r in shown])
    labels = [(r["number"], f"mfshow:{r['id']}") for r in shown]
    await send_text(update, context, text, buttons([labels[i:i + 2] for i in range(0, len(labels), 2)]))


def my_party(m: dict, establishment: str | None) -> str | None:
    if not establishment:
        return None
    if m.get("generator_id") == establishment:
        return "generator"
    if establishment in (m.get("transporters") or []):
        return f"transporter{m['transporters'].index(establishment) + 1}"
    if m.get("facility_1") == establishment:
        return "facility1"
    if m.get("facility_2") == establishment:
        return "facility2"
    return None


def signed_parties(m: dict) -> set[str]:
    return {s.get("party") for s in m.get("signatures") or [] if s.get("version", m.get("manifest_version"))
            == m.get("manifest_version")}


def actions(lng: str, m: dict, party: str | None) -> list[list[tuple[str, str]]]:
    """The buttons this party may press on this manifest now."""
    mid, number, state = m["id"], m["number"], m["state"]
    if party == "generator" and state == "draft":
        return [[(t(lng, "mf-btn-handover", number=number), f"mfhand:{mid}")]]
    if party and party.startswith("transporter") and state in ("handed_over", "in_transit"):
        position = int(party.removeprefix("transporter"))
        earlier = {f"transporter{i}" for i in range(1, position)}
        if party not in signed_parties(m) and earlier <= signed_parties(m):
            return [[(t(lng, "mf-btn-pickup", number=number), f"mfpick:{mid}")]]
    if party == "facility1" and state == "in_transit":
        return [[(t(lng, "mf-btn-receive", number=number), f"mfrecv:{mid}")]]
    if party == "facility1" and state == "received":
        return [[(t(lng, "mf-btn-treat", number=number), f"mftreat:{mid}")]]
    return []


@entry
async def show(update: Update, context: Ctx) -> None:
    await answer_query(update)
    m = await call(update, context, "manifests", "get_manifest", manifest_id=pressed(update))
    who = await actor(update, context)
    lng = lang(update, context)
    names = await names_of(update, context, [m["generator_id"], *m["transporters"], m["facility_1"],
                                             m.get("facility_2")])
    live = [x for x in m["lines"] if not x.get("rejected")]
    parts = [t(lng, "mf-show", number=m["number"], version=m.get("manifest_version", 1),
               state=state_name(lng, m["state"]), generator=names.get(m["generator_id"], "—"),
               transporters=", ".join(names.get(x, x[:8]) for x in m["transporters"]),
               facility=names.get(m["facility_1"], "—"), plate=m.get("vehicle_plate") or "—",
               date=fmt_date(m.get("planned_date")), lines="\n".join(line_text(lng, x) for x in live),
               total=fmt_kg(lng, sum(float(x["quantity_kg"]) for x in live)))]
    if m.get("received"):
        parts.append(t(lng, "mf-show-received", kg=fmt_kg(lng, sum(float(x["quantity_kg"])
                                                                   for x in m["received"]["lines"]))))
    if (m.get("discrepancy") or {}).get("state") == "open":
        parts.append(t(lng, "mf-show-discrepancy", lines=", ".join(str(x["line"]) for x in m["discrepancy"]["lines"]),
                       due=fmt_date(m["discrepancy"].get("due"))))
    if m.get("treatment"):
        parts.append(t(lng, "mf-show-treated", method=m["treatment"].get("method", "—"),
                       date=fmt_date(m["treatment"].get("date"))))
    rows = actions(lng, m, my_party(m, who.establishment))
    await send_text(update, context, "\n".join(parts), buttons(rows) if rows else None)


# -- awaiting my signature (transporter, facility) -------------------------------------------------
@entry
async def awaiting(update: Update, context: Ctx) -> None:
    await answer_query(update)
    who = await actor(update, context)
    if who.role not in (Role.TRANSPORTER, Role.TREATMENT_FACILITY):
        raise Reject("mf-await-role")
    rows = await call(update, context, "manifests", "my_manifests", awaiting_only=True)
    lng = lang(update, context)
    if not rows:
        raise Reject("mf-await-none")
    token = secrets.token_hex(4)
    if who.role == Role.TRANSPORTER:
        pickup = [r for r in rows if r["state"] in ("handed_over", "in_transit")]
        treat: list[dict] = []
        keyboard = [[(t(lng, "mf-btn-pickup", number=r["number"]), f"mfpick:{r['id']}")] for r in pickup[:LIST_SHOWN]]
        if len(pickup) > 1:
            keyboard.append([(t(lng, "mf-btn-pickup-all", count=len(pickup)), f"mfpickall:{token}")])
    else:
        pickup = []
        treat = [r for r in rows if r["state"] == "received"]
        keyboard = [[(t(lng, "mf-btn-receive", number=r["number"]), f"mfrecv:{r['id']}")]
                    for r in rows if r["state"] == "in_transit"][:LIST_SHOWN]
        keyboard += [[(t(lng, "mf-btn-treat", number=r["number"]), f"mftreat:{r['id']}")] for r in treat[:LIST_SHOWN]]
        if len(treat) > 1:
            keyboard.append([(t(lng, "mf-btn-treat-all", count=len(treat)), f"mftreatall:{token}")])
    context.user_data[AWAITING] = {"token": token, "command_id": f"bot-bulk-{uuid.uuid4()}",
                                   "pickup": [r["id"] for r in pickup], "treat": [r["id"] for r in treat],
                                   "numbers": {r["id"]: r["number"] for r in rows}}
    text = "\n".join([t(lng, "mf-await-title", count=len(rows))] +
                     [t(lng, "mf-list-line", number=r["number"], state=state_name(lng, r["state"]),
                        party=party_name(lng, r["party"])) for r in rows[:LIST_SHOWN]])
    await send_text(update, context, text, buttons(keyboard) if keyboard else None)


async def number_of(update: Update, context: Ctx, manifest_id: str) -> str:
    known = (context.user_data.get(AWAITING) or {}).get("numbers", {})
    if manifest_id in known:
        return known[manifest_id]
    return (await call(update, context, "manifests", "get_manifest", manifest_id=manifest_id))["number"]


@entry
async def pickup_one(update: Update, context: Ctx) -> None:
    await answer_query(update)
    mid = pressed(update)
    who = await actor(update, context)
    signed = await call(update, context, "manifests", "sign_pickup", manifest_id=mid,
                        command_id=f"bot-pickup-{who.establishment}-{mid}")
    await say(update, context, "mf-picked-up", number=await number_of(update, context, mid),
              state=state_name(lang(update, context), signed["state"]))


@entry
async def handover_one(update: Update, context: Ctx) -> None:
    await answer_query(update)
    mid = pressed(update)
    who = await actor(update, context)
    signed = await call(update, context, "manifests", "sign_handover", manifest_id=mid,
                        command_id=f"bot-handover-{who.establishment}-{mid}")
    await say(update, context, "mf-handed-over", number=await number_of(update, context, mid),
              state=state_name(lang(update, context), signed["state"]))


def listed(context: Ctx, token: str, kind: str) -> tuple[dict, list[str]]:
    lst = context.user_data.get(AWAITING) or {}
    if lst.get("token") != token or not lst.get(kind):
        raise Reject("stale-button")
    return lst, lst[kind]


async def bulk_result(update: Update, context: Ctx, answer: dict, numbers: dict[str, str]) -> None:
    lng = lang(update, context)
    lines = [t(lng, "mf-bulk-result", signed=answer["signed"], total=len(answer["results"]))]
    for r in answer["results"]:
        if r["signed"]:
            lines.append(t(lng, "mf-bulk-signed-line", number=numbers.get(r["manifest_id"], r["manifest_id"][:8])))
        else:
            lines.append(t(lng, "mf-bulk-failed-line", number=numbers.get(r["manifest_id"], r["manifest_id"][:8]),
                           reason=reason(lng, r.get("error") or {})))
    await send_text(update, context, "\n".join(lines))


def reason(lng: str, error: dict) -> str:
    """Why one manifest of a bulk signature was not signed, in the user's language."""
    if error.get("rule") in ("twice", "turn", "own_signature"):
        return t(lng, f"mf-reason-{error['rule'].replace('_', '-')}")
    kind = next((k for k in KINDS if k.kind == error.get("kind")), KINDS[-1])
    return explain(lng, kind(error.get("message") or "", error.get("field"), error.get("rule")))


@entry
async def pickup_all(update: Update, context: Ctx) -> None:
    await answer_query(update)
    lst, ids = listed(context, pressed(update), "pickup")
    answer = await call(update, context, "manifests", "bulk_sign", command_id=f"{lst['command_id']}-pickup",
                        manifest_ids=ids, step="pickup")
    await bulk_result(update, context, answer, lst["numbers"])


# -- receipt with measured quantities (facility) ---------------------------------------------------
@entry
async def start_receive(update: Update, context: Ctx) -> int | None:
    await answer_query(update)
    if flow := other_flow_open(context):
        raise Reject("busy", flow=f"/{flow}")
    m = await call(update, context, "manifests", "get_manifest", manifest_id=pressed(update))
    if m["state"] != "in_transit":
        raise Reject("mf-not-receivable", number=m["number"], state=state_name(lang(update, context), m["state"]))
    context.user_data[DRAFT] = {
        "mode": "receive", "manifest_id": m["id"], "number": m["number"], "command_id": f"bot-receive-{uuid.uuid4()}",
        "lines": [{"line": x["line"], "code": x["code"], "name": x["name"], "declared": float(x["quantity_kg"])}
                  for x in m["lines"] if not x.get("rejected")],
        "measured": [],
    }
    return await ask_measured(update, context)


async def ask_measured(update: Update, context: Ctx) -> int:
    d, lng = draft(context), lang(update, context)
    i = len(d["measured"])
    if i >= len(d["lines"]):
        return await receive_review(update, context)
    line = d["lines"][i]
    rows = [[(t(lng, "mf-btn-same", kg=fmt_kg(lng, line["declared"])), "mfsame:one")]]
    if len(d["lines"]) - i > 1:
        rows.append([(t(lng, "mf-btn-same-all"), "mfsame:all")])
    await say(update, context, "mf-ask-measured", buttons(rows), number=d["number"], line=line["line"],
              count=len(d["lines"]), code=line["code"], name=short(line["name"], 80),
              declared=fmt_kg(lng, line["declared"]))
    return MEASURE


@needs("receive")
async def got_measured(update: Update, context: Ctx) -> int:
    text = text_of(update)
    kg = parse_kg(text)
    lng = lang(update, context)
    if kg is None:
        raise Reject("mf-measured-bad", text=short(text, 40))
    if kg < 0:
        raise Reject("mf-measured-negative")
    if kg > MAX_KG:
        raise Reject("mf-kg-too-big", max=fmt_kg(lng, MAX_KG))
    d = draft(context)
    d["measured"].append(round(kg, 3))
    return await ask_measured(update, context)


@needs("receive")
async def same_as_declared(update: Update, context: Ctx) -> int:
    await answer_query(update)
    d = draft(context)
    rest = d["lines"][len(d["measured"]):]
    for line in rest[:1] if pressed(update) == "one" else rest:
        d["measured"].append(line["declared"])
    return await ask_measured(update, context)


def differs(declared: float, measured: float) -> bool:
    """More than 10 % off the declared weight (the service decides; this only warns)."""
    return abs(measured - declared) > 0.1 * declared + 1e-9


async def receive_review(update: Update, context: Ctx) -> int:
    d, lng = draft(context), lang(update, context)
    rows = []
    for line, kg in zip(d["lines"], d["measured"]):
        rows.append(t(lng, "mf-measured-line", line=line["line"], code=line["code"],
                      declared=fmt_kg(lng, line["declared"]), measured=fmt_kg(lng, kg))
                    + (" " + t(lng, "mf-flag-discrepancy") if differs(line["declared"], kg) else ""))
    text = t(lng, "mf-receive-review", number=d["number"], lines="\n".join(rows))
    await send_text(update, context, text, buttons([[(t(lng, "mf-btn-confirm-receive"), "mfrc:yes"),
                                                     (t(lng, "mf-btn-cancel"), "mfrc:no")]]))
    return RECEIVE_CONFIRM


@needs("receive")
async def receive_confirmed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if pressed(update) != "yes":
        return await end_draft(update, context, DRAFT, "mf-cancelled-action")
    d, lng = draft(context), lang(update, context)
    measured = [{"line": line["line"], "code": line["code"], "quantity_kg": kg}
                for line, kg in zip(d["lines"], d["measured"])]
    answer = await call(update, context, "manifests", "receive", command_id=d["command_id"],
                        manifest_id=d["manifest_id"], measured=measured)
    context.user_data.pop(DRAFT, None)
    await say(update, context, "mf-received", number=d["number"], state=state_name(lng, answer["state"]))
    try:  # what follows is a courtesy: the receipt is signed whatever happens to it
        m = await call(update, context, "manifests", "get_manifest", manifest_id=d["manifest_id"])
    except (LangXanhError, Unavailable):
        return END
    if (m.get("discrepancy") or {}).get("state") == "open":
        await say(update, context, "mf-received-discrepancy",
                  lines=", ".join(str(x["line"]) for x in m["discrepancy"]["lines"]),
                  due=fmt_date(m["discrepancy"].get("due")))
    rows = actions(lng, m, "facility1")
    if rows:
        await say(update, context, "mf-next-treat", buttons(rows), number=d["number"])
    return END


# -- treatment (facility) --------------------------------------------------------------------------
async def start_treat_draft(update: Update, context: Ctx, ids: list[str], numbers: list[str], bulk: bool,
                            command_id: str) -> int:
    context.user_data[DRAFT] = {"mode": "treat", "ids": ids, "numbers": numbers, "bulk": bulk,
                                "command_id": command_id}
    await say(update, context, "mf-ask-treat-method", numbers=", ".join(numbers), date=fmt_date(today()))
    return TREAT_METHOD


@entry
async def start_treat(update: Update, context: Ctx) -> int | None:
    await answer_query(update)
    if flow := other_flow_open(context):
        raise Reject("busy", flow=f"/{flow}")
    m = await call(update, context, "manifests", "get_manifest", manifest_id=pressed(update))
    if m["state"] != "received":
        raise Reject("mf-not-treatable", number=m["number"], state=state_name(lang(update, context), m["state"]))
    return await start_treat_draft(update, context, [m["id"]], [m["number"]], False, f"bot-treat-{uuid.uuid4()}")


@entry
async def start_treat_all(update: Update, context: Ctx) -> int | None:
    await answer_query(update)
    if flow := other_flow_open(context):
        raise Reject("busy", flow=f"/{flow}")
    lst, ids = listed(context, pressed(update), "treat")
    return await start_treat_draft(update, context, list(ids), [lst["numbers"].get(i, i[:8]) for i in ids], True,
                                   f"{lst['command_id']}-treated")


@needs("treat")
async def got_treat_method(update: Update, context: Ctx) -> int:
    d, lng = draft(context), lang(update, context)
    d["method"] = checked_text(update)
    await say(update, context, "mf-treat-review", buttons([[(t(lng, "mf-btn-confirm-treat"), "mfrt:yes"),
                                                            (t(lng, "mf-btn-cancel"), "mfrt:no")]]),
              numbers=", ".join(d["numbers"]), method=d["method"], date=fmt_date(today()))
    return TREAT_CONFIRM


@needs("treat")
async def treat_confirmed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if pressed(update) != "yes":
        return await end_draft(update, context, DRAFT, "mf-cancelled-action")
    d, lng = draft(context), lang(update, context)
    on = today().isoformat()
    if d["bulk"]:
        answer = await call(update, context, "manifests", "bulk_sign", command_id=d["command_id"],
                            manifest_ids=d["ids"], step="treated", method=d["method"], treated_on=on)
        context.user_data.pop(DRAFT, None)
        await bulk_result(update, context, answer, dict(zip(d["ids"], d["numbers"])))
        return END
    answer = await call(update, context, "manifests", "treat", command_id=d["command_id"], manifest_id=d["ids"][0],
                        method=d["method"], treated_on=on)
    context.user_data.pop(DRAFT, None)
    await say(update, context, "mf-treated", number=d["numbers"][0], state=state_name(lng, answer["state"]))
    return END


# -- wiring ----------------------------------------------------------------------------------------
def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND

    def rest(key: str) -> list:
        """Whatever a step does not expect: a word on what it does expect."""
        return [MessageHandler(other, again(key)), CallbackQueryHandler(again(key))]

    return [conversation("manifest", [
        CommandHandler("manifest", begin),
        CallbackQueryHandler(new_manifest, pattern=r"^mf:new$"),
        CallbackQueryHandler(list_mine, pattern=r"^mf:list$"),
        CallbackQueryHandler(awaiting, pattern=r"^mf:await$"),
        CallbackQueryHandler(show, pattern=r"^mfshow:"),
        CallbackQueryHandler(handover_one, pattern=r"^mfhand:"),
        CallbackQueryHandler(pickup_one, pattern=r"^mfpick:"),
        CallbackQueryHandler(pickup_all, pattern=r"^mfpickall:"),
        CallbackQueryHandler(start_receive, pattern=r"^mfrecv:"),
        CallbackQueryHandler(start_treat, pattern=r"^mftreat:"),
        CallbackQueryHandler(start_treat_all, pattern=r"^mftreatall:"),
    ], {
        TRANSPORTER: [MessageHandler(text, got_transporter_text),
                      CallbackQueryHandler(picked_transporter, pattern=r"^mft:"), *rest("mf-transporter-again")],
        FACILITY: [MessageHandler(text, got_facility_text),
                   CallbackQueryHandler(picked_facility, pattern=r"^mff:"), *rest("mf-facility-again")],
        PLATE: [MessageHandler(text, got_plate), *rest("mf-plate-again")],
        PLANNED: [MessageHandler(text, got_date), CallbackQueryHandler(date_today, pattern=r"^mfd:today$"),
                  *rest("mf-date-again")],
        CODE: [MessageHandler(text, got_code), CallbackQueryHandler(picked_code, pattern=r"^mfc:"),
               *rest("mf-code-again")],
        QUANTITY: [MessageHandler(text, got_kg), *rest("mf-kg-again")],
        PSTATE: [CallbackQueryHandler(picked_state, pattern=r"^mfs:"), *rest("mf-state-pick")],
        PACKAGING: [MessageHandler(text, got_packaging), CallbackQueryHandler(packaging_button, pattern=r"^mfpk:"),
                    *rest("mf-packaging-again")],
        METHOD: [MessageHandler(text, got_method), CallbackQueryHandler(method_button, pattern=r"^mfme:prev$"),
                 *rest("mf-method-again")],
        MORE: [CallbackQueryHandler(more, pattern=r"^mfl:"), *rest("mf-more-pick")],
        REVIEW: [CallbackQueryHandler(confirmed, pattern=r"^mfr:"), CallbackQueryHandler(more, pattern=r"^mfl:more$"),
                 *rest("mf-review-pick")],
        MEASURE: [MessageHandler(text, got_measured), CallbackQueryHandler(same_as_declared, pattern=r"^mfsame:"),
                  *rest("mf-measured-again")],
        RECEIVE_CONFIRM: [CallbackQueryHandler(receive_confirmed, pattern=r"^mfrc:"), *rest("mf-confirm-pick")],
        TREAT_METHOD: [MessageHandler(text, got_treat_method), *rest("mf-treat-method-again")],
        TREAT_CONFIRM: [CallbackQueryHandler(treat_confirmed, pattern=r"^mfrt:"), *rest("mf-confirm-pick")],
    }, settings, DRAFT, "mf-cancelled")]


__all__ = ["handlers", "parse_kg", "parse_date", "code_of", "fmt_kg"]
