"""/manifest: hazardous-waste manifests (chứng từ CTNH) for accounts linked to an establishment,
every step as e-Manifest has it. One module per job:

- menu.py: the menu for the linked role;
- create.py + lines.py: the generator's new manifest (transporters in order, facility 1 and an
  optional facility 2, plate, planned date, lines, review, [Sign and send]);
- lists.py: stateless lists and one-press signatures ([My manifests], [Awaiting my signature],
  [Sign pickup], [Sign all], [Sign again], [Copy 4 returned]); card.py: one manifest's card;
- receive.py, treat.py, reject.py: a facility's receipt, treatment (date chosen) and rejection;
- correct.py: the generator's correction (a new version; who had signed signs again);
- parse.py: pure parsing and formatting; common.py: the draft and the step wrappers.

They make ONE ConversationHandler: PTB runs the first handler of a group that accepts an update,
so separate conversations would let one's catch-all swallow another's entry buttons; one handler
with re-entry keeps every entry button live from any step. A draft (user_data["manifest"]) holds
the command ids chosen when it starts, so a retried confirmation acts once; nothing reaches the
services before the final confirmation; /cancel or a timeout drops it."""
from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.common import conversation
from bot.flows.manifest import card, correct, create, lines, lists, menu, receive, reject, treat
from bot.flows.manifest.common import DRAFT, again
from bot.flows.manifest.parse import code_of, fmt_date, fmt_kg, parse_date, parse_kg, today


def entries() -> list:
    """Buttons and the command that work from anywhere (a draft's step or none)."""
    pairs = [
        (r"^mf:new$", create.new_manifest), (r"^mf:list$", lists.list_mine), (r"^mf:await$", lists.awaiting),
        (r"^mfshow:", card.show), (r"^mfhand:", lists.handover_one), (r"^mfpick:", lists.pickup_one),
        (r"^mfpickall:", lists.pickup_all), (r"^mfsa:", lists.sign_again_one), (r"^mfc4:", lists.copy4_ask),
        (r"^mfc4y:", lists.copy4_confirmed), (r"^mfc4n:", lists.copy4_cancelled),
        (r"^mfrecv:", receive.start_receive), (r"^mftreat:", treat.start_treat),
        (r"^mftreatall:", treat.start_treat_all), (r"^mfrej:", reject.start_reject),
        (r"^mfcorr:", correct.start_correct),
    ]
    return [CommandHandler("manifest", menu.begin)] + [CallbackQueryHandler(fn, pattern=p) for p, fn in pairs]


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND

    def on(state_handlers: list, again_key: str) -> list:
        """A step's handlers, then a word on what it expects for anything else."""
        return [*state_handlers, MessageHandler(other, again(again_key)), CallbackQueryHandler(again(again_key))]

    def txt(fn):  # type: ignore[no-untyped-def]
        return MessageHandler(text, fn)

    def btn(pattern: str, fn):  # type: ignore[no-untyped-def]
        return CallbackQueryHandler(fn, pattern=pattern)

    states = {
        # a new manifest
        create.TRANSPORTER: on([txt(create.got_transporter_text), btn(r"^mft:", create.picked_transporter)],
                               "mf-transporter-again"),
        create.TRANSPORTER_MORE: on([btn(r"^mftm:(add|done)$", create.more_transporters)], "mf-transporter-more-pick"),
        create.FACILITY: on([txt(create.got_facility_text), btn(r"^mff:", create.picked_facility)],
                            "mf-facility-again"),
        create.FACILITY2_ASK: on([btn(r"^mff2:(add|no)$", create.facility2_choice)], "mf-facility2-pick"),
        create.FACILITY2: on([txt(create.got_facility2_text), btn(r"^mfg:", create.picked_facility2)],
                             "mf-facility-again"),
        create.PLATE: on([txt(create.got_plate)], "mf-plate-again"),
        create.PLANNED: on([txt(create.got_date), btn(r"^mfd:today$", create.date_today)], "mf-date-again"),
        lines.CODE: on([txt(lines.got_code), btn(r"^mfc:", lines.picked_code)], "mf-code-again"),
        lines.QUANTITY: on([txt(lines.got_kg)], "mf-kg-again"),
        lines.PSTATE: on([btn(r"^mfs:", lines.picked_state)], "mf-state-pick"),
        lines.PACKAGING: on([txt(lines.got_packaging), btn(r"^mfpk:(default|prev)$", lines.packaging_button)], "mf-packaging-again"),
        lines.METHOD: on([txt(lines.got_method), btn(r"^mfme:prev$", lines.method_button)], "mf-method-again"),
        lines.MORE: on([btn(r"^mfl:(more|review|cancel)$", lines.more)], "mf-more-pick"),
        lines.REVIEW: on([btn(r"^mfr:(send|cancel)$", lines.confirmed), btn(r"^mfl:more$", lines.more)], "mf-review-pick"),
        # receipt and treatment
        receive.MEASURE: on([txt(receive.got_measured), btn(r"^mfsame:(one|all)$", receive.same_as_declared)],
                            "mf-measured-again"),
        receive.RECEIVE_CONFIRM: on([btn(r"^mfrc:(yes|no)$", receive.receive_confirmed)], "mf-confirm-pick"),
        treat.TREAT_DATE: on([txt(treat.got_treat_date), btn(r"^mftd:(today|yesterday)$", treat.treat_date_button)],
                             "mf-treat-date-again"),
        treat.TREAT_METHOD: on([txt(treat.got_treat_method)], "mf-treat-method-again"),
        treat.TREAT_CONFIRM: on([btn(r"^mfrt:(yes|no)$", treat.treat_confirmed)], "mf-confirm-pick"),
        **reject_states(on, txt, btn), **correct_states(on, txt, btn),
    }
    return [conversation("manifest", entries(), states, settings, DRAFT, "mf-cancelled")]


def reject_states(on, txt, btn) -> dict:  # type: ignore[no-untyped-def]
    return {
        reject.WHICH: on([btn(r"^mfrw:(all|some)$", reject.which)], "mf-reject-which-again"),
        reject.LINES: on([btn(r"^mfrl:", reject.toggle_line)], "mf-reject-lines-again"),
        reject.CODE: on([btn(r"^mfrr:", reject.picked_code)], "mf-reject-code-again"),
        reject.REASON: on([txt(reject.got_reason)], "mf-reject-reason-again"),
        reject.DEST: on([btn(r"^mfrd:(generator|other)$", reject.picked_dest)], "mf-reject-dest-again"),
        reject.ALTERNATE: on([txt(reject.got_alternate_text), btn(r"^mfra:", reject.picked_alternate)],
                             "mf-facility-again"),
        reject.CONFIRM: on([btn(r"^mfrj:(yes|no)$", reject.confirmed)], "mf-confirm-pick"),
    }


def correct_states(on, txt, btn) -> dict:  # type: ignore[no-untyped-def]
    return {
        correct.WHAT: on([btn(r"^mfcw:(plate|date|kg|transporters|done|cancel)$", correct.picked_what)], "mf-corr-what-again"),
        correct.PLATE: on([txt(correct.got_plate)], "mf-plate-again"),
        correct.PLANNED: on([txt(correct.got_date)], "mf-corr-date-again"),
        correct.WHICH_LINE: on([btn(r"^mfck:", correct.picked_line)], "mf-corr-line-again"),
        correct.KG: on([txt(correct.got_kg)], "mf-kg-again"),
        correct.TRANSPORTER: on([txt(correct.got_transporter_text), btn(r"^mfct:", correct.picked_transporter)],
                                "mf-transporter-again"),
        correct.TRANSPORTER_MORE: on([btn(r"^mfctm:(add|done)$", correct.more_transporters)], "mf-transporter-more-pick"),
        correct.CODE: on([btn(r"^mfcc:", correct.picked_code)], "mf-corr-code-again"),
        correct.REASON: on([txt(correct.got_reason)], "mf-reject-reason-again"),
        correct.CONFIRM: on([btn(r"^mfcy:(yes|no)$", correct.confirmed)], "mf-confirm-pick"),
    }


__all__ = ["handlers", "parse_kg", "parse_date", "code_of", "fmt_kg", "fmt_date", "today"]
