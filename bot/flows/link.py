"""/link CODE: bind this Telegram account to an establishment (business, transporter,
facility) or an agency role with a one-time code from the sites service."""
from __future__ import annotations

import asyncio
import re

from telegram import Update
from telegram.ext import CommandHandler

from bot.common import Ctx, Reject, call, deps, lang, say, step, user_id
from bot.texts import t
from shared.contracts.sites_answers import EstablishmentCard
from shared.contracts.sites_links import LinkRedeemed
from shared.kit.actor import Actor, Role

CODE = re.compile(r"^[A-Za-z0-9-]{6,40}$")  # groups of Crockford base32, dashes optional


@step
async def link(update: Update, context: Ctx) -> None:
    code = "".join(context.args or []).strip()
    if not code:
        raise Reject("link-usage")
    if not CODE.match(code):
        raise Reject("link-bad-code")
    d, who = deps(context), user_id(update)
    account = d.store.link_account(who)
    # as the link account, not as the resident: the sites service never learns the resident's pseudonym;
    # the same user and code again (a retry after a timeout) gets the same success, never "already used"
    answer = LinkRedeemed.model_validate(await d.services.call(
        Actor(id=account, role=Role.RESIDENT), "sites", "redeem_link_code", code=code.upper(), account=account,
        command_id=d.store.link_command_id(who, code.upper().replace("-", ""))))
    establishment = str(answer.establishment_id) if answer.establishment_id else None
    await asyncio.to_thread(d.store.link, who, update.effective_chat.id, lang(update, context),
                            answer.role, establishment, answer.staff)
    role = t(lang(update, context), f"role-{answer.role}")
    if answer.staff:
        await say(update, context, "tasks-linked", role=role, email=answer.staff)
        return
    if not establishment:
        await say(update, context, "link-done-role", role=role)
        return
    name = EstablishmentCard.model_validate(await call(update, context, "sites", "get_establishment",
                                                       establishment_id=establishment)).name
    await say(update, context, "link-done", role=role, name=name)


def handlers(settings) -> list:  # type: ignore[no-untyped-def]
    return [CommandHandler("link", link)]
