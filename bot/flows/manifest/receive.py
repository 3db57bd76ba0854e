"""Receipt by a facility (facility 1, or facility 2 where the service lets it): [Receive] asks the
measured kg of every line still carried (or "as declared"), then a review flags lines more than
10 % off, then [Confirm receipt] = receive. Out of turn, the service says why."""
from __future__ import annotations

import uuid

from telegram import Update

from bot.client import Unavailable
from bot.common import Ctx, Reject, actor, answer_query, buttons, call, end_draft, lang, say, send_text
from bot.flows.manifest.card import actions, my_party
from bot.flows.manifest.common import (DRAFT, END, REFUSAL_RULES, draft, entry, manifest_of, needs, not_busy, pressed,
                                       refused, state_name, text_of)
from bot.flows.manifest.parse import MAX_KG, fmt_date, fmt_kg, parse_kg, short
from bot.texts import t
from shared.contracts.manifests_answers import Signed
from shared.kit.calendar import local_date
from shared.kit.errors import LangXanhError

MEASURE, RECEIVE_CONFIRM = "state:receive-measure", "state:receive-confirm"


@entry
async def start_receive(update: Update, context: Ctx) -> str | None:
    await answer_query(update)
    not_busy(context)
    m = await manifest_of(update, context, pressed(update))
    if m.state != "in_transit":
        raise Reject("mf-not-receivable", number=m.number, state=state_name(lang(update, context), m.state))
    context.user_data[DRAFT] = {
        "mode": "receive", "manifest_id": str(m.id), "number": m.number, "command_id": f"bot-receive-{uuid.uuid4()}",
        "lines": [{"line": x["line"], "code": x["code"], "name": x["name"], "declared": float(x["quantity_kg"])}
                  for x in m.lines if not x.get("rejected")],
        "measured": [],
    }
    return await ask_measured(update, context)


async def ask_measured(update: Update, context: Ctx) -> str:
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
async def got_measured(update: Update, context: Ctx) -> str:
    text = text_of(update)
    kg = parse_kg(text)
    if kg is None:
        raise Reject("mf-measured-bad", text=short(text, 40))
    if kg < 0:
        raise Reject("mf-measured-negative")
    if kg > MAX_KG:
        raise Reject("mf-kg-too-big", max=fmt_kg(lang(update, context), MAX_KG))
    draft(context)["measured"].append(round(kg, 3))
    return await ask_measured(update, context)


@needs("receive")
async def same_as_declared(update: Update, context: Ctx) -> str:
    await answer_query(update)
    d = draft(context)
    rest = d["lines"][len(d["measured"]):]
    for line in rest[:1] if pressed(update) == "one" else rest:
        d["measured"].append(line["declared"])
    return await ask_measured(update, context)


def differs(declared: float, measured: float) -> bool:
    """More than 10 % off the declared weight (the service decides; this only warns)."""
    return abs(measured - declared) > 0.1 * declared + 1e-9


async def receive_review(update: Update, context: Ctx) -> str:
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
    try:
        answer = Signed.model_validate(await call(update, context, "manifests", "receive", command_id=d["command_id"],
                                                  manifest_id=d["manifest_id"], measured=measured))
    except LangXanhError as e:
        if e.rule not in REFUSAL_RULES:
            raise
        context.user_data.pop(DRAFT, None)
        await refused(update, context, d["number"], e)     # out of turn: said in words, the draft ends
        return END
    context.user_data.pop(DRAFT, None)
    await say(update, context, "mf-received", number=d["number"], state=state_name(lng, answer.state))
    try:  # what follows is a courtesy: the receipt is signed whatever happens to it
        m = await manifest_of(update, context, d["manifest_id"])
        who = await actor(update, context)
    except (LangXanhError, Unavailable):
        return END
    disc = m.open_discrepancy
    if disc:
        await say(update, context, "mf-received-discrepancy", lines=", ".join(str(x["line"]) for x in disc.lines),
                  due=fmt_date(local_date(disc.due) if disc.due else None))
    rows = actions(lng, m, my_party(m, who.establishment))
    if rows:
        await say(update, context, "mf-next-treat", buttons(rows), number=d["number"])
    return END
