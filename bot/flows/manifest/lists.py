"""Stateless lists and one-press signatures (they keep no draft, so their buttons keep working
later and never block another flow): [My manifests], [Awaiting my signature] with [Sign pickup],
[Sign all], the generator's [Sign at hand-over], [Sign again] after a correction, and
[Copy 4 returned] → confirm = return_copy4. A refusal by the service (out of turn, twice, a
re-signature pending) is said in words."""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.common import Ctx, Reject, actor, answer_query, buttons, call, lang, say, send_text
from bot.flows.manifest.common import (AWAITING, LIST_SHOWN, REFUSAL_RULES, entry, manifest_of, party_name, pressed,
                                       reason, refused, state_name)
from bot.texts import t
from shared.contracts.manifests_answers import BulkSigned, ManifestRow, Signed
from shared.kit.actor import Role
from shared.kit.errors import LangXanhError


@entry
async def list_mine(update: Update, context: Ctx) -> None:
    await answer_query(update)
    rows = await my_manifests(update, context)
    lng = lang(update, context)
    if not rows:
        raise Reject("mf-list-none")
    rows = sorted(rows, key=lambda r: (r.number, str(r.id)), reverse=True)
    shown = rows[:LIST_SHOWN]
    head = [t(lng, "mf-list-title", count=len(rows))]
    if len(rows) > len(shown):
        head.append(t(lng, "mf-list-more", shown=len(shown)))
    text = "\n".join(head + [t(lng, "mf-list-line", number=r.number, state=state_name(lng, r.state),
                                party=party_name(lng, r.party)) for r in shown])
    labels = [(r.number, f"mfshow:{r.id}") for r in shown]
    await send_text(update, context, text, buttons([labels[i:i + 2] for i in range(0, len(labels), 2)]))


async def my_manifests(update: Update, context: Ctx, awaiting_only: bool = False) -> list[ManifestRow]:
    return [ManifestRow.model_validate(r) for r in await call(update, context, "manifests", "my_manifests",
                                                              **({"awaiting_only": True} if awaiting_only else {}))]


async def awaiting_rows(update: Update, context: Ctx, role: Role) -> list[ManifestRow]:
    """What waits for this establishment (the service's view), plus, for a facility named second,
    the manifests facility 1 has received (the service lets facility 2 treat after facility 1)."""
    rows = await my_manifests(update, context, awaiting_only=True)
    if role == Role.TREATMENT_FACILITY:
        seen = {r.id for r in rows}
        every = await my_manifests(update, context)
        rows += [r for r in every if r.party == "facility2" and r.state == "received" and r.id not in seen]
    return rows


def facility_keyboard(lng: str, rows: list[ManifestRow], treat: list[ManifestRow], token: str) -> list:
    keyboard = []
    for r in [r for r in rows if r.state == "in_transit"][:LIST_SHOWN]:
        keyboard.append([(t(lng, "mf-btn-receive", number=r.number), f"mfrecv:{r.id}"),
                         (t(lng, "mf-btn-reject", number=r.number), f"mfrej:{r.id}")])
    keyboard += [[(t(lng, "mf-btn-treat", number=r.number), f"mftreat:{r.id}")] for r in treat[:LIST_SHOWN]]
    if len(treat) > 1:
        keyboard.append([(t(lng, "mf-btn-treat-all", count=len(treat)), f"mftreatall:{token}")])
    return keyboard


@entry
async def awaiting(update: Update, context: Ctx) -> None:
    await answer_query(update)
    who = await actor(update, context)
    if who.role not in (Role.TRANSPORTER, Role.TREATMENT_FACILITY):
        raise Reject("mf-await-role")
    rows = await awaiting_rows(update, context, who.role)
    lng = lang(update, context)
    if not rows:
        raise Reject("mf-await-none")
    token = secrets.token_hex(4)
    pickup: list[ManifestRow] = []
    treat: list[ManifestRow] = []
    if who.role == Role.TRANSPORTER:
        pickup = [r for r in rows if r.state in ("handed_over", "in_transit")]
        keyboard = [[(t(lng, "mf-btn-pickup", number=r.number), f"mfpick:{r.id}")] for r in pickup[:LIST_SHOWN]]
        if len(pickup) > 1:
            keyboard.append([(t(lng, "mf-btn-pickup-all", count=len(pickup)), f"mfpickall:{token}")])
    else:
        treat = [r for r in rows if r.state == "received"]
        keyboard = facility_keyboard(lng, rows, treat, token)
    context.user_data[AWAITING] = {"token": token, "command_id": f"bot-bulk-{uuid.uuid4()}",  # kept as JSON
                                   "pickup": [str(r.id) for r in pickup], "treat": [str(r.id) for r in treat],
                                   "numbers": {str(r.id): r.number for r in rows}}
    text = "\n".join([t(lng, "mf-await-title", count=len(rows))] +
                     [t(lng, "mf-list-line", number=r.number, state=state_name(lng, r.state),
                        party=party_name(lng, r.party)) for r in rows[:LIST_SHOWN]])
    await send_text(update, context, text, buttons(keyboard) if keyboard else None)


async def number_of(update: Update, context: Ctx, manifest_id: str) -> str:
    known = (context.user_data.get(AWAITING) or {}).get("numbers", {})
    if manifest_id in known:
        return known[manifest_id]
    return (await manifest_of(update, context, manifest_id)).number


Sign = Callable[[str, str], Awaitable[dict]]


async def one_press(update: Update, context: Ctx, kind: str, done_key: str, sign: Sign,
                    number: str | None = None) -> None:
    """A signature in one press (`sign(manifest_id, command_id)`); the command id is per
    establishment and manifest, so a second press of the same button acts once. A refusal is
    said in words."""
    await answer_query(update)
    mid = pressed(update)
    who = await actor(update, context)
    number = number or await number_of(update, context, mid)
    try:
        signed = await sign(mid, f"bot-{kind}-{who.establishment}-{mid}")
    except LangXanhError as e:
        if e.rule not in REFUSAL_RULES:
            raise
        await refused(update, context, number, e)
        return
    await say(update, context, done_key, number=number,
              state=state_name(lang(update, context), Signed.model_validate(signed).state))


@entry
async def pickup_one(update: Update, context: Ctx) -> None:
    await one_press(update, context, "pickup", "mf-picked-up", lambda mid, cid: call(
        update, context, "manifests", "sign_pickup", manifest_id=mid, command_id=cid))


@entry
async def handover_one(update: Update, context: Ctx) -> None:
    await one_press(update, context, "handover", "mf-handed-over", lambda mid, cid: call(
        update, context, "manifests", "sign_handover", manifest_id=mid, command_id=cid))


@entry
async def sign_again_one(update: Update, context: Ctx) -> None:
    """[Sign again] on a corrected manifest (the card's button; msignal's push offers it too). The
    command id names the version, so signing a later correction again is a new command."""
    m = await manifest_of(update, context, pressed(update))
    await one_press(update, context, f"resign-v{m.manifest_version}", "mf-signed-again", lambda mid, cid: call(
        update, context, "manifests", "sign_again", manifest_id=mid, command_id=cid), m.number)


def listed(context: Ctx, token: str, kind: str) -> tuple[dict, list[str]]:
    lst = context.user_data.get(AWAITING) or {}
    if lst.get("token") != token or not lst.get(kind):
        raise Reject("stale-button")
    return lst, lst[kind]


async def bulk_result(update: Update, context: Ctx, answer: dict, numbers: dict[str, str]) -> None:
    lng, done = lang(update, context), BulkSigned.model_validate(answer)
    lines = [t(lng, "mf-bulk-result", signed=done.signed, total=len(done.results))]
    for r in done.results:
        number = numbers.get(r.manifest_id, r.manifest_id[:8])
        if r.signed:
            lines.append(t(lng, "mf-bulk-signed-line", number=number))
        else:
            lines.append(t(lng, "mf-bulk-failed-line", number=number, reason=reason(lng, r.error or {})))
    await send_text(update, context, "\n".join(lines))


@entry
async def pickup_all(update: Update, context: Ctx) -> None:
    await answer_query(update)
    lst, ids = listed(context, pressed(update), "pickup")
    answer = await call(update, context, "manifests", "bulk_sign", command_id=f"{lst['command_id']}-pickup",
                        manifest_ids=ids, step="pickup")
    await bulk_result(update, context, answer, lst["numbers"])


# -- copy 4 back with the generator -------------------------------------------------------------------
@entry
async def copy4_ask(update: Update, context: Ctx) -> None:
    await answer_query(update)
    mid = pressed(update)
    m = await manifest_of(update, context, mid)
    lng = lang(update, context)
    if m.state != "treated":
        raise Reject("mf-not-copy4", number=m.number, state=state_name(lng, m.state))
    await say(update, context, "mf-ask-copy4", buttons([[(t(lng, "mf-btn-confirm-copy4"), f"mfc4y:{mid}"),
                                                         (t(lng, "mf-btn-cancel"), "mfc4n:")]]), number=m.number)


@entry
async def copy4_confirmed(update: Update, context: Ctx) -> None:
    await one_press(update, context, "copy4", "mf-copy4-returned", lambda mid, cid: call(
        update, context, "manifests", "return_copy4", manifest_id=mid, command_id=cid))


@entry
async def copy4_cancelled(update: Update, context: Ctx) -> None:
    await answer_query(update)
    await say(update, context, "mf-cancelled-action")
