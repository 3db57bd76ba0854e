"""/annualreport [YEAR]: a linked establishment's annual environmental protection report (issue 16).

The command shows the reporting year (default: the year just ended) — due date, filed or not, on
time or late, corrections — with buttons for the other recent years and to send the report. The
report is a Telegram document (PDF, DOCX or XLSX): its size is checked from Telegram's metadata
before anything is downloaded, then the inspections service judges its bytes
(store_report_document) and records the filing (file_annual_report: the first is the report, a
later one a correction). Only a business, transporter or treatment-facility account linked to its
establishment may use it; anything else gets the usual refusal.
"""
from __future__ import annotations

import base64
import uuid

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.common import Ctx, Reject, actor, answer_query, buttons, call, end_draft, lang, reprompt, say, step
from bot.flows import DRAFTS
from bot.flows.manifest.parse import today
from bot.labels import day
from bot.texts import t
from shared.contracts.documents_answers import DocumentStored
from shared.contracts.inspections_answers import AnnualReportFiled, ReportingYear
from shared.kit.actor import ESTABLISHMENT_ROLES

STATUS, DOCUMENT = range(2)
DRAFT = DRAFTS["annualreport"]
MAX_BYTES = 10_000_000  # the inspections service's cap (services/inspections/documents.py MAX_BYTES)
FIRST_YEAR = 2022       # the first year on the Circular 02/2022 form (shared/contracts/reports.py Year)
YEARS_SHOWN = 3


def default_year() -> int:
    """The year just ended, in Hanoi."""
    return today().year - 1


def parse_year(args: list[str] | None) -> int:
    if not args:
        return default_year()
    text = args[0].strip()
    if len(args) > 1 or not text.isdigit() or len(text) != 4:
        raise Reject("ar-usage")
    return int(text)


async def linked_establishment(update: Update, context: Ctx, refusal: str = "ar-not-linked") -> str:
    """The establishment this account is linked to; Reject (`refusal`) for a resident, staff or an unlinked account."""
    who = await actor(update, context)
    if who.role not in ESTABLISHMENT_ROLES or not who.establishment:
        raise Reject(refusal)
    return who.establishment


def status_text(lng: str, answer: ReportingYear) -> str:
    """The year's status; its days as Hanoi's calendar reads them (dd/mm/yyyy)."""
    year, due, annual = answer.year, day(answer.due_before), answer.annual
    if annual:
        return t(lng, "ar-status-filed", year=year, due=due, filed=day(annual.filed_day),
                 late="yes" if annual.late else "no", corrections=len(answer.corrections))
    return t(lng, "ar-status-overdue" if answer.annual_overdue else "ar-status-open", year=year, due=due)


def status_keyboard(lng: str, year: int, filed: bool):  # type: ignore[no-untyped-def]
    others = [y for y in range(default_year(), default_year() - YEARS_SHOWN, -1) if y >= FIRST_YEAR and y != year]
    rows = [[(t(lng, "btn-ar-correct" if filed else "btn-ar-send", year=year), "ar:send")]]
    if others:
        rows.append([(str(y), f"ar:year:{y}") for y in others])
    rows.append([(t(lng, "btn-cancel"), "ar:cancel")])
    return buttons(rows)


async def show_year(update: Update, context: Ctx, year: int) -> int:
    establishment = await linked_establishment(update, context)
    answer = ReportingYear.model_validate(await call(update, context, "inspections", "reporting_year",
                                                     establishment_id=establishment, year=year))
    d = context.user_data.setdefault(DRAFT, {"command_id": f"bot-annual-{uuid.uuid4()}"})
    d["year"] = year
    lng = lang(update, context)
    await context.bot.send_message(update.effective_chat.id, status_text(lng, answer),
                                   reply_markup=status_keyboard(lng, year, answer.annual is not None))
    return STATUS


@step
async def begin(update: Update, context: Ctx) -> int:
    context.user_data.pop(DRAFT, None)  # a fresh start; a refusal leaves no draft (the entry opens nothing)
    return await show_year(update, context, parse_year(context.args))


@step
async def picked_year(update: Update, context: Ctx) -> int:
    await answer_query(update)
    text = update.callback_query.data.rsplit(":", 1)[1]
    if not text.isdigit():
        raise Reject("pick-button")
    return await show_year(update, context, int(text))


@step
async def send_pressed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    year = context.user_data.get(DRAFT, {}).get("year")
    if year is None:
        raise Reject("stale-button")
    await linked_establishment(update, context)
    await say(update, context, "ar-send-document", year=year, mb=MAX_BYTES // 1_000_000)
    return DOCUMENT


async def download(update: Update, context: Ctx) -> bytes:
    """The document's bytes, refused by Telegram's size before any download."""
    document = update.effective_message.document
    too_big = Reject("ar-too-big", mb=MAX_BYTES // 1_000_000)
    if document.file_size is not None and document.file_size > MAX_BYTES:
        raise too_big
    file = await context.bot.get_file(document.file_id)
    if file.file_size is not None and file.file_size > MAX_BYTES:
        raise too_big
    data = bytes(await file.download_as_bytearray())
    if len(data) > MAX_BYTES:
        raise too_big
    return data


@step
async def got_document(update: Update, context: Ctx) -> int:
    d = context.user_data.get(DRAFT) or {}
    if d.get("year") is None:
        raise Reject("stale-button")
    establishment = await linked_establishment(update, context)
    data = await download(update, context)
    stored = DocumentStored.model_validate(await call(update, context, "inspections", "store_report_document",
                                                      data_b64=base64.b64encode(data).decode()))
    answer = AnnualReportFiled.model_validate(await call(
        update, context, "inspections", "file_annual_report", command_id=d["command_id"],
        establishment_id=establishment, year=d["year"], document=stored.sha256))
    context.user_data.pop(DRAFT, None)
    lng = lang(update, context)
    await say(update, context, "ar-corrected" if answer.corrected else "ar-filed", year=answer.year,
              due=day(answer.due_before), late="yes" if answer.late else "no",
              kind=t(lng, f"ar-kind-{stored.kind}"), kb=max(1, round(stored.bytes / 1000)))
    return ConversationHandler.END


async def cancel(update: Update, context: Ctx) -> int:
    await answer_query(update)
    return await end_draft(update, context, DRAFT, "ar-cancelled")


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    from bot.common import conversation

    return [conversation("annualreport", [CommandHandler("annualreport", begin)], {
        STATUS: [CallbackQueryHandler(picked_year, pattern=r"^ar:year:"),
                 CallbackQueryHandler(send_pressed, pattern=r"^ar:send$"),
                 CallbackQueryHandler(cancel, pattern=r"^ar:cancel$"),
                 MessageHandler(~filters.COMMAND, reprompt("pick-button"))],
        DOCUMENT: [MessageHandler(filters.Document.ALL, got_document),
                   CallbackQueryHandler(cancel, pattern=r"^ar:cancel$"),
                   MessageHandler(~filters.COMMAND, reprompt("ar-document-expected"))],
    }, settings, DRAFT, "ar-cancelled")]
