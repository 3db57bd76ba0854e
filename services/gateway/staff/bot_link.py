"""A link code for the bot, shown once with the QR code of the bot's deep link
https://t.me/<bot>?start=<CODE> (inline SVG, no script): an establishment's (registry), and an
inspector's own (issue 15), bound to their staff account so that in the bot they act as
`staff:<e-mail>` and get the reports assigned to them (/tasks). An inspector issues theirs from
"My account"; an admin may issue one for an inspector's account from its page."""
from __future__ import annotations

from typing import Any

import anyio
import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.gateway.context import errors
from services.gateway.staff.kit import Member, StaffApi, StaffPost, call
from shared.kit.actor import Role
from shared.kit.errors import Forbidden, InvalidInput

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/v1/staff", tags=["staff"], responses=errors(401, 403, 404, 409))


def deep_link(request: Request, code: str) -> str:
    return f"https://t.me/{request.app.state.settings.bot.username}?start={code}"


def qr_svg(url: str) -> str:
    """The QR code as inline SVG markup (segno; the URL is ours: the bot's name and a code)."""
    return segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def shown_once(request: Request, issued: dict) -> dict:
    """What the page shows of an issued code (templates/_link_issued.html): the code, its expiry,
    the deep link and its QR code."""
    link = deep_link(request, issued["code"])
    return dict(issued, deep_link=link, qr=qr_svg(link))


async def inspector_code(request: Request, by: Member, email: str, command_id: str | None) -> dict:
    """An inspector's link code bound to the staff account `email`: by that inspector, or by an
    admin for an inspector's account (the sites service checks the first; the account's role is
    checked here, where accounts live)."""
    if by.role is Role.INSPECTOR:
        if email != by.email:
            raise Forbidden("an inspector issues a code for their own account only", "staff", "own")
    elif by.role is Role.ADMIN:
        account = await anyio.to_thread.run_sync(request.app.state.staff.account, email)
        if Role(account.role) is not Role.INSPECTOR:
            raise InvalidInput("a bot code bound to a staff account is for an inspector's account", "staff",
                               "inspector_only")
    else:
        raise Forbidden("only an inspector (for themself) or an admin issues an inspector's bot code",
                        "actor.role", "role")
    return await call(request, by, "sites", "issue_link_code", command_id=command_id, role="inspector",
                      staff=email)


@router.post("/staff/me/bot-code", response_class=HTMLResponse)
async def my_code(request: Request, posted: StaffPost) -> HTMLResponse:
    from services.gateway.staff.auth import me_page

    m = posted.member
    issued = await inspector_code(request, m, m.email, posted.command_id)
    return await me_page(request, m, issued=shown_once(request, issued))


@api.post("/me/bot-code", summary="issue_link_code for the signed-in inspector's own account: the code "
                                  "(shown once), the bot's deep link and its QR code (SVG)")
async def my_code_json(request: Request, member: StaffApi) -> dict[str, Any]:
    issued = shown_once(request, await inspector_code(request, member, member.email, None))
    return {**{k: v for k, v in issued.items() if k != "qr"}, "qr_svg": issued["qr"]}
