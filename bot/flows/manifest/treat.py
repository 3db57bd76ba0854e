"""Treatment by a facility: [Mark treated] (one manifest) or [Mark all treated (N)] → the date
([Today] / [Yesterday] or typed dd/mm/yyyy: never in the future, never before the receipt) →
the method → review → confirm = treat (or bulk_sign(step="treated") with that date)."""
from __future__ import annotations

from datetime import date, timedelta

from telegram import Update

from bot.common import Ctx, Reject, answer_query, buttons, call, end_draft, lang, say
from bot.flows.manifest.common import (DRAFT, END, REFUSAL_RULES, checked_text, confirm_keyboard, draft, entry, needs,
                                       manifest_of, not_busy, pressed, refused, state_name, text_of)
from bot.flows.manifest.lists import bulk_result, listed
from bot.flows.manifest.parse import fmt_date, parse_date, short, today
from bot.texts import t
from shared.contracts.manifests_answers import ManifestCard, Signed
from shared.kit.errors import LangXanhError

TREAT_DATE, TREAT_METHOD, TREAT_CONFIRM = "state:treat-date", "state:treat-method", "state:treat-confirm"


def received_on(m: ManifestCard) -> str | None:
    """The local date of the receipt (ISO, for the draft), which no treatment may precede."""
    return m.received.day.isoformat() if m.received else None


async def start_treat_draft(update: Update, context: Ctx, ids: list[str], numbers: list[str], bulk: bool,
                            command_id: str, earliest: str | None) -> str:
    context.user_data[DRAFT] = {"mode": "treat", "ids": ids, "numbers": numbers, "bulk": bulk,
                                "command_id": command_id, "earliest": earliest}
    lng = lang(update, context)
    row = [(t(lng, "mf-btn-today"), "mftd:today")]
    if earliest is None or date.fromisoformat(earliest) <= today() - timedelta(days=1):
        row.append((t(lng, "mf-btn-yesterday"), "mftd:yesterday"))
    await say(update, context, "mf-ask-treat-date", buttons([row]), numbers=", ".join(numbers),
              received=fmt_date(earliest), example=fmt_date(today()))
    return TREAT_DATE


@entry
async def start_treat(update: Update, context: Ctx) -> str | None:
    await answer_query(update)
    not_busy(context)
    m = await manifest_of(update, context, pressed(update))
    if m.state != "received":
        raise Reject("mf-not-treatable", number=m.number, state=state_name(lang(update, context), m.state))
    return await start_treat_draft(update, context, [str(m.id)], [m.number], False,
                                   f"bot-treat-{m.id}-v{m.version}", received_on(m))


@entry
async def start_treat_all(update: Update, context: Ctx) -> str | None:
    await answer_query(update)
    not_busy(context)
    lst, ids = listed(context, pressed(update), "treat")
    dates = []
    for mid in ids:
        dates.append(received_on(await manifest_of(update, context, mid)))
    earliest = max((d for d in dates if d), default=None)
    return await start_treat_draft(update, context, list(ids), [lst["numbers"].get(i, i[:8]) for i in ids], True,
                                   f"{lst['command_id']}-treated", earliest)


async def set_date(update: Update, context: Ctx, on: date) -> str:
    d = draft(context)
    if on > today():
        raise Reject("mf-treat-date-future", today=fmt_date(today()))
    if d.get("earliest") and on < date.fromisoformat(d["earliest"]):
        raise Reject("mf-treat-date-before", received=fmt_date(d["earliest"]))
    d["treated_on"] = on.isoformat()
    await say(update, context, "mf-ask-treat-method", numbers=", ".join(d["numbers"]), date=fmt_date(on))
    return TREAT_METHOD


@needs("treat")
async def got_treat_date(update: Update, context: Ctx) -> str:
    text = text_of(update)
    on = parse_date(text, yesterday=True)
    if on is None:
        raise Reject("mf-date-bad", text=short(text, 40), example=fmt_date(today()))
    return await set_date(update, context, on)


@needs("treat")
async def treat_date_button(update: Update, context: Ctx) -> str:
    await answer_query(update)
    on = today() - timedelta(days=1) if pressed(update) == "yesterday" else today()
    return await set_date(update, context, on)


@needs("treat")
async def got_treat_method(update: Update, context: Ctx) -> str:
    d, lng = draft(context), lang(update, context)
    d["method"] = checked_text(update)
    await say(update, context, "mf-treat-review", confirm_keyboard(lng, "mf-btn-confirm-treat", "mfrt"),
              numbers=", ".join(d["numbers"]), method=d["method"], date=fmt_date(d["treated_on"]))
    return TREAT_CONFIRM


@needs("treat")
async def treat_confirmed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    if pressed(update) != "yes":
        return await end_draft(update, context, DRAFT, "mf-cancelled-action")
    d, lng = draft(context), lang(update, context)
    if d["bulk"]:
        answer = await call(update, context, "manifests", "bulk_sign", command_id=d["command_id"],
                            manifest_ids=d["ids"], step="treated", method=d["method"], treated_on=d["treated_on"])
        context.user_data.pop(DRAFT, None)
        await bulk_result(update, context, answer, dict(zip(d["ids"], d["numbers"])))
        return END
    try:
        answer = Signed.model_validate(await call(
            update, context, "manifests", "treat", command_id=d["command_id"], manifest_id=d["ids"][0],
            method=d["method"], treated_on=d["treated_on"]))
    except LangXanhError as e:
        if e.rule not in REFUSAL_RULES:
            raise
        context.user_data.pop(DRAFT, None)
        await refused(update, context, d["numbers"][0], e)
        return END
    context.user_data.pop(DRAFT, None)
    await say(update, context, "mf-treated", number=d["numbers"][0], state=state_name(lng, answer.state))
    return END
