"""What every /manifest step shares: the draft and how handlers are wrapped around it, names
of states and parties, the catalogue and establishment look-ups, party search, and the words
for a service's refusal of a signature.

The draft (user_data["manifest"]) holds only plain JSON values (dicts, lists, str, int, float,
bool, None): the bot's persistence may store it as JSON."""
from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, get_args

from telegram import Update
from telegram.ext import ConversationHandler

from bot.clean import typed_text
from bot.common import Ctx, Reject, answer_query, buttons, call, lang, say, step
from bot.errors import describe_dict
from bot.flows import DRAFTS
from bot.flows.manifest.parse import fmt_kg, one_line, short, today
from bot.texts import t
from shared.contracts.manifests import ManifestState, PhysicalState
from shared.contracts.manifests_answers import ManifestCard, WasteCatalogue
from shared.contracts.sites_answers import EstablishmentCard, PartyFound
from shared.kit.errors import LangXanhError

DRAFT = DRAFTS["manifest"]  # the conversation's draft
AWAITING = "mf_awaiting"    # the last "awaiting my signature" list, for its [Sign all] buttons
END = ConversationHandler.END
STATES = get_args(ManifestState)
PHYSICAL_STATES = get_args(PhysicalState)
SEARCH_MIN, SEARCH_MAX = 2, 100
LIST_SHOWN = 20
CATALOGUE_TTL = 300.0       # seconds the bot keeps the catalogue in force before asking again
REFUSAL_RULES = ("twice", "turn", "own_signature", "resign")
Handler = Callable[[Update, Ctx], Awaitable[Any]]


# -- names -------------------------------------------------------------------------------------------
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


def line_text(lng: str, line: dict) -> str:
    return t(lng, "mf-line", line=line["line"], code=line["code"], name=short(line["name"], 80),
             kg=fmt_kg(lng, float(line["quantity_kg"])), state=pstate_name(lng, line["state"]),
             packaging=line["packaging"], method=line["method"])


def route_text(names: list[str]) -> str:
    """Parties in their order: '1. A → 2. B'."""
    return " → ".join(f"{i + 1}. {n}" for i, n in enumerate(names)) if len(names) > 1 else (names[0] if names else "—")


def new_number() -> str:
    """A manifest number the bot makes (unique with the generator: the service refuses a repeat)."""
    return f"BOT-{today():%Y%m%d}-{secrets.token_hex(3).upper()}"


# -- look-ups ----------------------------------------------------------------------------------------
def other_flow_open(context: Ctx) -> str | None:
    """Another flow's conversation with a draft open (app.busy_guard does this for commands)."""
    for flow, key in DRAFTS.items():
        if flow != "manifest" and key in (context.user_data or {}):
            return flow
    return None


def not_busy(context: Ctx) -> None:
    if flow := other_flow_open(context):
        raise Reject("busy", flow=f"/{flow}")


async def catalogue(update: Update, context: Ctx) -> dict:
    """The waste-code catalogue in force (manifests.waste_catalogue), kept a few minutes."""
    cached = context.application.bot_data.get("mf_catalogue")
    if cached and time.monotonic() - cached[0] < CATALOGUE_TTL:
        return cached[1]
    answer = WasteCatalogue.model_validate(await call(update, context, "manifests", "waste_catalogue"))
    data = {"version": answer.version, "codes": [e.model_dump() for e in answer.codes if e.code]}  # the flows' search form
    context.application.bot_data["mf_catalogue"] = (time.monotonic(), data)
    return data


async def names_of(update: Update, context: Ctx, ids: list[str | None]) -> dict[str, str]:
    """Establishment names for a manifest's parties (an id that cannot be read shows shortened)."""
    out: dict[str, str] = {}
    for eid in dict.fromkeys(i for i in ids if i):
        try:
            out[eid] = EstablishmentCard.model_validate(await call(update, context, "sites", "get_establishment",
                                                                   establishment_id=eid)).name
        except LangXanhError:
            out[eid] = eid[:8]
    return out


async def manifest_of(update: Update, context: Ctx, manifest_id: str) -> ManifestCard:
    """get_manifest's answer, as the contract model."""
    return ManifestCard.model_validate(await call(update, context, "manifests", "get_manifest", manifest_id=manifest_id))


def text_of(update: Update) -> str:
    return typed_text(update)


def pressed(update: Update) -> str:
    data = (update.callback_query.data or "") if update.callback_query else ""
    return data.split(":", 1)[1] if ":" in data else ""


def checked_text(update: Update) -> str:
    text = one_line(text_of(update))
    if text is None:
        raise Reject("mf-text-length", min=2, max=200)
    return text


def draft(context: Ctx) -> dict:
    return context.user_data[DRAFT]


# -- party search (transporters, facilities, an alternate facility) -----------------------------------
def party_entry(found: PartyFound) -> dict:
    """What the draft keeps of a party found (as JSON)."""
    return {"id": str(found.id), "name": found.name, "registration_code": found.registration_code or "",
            "waste_codes": list(found.licence.waste_codes) if found.licence else []}


async def search_party(update: Update, context: Ctx, role: str, prefix: str) -> None:
    """Establishments of `role` matching the typed name or code, as buttons `prefix:id`."""
    query = text_of(update)
    if not SEARCH_MIN <= len(query) <= SEARCH_MAX:
        raise Reject("mf-search-length", min=SEARCH_MIN, max=SEARCH_MAX)
    found = [PartyFound.model_validate(f) for f in await call(update, context, "sites", "search_establishments",
                                                               query=query, role=role, limit=5)]
    kind = "transporter" if role == "transporter" else "facility"
    if not found:
        raise Reject(f"mf-{kind}-none", query=query)
    draft(context)["found"] = {str(f.id): party_entry(f) for f in found}
    rows = [[(short(f"{f.name} · {f.registration_code or ''}", 64), f"{prefix}:{f.id}")] for f in found]
    await say(update, context, f"mf-{kind}-pick", buttons(rows), query=query)


def picked_party(update: Update, context: Ctx) -> dict:
    chosen = draft(context).get("found", {}).get(pressed(update))
    if chosen is None:
        raise Reject("mf-pick-again")
    draft(context).pop("found", None)
    return chosen


# -- a service's refusal of a signature, in words ---------------------------------------------------
def reason(lng: str, error: dict) -> str:
    """Why a signature was refused (a rule the bot knows has its own words), in the user's language."""
    if error.get("rule") in REFUSAL_RULES:
        return t(lng, f"mf-reason-{error['rule'].replace('_', '-')}")
    return describe_dict(lng, error)


async def refused(update: Update, context: Ctx, number: str, error: LangXanhError) -> None:
    """A signature the service refused (out of turn, twice, a re-signature pending…), in words."""
    await say(update, context, "mf-refused", number=number, reason=reason(lang(update, context), error.as_dict()))


# -- how handlers are wrapped -------------------------------------------------------------------------
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
    """A step of a draft of this mode ('new', 'receive', 'treat', 'reject', 'correct'); with no
    such draft, say so and end."""

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


def confirm_keyboard(lng: str, yes_key: str, prefix: str):  # type: ignore[no-untyped-def]
    return buttons([[(t(lng, yes_key), f"{prefix}:yes"), (t(lng, "mf-btn-cancel"), f"{prefix}:no")]])
