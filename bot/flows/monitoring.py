"""/monitoring: a linked establishment files its periodic monitoring results (issue 16).

Four steps: the sampling date (today, yesterday or typed; not in the future, not before 2022), the
results as text, one parameter per line (bot/flows/monitoring_parse.py reads and checks every
line), the laboratory's document if any (PDF, DOCX or XLSX, its size checked from Telegram's
metadata before any download, as /annualreport does, then judged by store_report_document), and
a card to confirm. Confirming files them (file_monitoring_results) with the command id the draft
got when it opened, so a second tap or a retry after an outage files once; the answer is the
service's evaluation: per parameter within or over its limit, and which table (or the permit)
set it and why. Results the table in force cannot evaluate are refused whole and nothing is kept.
Only a business, transporter or treatment-facility account linked to its establishment may use
it; anything else gets the usual refusal.
"""
from __future__ import annotations

import base64
import uuid
from datetime import date, timedelta
from functools import lru_cache

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.common import (Ctx, Reject, answer_query, buttons, call, deps, end_draft, explain, lang, reprompt, say,
                        send_text, step)
from bot.flows import DRAFTS
from bot.flows.annualreport import MAX_BYTES, download, linked_establishment
from bot.flows.manifest.parse import fmt_date, parse_date, short, today
from bot.flows.monitoring_card import card, evaluation, num
from bot.flows.monitoring_parse import MAX_LINE, MAX_LINES, BadResults, Catalogue, read_results
from bot.texts import t
from shared import reference
from shared.contracts.documents_answers import DocumentStored, MonitoringFiled
from shared.kit.errors import LangXanhError
from shared.kit.text import fold

DATE, RESULTS, DOCUMENT, CONFIRM = range(4)
DRAFT = DRAFTS["monitoring"]
FIRST_DAY = date(2022, 1, 1)  # the reporting years start with 2022 (shared/contracts/reports.py Year)
SKIP_WORDS = {"bo qua", "skip", "khong", "no", "khong co"}
VALUES_RULE = "limit_values"  # services/inspections/limits.py: the table in force has no values


@lru_cache(maxsize=4)
def _catalogue(extra_dir: str | None) -> Catalogue:
    from pathlib import Path

    return Catalogue.of(reference.limit_tables(Path(extra_dir) if extra_dir else None))


def catalogue(context: Ctx) -> Catalogue:
    """The same limit tables the inspections service loads (LANGXANH_LIMIT_TABLES_DIR)."""
    extra = deps(context).settings.services.limit_tables_dir
    return _catalogue(str(extra) if extra else None)


async def establishment(update: Update, context: Ctx) -> str:
    return await linked_establishment(update, context, refusal="mon-not-linked")


def draft(context: Ctx, needs: str) -> dict:
    """The open draft, holding `needs`; a button or message of a finished one is stale."""
    d = context.user_data.get(DRAFT) or {}
    if d.get(needs) is None:
        raise Reject("stale-button")
    return d


def date_keyboard(lng: str):  # type: ignore[no-untyped-def]
    return buttons([[(t(lng, "btn-mon-today"), "mon:today"), (t(lng, "btn-mon-yesterday"), "mon:yesterday")],
                    [(t(lng, "btn-cancel"), "mon:cancel")]])


@step
async def begin(update: Update, context: Ctx) -> int:
    context.user_data.pop(DRAFT, None)  # a fresh start; a refusal leaves no draft (the entry opens nothing)
    await establishment(update, context)
    context.user_data[DRAFT] = {"command_id": f"bot-monitoring-{uuid.uuid4()}", "step": "date"}
    lng = lang(update, context)
    await say(update, context, "mon-ask-date", date_keyboard(lng), example=fmt_date(today()))
    return DATE


async def _dated(update: Update, context: Ctx, day: date) -> int:
    if day > today():
        raise Reject("mon-date-future", day=fmt_date(day), today=fmt_date(today()))
    if day < FIRST_DAY:
        raise Reject("mon-date-early", day=fmt_date(day), first=fmt_date(FIRST_DAY))
    d = draft(context, "command_id")
    d["sampled_on"] = day.isoformat()
    await say(update, context, "mon-ask-results", day=fmt_date(day), lines=MAX_LINES, chars=MAX_LINE)
    return RESULTS


@step
async def date_pressed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    draft(context, "command_id")
    which = update.callback_query.data.split(":", 1)[1]
    return await _dated(update, context, today() - timedelta(days=1 if which == "yesterday" else 0))


@step
async def date_typed(update: Update, context: Ctx) -> int:
    text = update.effective_message.text or ""
    day = parse_date(text, yesterday=True)
    if day is None:
        raise Reject("mon-date-bad", text=short(text.strip(), 40), example=fmt_date(today()))
    return await _dated(update, context, day)


@step
async def results_typed(update: Update, context: Ctx) -> int:
    d = draft(context, "sampled_on")
    try:
        samples = read_results(update.effective_message.text or "", catalogue(context))
    except BadResults as e:
        args = {k: num(lang(update, context), v) if isinstance(v, float) else v for k, v in e.args_.items()}
        raise Reject(e.key, **args) from None
    d["samples"] = samples
    lng = lang(update, context)
    await say(update, context, "mon-ask-document", buttons([[(t(lng, "btn-mon-skip"), "mon:skip")],
                                                            [(t(lng, "btn-cancel"), "mon:cancel")]]),
              count=len(samples), mb=MAX_BYTES // 1_000_000)
    return DOCUMENT


async def show_card(update: Update, context: Ctx, d: dict) -> int:
    lng = lang(update, context)
    await send_text(update, context, card(lng, d), buttons([[(t(lng, "btn-mon-confirm"), "mon:confirm")],
                                                           [(t(lng, "btn-cancel"), "mon:cancel")]]))
    return CONFIRM


@step
async def got_document(update: Update, context: Ctx) -> int:
    d = draft(context, "samples")
    await establishment(update, context)
    data = await download(update, context)
    stored = DocumentStored.model_validate(await call(update, context, "inspections", "store_report_document",
                                                      data_b64=base64.b64encode(data).decode()))
    d["document"] = stored.summary()
    return await show_card(update, context, d)


@step
async def skip_pressed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    d = draft(context, "samples")
    d["document"] = None
    return await show_card(update, context, d)


@step
async def document_text(update: Update, context: Ctx) -> int:
    if fold(update.effective_message.text or "") not in SKIP_WORDS:
        raise Reject("mon-document-expected")
    d = draft(context, "samples")
    d["document"] = None
    return await show_card(update, context, d)


@step
async def confirm_pressed(update: Update, context: Ctx) -> int:
    await answer_query(update)
    d = draft(context, "samples")
    if "document" not in d:
        raise Reject("stale-button")
    est = await establishment(update, context)
    try:
        answer = MonitoringFiled.model_validate(await call(
            update, context, "inspections", "file_monitoring_results", command_id=d["command_id"],
            establishment_id=est, sampled_on=d["sampled_on"], samples=d["samples"],
            document=(d["document"] or {}).get("sha256")))
    except LangXanhError as e:
        return await refused(update, context, e)
    context.user_data.pop(DRAFT, None)
    await send_text(update, context, evaluation(lang(update, context), d["sampled_on"], answer, catalogue(context)))
    return ConversationHandler.END


async def refused(update: Update, context: Ctx, error: LangXanhError) -> int:
    """Results the table in force cannot evaluate: nothing is kept, the conversation ends. A sample
    the service refuses (a parameter or unit its tables do not have): explained, and the results
    step again. Anything else: explained by the step decorator, and the card stays."""
    d = context.user_data.get(DRAFT) or {}
    if error.rule == VALUES_RULE:
        context.user_data.pop(DRAFT, None)
        await say(update, context, "mon-not-evaluable", day=fmt_date(d.get("sampled_on")),
                  lacking=", ".join(catalogue(context).lacking) or "—")
        return ConversationHandler.END
    if (error.field or "").split(".", 1)[0] == "samples":
        d.pop("samples", None)
        d.pop("document", None)
        await send_text(update, context, explain(lang(update, context), error))
        await say(update, context, "mon-results-again")
        return RESULTS
    raise error


async def cancel(update: Update, context: Ctx) -> int:
    await answer_query(update)
    return await end_draft(update, context, DRAFT, "mon-cancelled")


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    from bot.common import conversation

    cancel_button = CallbackQueryHandler(cancel, pattern=r"^mon:cancel$")
    return [conversation("monitoring", [CommandHandler("monitoring", begin)], {
        DATE: [CallbackQueryHandler(date_pressed, pattern=r"^mon:(today|yesterday)$"), cancel_button,
               MessageHandler(filters.TEXT & ~filters.COMMAND, date_typed),
               MessageHandler(~filters.COMMAND, reprompt("mon-date-again"))],
        RESULTS: [MessageHandler(filters.TEXT & ~filters.COMMAND, results_typed), cancel_button,
                  MessageHandler(~filters.COMMAND, reprompt("mon-results-expected"))],
        DOCUMENT: [MessageHandler(filters.Document.ALL, got_document),
                   CallbackQueryHandler(skip_pressed, pattern=r"^mon:skip$"), cancel_button,
                   MessageHandler(filters.TEXT & ~filters.COMMAND, document_text),
                   MessageHandler(~filters.COMMAND, reprompt("mon-document-expected"))],
        CONFIRM: [CallbackQueryHandler(confirm_pressed, pattern=r"^mon:confirm$"), cancel_button,
                  MessageHandler(~filters.COMMAND, reprompt("mon-confirm-expected"))],
    }, settings, DRAFT, "mon-cancelled")]
