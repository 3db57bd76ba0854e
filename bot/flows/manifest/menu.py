"""/manifest's menu: what the linked establishment's role may do (stateless buttons)."""
from __future__ import annotations

from telegram import Update

from bot.common import Ctx, Reject, actor, buttons, call, lang, say
from bot.flows.manifest.common import DRAFT, entry
from bot.texts import t
from shared.contracts.sites_answers import EstablishmentCard
from shared.kit.actor import Role

ROLES = (Role.BUSINESS, Role.TRANSPORTER, Role.TREATMENT_FACILITY)


def menu_keyboard(lng: str, role: Role):  # type: ignore[no-untyped-def]
    if role == Role.BUSINESS:
        first = (t(lng, "mf-btn-new"), "mf:new")
    else:
        first = (t(lng, "mf-btn-await"), "mf:await")
    return buttons([[first], [(t(lng, "mf-btn-list"), "mf:list")]])


@entry
async def begin(update: Update, context: Ctx) -> None:
    """/manifest: the menu for the linked establishment's role. A draft left open is dropped."""
    dropped = context.user_data.pop(DRAFT, None) is not None
    who = await actor(update, context)
    if who.role not in ROLES or not who.establishment:
        raise Reject("mf-not-linked")
    lng = lang(update, context)
    if dropped:
        await say(update, context, "mf-draft-dropped")
    est = EstablishmentCard.model_validate(await call(update, context, "sites", "get_establishment",
                                                      establishment_id=who.establishment))
    await say(update, context, "mf-menu", menu_keyboard(lng, who.role), role=t(lng, f"role-{who.role.value}"),
              name=est.name)
