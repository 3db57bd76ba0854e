"""Rejection by a facility, as e-Manifest does: from a manifest awaiting it, [Reject] → the whole
load or chosen lines (buttons toggle lines, then [Done]) → a reason code (buttons) and the
reason in words → where the load goes: an alternate licensed facility (searched like a
facility) or back to the generator → review → confirm = reject, which creates the linked
manifest (its number made here, like a new manifest's). The facility is told that number."""
from __future__ import annotations

import uuid
from typing import get_args

from telegram import Update

from bot.common import Ctx, Reject, actor, answer_query, buttons, call, end_draft, lang, say
from bot.flows.manifest.common import (DRAFT, END, REFUSAL_RULES, checked_text, confirm_keyboard, draft, entry, needs,
                                       manifest_of, new_number, not_busy, picked_party, pressed, refused, search_party,
                                       state_name)
from bot.flows.manifest.parse import fmt_kg, short
from bot.texts import t
from shared.contracts.manifests import RejectionCode
from shared.contracts.manifests_answers import Rejected
from shared.kit.errors import LangXanhError

WHICH, LINES, CODE, REASON = "state:reject-which", "state:reject-lines", "state:reject-code", "state:reject-reason"
DEST, ALTERNATE, CONFIRM = "state:reject-dest", "state:reject-alternate", "state:reject-confirm"
CODES = get_args(RejectionCode)


@entry
async def start_reject(update: Update, context: Ctx) -> str | None:
    await answer_query(update)
    not_busy(context)
    m = await manifest_of(update, context, pressed(update))
    lng = lang(update, context)
    if m.state != "in_transit":
        raise Reject("mf-not-rejectable", number=m.number, state=state_name(lng, m.state))
    context.user_data[DRAFT] = {
        "mode": "reject", "manifest_id": str(m.id), "number": m.number, "command_id": f"bot-reject-{uuid.uuid4()}",
        "new_number": new_number(), "chosen": [], "code": None, "reason": None, "alternate": None,
        "lines": [{"line": x["line"], "code": x["code"], "name": x["name"], "kg": float(x["quantity_kg"])}
                  for x in m.lines if not x.get("rejected")],
    }
    await say(update, context, "mf-ask-reject-which", buttons([[(t(lng, "mf-btn-reject-all"), "mfrw:all"),
                                                                (t(lng, "mf-btn-reject-some"), "mfrw:some")]]),
              number=m.number)
    return WHICH


def lines_keyboard(lng: str, d: dict):  # type: ignore[no-untyped-def]
    rows = [[(short(("☑ " if x["line"] in d["chosen"] else "☐ ") + f"{x['line']}. {x['code']} · "
                    f"{fmt_kg(lng, x['kg'])} kg · {x['name']}", 64), f"mfrl:{x['line']}")] for x in d["lines"]]
    return buttons(rows + [[(t(lng, "mf-btn-done"), "mfrl:done")]])


@needs("reject")
async def which(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d, lng = draft(context), lang(update, context)
    if pressed(update) == "all":
        d["chosen"] = [x["line"] for x in d["lines"]]
        return await ask_code(update, context)
    await say(update, context, "mf-ask-reject-lines", lines_keyboard(lng, d), number=d["number"])
    return LINES


@needs("reject")
async def toggle_line(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d, lng = draft(context), lang(update, context)
    choice = pressed(update)
    if choice == "done":
        if not d["chosen"]:
            raise Reject("mf-reject-none-chosen")
        return await ask_code(update, context)
    known = {str(x["line"]): x["line"] for x in d["lines"]}
    if choice not in known:
        raise Reject("mf-reject-lines-again")
    line = known[choice]
    d["chosen"] = sorted(set(d["chosen"]) ^ {line})
    await say(update, context, "mf-reject-chosen", lines_keyboard(lng, d),
              lines=", ".join(str(x) for x in d["chosen"]) or "—")
    return LINES


async def ask_code(update: Update, context: Ctx) -> str:
    lng = lang(update, context)
    names = [(t(lng, f"mf-rcode-{c.replace('_', '-')}"), f"mfrr:{c}") for c in CODES]
    await say(update, context, "mf-ask-reject-code", buttons([names[i:i + 2] for i in range(0, len(names), 2)]))
    return CODE


@needs("reject")
async def picked_code(update: Update, context: Ctx) -> str:
    await answer_query(update)
    if pressed(update) not in CODES:
        raise Reject("mf-reject-code-again")
    draft(context)["code"] = pressed(update)
    await say(update, context, "mf-ask-reject-reason")
    return REASON


@needs("reject")
async def got_reason(update: Update, context: Ctx) -> str:
    draft(context)["reason"] = checked_text(update)
    lng = lang(update, context)
    await say(update, context, "mf-ask-reject-dest", buttons([[(t(lng, "mf-btn-back-generator"), "mfrd:generator")],
                                                              [(t(lng, "mf-btn-alternate"), "mfrd:other")]]))
    return DEST


@needs("reject")
async def picked_dest(update: Update, context: Ctx) -> str:
    await answer_query(update)
    if pressed(update) == "other":
        await say(update, context, "mf-ask-alternate")
        return ALTERNATE
    draft(context)["alternate"] = None
    return await review(update, context)


@needs("reject")
async def got_alternate_text(update: Update, context: Ctx) -> str:
    await search_party(update, context, "treatment_facility", "mfra")
    return ALTERNATE


@needs("reject")
async def picked_alternate(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d = draft(context)
    chosen = picked_party(update, context)
    who = await actor(update, context)
    if chosen["id"] == who.establishment:
        raise Reject("mf-alternate-self")
    moved = sorted({x["code"] for x in d["lines"] if x["line"] in d["chosen"]})
    missing = [c for c in moved if c not in chosen["waste_codes"]]
    if missing:
        raise Reject("mf-alternate-not-licensed", name=chosen["name"], codes=", ".join(missing))
    d["alternate"] = {"id": chosen["id"], "name": chosen["name"]}
    return await review(update, context)


def whole(d: dict) -> bool:
    return sorted(d["chosen"]) == sorted(x["line"] for x in d["lines"])


async def review(update: Update, context: Ctx) -> str:
    d, lng = draft(context), lang(update, context)
    chosen = [x for x in d["lines"] if x["line"] in d["chosen"]]
    what = t(lng, "mf-reject-whole") if whole(d) else "\n".join(
        f"{x['line']}. {x['code']} · {fmt_kg(lng, x['kg'])} kg · {x['name']}" for x in chosen)
    dest = d["alternate"]["name"] if d["alternate"] else t(lng, "mf-reject-to-generator")
    await say(update, context, "mf-reject-review", confirm_keyboard(lng, "mf-btn-confirm-reject", "mfrj"),
              number=d["number"], lines=what, code=t(lng, f"mf-rcode-{d['code'].replace('_', '-')}"),
              reason=d["reason"], dest=dest, new_number=d["new_number"])
    return CONFIRM


@needs("reject")
async def confirmed(update: Update, context: Ctx) -> int | None:
    await answer_query(update)
    if pressed(update) != "yes":
        return await end_draft(update, context, DRAFT, "mf-cancelled-action")
    d, lng = draft(context), lang(update, context)
    try:
        answer = Rejected.model_validate(await call(
            update, context, "manifests", "reject", command_id=d["command_id"], manifest_id=d["manifest_id"],
            lines=None if whole(d) else d["chosen"], reason=d["reason"], reason_code=d["code"],
            number=d["new_number"], alternate_facility=(d["alternate"] or {}).get("id")))
    except LangXanhError as e:
        if e.rule not in REFUSAL_RULES:
            raise
        context.user_data.pop(DRAFT, None)
        await refused(update, context, d["number"], e)
        return END
    context.user_data.pop(DRAFT, None)
    dest = d["alternate"]["name"] if d["alternate"] else t(lng, "mf-reject-to-generator")
    await say(update, context, "mf-rejected", number=d["number"], state=state_name(lng, answer.state),
              new_number=d["new_number"], dest=dest)
    return END
