"""/tasks: an inspector's assigned reports (linked by a code bound to their staff account), urgent
and overdue first; a task's card; on site: verify (a location near the reported place, a photo, the
finding), add a note, resolve (an "after" photo and a note to the reporter).

The services decide what is theirs (services/inspections: `my_tasks`; verify and resolve check the
assignee); the bot checks it too before it asks for anything, so nobody walks a flow that ends in a
refusal. The draft (user_data["task"]) keeps the incident id and a command id chosen when the
action starts, so a retried last step acts once.
"""
from __future__ import annotations

import asyncio
import uuid

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.clean import typed_text
from bot.common import (Ctx, Reject, answer_query, buttons, call, conversation, deps, lang, reprompt, say, send_text,
                        step, user_id)
from bot.labels import day
from bot.photos import store_photo
from bot.texts import t
from shared.contracts.inspections_answers import Deadline, IncidentDocument, Task, TaskPage
from shared.contracts.sites_answers import SiteCard
from shared.kit.calendar import distance_m

LOCATION, PHOTO, FINDING, NOTE, AFTER_PHOTO, AFTER_NOTE = range(6)
PAGE = 5
NEAR_M = 500  # a verification's location must be this close to the reported point (GPS error, a large yard)
NEAR_SITE_M = 1500  # ... or to its site: the registry keeps a site's location coarse (2 decimals, ~1 km), and a
# craft village or an industrial cluster spreads over several hundred metres
TEXT_MAX = 5000


def parse_id(data: str | None) -> str:
    """The incident id of a task button (`<prefix>:<uuid>`), strictly a UUID; Reject otherwise."""
    raw = (data or "").split(":", 1)[-1]
    try:
        value = uuid.UUID(raw)
    except ValueError:
        raise Reject("stale-button") from None
    if len(raw) != 36:
        raise Reject("stale-button")
    return str(value)


async def inspector_email(update: Update, context: Ctx) -> str:
    email = await asyncio.to_thread(deps(context).store.staff_email, user_id(update))
    account = await asyncio.to_thread(deps(context).store.account, user_id(update))
    if not email or not account or account["role"] != "inspector":
        raise Reject("tasks-not-linked")
    return email


def due_text(task: Deadline) -> str:
    """The assignment's due day, else the Hanoi day the resolution is due by (never a UTC date)."""
    return day(task.due_day)


def task_line(lng: str, task: Task) -> str:
    marks = ("🔴 " if task.priority == "urgent" else "") + ("⏰ " if task.overdue else "")
    return t(lng, "tasks-line", marks=marks, ticket=task.ticket, category=t(lng, f"cat-{task.category}"),
             priority=t(lng, f"tasks-priority-{task.priority or 'normal'}"), due=day(task.due_day),
             state=t(lng, f"state-{task.state}"))


@step
async def tasks(update: Update, context: Ctx) -> None:
    await inspector_email(update, context)
    await show_page(update, context, 0)


@step
async def paged(update: Update, context: Ctx) -> None:
    await answer_query(update)
    await inspector_email(update, context)
    raw = (update.callback_query.data or "").split(":", 1)[-1]
    if not raw.isdigit() or int(raw) > 10_000:
        raise Reject("stale-button")
    await show_page(update, context, int(raw))


async def show_page(update: Update, context: Ctx, offset: int) -> None:
    page = TaskPage.model_validate(await call(update, context, "inspections", "my_tasks", offset=offset, limit=PAGE))
    lng = lang(update, context)
    if not page.items:
        await say(update, context, "tasks-none")
        return
    rows = [[(f"{i.ticket} · {t(lng, 'cat-' + i.category)}", f"task:{i.id}")] for i in page.items]
    nav = []
    if offset > 0:
        nav.append((t(lng, "tasks-prev"), f"tasks:{max(offset - PAGE, 0)}"))
    if offset + PAGE < page.total:
        nav.append((t(lng, "tasks-next"), f"tasks:{offset + PAGE}"))
    if nav:
        rows.append(nav)
    text = "\n".join([t(lng, "tasks-title", total=page.total, first=offset + 1,
                        last=offset + len(page.items))] + [task_line(lng, i) for i in page.items])
    await send_text(update, context, text, buttons(rows))


async def own_task(update: Update, context: Ctx, incident_id: str) -> IncidentDocument:
    """The report, when it is assigned to this inspector by name (else Reject, nothing asked)."""
    email = await inspector_email(update, context)
    doc = IncidentDocument.model_validate(await call(update, context, "inspections", "get_incident",
                                                     incident_id=incident_id))
    if doc.inspector != email:
        raise Reject("tasks-not-yours")
    return doc


async def place_text(update: Update, context: Ctx, doc: IncidentDocument) -> str:
    lng = lang(update, context)
    if doc.site_id:
        site = SiteCard.model_validate(await call(update, context, "sites", "get_site", site_id=str(doc.site_id)))
        return t(lng, "where-site", name=site.name)
    if doc.location:
        loc = doc.location  # coarse on the card
        return t(lng, "where-point", lat=f"{loc.lat:.2f}", lon=f"{loc.lon:.2f}")
    return t(lng, "where-address", address=doc.address or "—")


@step
async def card(update: Update, context: Ctx) -> None:
    await answer_query(update)
    doc = await own_task(update, context, parse_id(update.callback_query.data))
    lng = lang(update, context)
    job = Deadline(due=doc.assignment.due if doc.assignment else None)
    text = t(lng, "tasks-card", ticket=doc.ticket, category=t(lng, f"cat-{doc.category}"),
             priority=t(lng, f"tasks-priority-{doc.priority or 'normal'}"), due=due_text(job),
             place=await place_text(update, context, doc), description=(doc.description or "")[:500],
             photos=doc.photo_count, state=t(lng, f"state-{doc.state}"))
    rows = []
    if doc.state == "assigned":
        rows.append([(t(lng, "tasks-btn-verify"), f"tverify:{doc.id}")])
    if doc.state == "verified":
        rows.append([(t(lng, "tasks-btn-resolve"), f"tresolve:{doc.id}")])
    rows.append([(t(lng, "tasks-btn-note"), f"tnote:{doc.id}")])
    await send_text(update, context, text, buttons(rows))


# -- the actions (one conversation: its draft is user_data["task"]) ----------------------------------
async def _begin(update: Update, context: Ctx, kind: str, state: str, prompt: str) -> int | None:
    await answer_query(update)
    doc = await own_task(update, context, parse_id(update.callback_query.data))
    if state and doc.state != state:
        raise Reject("tasks-wrong-state", state=t(lang(update, context), f"state-{doc.state}"))
    where, radius = (doc.location.model_dump() if doc.location else None), NEAR_M
    if not where and doc.site_id:
        site = SiteCard.model_validate(await call(update, context, "sites", "get_site", site_id=str(doc.site_id)))
        where, radius = (site.location.as_dict() if site.location else None), NEAR_SITE_M
    context.user_data["task"] = {"kind": kind, "incident_id": str(doc.id), "ticket": doc.ticket,
                                 "command_id": f"bot-task-{kind}-{uuid.uuid4()}", "photos": [], "radius": radius,
                                 "place": where if isinstance(where, dict) and "lat" in where else None}
    await say(update, context, prompt)
    return {"verify": LOCATION, "note": NOTE, "resolve": AFTER_PHOTO}[kind]


@step
async def begin_verify(update: Update, context: Ctx) -> int | None:
    return await _begin(update, context, "verify", "assigned", "tasks-verify-location")


@step
async def begin_note(update: Update, context: Ctx) -> int | None:
    return await _begin(update, context, "note", "", "tasks-note-prompt")


@step
async def begin_resolve(update: Update, context: Ctx) -> int | None:
    return await _begin(update, context, "resolve", "verified", "tasks-resolve-photo")


@step
async def got_location(update: Update, context: Ctx) -> int:
    d = context.user_data["task"]
    loc = update.effective_message.location
    if d.get("place"):
        far = distance_m({"lat": loc.latitude, "lon": loc.longitude}, d["place"])
        radius = d.get("radius", NEAR_M)
        if far > radius:
            raise Reject("tasks-too-far", distance=f"{far:,.0f}".replace(",", "."), radius=f"{radius:,}".replace(",", "."))
    d["at"] = {"lat": round(loc.latitude, 6), "lon": round(loc.longitude, 6)}
    await say(update, context, "tasks-verify-photo")
    return PHOTO


@step
async def got_photo(update: Update, context: Ctx) -> int:
    d = context.user_data["task"]
    d["photos"] = [await store_photo(update, context)]
    await say(update, context, "tasks-verify-finding" if d["kind"] == "verify" else "tasks-resolve-note")
    return FINDING if d["kind"] == "verify" else AFTER_NOTE


def _text(update: Update) -> str:
    text = typed_text(update)
    if not 3 <= len(text) <= TEXT_MAX:
        raise Reject("tasks-text-length", limit=TEXT_MAX)
    return text


@step
async def got_finding(update: Update, context: Ctx) -> int:
    d, text = context.user_data["task"], _text(update)
    await call(update, context, "inspections", "verify_incident", command_id=d["command_id"],
               incident_id=d["incident_id"], finding=text, photos=d["photos"])
    context.user_data.pop("task", None)
    await say(update, context, "tasks-verified", ticket=d["ticket"])
    return ConversationHandler.END


@step
async def got_note(update: Update, context: Ctx) -> int:
    d, text = context.user_data["task"], _text(update)
    await call(update, context, "inspections", "add_information", command_id=d["command_id"],
               incident_id=d["incident_id"], text=text, photos=[])
    context.user_data.pop("task", None)
    await say(update, context, "tasks-noted", ticket=d["ticket"])
    return ConversationHandler.END


@step
async def got_after_note(update: Update, context: Ctx) -> int:
    d, text = context.user_data["task"], _text(update)
    await call(update, context, "inspections", "resolve_incident", command_id=d["command_id"],
               incident_id=d["incident_id"], note=text, photos=d["photos"])
    context.user_data.pop("task", None)
    await say(update, context, "tasks-resolved", ticket=d["ticket"])
    return ConversationHandler.END


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    photo = filters.PHOTO | filters.Document.ALL
    text = filters.TEXT & ~filters.COMMAND
    return [
        CommandHandler("tasks", tasks),
        CallbackQueryHandler(paged, pattern=r"^tasks:\d{1,5}$"),
        CallbackQueryHandler(card, pattern=r"^task:"),
        conversation("tasks", [CallbackQueryHandler(begin_verify, pattern=r"^tverify:"),
                               CallbackQueryHandler(begin_note, pattern=r"^tnote:"),
                               CallbackQueryHandler(begin_resolve, pattern=r"^tresolve:")], {
            LOCATION: [MessageHandler(filters.LOCATION, got_location),
                       MessageHandler(~filters.COMMAND, reprompt("tasks-verify-location"))],
            PHOTO: [MessageHandler(photo, got_photo), MessageHandler(~filters.COMMAND, reprompt("photo-expected"))],
            FINDING: [MessageHandler(text, got_finding), MessageHandler(~filters.COMMAND, reprompt("text-expected"))],
            NOTE: [MessageHandler(text, got_note), MessageHandler(~filters.COMMAND, reprompt("text-expected"))],
            AFTER_PHOTO: [MessageHandler(photo, got_photo),
                          MessageHandler(~filters.COMMAND, reprompt("photo-expected"))],
            AFTER_NOTE: [MessageHandler(text, got_after_note),
                         MessageHandler(~filters.COMMAND, reprompt("text-expected"))],
        }, settings, "task"),
    ]
